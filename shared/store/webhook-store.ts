import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { OrderItem } from '../orders/order-record.ts';
import { applyDelta, expiredDeliveries, isFreshSnapshot, type OrderDelta } from '../orders/order-state.ts';
import { applyProfileDelta, type ProfileDelta, type ProfileItem, profileItemSchema } from '../profiles/profile.ts';
import { carrierToken } from '../webhooks/tracking.ts';
import { CarelineStore, ORDER_ATTR, orderItemFromAttributes } from './careline-store.ts';
import { AlreadyExistsError, isConditionalCheckFailed, StoreError } from './errors.ts';
import { expressionBuilder } from './item-store.ts';
import { keys } from './keys.ts';

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

/**
 * What only the webhook writes and reads: an order's delta, the customer's profile and contact
 * links, the topics it ignores, orders by tracking number. Apart from CarelineStore so that the
 * functions that take no webhooks (the order stream, the dispatcher) bundle none of it.
 */
export class WebhookStore extends CarelineStore {
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
}
