import * as z from 'zod';

/**
 * Canonical order events: what every platform adapter turns a webhook into, and the body of
 * a `careline` platform webhook (our own format for platforms without an adapter).
 */
export const ORDER_EVENT_TYPES = [
  'order.created',
  'order.updated',
  'order.paid',
  'order.cancelled',
  'order.closed',
  'order.shipped',
  'order.refunded',
  'shipment.checkpoint',
  'shipment.out_for_delivery',
  'shipment.delivered',
  'shipment.exception',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** Ids arrive as JSON numbers or strings; they are kept as exact strings. */
export const idSchema = z.union([z.string().min(1).max(128), z.number().int()]).transform(String);
/** Times are normalized to UTC ISO strings so that they compare correctly as text. */
export const isoTime = z.iso.datetime({ offset: true }).transform((text) => new Date(text).toISOString());
const optionalText = (max: number) => z.string().max(max).optional();

export const consentSchema = z.enum(['subscribed', 'unsubscribed', 'unknown']);
export type Consent = z.infer<typeof consentSchema>;

export const customerFactsSchema = z.object({
  platformCustomerId: idSchema.optional(),
  firstName: optionalText(100),
  lastName: optionalText(100),
  email: optionalText(320),
  phone: optionalText(40),
  locale: optionalText(35),
  timezone: optionalText(64),
  emailConsent: consentSchema.optional(),
  smsConsent: consentSchema.optional(),
});
export type CustomerFacts = z.infer<typeof customerFactsSchema>;

export const lineItemSchema = z.object({
  lineItemId: idSchema,
  sku: optionalText(100),
  productId: idSchema.optional(),
  title: z.string().max(300),
  quantity: z.number().int().nonnegative(),
  /** Unit price in the order's currency, as a decimal string ("199.00"). */
  price: z.string().regex(/^\d+(\.\d+)?$/),
});
export type LineItem = z.infer<typeof lineItemSchema>;

export const regionSchema = z.object({
  countryCode: z.string().length(2).optional(),
  provinceCode: optionalText(10),
  city: optionalText(100),
});
export type Region = z.infer<typeof regionSchema>;

/** The facts an order snapshot carries; every field is optional because events are partial. */
export const orderFactsSchema = z.object({
  orderNumber: optionalText(64),
  currency: z.string().length(3).optional(),
  /** Order total as a decimal string in `currency`. */
  total: z.string().regex(/^\d+(\.\d+)?$/).optional(),
  lineItems: z.array(lineItemSchema).max(250).optional(),
  shippingRegion: regionSchema.optional(),
  createdAt: isoTime.optional(),
  /** The platform's own last-modified time of the order, used to pick the newest snapshot. */
  updatedAt: isoTime.optional(),
});
export type OrderFacts = z.infer<typeof orderFactsSchema>;

export const shipmentSchema = z.object({
  shipmentId: idSchema.optional(),
  carrier: optionalText(100),
  trackingNumber: optionalText(100),
  trackingUrl: z.url().max(1000).optional(),
});
export type Shipment = z.infer<typeof shipmentSchema>;

export const CHECKPOINT_STATUSES = ['in_transit', 'out_for_delivery', 'delivered', 'exception', 'info'] as const;
export const checkpointSchema = z.object({
  at: isoTime,
  status: z.enum(CHECKPOINT_STATUSES),
  location: optionalText(200),
  message: optionalText(500),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

export const refundSchema = z.object({
  refundId: idSchema,
  /** Refunded amount as a decimal string in the order's currency. */
  amount: z.string().regex(/^\d+(\.\d+)?$/),
  lineItems: z.array(z.object({ lineItemId: idSchema, quantity: z.number().int().positive() })).max(250).default([]),
});
export type Refund = z.infer<typeof refundSchema>;

export const orderEventSchema = z.object({
  type: z.enum(ORDER_EVENT_TYPES),
  orderId: idSchema,
  /** When it happened at the source (not when it reached us). */
  occurredAt: isoTime,
  order: orderFactsSchema.optional(),
  customer: customerFactsSchema.optional(),
  shipment: shipmentSchema.optional(),
  checkpoint: checkpointSchema.optional(),
  refund: refundSchema.optional(),
});
export type OrderEvent = z.infer<typeof orderEventSchema>;

/** The body of a webhook on the `careline` platform: one canonical event with its id. */
export const carelineWebhookSchema = orderEventSchema.extend({ id: z.string().min(1).max(128) });
