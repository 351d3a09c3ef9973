import { type Checkpoint, type CustomerFacts, httpLinkSchema, type OrderEvent } from '../events/canonical.ts';

/** A webhook as it reached us: lower-case header names, the raw body bytes. */
export interface WebhookRequest {
  platform: string;
  shopId: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /** When the request reached Careline (from the injected clock). */
  receivedAt: Date;
}

/** What an adapter made of a body. Expected outcomes are values, not exceptions. */
export type Adaptation =
  | { kind: 'events'; orderId: string; events: OrderEvent[]; customer?: CustomerFacts }
  /**
   * Checkpoints from a tracking service, for the parcel with this tracking number. Careline
   * finds the order by carrier + tracking number (recorded when the order shipped).
   */
  | { kind: 'tracking'; carrier?: string; trackingNumber: string; checkpoints: Checkpoint[] }
  | { kind: 'ignored' }
  | { kind: 'invalid'; fields: string[] };

export interface PlatformAdapter {
  /** Header names, for error messages. */
  readonly signatureHeader: string;
  readonly contentTypes: readonly string[];
  verifySignature(request: WebhookRequest, secrets: string[], now: Date): boolean;
  /** An unsigned liveness check the platform sends when a webhook is set up. */
  isPing(request: WebhookRequest): boolean;
  topicOf(request: WebhookRequest, body: unknown): string | undefined;
  /** The platform's own id of this delivery (the same on every retry). */
  deliveryIdOf(request: WebhookRequest, body: unknown): string | undefined;
  adapt(topic: string, body: unknown, request: WebhookRequest): Adaptation;
  /**
   * Tracking services read a body of their own choosing as the acknowledgement (Kuaidi100 wants
   * `{"result":true,"returnCode":"200","message":"成功"}`); platforms take any 2xx.
   */
  acknowledgement?(outcome: 'applied' | 'duplicate' | 'ignored' | 'unmatched'): Record<string, unknown>;
  /** Parses the raw body (JSON by default; Kuaidi100 posts a form whose `param` field is JSON). */
  parseBody?(rawBody: Buffer): unknown;
}

/** Field paths of a zod error, without the values (they may be personal data). */
export function issuePaths(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  return [...new Set(issues.map((issue) => (issue.path.length ? issue.path.map(String).join('.') : '(body)')))].slice(0, 20);
}

/** Shopify and WooCommerce consent values, reduced to ours. */
export function consentFrom(state: string | boolean | null | undefined): CustomerFacts['emailConsent'] {
  if (state === true || state === 'subscribed') return 'subscribed';
  if (state === false || state === 'unsubscribed' || state === 'not_subscribed') return 'unsubscribed';
  return 'unknown';
}

/** A link a platform sent (tracking page, payment page) when it is an http(s) URL of sane length; dropped otherwise, never a reason to refuse the webhook. */
export function validUrl(url: string | null | undefined): string | undefined {
  return url && httpLinkSchema.safeParse(url).success ? url : undefined;
}
