import { carelineWebhookSchema, ORDER_EVENT_TYPES } from '../events/canonical.ts';
import { type Adaptation, issuePaths, type PlatformAdapter } from './adapter.ts';
import { verifyCarelineSignature } from './signatures.ts';

/** Careline's own canonical JSON, for any platform without an adapter of its own. */
export const carelineAdapter: PlatformAdapter = {
  signatureHeader: 'Careline-Signature',
  contentTypes: ['application/json'],
  verifySignature: (request, secrets, now) =>
    verifyCarelineSignature(request.rawBody, request.headers['careline-signature'], secrets, now),
  isPing: () => false,
  topicOf: (_request, body) => (isRecord(body) && typeof body.type === 'string' ? body.type : undefined),
  deliveryIdOf: (_request, body) => (isRecord(body) && typeof body.id === 'string' ? body.id : undefined),
  adapt(topic, body): Adaptation {
    if (!(ORDER_EVENT_TYPES as readonly string[]).includes(topic)) return { kind: 'ignored' };
    const parsed = carelineWebhookSchema.safeParse(body);
    if (!parsed.success) return { kind: 'invalid', fields: issuePaths(parsed.error.issues) };
    const { id: _id, customer, ...event } = parsed.data;
    return { kind: 'events', orderId: event.orderId, events: [event], ...(customer ? { customer } : {}) };
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
