import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { type CustomerFacts, idSchema, type OrderEvent } from '../events/canonical.ts';
import { type Adaptation, issuePaths, type PlatformAdapter, validUrl } from './adapter.ts';
import { verifyBase64BodySignature } from './signatures.ts';

/**
 * WooCommerce webhooks (REST API v3 order payloads). `order.updated` fires on every change;
 * the status and the paid/completed dates tell which transitions it carries.
 */

/** WooCommerce's *_gmt dates have no offset; they are UTC. */
const gmtTime = z.pipe(
  z
    .string()
    .check(
      z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/),
      z.refine((text: string) => !Number.isNaN(Date.parse(`${text.slice(0, 19)}Z`)), 'not a date'),
    ),
  z.transform((text: string) => new Date(`${text.slice(0, 19)}Z`).toISOString()),
);
const money = z.pipe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), z.string().check(z.regex(/^-?\d+(\.\d+)?$/)));
const text = z.nullish(z.string());

const contact = z.nullish(z.object({ first_name: text, last_name: text, email: text, phone: text, country: text, state: text, city: text }));

const trackingItem = z.object({
  tracking_provider: text,
  custom_tracking_provider: text,
  tracking_number: text,
  custom_tracking_link: text,
  date_shipped: z.nullish(z.union([z.string(), z.number()])),
  tracking_id: text,
});

const order = z.object({
  id: idSchema,
  number: z.nullish(z.union([z.string(), z.number()])),
  status: z.string(),
  currency: z.string().check(z.length(3)),
  total: money,
  /** The order's pay page (checkout/order-pay/…), for orders still awaiting payment. */
  payment_url: text,
  customer_id: z.nullish(z.union([z.number(), z.string()])),
  date_created_gmt: gmtTime,
  date_modified_gmt: z.nullish(gmtTime),
  date_paid_gmt: z.nullish(gmtTime),
  date_completed_gmt: z.nullish(gmtTime),
  billing: contact,
  shipping: contact,
  line_items: z._default(
    z.array(
      z.object({
        id: idSchema,
        name: z.string(),
        product_id: z.nullish(idSchema),
        quantity: z.int(),
        sku: text,
        price: money,
      }),
    ),
    [],
  ),
  refunds: z._default(z.array(z.object({ id: idSchema, total: money })), []),
  meta_data: z._default(z.array(z.object({ key: z.string(), value: z.unknown() })), []),
});
type WooOrder = z.infer<typeof order>;

const deleted = z.object({ id: idSchema });

/** Statuses that mean the customer has paid. */
const PAID_STATUSES = new Set(['processing', 'completed', 'refunded']);
const SHIPMENT_TRACKING_META = '_wc_shipment_tracking_items';

function orderEvents(topic: string, o: WooOrder): OrderEvent[] {
  const updatedAt = o.date_modified_gmt ?? o.date_created_gmt;
  const snapshot: OrderEvent['order'] = {
    orderNumber: o.number != null ? `#${o.number}` : undefined,
    currency: o.currency,
    total: o.total,
    payUrl: validUrl(o.payment_url),
    createdAt: o.date_created_gmt,
    updatedAt,
    lineItems: o.line_items.map((item) => ({
      lineItemId: item.id,
      sku: item.sku || undefined,
      productId: item.product_id ?? undefined,
      title: item.name,
      quantity: item.quantity,
      price: Number(item.price).toFixed(2),
    })),
    shippingRegion: {
      countryCode: (o.shipping?.country || o.billing?.country)?.length === 2 ? (o.shipping?.country || o.billing?.country)! : undefined,
      provinceCode: o.shipping?.state || o.billing?.state || undefined,
      city: o.shipping?.city || o.billing?.city || undefined,
    },
  };
  const base = { orderId: o.id, order: snapshot };
  const events: OrderEvent[] = [{ ...base, type: topic === 'order.created' ? 'order.created' : 'order.updated', occurredAt: updatedAt }];
  if (o.date_paid_gmt || PAID_STATUSES.has(o.status)) {
    events.push({ ...base, type: 'order.paid', occurredAt: o.date_paid_gmt ?? updatedAt });
  }
  if (o.status === 'completed') {
    const tracking = trackingItems(o)[0];
    events.push({
      ...base,
      type: 'order.shipped',
      occurredAt: o.date_completed_gmt ?? updatedAt,
      shipment: {
        shipmentId: tracking?.tracking_id ?? tracking?.tracking_number ?? `${o.id}-completed`,
        carrier: tracking?.tracking_provider || tracking?.custom_tracking_provider || undefined,
        trackingNumber: tracking?.tracking_number ?? undefined,
        trackingUrl: validUrl(tracking?.custom_tracking_link),
      },
    });
  }
  if (o.status === 'cancelled') events.push({ ...base, type: 'order.cancelled', occurredAt: updatedAt });
  for (const refund of o.refunds) {
    events.push({
      ...base,
      type: 'order.refunded',
      occurredAt: updatedAt,
      refund: { refundId: refund.id, amount: Math.abs(Number(refund.total)).toFixed(2), lineItems: [] },
    });
  }
  if (o.status === 'refunded' && o.refunds.length === 0) {
    events.push({ ...base, type: 'order.refunded', occurredAt: updatedAt, refund: { refundId: `${o.id}-full`, amount: o.total, lineItems: [] } });
  }
  return events;
}

