import type { Clock } from '../clock.ts';
import { parseJsonKeepingBigIntegers } from '../json.ts';
import { applyDelivery } from '../orders/apply-delivery.ts';
import { type Shop, shopIdSchema } from '../shops/shop.ts';
import type { WebhookStore } from '../store/webhook-store.ts';
import { createHash } from 'node:crypto';
import type { WebhookRequest } from './adapter.ts';
import { adapterFor, isTrackingSource } from './registry.ts';
import { trackingEvents } from './tracking.ts';

export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export interface IngestDeps {
  store: WebhookStore;
  clock: Clock;
  /** Loads a shop; in Lambda this is a short-lived cache in front of the store. */
  loadShop: (shopId: string) => Promise<Shop | undefined>;
}

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored' | 'unmatched' | 'ping';

/** The answer to a webhook, with labels for logs and metrics (no personal data in any of it). */
export interface IngestResult {
  status: number;
  body: Record<string, unknown>;
  outcome: WebhookOutcome | 'rejected';
  topic?: string;
}

function rejected(status: number, code: string, message: string, fields?: string[]): IngestResult {
  return { status, outcome: 'rejected', body: { error: { code, message, ...(fields ? { fields } : {}) } } };
}

function contentTypeOf(request: WebhookRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Turns one webhook request into its effect. Every check that can reject runs before the
 * first write, so a rejected request leaves nothing behind.
 */
export async function ingestWebhook(request: WebhookRequest, deps: IngestDeps): Promise<IngestResult> {
  const adapter = adapterFor(request.platform);
  if (!adapter) {
    return rejected(404, 'unknown_platform', `Unknown platform "${request.platform.slice(0, 40)}": use shopify, woocommerce, careline, kuaidi100 or aftership.`);
  }
  if (request.rawBody.length > MAX_WEBHOOK_BODY_BYTES) {
    return rejected(413, 'body_too_large', `Webhook bodies are limited to ${MAX_WEBHOOK_BODY_BYTES / 1024} KB.`);
  }
  if (!adapter.contentTypes.includes(contentTypeOf(request))) {
    return rejected(415, 'unsupported_content_type', `Send the body as ${adapter.contentTypes.join(' or ')}.`);
  }
  if (!shopIdSchema.safeParse(request.shopId).success) return rejected(404, 'unknown_shop', 'No shop with that id.');
  const shop = await deps.loadShop(request.shopId);
  if (!shop) return rejected(404, 'unknown_shop', 'No shop with that id: add it with `careline shop add`.');
  const tracking = isTrackingSource(request.platform);
  if (request.platform !== 'careline' && !tracking && shop.platform !== request.platform) {
    return rejected(404, 'wrong_platform', `Shop ${shop.shopId} is set up for ${shop.platform}; use /webhooks/${shop.platform}/${shop.shopId}.`);
  }
  if (adapter.isPing(request)) return { status: 200, outcome: 'ping', body: { ok: true, outcome: 'ping' } };

  // Tracking services sign with their own secret (Kuaidi100's salt, AfterShip's webhook secret).
  const trackingSecret = tracking ? shop.trackingSecrets[request.platform as 'kuaidi100' | 'aftership'] : undefined;
  if (tracking && !trackingSecret) {
    return rejected(401, 'bad_signature', `Shop ${shop.shopId} has no ${request.platform} secret: set it with \`careline shop set ${shop.shopId} trackingSecrets.${request.platform}=<secret>\`.`);
  }
  const secrets = trackingSecret ? [trackingSecret] : shop.secrets.map((secret) => secret.value);
  if (!adapter.verifySignature(request, secrets, request.receivedAt)) {
    return rejected(401, 'bad_signature', `Missing or wrong signature (${adapter.signatureHeader}) for this shop's secret.`);
  }

  let body: unknown;
  try {
    body = adapter.parseBody ? adapter.parseBody(request.rawBody) : parseJsonKeepingBigIntegers(request.rawBody.toString('utf8'));
  } catch {
    return rejected(400, 'malformed_json', adapter.parseBody ? 'The body could not be read (its JSON is not valid).' : 'The body is not valid JSON.');
  }
  const topic = adapter.topicOf(request, body);
  if (!topic) return rejected(400, 'missing_topic', 'The webhook topic is missing.');
  const adapted = adapter.adapt(topic, body, request);
  const answer = (outcome: 'applied' | 'duplicate' | 'ignored' | 'unmatched', extra: Record<string, unknown> = {}): IngestResult => ({
    status: 200,
    outcome,
    topic,
    body: adapter.acknowledgement?.(outcome) ?? { ok: true, outcome, ...extra },
  });
  if (adapted.kind === 'ignored') {
    await deps.store.countIgnoredTopic(shop.shopId, request.platform, topic);
    return answer('ignored', { topic });
  }
  if (adapted.kind === 'invalid') {
    return { ...rejected(422, 'schema_mismatch', `The ${topic} body does not match what Careline expects.`, adapted.fields), topic };
  }

  // Platforms resend a delivery with the same id; a body hash stands in when a sender gives none.
  const deliveryId =
    adapter.deliveryIdOf(request, body) ?? `sha256:${createHash('sha256').update(request.rawBody).digest('base64url')}`;
  if (adapted.kind === 'tracking') {
    // A parcel is matched to its order by tracking number (and carrier, when several share one).
    const orderId = await deps.store.findOrderByTracking(shop.shopId, adapted.trackingNumber, adapted.carrier);
    if (!orderId) {
      await deps.store.countIgnoredTopic(shop.shopId, request.platform, 'unmatched_tracking');
      return answer('unmatched');
    }
    const result = await applyDelivery(shop, { deliveryId, orderId, events: trackingEvents(orderId, adapted.checkpoints) }, deps);
    return answer(result.outcome, { orderId: result.orderId });
  }
  const result = await applyDelivery(
    shop,
    { deliveryId, orderId: adapted.orderId, events: adapted.events, ...(adapted.customer ? { customer: adapted.customer } : {}) },
    deps,
  );
  return answer(result.outcome, { orderId: result.orderId });
}
