import * as z from 'zod/mini';
import { MESSAGE_CLASSES } from '../messages/kinds.ts';
import { type ProfileItem, profileItemSchema } from '../profiles/profile.ts';
import { phoneDigest } from './phone-digest.ts';
import { ConditionFailedError } from './errors.ts';
import { ItemStore } from './item-store.ts';
import { keys } from './keys.ts';

export const LEDGER_STATUSES = ['sending', 'sent', 'failed', 'retrying', 'skipped', 'deferred'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/** One message to one customer: the dedupe guard and the record of why it was or was not sent. */
export const ledgerEntrySchema = z.object({
  shopId: z.string(),
  customerId: z.string(),
  messageKey: z.string(),
  kind: z.string(),
  class: z.enum(MESSAGE_CLASSES),
  status: z.enum(LEDGER_STATUSES),
  reason: z.optional(z.string()),
  channel: z.optional(z.enum(['sms', 'email'])),
  segments: z.optional(z.int()),
  encoding: z.optional(z.string()),
  /** Local time and zone of the send, for people reading the record. */
  localTime: z.optional(z.string()),
  providerMessageId: z.optional(z.string()),
  /** A sent message's first words (the SMS text or the email subject), for the customer's timeline. */
  preview: z.optional(z.string()),
  /** Sent on another channel after this one failed for good: "sms failed (…)". */
  fallbackFrom: z.optional(z.string()),
  /** While `sending`: after this another run may take the message over. */
  leaseUntil: z.optional(z.string()),
  deferredUntil: z.optional(z.string()),
  attempts: z._default(z.int(), 0),
  firstAt: z.string(),
  at: z.string(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

const budgetSchema = z.object({ sends: z._default(z.array(z.string()), []), version: z._default(z.int(), 0) });
const optOutSchema = z.object({ optedOut: z.boolean() });

/** What the send pipeline reads about a recipient, in one round trip. */
export interface Recipient {
  profile: ProfileItem | undefined;
  /** Times of recent care/marketing sends (the contact budget). */
  recentSends: string[];
  budgetVersion: number;
  /** The SMS opt-out of the number the message was planned for, when that number was known. */
  smsOptOut?: { phoneDigest: string; optedOut: boolean };
}

export interface RecipientRead {
  /** Read the contact budget too (messages exempt from it do not). */
  withBudget: boolean;
  /** Also read the SMS opt-out of this number (the digest a message task carries). */
  phoneDigest?: string;
}

export type MessageClaim = { claimed: true } | { claimed: false; status: LedgerStatus };

/** The message ledger, the contact budget and what the pipeline reads about a recipient. */
export class MessageStore extends ItemStore {
  /**
   * Profile, contact budget and SMS opt-out of a recipient in one request (the profile alone
   * when nothing else is asked for). The opt-out is kept by phone number, so it can be read
   * here only when the number is known beforehand; the pipeline checks it is still the
   * profile's number and reads again (smsOptedOut) when it is not.
   */
  async recipient(shopId: string, customerId: string, read: RecipientRead): Promise<Recipient> {
    const profileKey = keys.profile(shopId, customerId);
    if (!read.withBudget && !read.phoneDigest) return { profile: await this.getItem('recipient', profileKey, profileItemSchema, true), recentSends: [], budgetVersion: 0 };
    const budgetKey = read.withBudget ? keys.contactBudget(shopId, customerId) : undefined;
    const optOutKey = read.phoneDigest ? keys.smsOptOut(read.phoneDigest) : undefined;
    const requested = [profileKey, budgetKey, optOutKey].filter((key) => key !== undefined);
    const items = await this.batchGet('recipient', requested, true);
    const find = (key: { pk: string; sk: string } | undefined) => key && items.find((item) => item.pk === key.pk && item.sk === key.sk);
    const profileItem = find(profileKey);
    const profile = profileItem ? this.parse('recipient', profileItemSchema, profileItem) : undefined;
    const budget = this.parse('recipient', budgetSchema, find(budgetKey) ?? {});
    const optOutItem = find(optOutKey);
    return {
      profile,
      recentSends: budget.sends,
      budgetVersion: budget.version,
      ...(read.phoneDigest ? { smsOptOut: { phoneDigest: read.phoneDigest, optedOut: optOutItem ? this.parse('recipient', optOutSchema, optOutItem).optedOut : false } } : {}),
    };
  }

  /** Whether the number replied STOP (or was opted out by the carrier), read consistently. */
  async smsOptedOut(phoneE164: string): Promise<boolean> {
    const optOut = await this.getItem('smsOptedOut', keys.smsOptOut(phoneDigest(phoneE164)), optOutSchema, true);
    return optOut?.optedOut ?? false;
  }

  /**
   * Takes the right to send a message, before sending it: at most once per message key. A
   * message that was sent or failed for good stays so; one that is being sent by a run whose
   * lease has not expired is left alone.
   */
  async claimMessage(entry: Pick<LedgerEntry, 'shopId' | 'customerId' | 'messageKey' | 'kind' | 'class'>, now: Date, leaseMs: number): Promise<MessageClaim> {
    const at = now.toISOString();
    try {
      const result = await this.client.update({
        TableName: this.table,
        Key: keys.message(entry.shopId, entry.customerId, entry.messageKey),
        UpdateExpression:
          'SET shopId = :shop, customerId = :customer, messageKey = :key, kind = :kind, #class = :class, #status = :sending, leaseUntil = :until, #at = :at, firstAt = if_not_exists(firstAt, :at) ADD attempts :one',
        ConditionExpression: 'attribute_not_exists(pk) OR #status IN (:retrying, :deferred, :skipped) OR (#status = :sending AND leaseUntil < :at)',
        ExpressionAttributeNames: { '#status': 'status', '#class': 'class', '#at': 'at' },
        ExpressionAttributeValues: {
          ':shop': entry.shopId,
          ':customer': entry.customerId,
          ':key': entry.messageKey,
          ':kind': entry.kind,
          ':class': entry.class,
          ':sending': 'sending',
          ':retrying': 'retrying',
          ':deferred': 'deferred',
          ':skipped': 'skipped',
          ':until': new Date(now.getTime() + leaseMs).toISOString(),
          ':at': at,
          ':one': 1,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter('claimMessage', 'write', result.ConsumedCapacity);
      return { claimed: true };
    } catch (error) {
      const mapped = this.storeError('claimMessage', error);
      if (!(mapped instanceof ConditionFailedError)) throw mapped;
      const status = ((error as { Item?: { status?: { S?: string } } }).Item?.status?.S ?? 'sent') as LedgerStatus;
      return { claimed: false, status };
    }
  }

  /** Records how a claimed send ended (sent, failed for good, to be retried, or not sent after all). */
  async finishMessage(
    ids: { shopId: string; customerId: string; messageKey: string },
    outcome: Pick<LedgerEntry, 'status'> & Partial<Pick<LedgerEntry, 'reason' | 'channel' | 'segments' | 'encoding' | 'providerMessageId' | 'localTime' | 'deferredUntil' | 'preview' | 'fallbackFrom'>>,
    now: Date,
  ): Promise<void> {
    const fields: Record<string, unknown> = { ...outcome, at: now.toISOString() };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([field, value], i) => {
        names[`#f${i}`] = field;
        values[`:f${i}`] = value;
        return `#f${i} = :f${i}`;
      });
    const result = await this.client.update({
      TableName: this.table,
      Key: keys.message(ids.shopId, ids.customerId, ids.messageKey),
      UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseUntil`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnConsumedCapacity: this.capacity,
    });
    this.meter('finishMessage', 'write', result.ConsumedCapacity);
  }

  /**
   * Records a message that was not sent now (skipped, or deferred to a later time), unless it
   * was already sent: the why-not record per customer.
   */
  async noteMessage(entry: Omit<LedgerEntry, 'attempts' | 'firstAt' | 'at'>, now: Date): Promise<void> {
    const at = now.toISOString();
    try {
      await this.putItem('noteMessage', keys.message(entry.shopId, entry.customerId, entry.messageKey), { ...entry, attempts: 0, firstAt: at, at }, {
        expression: 'attribute_not_exists(pk) OR NOT (#status IN (:sent, :sending, :failed))',
        names: { '#status': 'status' },
        values: { ':sent': 'sent', ':sending': 'sending', ':failed': 'failed' },
      });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  async getMessage(shopId: string, customerId: string, messageKey: string): Promise<LedgerEntry | undefined> {
    return this.getItem('getMessage', keys.message(shopId, customerId, messageKey), ledgerEntrySchema, true);
  }

  /** A customer's ledger: up to `limit` entries in message-key order, then sorted newest first. */
  async listMessages(shopId: string, customerId: string, limit = 100): Promise<LedgerEntry[]> {
    const items = await this.queryItems('listMessages', keys.customerPartition(shopId, customerId), { prefix: keys.messagePrefix }, Number.isFinite(limit) ? { limit } : {});
    return items.map((item) => this.parse('listMessages', ledgerEntrySchema, item)).sort((a, b) => b.at.localeCompare(a.at));
  }

  /**
   * Adds a care/marketing send to the customer's contact budget, keeping only sends newer than
   * `keepSince`. Conditional on the version read, so two runs cannot both take the last slot.
   */
  async recordBudgetSend(shopId: string, customerId: string, sends: string[], version: number, at: Date, keepSince: Date): Promise<boolean> {
    const kept = [...sends.filter((sent) => sent >= keepSince.toISOString()), at.toISOString()].sort();
    try {
      await this.putItem('recordBudgetSend', keys.contactBudget(shopId, customerId), { sends: kept, version: version + 1 }, {
        expression: version === 0 ? 'attribute_not_exists(pk) OR version = :v' : 'version = :v',
        values: { ':v': version },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError || (error as Error).name === 'AlreadyExistsError') return false;
      throw error;
    }
  }
}