function trackingItems(o: WooOrder): z.infer<typeof trackingItem>[] {
  const meta = o.meta_data.find((entry) => entry.key === SHIPMENT_TRACKING_META);
  const parsed = z.array(trackingItem).safeParse(meta?.value);
  return parsed.success ? parsed.data : [];
}

function customerFacts(o: WooOrder): CustomerFacts {
  const registered = o.customer_id != null && String(o.customer_id) !== '0';
  return {
    platformCustomerId: registered ? String(o.customer_id) : undefined,
    firstName: o.billing?.first_name || o.shipping?.first_name || undefined,
    lastName: o.billing?.last_name || o.shipping?.last_name || undefined,
    email: o.billing?.email || undefined,
    phone: o.billing?.phone || o.shipping?.phone || undefined,
  };
}


export const woocommerceAdapter: PlatformAdapter = {
  signatureHeader: 'X-WC-Webhook-Signature',
  contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
  verifySignature: (request, secrets) =>
    verifyBase64BodySignature(request.rawBody, request.headers['x-wc-webhook-signature'], secrets),
  /** When a webhook is saved, WooCommerce posts an unsigned form body `webhook_id=<n>`. */
  isPing: (request) =>
    !request.headers['x-wc-webhook-signature'] && /^webhook_id=\d+$/.test(request.rawBody.toString('utf8').trim()),
  topicOf: (request) => request.headers['x-wc-webhook-topic'],
  /**
   * WooCommerce's delivery id is a hash of the webhook id and the current second, so two
   * updates of one order within a second share it: the body's hash keeps them apart.
   */
  deliveryIdOf: (request) => {
    const id = request.headers['x-wc-webhook-delivery-id'];
    return id && `${id}:${createHash('sha256').update(request.rawBody).digest('base64url').slice(0, 16)}`;
  },
  adapt(topic, body, request): Adaptation {
    if (topic === 'order.created' || topic === 'order.updated') {
      const parsed = order.safeParse(body);
      if (!parsed.success) return { kind: 'invalid', fields: issuePaths(parsed.error.issues) };
      return { kind: 'events', orderId: parsed.data.id, events: orderEvents(topic, parsed.data), customer: customerFacts(parsed.data) };
    }
    if (topic === 'order.deleted') {
      // WooCommerce sends only the id of a deleted (trashed) order: it is closed, nothing more will happen to it.
      const parsed = deleted.safeParse(body);
      if (!parsed.success) return { kind: 'invalid', fields: issuePaths(parsed.error.issues) };
      const orderId = parsed.data.id;
      return { kind: 'events', orderId, events: [{ type: 'order.closed', orderId, occurredAt: request.receivedAt.toISOString() }] };
    }
    return { kind: 'ignored' };
  },
};
