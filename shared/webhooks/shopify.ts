import * as z from 'zod/mini';
import { type CustomerFacts, idSchema, type OrderEvent, type Region, type Shipment } from '../events/canonical.ts';
import { type Adaptation, consentFrom, issuePaths, type PlatformAdapter, validUrl } from './adapter.ts';
import { verifyBase64BodySignature } from './signatures.ts';

/**
 * Shopify Admin webhooks (REST payloads, JSON). Order topics carry a whole order snapshot,
 * from which every milestone it shows is read, so a late `orders/updated` can only add facts.
 */
const time = z.iso.datetime({ offset: true });
const money = z.pipe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), z.string().check(z.regex(/^\d+(\.\d+)?$/)));
const text = z.nullish(z.string());

const consent = z.nullish(z.object({ state: text }));
const address = z.nullish(
  z.object({
    country_code: text,
    province_code: text,
    city: text,
    phone: text,
    first_name: text,
    last_name: text,
  }),
);

const customer = z.nullish(
  z.object({
    id: idSchema,
    email: text,
    phone: text,
    first_name: text,
    last_name: text,
    locale: text,
    accepts_marketing: z.nullish(z.boolean()),
    email_marketing_consent: consent,
    sms_marketing_consent: consent,
  }),
);

const fulfillment = z.object({
  id: idSchema,
  order_id: z.optional(idSchema),
  status: text,
  created_at: time,
  updated_at: z.nullish(time),
  tracking_company: text,
  tracking_number: text,
  tracking_url: text,
  tracking_urls: z.nullish(z.array(z.string())),
  shipment_status: text,
});

const refund = z.object({
  id: idSchema,
  order_id: idSchema,
  created_at: time,
  refund_line_items: z._default(z.array(z.object({ line_item_id: idSchema, quantity: z.int(), subtotal: z.nullish(money) })), []),
  transactions: z._default(z.array(z.object({ amount: money, kind: text, status: text })), []),
});

const order = z.object({
  id: idSchema,
  name: text,
  order_number: z.nullish(z.union([z.string(), z.number()])),
  email: text,
  phone: text,
  currency: z.string().check(z.length(3)),
  total_price: money,
  /** The order status page, where a customer with a pending payment is shown how to pay. */
  order_status_url: text,
  financial_status: text,
  fulfillment_status: text,
  cancelled_at: z.nullish(time),
  closed_at: z.nullish(time),
  processed_at: z.nullish(time),
  created_at: time,
  updated_at: z.nullish(time),
  customer_locale: text,
  buyer_accepts_marketing: z.nullish(z.boolean()),
  customer,
  shipping_address: address,
  billing_address: address,
  line_items: z._default(
    z.array(
      z.object({
        id: idSchema,
        product_id: z.nullish(idSchema),
        sku: text,
        title: z.string(),
        quantity: z.int(),
        price: money,
      }),
    ),
    [],
  ),
  fulfillments: z._default(z.array(fulfillment), []),
  refunds: z._default(z.array(refund), []),
});

const fulfillmentEvent = z.object({
  id: idSchema,
  order_id: idSchema,
  fulfillment_id: z.nullish(idSchema),
  status: z.string(),
  happened_at: z.nullish(time),
  created_at: time,
  city: text,
  province: text,
  country: text,
  message: text,
});

type ShopifyOrder = z.infer<typeof order>;
type ShopifyFulfillment = z.infer<typeof fulfillment>;

const ORDER_TOPICS = new Set(['orders/create', 'orders/paid', 'orders/cancelled', 'orders/updated', 'orders/fulfilled']);
const FULFILLMENT_TOPICS = new Set(['fulfillments/create', 'fulfillments/update']);
const PAID_FINANCIAL_STATUSES = new Set(['paid', 'partially_refunded', 'refunded']);

const iso = (value: string) => new Date(value).toISOString();

function orderEvents(topic: string, o: ShopifyOrder): OrderEvent[] {
  const updatedAt = iso(o.updated_at ?? o.created_at);
  const snapshot: OrderEvent['order'] = {
    orderNumber: o.name ?? (o.order_number != null ? String(o.order_number) : undefined),
    currency: o.currency,
    total: o.total_price,
    payUrl: validUrl(o.order_status_url),
    createdAt: iso(o.created_at),
    updatedAt,
    lineItems: o.line_items.map((item) => ({
      lineItemId: item.id,
      sku: item.sku ?? undefined,
      productId: item.product_id ?? undefined,
      title: item.title,
      quantity: item.quantity,
      price: item.price,
    })),
    shippingRegion: regionOf(o.shipping_address ?? o.billing_address),
  };
  const base = { orderId: o.id, order: snapshot };
  const events: OrderEvent[] = [{ ...base, type: topic === 'orders/create' ? 'order.created' : 'order.updated', occurredAt: updatedAt }];
  if (PAID_FINANCIAL_STATUSES.has(o.financial_status ?? '')) {
    // Shopify has no paid_at; processed_at is when the checkout was paid for captured payments.
    const paidAt = topic === 'orders/paid' || !o.processed_at ? updatedAt : iso(o.processed_at);
    events.push({ ...base, type: 'order.paid', occurredAt: paidAt });
  }
  if (o.cancelled_at) events.push({ ...base, type: 'order.cancelled', occurredAt: iso(o.cancelled_at) });
  if (o.closed_at) events.push({ ...base, type: 'order.closed', occurredAt: iso(o.closed_at) });
  for (const f of o.fulfillments) events.push(...fulfillmentEvents(o.id, f));
  for (const r of o.refunds) events.push(refundEvent(r));
  return events;
}

