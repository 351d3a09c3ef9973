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
const ORDER_ATTR = {
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

/** The UpdateItem that applies a profile delta; `applyProfileDelta` is its pure twin. */
function profileUpdateExpression(ids: { shopId: string; customerId: string }, delta: ProfileDelta, now: Date, includeFacts: boolean) {
  const { name, value, names, values } = expressionBuilder();
  const set = [`${name('shopId')} = ${value(ids.shopId)}`, `${name('customerId')} = ${value(ids.customerId)}`, `${name('updatedAt')} = ${value(now.toISOString())}`];
  const createdAt = name('createdAt');
  set.push(`${createdAt} = if_not_exists(${createdAt}, ${value(now.toISOString())})`);
  let condition: string | undefined;
  if (includeFacts && delta.facts) {
    for (const [field, fieldValue] of Object.entries(delta.facts)) if (fieldValue !== undefined) set.push(`${name(field)} = ${value(fieldValue)}`);
    const factsAt = name('factsAt');
    const at = value(delta.factsAt);
    set.push(`${factsAt} = ${at}`);
    condition = `attribute_not_exists(${factsAt}) OR ${factsAt} <= ${at}`;
  }
  if (delta.regionTimezone) set.push(`${name('regionTimezone')} = ${value(delta.regionTimezone)}`);
  if (delta.currency) {
    const currency = name('currency');
    set.push(`${currency} = if_not_exists(${currency}, ${value(delta.currency)})`);
  }
  if (delta.orderedAt) {
    const first = name('firstOrderAt');
    const at = value(delta.orderedAt);
    set.push(`${first} = if_not_exists(${first}, ${at})`, `${name('lastOrderAt')} = ${at}`);
  }
  const add = [`${name('orderCount')} ${value(delta.orders)}`, `${name('totalSpentMinor')} ${value(delta.spentMinor)}`, `${name('version')} ${value(1)}`];
  return {
    UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
    ...(condition ? { ConditionExpression: condition } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The UpdateItem that applies a delta; `applyDelta` in order-state.ts is its pure twin. */
function orderUpdateExpression(ids: { shopId: string; orderId: string }, delta: OrderDelta, now: Date, includeSnapshot: boolean) {
  const { name, value, names, values } = expressionBuilder();
  const set: string[] = [];
  const add: string[] = [];
  const deliveryName = name(`${ORDER_ATTR.delivery}${delta.deliveryKey}`);
  set.push(`${deliveryName} = ${value(delta.seenAt)}`);
  set.push(`${name('shopId')} = ${value(ids.shopId)}`, `${name('orderId')} = ${value(ids.orderId)}`, `${name('updatedAt')} = ${value(now.toISOString())}`);
  if (delta.customerId) {
    const customer = name('customerId');
    set.push(`${customer} = if_not_exists(${customer}, ${value(delta.customerId)})`);
  }
  let condition = `attribute_not_exists(${deliveryName})`;
  if (includeSnapshot && delta.snapshot) {
    const { at, ...facts } = delta.snapshot;
    const snapshotAt = name('snapshotAt');
    const atValue = value(at);
    set.push(`${snapshotAt} = ${atValue}`);
    for (const [field, fieldValue] of Object.entries(facts)) if (fieldValue !== undefined) set.push(`${name(field)} = ${value(fieldValue)}`);
    condition += ` AND (attribute_not_exists(${snapshotAt}) OR ${snapshotAt} <= ${atValue})`;
  }
  for (const [milestone, times] of Object.entries(delta.milestones)) add.push(`${name(`${ORDER_ATTR.milestone}${milestone}`)} ${value(new Set(times))}`);
  for (const c of delta.checkpoints) set.push(`${name(`${ORDER_ATTR.checkpoint}${c.id}`)} = ${value(c)}`);
  for (const r of delta.refunds) set.push(`${name(`${ORDER_ATTR.refund}${r.refundId}`)} = ${value(r)}`);
  for (const s of delta.shipments) set.push(`${name(`${ORDER_ATTR.shipment}${s.id}`)} = ${value(s)}`);
  add.push(`${name('version')} ${value(1)}`);
  return {
    UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
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

  /** Topics a platform sent that Careline does not use: answered 200 and counted here. */
  async countIgnoredTopic(shopId: string, platform: string, topic: string): Promise<void> {
    const result = await this.client.update({
      TableName: this.table,
      Key: keys.webhookCounters(shopId),
      UpdateExpression: 'ADD #counter :one',
      ExpressionAttributeNames: { '#counter': `ignored:${platform}:${topic}`.slice(0, 200) },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnConsumedCapacity: this.capacity,
    });
    this.meter('countIgnoredTopic', 'write', result.ConsumedCapacity);
  }

  async getWebhookCounters(shopId: string): Promise<Record<string, number>> {
    const result = await this.client.get({ TableName: this.table, Key: keys.webhookCounters(shopId) });
    const { pk: _pk, sk: _sk, ...counters } = result.Item ?? {};
    return counters as Record<string, number>;
  }

  // ── parcels ──────────────────────────────────────────────────────────────────────────
  /** Remembers which order a tracking number belongs to (written when the order ships). */
  async recordTracking(shopId: string, trackingNumber: string, carrier: string | undefined, orderId: string): Promise<void> {
    await this.putItem('recordTracking', keys.tracking(shopId, trackingNumber, orderId), { orderId, ...(carrier ? { carrier } : {}) });
  }

  /**
   * The order a parcel belongs to, by tracking number; when several orders share the number,
   * the one whose carrier matches. Undefined when none or several match.
   */
  async findOrderByTracking(shopId: string, trackingNumber: string, carrier?: string): Promise<string | undefined> {
    const result = await this.client.query({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.trackingPartition(shopId, trackingNumber) },
      Limit: 10,
      ReturnConsumedCapacity: this.capacity,
    });
    this.meter('findOrderByTracking', 'read', result.ConsumedCapacity);
    const found = (result.Items ?? []).map((item) => ({ orderId: String(item.orderId), carrier: typeof item.carrier === 'string' ? item.carrier : undefined }));
    if (found.length <= 1) return found[0]?.orderId;
    const same = found.filter((f) => carrier !== undefined && carrierToken(f.carrier) === carrierToken(carrier));
    return same.length === 1 ? same[0]!.orderId : undefined;
  }

  // ── orders ───────────────────────────────────────────────────────────────────────────
  async getOrder(shopId: string, orderId: string): Promise<OrderItem | undefined> {
    const result = await this.client.get({ TableName: this.table, Key: keys.order(shopId, orderId), ConsistentRead: true, ReturnConsumedCapacity: this.capacity });
    this.meter('getOrder', 'read', result.ConsumedCapacity);
    return result.Item ? orderItemFromAttributes(result.Item) : undefined;
  }

  /**
   * Applies a delivery's delta to the order in one conditional UpdateItem, without reading it
   * first. The condition refuses a delivery already applied (a duplicate); a snapshot older than
   * the stored one is left out and the rest applied. Returns the item before and after.
   */
  async updateOrder(
    ids: { shopId: string; orderId: string },
    delta: OrderDelta,
    now: Date,
  ): Promise<{ outcome: 'duplicate' } | { outcome: 'applied'; before: OrderItem | undefined; after: OrderItem }> {
    let includeSnapshot = delta.snapshot !== undefined;
    for (;;) {
      const update = orderUpdateExpression(ids, delta, now, includeSnapshot);
      try {
        const result = await this.client.update({
          TableName: this.table,
          Key: keys.order(ids.shopId, ids.orderId),
          ...update,
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: this.capacity,
        });
        this.meter('updateOrder', 'write', result.ConsumedCapacity);
        const before = result.Attributes ? orderItemFromAttributes(result.Attributes) : undefined;
        const after = applyDelta(before, includeSnapshot ? delta : { ...delta, snapshot: undefined }, ids, now);
        const expired = before ? expiredDeliveries(before, now) : [];
        if (expired.length) await this.#forgetDeliveries(ids, expired);
        return { outcome: 'applied', before, after };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw new StoreError('updateOrder failed', { cause: error });
        this.meter('updateOrder', 'write', (error as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity);
        const raw = (error as { Item?: Record<string, never> }).Item;
        const current = raw ? orderItemFromAttributes(unmarshall(raw)) : undefined;
        if (current?.deliveries[delta.deliveryKey] !== undefined) return { outcome: 'duplicate' };
        if (includeSnapshot && current && !isFreshSnapshot(current, delta.snapshot!.at)) {
          includeSnapshot = false; // an older snapshot arrived late: apply the rest of the delta
          continue;
        }
        throw new StoreError('updateOrder: condition failed for an unexpected reason', { cause: error });
      }
    }
  }

  async #forgetDeliveries(ids: { shopId: string; orderId: string }, deliveryKeys: string[]): Promise<void> {
    const names = Object.fromEntries(deliveryKeys.map((key, i) => [`#d${i}`, `${ORDER_ATTR.delivery}${key}`]));
    const result = await this.client.update({
      TableName: this.table,
      Key: keys.order(ids.shopId, ids.orderId),
      UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
      ExpressionAttributeNames: names,
      ReturnConsumedCapacity: this.capacity,
    });
    this.meter('forgetDeliveries', 'write', result.ConsumedCapacity);
  }

  // ── profiles ─────────────────────────────────────────────────────────────────────────
  async getProfile(shopId: string, customerId: string): Promise<ProfileItem | undefined> {
    return this.getItem('getProfile', keys.profile(shopId, customerId), profileItemSchema, true);
  }

  /**
   * Applies a profile delta in one UpdateItem without reading the profile first. Facts older
   * than the ones stored are left out (the rest still applies). Returns the profile before.
   */
  async updateProfile(ids: { shopId: string; customerId: string }, delta: ProfileDelta, now: Date): Promise<{ before: ProfileItem | undefined; after: ProfileItem }> {
    let includeFacts = delta.facts !== undefined;
    for (;;) {
      const update = profileUpdateExpression(ids, delta, now, includeFacts);
      try {
        const result = await this.client.update({ TableName: this.table, Key: keys.profile(ids.shopId, ids.customerId), ...update, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: this.capacity });
        this.meter('updateProfile', 'write', result.ConsumedCapacity);
        const before = result.Attributes ? this.parse('updateProfile', profileItemSchema, result.Attributes) : undefined;
        await this.#keepOrderTimeExtremes(ids, before, delta.orderedAt);
        return { before, after: applyProfileDelta(before, delta, ids, now, includeFacts) };
      } catch (error) {
        if (includeFacts && isConditionalCheckFailed(error)) {
          this.meter('updateProfile', 'write', (error as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity);
          includeFacts = false; // older facts arrived late: apply the counters without them
          continue;
        }
        throw error instanceof StoreError ? error : new StoreError('updateProfile failed', { cause: error });
      }
    }
  }

  /**
   * The update sets lastOrderAt to this order's time and firstOrderAt only if unset. When an
   * older order arrives after a newer one, one more conditional write puts the extremes back.
   */
  async #keepOrderTimeExtremes(ids: { shopId: string; customerId: string }, before: ProfileItem | undefined, orderedAt: string | undefined) {
    if (!orderedAt || !before) return;
    const fixes: [string, string, string][] = [];
    if (before.lastOrderAt && before.lastOrderAt > orderedAt) fixes.push(['lastOrderAt', before.lastOrderAt, '<']);
    if (before.firstOrderAt && before.firstOrderAt > orderedAt) fixes.push(['firstOrderAt', orderedAt, '>']);
    for (const [attribute, value, comparison] of fixes) {
      try {
        const result = await this.client.update({
          TableName: this.table,
          Key: keys.profile(ids.shopId, ids.customerId),
          UpdateExpression: 'SET #a = :v',
          ConditionExpression: `#a ${comparison} :v`,
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': value },
          ReturnConsumedCapacity: this.capacity,
        });
        this.meter('updateProfile', 'write', result.ConsumedCapacity);
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw new StoreError('updateProfile: order time fix failed', { cause: error });
      }
    }
  }

  /** Customers already known for any of these contact digests, digest → customer id. */
  async findCustomersByContact(shopId: string, digests: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (digests.length === 0) return found;
    const items = await this.batchGet('findCustomersByContact', digests.map((d) => keys.contactAlias(shopId, d)), true);
    for (const item of items) {
      if (typeof item.digest === 'string' && typeof item.customerId === 'string') found.set(item.digest, item.customerId);
    }
    return found;
  }

  /** Links a contact digest to a customer; the first customer to claim a contact keeps it. */
  async linkContact(shopId: string, digest: string, customerId: string): Promise<void> {
    try {
      await this.putItem('linkContact', keys.contactAlias(shopId, digest), { digest, customerId }, { expression: 'attribute_not_exists(pk)' });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
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
