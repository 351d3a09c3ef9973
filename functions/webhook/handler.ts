import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { shopCache } from '../../shared/shops/shop-cache.ts';
import type { CarelineStore } from '../../shared/store/careline-store.ts';
import { WebhookStore } from '../../shared/store/webhook-store.ts';
import { type IngestResult, ingestWebhook } from '../../shared/webhooks/ingest-webhook.ts';
import { adapterFor } from '../../shared/webhooks/registry.ts';
import { countWebhook, getMetrics } from '../metrics.ts';
import { unexpectedErrorsAsHttp500 } from '../middleware/http-errors.ts';
import { getRuntime, logger } from '../runtime.ts';

let loadShop: ((shopId: string) => Promise<import('../../shared/shops/shop.ts').Shop | undefined>) | undefined;

const isKnownPlatform = (platform: string) => adapterFor(platform) !== undefined;

/** The webhook's own writes, on the runtime's table (the runtime's store itself when it has them). */
const webhookStores = new WeakMap<CarelineStore, WebhookStore>();
function webhookStoreOf(store: CarelineStore): WebhookStore {
  if (store instanceof WebhookStore) return store;
  let own = webhookStores.get(store);
  if (!own) webhookStores.set(store, (own = new WebhookStore(store.siblingOptions)));
  return own;
}

/** POST /webhooks/{platform}/{shopId}: verify, adapt, apply. */
async function receiveWebhook(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const runtime = getRuntime();
  loadShop ??= shopCache((shopId) => runtime.store.getShop(shopId));
  const platform = event.pathParameters?.platform ?? '';
  const shopId = event.pathParameters?.shopId ?? '';
  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));

  let result: IngestResult;
  try {
    result = await ingestWebhook({ platform, shopId, headers, rawBody, receivedAt: runtime.clock.now() }, { ...runtime, store: webhookStoreOf(runtime.store), loadShop });
  } catch (error) {
    // The middleware below turns it into a 500; counted here, where the platform is known.
    countWebhook(getMetrics(), { platform, outcome: 'error' }, isKnownPlatform);
    throw error;
  }
  countWebhook(getMetrics(), { platform, topic: result.topic, outcome: result.outcome }, isKnownPlatform);
  logger.info('webhook', { platform: platform.slice(0, 40), shopId: shopId.slice(0, 63), topic: result.topic, outcome: result.outcome, status: result.status });
  return { statusCode: result.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result.body) };
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(unexpectedErrorsAsHttp500(logger))
  .handler(receiveWebhook);

/** Forget cached shops (after `careline shop` changes in the same process, e.g. the local server). */
export function resetWebhookCaches(): void {
  loadShop = undefined;
}
