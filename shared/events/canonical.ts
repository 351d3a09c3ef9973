import * as z from 'zod/mini';

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
export const idSchema = z.pipe(z.union([z.string().check(z.minLength(1), z.maxLength(128)), z.int()]), z.transform(String));

/** A link for customers (a payment page): http or https, of sane length. */
export const httpLinkSchema = z.httpUrl().check(z.maxLength(1000));
/** Times are normalized to UTC ISO strings so that they compare correctly as text. */
export const isoTime = z.pipe(
  z.iso.datetime({ offset: true }),
  z.transform((text: string) => new Date(text).toISOString()),
);
const optionalText = (max: number) => z.optional(z.string().check(z.maxLength(max)));

export const consentSchema = z.enum(['subscribed', 'unsubscribed', 'unknown']);
export type Consent = z.infer<typeof consentSchema>;

export const customerFactsSchema = z.object({
  platformCustomerId: z.optional(idSchema),
  firstName: optionalText(100),
  lastName: optionalText(100),
  email: optionalText(320),
  phone: optionalText(40),
  locale: optionalText(35),
  timezone: optionalText(64),
  emailConsent: z.optional(consentSchema),
  smsConsent: z.optional(consentSchema),
});
export type CustomerFacts = z.infer<typeof customerFactsSchema>;

export const lineItemSchema = z.object({
  lineItemId: idSchema,
  sku: optionalText(100),
  productId: z.optional(idSchema),
  title: z.string().check(z.maxLength(300)),
  quantity: z.int().check(z.nonnegative()),
  /** Unit price in the order's currency, as a decimal string ("199.00"). */
  price: z.string().check(z.regex(/^\d+(\.\d+)?$/)),
});
export type LineItem = z.infer<typeof lineItemSchema>;

export const regionSchema = z.object({
  countryCode: z.optional(z.string().check(z.length(2))),
  provinceCode: optionalText(10),
  city: optionalText(100),
});
export type Region = z.infer<typeof regionSchema>;

/** The facts an order snapshot carries; every field is optional because events are partial. */
export const orderFactsSchema = z.object({
  orderNumber: optionalText(64),
  currency: z.optional(z.string().check(z.length(3))),
  /** Order total as a decimal string in `currency`. */
  total: z.optional(z.string().check(z.regex(/^\d+(\.\d+)?$/))),
  lineItems: z.optional(z.array(lineItemSchema).check(z.maxLength(250))),
  shippingRegion: z.optional(regionSchema),
  createdAt: z.optional(isoTime),
  /** The platform's own last-modified time of the order, used to pick the newest snapshot. */
  updatedAt: z.optional(isoTime),
  /** Where the customer pays for this order (http or https): the `pay_url` of payment reminders. */
  payUrl: z.optional(httpLinkSchema),
});
export type OrderFacts = z.infer<typeof orderFactsSchema>;

export const shipmentSchema = z.object({
  shipmentId: z.optional(idSchema),
  carrier: optionalText(100),
  trackingNumber: optionalText(100),
  trackingUrl: z.optional(z.url().check(z.maxLength(1000))),
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
  amount: z.string().check(z.regex(/^\d+(\.\d+)?$/)),
  lineItems: z._default(z.array(z.object({ lineItemId: idSchema, quantity: z.int().check(z.positive()) })).check(z.maxLength(250)), []),
});
export type Refund = z.infer<typeof refundSchema>;

export const orderEventSchema = z.object({
  type: z.enum(ORDER_EVENT_TYPES),
  orderId: idSchema,
  /** When it happened at the source (not when it reached us). */
  occurredAt: isoTime,
  order: z.optional(orderFactsSchema),
  customer: z.optional(customerFactsSchema),
  shipment: z.optional(shipmentSchema),
  checkpoint: z.optional(checkpointSchema),
  refund: z.optional(refundSchema),
});
export type OrderEvent = z.infer<typeof orderEventSchema>;

/** The body of a webhook on the `careline` platform: one canonical event with its id. */
export const carelineWebhookSchema = z.extend(orderEventSchema, { id: z.string().check(z.minLength(1), z.maxLength(128)) });
