import * as z from 'zod/mini';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { TimelineEntry } from '../orders/order-effects.ts';
import { type OrderItem, orderItemSchema } from '../orders/order-record.ts';
import { applyDelta, expiredDeliveries, isFreshSnapshot, type OrderDelta } from '../orders/order-state.ts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { applyProfileDelta, type ProfileDelta, type ProfileItem, profileItemSchema } from '../profiles/profile.ts';
import type { TemplateSource } from '../messages/templates.ts';
import { type Shop, shopSchema } from '../shops/shop.ts';
import { AlreadyExistsError, isConditionalCheckFailed, StoreError } from './errors.ts';
import { expressionBuilder, ItemStore } from './item-store.ts';
import { keys } from './keys.ts';
import { phoneDigest } from './phone-digest.ts';
import { carrierToken } from '../webhooks/tracking.ts';

export type { CapacityListener, StoreOptions } from './item-store.ts';

const templateSourceSchema = z.object({
  kind: z.string(),
  locale: z.enum(['zh-CN', 'en']),
  variant: z.optional(z.string()),
  sms: z.string(),
  emailSubject: z.string(),
  emailBody: z.string(),
});

/** Attribute name prefixes of the order item's keyed parts (top-level, so one update can add to each). */
export const ORDER_ATTR = {
  milestone: 'ms_',
  checkpoint: 'cp_',
  refund: 'rf_',
  shipment: 'sh_',
  delivery: 'd_',
} as const;

/** The order item as DynamoDB attributes (what `updateOrder` leaves in the table). */
export function orderItemToAttributes(item: OrderItem): Record<string, unknown> {
  const { milestoneReports, checkpoints, refunds, shipments, deliveries, ...scalars } = item;
  const prefixed = (prefix: string, entries: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(entries).map(([key, value]) => [`${prefix}${key}`, value]));
  return {
    ...keys.order(item.shopId, item.orderId),
    ...scalars,
    ...Object.fromEntries(Object.entries(milestoneReports).map(([m, times]) => [`${ORDER_ATTR.milestone}${m}`, new Set(times)])),
    ...prefixed(ORDER_ATTR.checkpoint, checkpoints),
    ...prefixed(ORDER_ATTR.refund, refunds),
    ...prefixed(ORDER_ATTR.shipment, shipments),
    ...prefixed(ORDER_ATTR.delivery, deliveries),
  };
}

