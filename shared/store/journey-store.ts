import * as z from 'zod/mini';
import { type Call, type CallOutcome, callSchema } from '../journeys/calls.ts';
import { emptyHistogram, PAY_GROUPS, type PayGroup, type PayHistogram } from '../journeys/pay-latency.ts';
import { type ProductRule, productRuleSchema } from '../journeys/products.ts';
import { phoneDigest } from './phone-digest.ts';
import { AlreadyExistsError, isConditionalCheckFailed } from './errors.ts';
import { expressionBuilder, ItemStore } from './item-store.ts';
import { keys, TABLE } from './keys.ts';
import { bufferCounters, dayOf } from './counter-buffer.ts';

/** A check-in reply is matched to the newest check-in sent to the number within this long. */
export const CHECK_IN_REPLY_DAYS = 7;

const unpaidSchema = z.object({ orderId: z.string(), createdAt: z.string(), productKeys: z.array(z.string()) });
export type UnpaidOrder = z.infer<typeof unpaidSchema>;

const checkInSchema = z.object({ shopId: z.string(), customerId: z.string(), orderId: z.string(), messageKey: z.string(), sentAt: z.string() });
export type PendingCheckIn = z.infer<typeof checkInSchema>;

const settingsChangeSchema = z.object({ at: z.string(), key: z.string(), old: z.string(), new: z.string(), by: z.string() });
export type SettingsChange = z.infer<typeof settingsChangeSchema>;

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
export { dayOf } from './counter-buffer.ts';

/**
 * What the journeys keep besides orders, profiles and tasks: product care rules, the
 * time-to-pay histogram and journey counters, staff calls, unpaid orders per customer,
 * check-ins awaiting a reply, and the log of settings changes.
 */
export class JourneyStore extends ItemStore {
  // ── product care rules ─────────────────────────────────────────────────────────────
  async putProduct(shopId: string, rule: ProductRule): Promise<void> {
    await this.putItem('putProduct', keys.product(shopId, rule.sku), { ...rule, shopId });
  }

  async deleteProduct(shopId: string, sku: string): Promise<void> {
    await this.client.delete({ TableName: this.table, Key: keys.product(shopId, sku) });
  }

  async listProducts(shopId: string): Promise<ProductRule[]> {
    return this.#queryPrefix('listProducts', keys.shop(shopId).pk, keys.productPrefix, productRuleSchema);
  }

  // ── time to pay and journey counters ───────────────────────────────────────────────
  async getPayHistogram(shopId: string): Promise<PayHistogram> {
    const item = await this.getItem('getPayHistogram', keys.payHistogram(shopId), z.record(z.string(), z.unknown()));
    const histogram = emptyHistogram();
    for (const group of PAY_GROUPS) {
      histogram[group] = histogram[group].map((_, i) => {
        const count = item?.[`${group}_${i}`];
        return typeof count === 'number' ? count : 0;
      });
    }
    return histogram;
  }

