import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { apiGatewayEvent, type WebhookRequestInput } from '../../local/world.ts';
import { handler, resetWebhookCaches } from '../../functions/webhook/handler.ts';
import { createRuntime, setRuntime } from '../../functions/runtime.ts';
import type { Clock } from '../../shared/clock.ts';
import { collectingPublisher, type EventPublisher } from '../../shared/events/publisher.ts';
import type { CarelineStore } from '../../shared/store/careline-store.ts';
import { signBase64Body, signCareline } from '../../shared/webhooks/signatures.ts';

export type WebhookCall = WebhookRequestInput;

export { apiGatewayEvent };

export interface InvokeResult {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; fields?: string[] } };
  raw: string;
}

/** Runs the real webhook Lambda handler against the given store, clock and publisher. */
export function webhookInvoker(options: { store: CarelineStore; clock: Clock; publisher?: EventPublisher }) {
  const publisher = options.publisher ?? collectingPublisher();
  setRuntime(
    createRuntime({ CARELINE_TABLE: options.store.tableName, AWS_REGION: 'us-east-1' }, { store: options.store, clock: options.clock, publisher }),
  );
  resetWebhookCaches();
  return async (call: WebhookCall): Promise<InvokeResult> => {
    const result = (await handler(apiGatewayEvent(call), {} as Context)) as APIGatewayProxyStructuredResultV2;
    const raw = result.body ?? '';
    return { status: result.statusCode ?? 0, body: JSON.parse(raw), raw };
  };
}

export function shopifyCall(shopId: string, topic: string, body: string, secret: string, webhookId: string): WebhookCall {
  return {
    platform: 'shopify',
    shopId,
    body,
    headers: { 'x-shopify-topic': topic, 'x-shopify-webhook-id': webhookId, 'x-shopify-hmac-sha256': signBase64Body(body, secret) },
  };
}

export function woocommerceCall(shopId: string, topic: string, body: string, secret: string, deliveryId: string): WebhookCall {
  return {
    platform: 'woocommerce',
    shopId,
    body,
    headers: { 'x-wc-webhook-topic': topic, 'x-wc-webhook-delivery-id': deliveryId, 'x-wc-webhook-signature': signBase64Body(body, secret) },
  };
}

export function carelineCall(shopId: string, event: Record<string, unknown>, secret: string, now: Date): WebhookCall {
  const body = JSON.stringify(event);
  return { platform: 'careline', shopId, body, headers: { 'careline-signature': signCareline(body, secret, now) } };
}