function fulfillmentEvents(orderId: string, f: ShopifyFulfillment): OrderEvent[] {
  if (f.status === 'cancelled' || f.status === 'failure' || f.status === 'error') return [];
  const shipment: Shipment = {
    shipmentId: f.id,
    carrier: f.tracking_company ?? undefined,
    trackingNumber: f.tracking_number ?? undefined,
    trackingUrl: validUrl(f.tracking_url ?? f.tracking_urls?.[0]),
  };
  const shippedAt = iso(f.created_at);
  const events: OrderEvent[] = [{ type: 'order.shipped', orderId, occurredAt: shippedAt, shipment }];
  const statusAt = iso(f.updated_at ?? shippedAt);
  if (f.shipment_status === 'delivered') events.push({ type: 'shipment.delivered', orderId, occurredAt: statusAt });
  if (f.shipment_status === 'out_for_delivery') events.push({ type: 'shipment.out_for_delivery', orderId, occurredAt: statusAt });
  return events;
}

function refundEvent(r: z.infer<typeof refund>): OrderEvent {
  const refunded = r.transactions.filter((t) => t.kind === 'refund' && (t.status ?? 'success') === 'success');
  const amount = refunded.length
    ? refunded.reduce((sum, t) => sum + Number(t.amount), 0)
    : r.refund_line_items.reduce((sum, item) => sum + Number(item.subtotal ?? 0), 0);
  return {
    type: 'order.refunded',
    orderId: r.order_id,
    occurredAt: iso(r.created_at),
    refund: {
      refundId: r.id,
      amount: amount.toFixed(2),
      lineItems: r.refund_line_items.filter((item) => item.quantity > 0).map((item) => ({ lineItemId: item.line_item_id, quantity: item.quantity })),
    },
  };
}

const CHECKPOINT_STATUS: Record<string, NonNullable<OrderEvent['checkpoint']>['status']> = {
  in_transit: 'in_transit',
  confirmed: 'info',
  label_printed: 'info',
  label_purchased: 'info',
  ready_for_pickup: 'in_transit',
  picked_up: 'in_transit',
  attempted_delivery: 'exception',
  delayed: 'exception',
  failure: 'exception',
  out_for_delivery: 'out_for_delivery',
  delivered: 'delivered',
};

function checkpointEvents(e: z.infer<typeof fulfillmentEvent>): OrderEvent[] {
  const status = CHECKPOINT_STATUS[e.status] ?? 'info';
  const at = iso(e.happened_at ?? e.created_at);
  const location = [e.city, e.province, e.country].filter(Boolean).join(', ') || undefined;
  const checkpoint = { at, status, location, message: e.message ?? undefined };
  const type: OrderEvent['type'] =
    status === 'delivered'
      ? 'shipment.delivered'
      : status === 'out_for_delivery'
        ? 'shipment.out_for_delivery'
        : status === 'exception'
          ? 'shipment.exception'
          : 'shipment.checkpoint';
  return [{ type, orderId: e.order_id, occurredAt: at, checkpoint }];
}

function customerFacts(o: ShopifyOrder): CustomerFacts {
  const c = o.customer;
  const address = o.shipping_address ?? o.billing_address;
  return {
    platformCustomerId: c?.id,
    firstName: c?.first_name ?? address?.first_name ?? undefined,
    lastName: c?.last_name ?? address?.last_name ?? undefined,
    email: c?.email ?? o.email ?? undefined,
    phone: c?.phone ?? o.phone ?? address?.phone ?? undefined,
    locale: o.customer_locale ?? c?.locale ?? undefined,
    emailConsent: consentFrom(c?.email_marketing_consent?.state ?? c?.accepts_marketing ?? o.buyer_accepts_marketing),
    smsConsent: consentFrom(c?.sms_marketing_consent?.state),
  };
}

function regionOf(a: z.infer<typeof address>): Region | undefined {
  if (!a) return undefined;
  return {
    countryCode: a.country_code?.length === 2 ? a.country_code : undefined,
    provinceCode: a.province_code ?? undefined,
    city: a.city ?? undefined,
  };
}


function parse<S extends z.ZodMiniType>(schema: S, body: unknown, build: (value: z.infer<S>) => Adaptation): Adaptation {
  const parsed = schema.safeParse(body);
  return parsed.success ? build(parsed.data) : { kind: 'invalid', fields: issuePaths(parsed.error.issues) };
}

export const shopifyAdapter: PlatformAdapter = {
  signatureHeader: 'X-Shopify-Hmac-Sha256',
  contentTypes: ['application/json'],
  verifySignature: (request, secrets) =>
    verifyBase64BodySignature(request.rawBody, request.headers['x-shopify-hmac-sha256'], secrets),
  isPing: () => false,
  topicOf: (request) => request.headers['x-shopify-topic'],
  deliveryIdOf: (request) => request.headers['x-shopify-webhook-id'],
  adapt(topic, body) {
    if (ORDER_TOPICS.has(topic)) {
      return parse(order, body, (o) => ({ kind: 'events', orderId: o.id, events: orderEvents(topic, o), customer: customerFacts(o) }));
    }
    if (FULFILLMENT_TOPICS.has(topic)) {
      return parse(z.required(fulfillment, { order_id: true }), body, (f) => ({
        kind: 'events',
        orderId: f.order_id,
        events: fulfillmentEvents(f.order_id, f),
      }));
    }
    if (topic === 'fulfillment_events/create') {
      return parse(fulfillmentEvent, body, (e) => ({ kind: 'events', orderId: e.order_id, events: checkpointEvents(e) }));
    }
    if (topic === 'refunds/create') {
      return parse(refund, body, (r) => ({ kind: 'events', orderId: r.order_id, events: [refundEvent(r)] }));
    }
    return { kind: 'ignored' };
  },
};