  /**
   * Counts an order's payment once, whatever the stream redelivers: a mark item written with a
   * condition in the same transaction as the histogram and counter updates. False if it was
   * counted already.
   */
  async countPaymentOnce(input: { shopId: string; orderId: string; group: PayGroup; bucket: number; counters: Record<string, number>; at: Date }): Promise<boolean> {
    return this.#onceWithCounters('countPayment', input.shopId, input.orderId, 'paid', input.counters, input.at, {
      key: keys.payHistogram(input.shopId),
      add: { [`${input.group}_${input.bucket}`]: 1 },
    });
  }

  /** Adds to the shop's counters of the day of `at` once per order and mark (e.g. `stalled`). */
  async countOnce(shopId: string, orderId: string, mark: string, counters: Record<string, number>, at: Date): Promise<boolean> {
    return this.#onceWithCounters('countOnce', shopId, orderId, mark, counters, at);
  }

  /**
   * Adds to the shop's counters of the day of `at`: one UpdateItem, no read. For effects that
   * are once-only themselves (a message the ledger let through) or where a rare double count on
   * a redelivered stream record is acceptable (orders placed, parcels delivered). Inside a
   * counting scope (a dispatcher run, an order-stream batch: `withCounterBuffer`) the counters
   * are added up and written when the scope ends.
   */
  async addCounters(shopId: string, counters: Record<string, number>, at: Date): Promise<void> {
    if (Object.keys(counters).length === 0 || bufferCounters(shopId, at, counters)) return;
    await this.writeCounters(shopId, counters, at);
  }

  /** Adds to the counters at once, in a counting scope or not (what the scope writes at its end). */
  async writeCounters(shopId: string, counters: Record<string, number>, at: Date): Promise<void> {
    if (Object.keys(counters).length === 0) return;
    const update = addExpression(counters);
    const result = await this.client.update({ TableName: this.table, Key: keys.dailyCounters(shopId, dayOf(at)), ...update, ReturnConsumedCapacity: this.capacity });
    this.meter('addCounters', 'write', result.ConsumedCapacity);
  }

  /** The shop's counters per UTC day from `sinceDay` (YYYY-MM-DD; all days when omitted), oldest first. */
  async getDailyCounters(shopId: string, sinceDay = '0000-00-00'): Promise<{ day: string; counters: Record<string, number> }[]> {
    const items = await this.queryItems('getDailyCounters', keys.shop(shopId).pk, { from: `${keys.dailyCountersPrefix}${sinceDay}`, to: `${keys.dailyCountersPrefix}~` });
    return items.map(({ pk: _pk, sk, ...counters }) => ({
      day: String(sk).slice(keys.dailyCountersPrefix.length),
      counters: Object.fromEntries(Object.entries(counters).filter(([, v]) => typeof v === 'number')) as Record<string, number>,
    }));
  }


  /** The shop's counters summed over the days from `sinceDay`. */
  async getCounters(shopId: string, sinceDay?: string): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const { counters } of await this.getDailyCounters(shopId, sinceDay)) {
      for (const [name, value] of Object.entries(counters)) totals[name] = (totals[name] ?? 0) + value;
    }
    return totals;
  }

  async #onceWithCounters(
    operation: string,
    shopId: string,
    orderId: string,
    mark: string,
    counters: Record<string, number>,
    at: Date,
    extra?: { key: { pk: string; sk: string }; add: Record<string, number> },
  ): Promise<boolean> {
    const updates = [{ key: keys.dailyCounters(shopId, dayOf(at)), add: counters }, ...(extra ? [extra] : [])].filter((u) => Object.keys(u.add).length);
    try {
      const result = await this.client.transactWrite({
        TransactItems: [
          { Put: { TableName: this.table, Item: { ...keys.orderMark(shopId, orderId, mark), at: at.toISOString() }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...updates.map((u) => ({ Update: { TableName: this.table, Key: u.key, ...addExpression(u.add) } })),
        ],
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter(operation, 'write', result.ConsumedCapacity);
      return true;
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException' && String((error as Error).message).includes('ConditionalCheckFailed')) return false;
      throw this.storeError(operation, error);
    }
  }

  // ── staff calls ────────────────────────────────────────────────────────────────────
  /** Opens a call once per order; false if the order has one already. */
  async openCall(call: Call): Promise<boolean> {
    try {
      await this.putItem('openCall', keys.call(call.shopId, call.orderId), call, { expression: 'attribute_not_exists(pk)' });
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  async getCall(shopId: string, orderId: string): Promise<Call | undefined> {
    return this.getItem('getCall', keys.call(shopId, orderId), callSchema, true);
  }

  async listCalls(shopId: string): Promise<Call[]> {
    const calls = await this.#queryPrefix('listCalls', keys.callPartition(shopId), 'CALL#', callSchema);
    return calls.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /** Closes an open call (done with an outcome, or no longer needed); false if it was not open. */
  async closeCall(shopId: string, orderId: string, change: { status: 'done' | 'not_needed'; outcome?: CallOutcome; note?: string }, now: Date): Promise<boolean> {
    const e = expressionBuilder();
    const sets = [`${e.name('status')} = ${e.value(change.status)}`, `${e.name('updatedAt')} = ${e.value(now.toISOString())}`];
    if (change.outcome) sets.push(`${e.name('outcome')} = ${e.value(change.outcome)}`);
    if (change.note) sets.push(`${e.name('note')} = ${e.value(change.note)}`);
    const condition = `${e.name('status')} = ${e.value('open')}`;
    return this.#updateIf('closeCall', keys.call(shopId, orderId), { expression: `SET ${sets.join(', ')}`, condition, values: e.values, names: e.names });
  }

  // ── unpaid orders per customer ─────────────────────────────────────────────────────
  async addUnpaid(shopId: string, customerId: string, unpaid: UnpaidOrder): Promise<void> {
    await this.putItem('addUnpaid', keys.unpaidOrder(shopId, customerId, unpaid.orderId), unpaid);
  }

  async removeUnpaid(shopId: string, customerId: string, orderId: string): Promise<void> {
    const result = await this.client.delete({ TableName: this.table, Key: keys.unpaidOrder(shopId, customerId, orderId), ReturnConsumedCapacity: this.capacity });
    this.meter('removeUnpaid', 'write', result.ConsumedCapacity);
  }

  async listUnpaid(shopId: string, customerId: string): Promise<UnpaidOrder[]> {
    return this.#queryPrefix('listUnpaid', keys.customerPartition(shopId, customerId), keys.unpaidPrefix, unpaidSchema);
  }

  // ── check-ins awaiting a reply ─────────────────────────────────────────────────────
  async putCheckIn(phoneE164: string, checkIn: PendingCheckIn, now: Date): Promise<void> {
    await this.putItem('putCheckIn', keys.checkIn(phoneDigest(phoneE164)), {
      ...checkIn,
      [TABLE.ttlAttribute]: epochSeconds(now) + CHECK_IN_REPLY_DAYS * 86_400,
    });
  }

  /** The newest check-in sent to the number, if it is recent enough to be the one a reply answers. */
  async findCheckIn(phoneE164: string, now: Date): Promise<PendingCheckIn | undefined> {
    const found = await this.getItem('findCheckIn', keys.checkIn(phoneDigest(phoneE164)), z.extend(checkInSchema, { expiresAt: z.optional(z.number()) }), true);
    if (!found || (found.expiresAt !== undefined && found.expiresAt < epochSeconds(now))) return undefined; // TTL deletes lazily
    const { expiresAt: _expiresAt, ...checkIn } = found;
    return checkIn;
  }

  /** Records a check-in score on the profile; a low one flags the customer for follow-up. */
  async recordSatisfaction(shopId: string, customerId: string, score: number, low: boolean, at: Date): Promise<boolean> {
    return this.#updateIf('recordSatisfaction', keys.profile(shopId, customerId), {
      expression: `ADD satisfactionSum :score, satisfactionCount :one SET lastSatisfaction = :score, lastSatisfactionAt = :at${low ? ', followUp = :true' : ''}`,
      condition: 'attribute_exists(pk)',
      values: { ':score': score, ':one': 1, ':at': at.toISOString(), ...(low ? { ':true': true } : {}) },
    });
  }

  /** Tags the customer at-risk, unless an order newer than `lastOrderAt` arrived meanwhile. */
  async markAtRisk(shopId: string, customerId: string, lastOrderAt: string, now: Date): Promise<boolean> {
    return this.#updateIf('markAtRisk', keys.profile(shopId, customerId), {
      expression: 'SET atRiskSince = :now, atRiskAfterOrderAt = :last',
      condition: 'attribute_exists(pk) AND (attribute_not_exists(lastOrderAt) OR lastOrderAt <= :last)',
      values: { ':now': now.toISOString(), ':last': lastOrderAt },
    });
  }

  /** Flags an order whose parcel stalled; false if it was flagged already. */
  async flagStalled(shopId: string, orderId: string, reason: string, at: Date): Promise<boolean> {
    return this.#updateIf('flagStalled', keys.order(shopId, orderId), {
      expression: 'SET stalledAt = :at, stallReason = :reason',
      condition: 'attribute_exists(pk)',
      values: { ':at': at.toISOString(), ':reason': reason.slice(0, 200) },
    });
  }

  // ── settings changes ───────────────────────────────────────────────────────────────
  async recordSettingsChange(shopId: string, change: SettingsChange): Promise<void> {
    await this.putItem('recordSettingsChange', keys.settingsChange(shopId, change.at, change.key), change);
  }

  async listSettingsChanges(shopId: string, limit = 50): Promise<SettingsChange[]> {
    const changes = await this.#queryPrefix('listSettingsChanges', keys.shop(shopId).pk, keys.settingsChangePrefix, settingsChangeSchema, { newestFirst: true, limit });
    return changes;
  }

  /** One UpdateItem under a condition: true if it applied, false if the condition did not hold. */
  async #updateIf(operation: string, key: { pk: string; sk: string }, update: { expression: string; condition: string; values: Record<string, unknown>; names?: Record<string, string> }): Promise<boolean> {
    try {
      const result = await this.client.update({
        TableName: this.table,
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: update.condition,
        ExpressionAttributeValues: update.values,
        ...(update.names ? { ExpressionAttributeNames: update.names } : {}),
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter(operation, 'write', result.ConsumedCapacity);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw this.storeError(operation, error);
    }
  }

  async #queryPrefix<S extends z.ZodMiniType>(operation: string, pk: string, prefix: string, schema: S, options: { newestFirst?: boolean; limit?: number } = {}): Promise<z.infer<S>[]> {
    return (await this.queryItems(operation, pk, { prefix }, options)).map((item) => this.parse(operation, schema, item));
  }
}

function addExpression(counters: Record<string, number>) {
  const e = expressionBuilder();
  const adds = Object.entries(counters).map(([name, by]) => `${e.name(name)} ${e.value(by)}`);
  return { UpdateExpression: `ADD ${adds.join(', ')}`, ExpressionAttributeNames: e.names, ExpressionAttributeValues: e.values };
}