export function orderItemFromAttributes(attributes: Record<string, unknown>): OrderItem {
  const item: Record<string, unknown> & Pick<OrderItem, 'milestoneReports' | 'checkpoints' | 'refunds' | 'shipments' | 'deliveries'> = {
    milestoneReports: {},
    checkpoints: {},
    refunds: {},
    shipments: {},
    deliveries: {},
  };
  for (const [name, value] of Object.entries(attributes)) {
    const suffix = (prefix: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : undefined);
    let key: string | undefined;
    if ((key = suffix(ORDER_ATTR.milestone)) !== undefined) (item.milestoneReports as Record<string, string[]>)[key] = [...(value as Set<string>)].sort();
    else if ((key = suffix(ORDER_ATTR.checkpoint)) !== undefined) item.checkpoints[key] = value as never;
    else if ((key = suffix(ORDER_ATTR.refund)) !== undefined) item.refunds[key] = value as never;
    else if ((key = suffix(ORDER_ATTR.shipment)) !== undefined) item.shipments[key] = value as never;
    else if ((key = suffix(ORDER_ATTR.delivery)) !== undefined) item.deliveries[key] = value as never;
    else if (name !== 'pk' && name !== 'sk') item[name] = value;
  }
  const parsed = orderItemSchema.safeParse(item);
  if (!parsed.success) throw new StoreError(`stored order does not match its schema: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}

/** What a versioned item looks like when read: the record and the version a write must match. */
export type Versioned<T> = { value: T; version: number } | undefined;

/**
 * The DynamoDB store: key layout, condition expressions and error mapping live here and
 * nowhere else. Every item read goes through its zod schema.
 */
export class CarelineStore extends ItemStore {

  // ── shops ────────────────────────────────────────────────────────────────────────────
  async getShop(shopId: string): Promise<Shop | undefined> {
    return this.getItem('getShop', keys.shop(shopId), shopSchema);
  }

  async createShop(shop: Shop): Promise<void> {
    await this.putItem('createShop', keys.shop(shop.shopId), shop, { expression: 'attribute_not_exists(pk)' });
  }

  async saveShop(shop: Shop): Promise<void> {
    await this.putItem('saveShop', keys.shop(shop.shopId), shop);
  }

  // ── parcels ──────────────────────────────────────────────────────────────────────────
  /** Remembers which order a tracking number belongs to (written when the order ships). */
  async recordTracking(shopId: string, trackingNumber: string, carrier: string | undefined, orderId: string): Promise<void> {
    await this.putItem('recordTracking', keys.tracking(shopId, trackingNumber, orderId), { orderId, ...(carrier ? { carrier } : {}) });
  }

  // ── orders ───────────────────────────────────────────────────────────────────────────
  async getOrder(shopId: string, orderId: string): Promise<OrderItem | undefined> {
    const result = await this.client.get({ TableName: this.table, Key: keys.order(shopId, orderId), ConsistentRead: true, ReturnConsumedCapacity: this.capacity });
    this.meter('getOrder', 'read', result.ConsumedCapacity);
    return result.Item ? orderItemFromAttributes(result.Item) : undefined;
  }

  // ── profiles ─────────────────────────────────────────────────────────────────────────
  async getProfile(shopId: string, customerId: string): Promise<ProfileItem | undefined> {
    return this.getItem('getProfile', keys.profile(shopId, customerId), profileItemSchema, true);
  }

  // ── shop templates ───────────────────────────────────────────────────────────────────
  async putTemplate(shopId: string, template: TemplateSource): Promise<void> {
    await this.putItem('putTemplate', keys.template(shopId, template.kind, template.locale, template.variant), { ...template, shopId });
  }

  async deleteTemplate(shopId: string, kind: string, locale: string, variant?: string): Promise<void> {
    await this.client.delete({ TableName: this.table, Key: keys.template(shopId, kind, locale, variant) });
  }

  /** A shop's own templates (they win over Careline's). */
  async listTemplates(shopId: string): Promise<TemplateSource[]> {
    const result = await this.client.query({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.shop(shopId).pk, ':prefix': keys.templatePrefix },
      ReturnConsumedCapacity: this.capacity,
    });
    this.meter('listTemplates', 'read', result.ConsumedCapacity);
    return (result.Items ?? []).map((item) => this.parse('listTemplates', templateSourceSchema, item) as TemplateSource);
  }

  // ── opt-outs ────────────────────────────────────────────────────────────────────────────
  /** Records an SMS opt-out (true) or opt-in (false) for a phone number, for every shop of this deployment. */
  async setSmsOptOut(phoneE164: string, optedOut: boolean, at: Date, source: string): Promise<void> {
    await this.putItem('setSmsOptOut', keys.smsOptOut(phoneDigest(phoneE164)), { optedOut, at: at.toISOString(), source });
  }

  /** Records an email unsubscribe (or its undoing) for one customer of one shop. */
  async setEmailOptOut(shopId: string, customerId: string, optedOut: boolean, at: Date, source: string): Promise<void> {
    const result = await this.client.update({
      TableName: this.table,
      Key: keys.profile(shopId, customerId),
      UpdateExpression: 'SET emailOptOut = :out, emailOptOutAt = :at, emailOptOutSource = :source',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':out': optedOut, ':at': at.toISOString(), ':source': source },
      ReturnConsumedCapacity: this.capacity,
    }).catch((error: unknown) => {
      // An unsubscribe for a customer that no longer exists changes nothing, and is not an error.
      if (isConditionalCheckFailed(error)) return undefined;
      throw this.storeError('setEmailOptOut', error);
    });
    this.meter('setEmailOptOut', 'write', result?.ConsumedCapacity);
  }

  // ── timeline ─────────────────────────────────────────────────────────────────────────
  /** A note on a customer's timeline (a journey's or a reply's). Its key is deterministic, so writing it twice leaves one line. */
  async addTimelineNote(shopId: string, customerId: string, entry: TimelineEntry): Promise<void> {
    const { pk, sk } = keys.timelineEntry(shopId, customerId, entry.at, entry.entryId);
    await this.putItem('addTimelineNote', { pk, sk }, entry);
  }

  /** The timeline's stored lines (notes of journeys and replies), oldest first; order histories and messages are read from their own items (shared/profiles/timeline.ts). */
  async listTimelineNotes(shopId: string, customerId: string): Promise<TimelineEntry[]> {
    const items = await this.queryItems('listTimeline', keys.customerPartition(shopId, customerId), { prefix: keys.timelinePrefix });
    return items.map((item) => ({ entryId: String(item.entryId), at: String(item.at), type: String(item.type), summary: String(item.summary), orderId: String(item.orderId) }));
  }

  // ── a customer's orders ──────────────────────────────────────────────────────────────
  /**
   * Lists an order under its customer (written once, when the order first names a customer):
   * the timeline reads the order's history from the order itself.
   */
  async linkCustomerOrder(shopId: string, customerId: string, orderId: string): Promise<void> {
    await this.putItem('linkCustomerOrder', keys.customerOrder(shopId, customerId, orderId), { orderId });
  }

  /** The ids of the orders listed under a customer. */
  async listCustomerOrderIds(shopId: string, customerId: string): Promise<string[]> {
    const links = await this.queryItems('listCustomerOrders', keys.customerPartition(shopId, customerId), { prefix: keys.customerOrderPrefix });
    return links.map((link) => String(link.orderId));
  }

  /** Orders by id, as stored (missing ones left out). */
  async getOrders(shopId: string, orderIds: readonly string[]): Promise<OrderItem[]> {
    const items = await this.batchGet('getOrders', [...new Set(orderIds)].map((orderId) => keys.order(shopId, orderId)));
    return items.map(orderItemFromAttributes);
  }
}
