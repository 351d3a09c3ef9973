/**
 * Every message Careline sends has a kind, and every kind a class:
 * - transactional: about an order the customer placed (payment, shipping, parcel, ticket
 *   replies). Sent without marketing consent, exempt from the contact budget, still honours
 *   STOP / unsubscribe and quiet hours.
 * - care: check-ins, usage tips, review requests, the light 30-day touch. No marketing consent
 *   needed, but counted against the contact budget and honours opt-outs.
 * - marketing: repurchase reminders, campaigns, nurture. Needs the customer's marketing consent
 *   on the channel, counted against the contact budget.
 */
export const MESSAGE_CLASSES = ['transactional', 'care', 'marketing'] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

export interface LocalWindow {
  /** Local wall-clock time, 'HH:mm'. */
  start: string;
  end: string;
}

export interface KindSpec {
  class: MessageClass;
  /** Higher wins a contested contact-budget slot. */
  priority: number;
  /** After this long past its first due time the message is no longer worth sending. */
  expiresAfterHours: number;
  /** Local windows the message must land in (besides quiet hours), if any. */
  windows?: LocalWindow[];
}

export const MESSAGE_KINDS = {
  payment_reminder: { class: 'transactional', priority: 80, expiresAfterHours: 48 },
  payment_last_chance: { class: 'transactional', priority: 85, expiresAfterHours: 12 },
  order_shipped: { class: 'transactional', priority: 70, expiresAfterHours: 72 },
  parcel_update: { class: 'transactional', priority: 50, expiresAfterHours: 24, windows: [{ start: '08:00', end: '09:00' }] },
  out_for_delivery: { class: 'transactional', priority: 60, expiresAfterHours: 12 },
  delivered: { class: 'transactional', priority: 60, expiresAfterHours: 24 },
  shipment_delay: { class: 'transactional', priority: 65, expiresAfterHours: 48 },
  ticket_reply: { class: 'transactional', priority: 90, expiresAfterHours: 72 },
  delivery_care: { class: 'care', priority: 40, expiresAfterHours: 72 },
  check_in: { class: 'care', priority: 30, expiresAfterHours: 72 },
  review_request: { class: 'care', priority: 20, expiresAfterHours: 120 },
  active_window_touch: { class: 'care', priority: 10, expiresAfterHours: 72 },
  repurchase_reminder: { class: 'marketing', priority: 30, expiresAfterHours: 168 },
  campaign: { class: 'marketing', priority: 20, expiresAfterHours: 72 },
} as const satisfies Record<string, KindSpec>;

export type MessageKind = keyof typeof MESSAGE_KINDS;
export const MESSAGE_KIND_NAMES = Object.keys(MESSAGE_KINDS) as MessageKind[];

export function kindSpec(kind: MessageKind): KindSpec {
  return MESSAGE_KINDS[kind];
}

export function isMessageKind(value: string): value is MessageKind {
  return Object.hasOwn(MESSAGE_KINDS, value);
}

/**
 * A not-sent reason as a counter or metric label: the part before the first `:`
 * (`channel_failed:invalid_phone` → `channel_failed`), in word characters. The detail varies;
 * a counter should not.
 */
export function reasonKey(reason: string): string {
  return reason.split(':')[0]!.replace(/\W/g, '_').slice(0, 40);
}
