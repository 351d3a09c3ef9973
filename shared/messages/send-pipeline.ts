import type { Channel, ChannelName, OutgoingMessage } from '../channels/channel.ts';
import { sendWithFallback } from '../channels/fallback.ts';
import type { Clock } from '../clock.ts';
import { createUnsubscribeToken, unsubscribeUrl } from '../optout/unsubscribe-token.ts';
import { type Profile, profileView } from '../profiles/profile.ts';
import type { Shop } from '../shops/shop.ts';
import type { CarelineStore } from '../store/careline-store.ts';
import type { MessageStore, Recipient, RecipientRead } from '../store/message-store.ts';
import { phoneDigest } from '../store/phone-digest.ts';
import { localParts } from '../timing/send-time.ts';
import { kindSpec, type MessageKind, reasonKey } from './kinds.ts';
import { decideSend, type DeferReason, type NotSentReason, type SendDecision } from './send-decision.ts';
import { renderMessage, type TemplateSource } from './templates.ts';

export interface SendRequest {
  shopId: string;
  customerId: string;
  kind: MessageKind;
  /** The same message always has the same key (e.g. `payment_reminder:<order>:1`). */
  messageKey: string;
  vars: Record<string, string>;
  variant?: string;
  firstDueAt: Date;
  /** Digest of the phone number the message was planned for: its SMS opt-out is read with the recipient. */
  phoneDigest?: string;
  /** Checks made when the message is due (does it still apply?) and variables read then. */
  prepare?: (context: PrepareContext) => Promise<PrepareResult>;
}

export interface PrepareContext {
  shop: Shop;
  profile: Profile | undefined;
  now: Date;
}
export type PrepareResult = { skip: string } | { vars: Record<string, string> };

export interface PipelineDeps {
  store: CarelineStore;
  messages: MessageStore;
  channels: Record<ChannelName, Channel>;
  clock: Clock;
  loadShop: (shopId: string) => Promise<Shop | undefined>;
  /** Where email unsubscribe links point, and the secret that signs them. */
  unsubscribe?: { baseUrl: string; secret: string };
  templateOverrides?: (shopId: string) => Promise<TemplateSource[]>;
  /** Adds to the shop's daily counters (what `careline report` reads); none when omitted. */
  count?: (shopId: string, at: Date, counters: Record<string, number>) => Promise<void>;
  /** Told when a counter could not be written for a message already decided (see `settle`). */
  onBookkeepingError?: (error: unknown, what: { shopId: string; messageKey: string }) => void;
}

export type PipelineResult =
  | { status: 'sent'; channel: ChannelName; segments?: number }
  | { status: 'deferred'; until: Date; reason: DeferReason }
  | { status: 'skipped'; reason: NotSentReason | string }
  | { status: 'retry'; reason: string };

type Decision = SendDecision | { action: 'skip'; reason: string };

/** A sending run keeps a message to itself this long; a run that dies frees it after that. */
const SEND_LEASE_MS = 120_000;

/**
 * Every message passes here: consent → opt-out → time rules → contact budget (decideSend) →
 * dedupe ledger → render → channel → ledger. Each step that stops a message records why, in
 * the customer's message ledger (which the customer's timeline shows when it is final).
 *
 * At most once: the ledger entry is claimed with a conditional write before anything is sent,
 * and a message already sent or failed for good is never sent again. The one window for a
 * duplicate: the process dies after the channel accepted the message and before the ledger
 * says `sent`; once the lease expires a retry sends it again. That is at most one extra copy of
 * that one message.
 */
export async function runSendPipeline(request: SendRequest, deps: PipelineDeps, early?: Promise<Recipient>): Promise<PipelineResult> {
  const now = deps.clock.now();
  const spec = kindSpec(request.kind);
  const ids = { shopId: request.shopId, customerId: request.customerId, messageKey: request.messageKey };
  const shop = await deps.loadShop(request.shopId);
  if (!shop) return { status: 'skipped', reason: 'no_shop' };
  // Read while the task was claimed, when the dispatcher could (a failed early read is made again).
  const read = () => deps.messages.recipient(request.shopId, request.customerId, recipientRead(request));
  const recipient = await (early ? early.catch(read) : read());
  const profile = recipient.profile && profileView(recipient.profile, shop);
  const prepared = request.prepare ? await request.prepare({ shop, profile, now }) : { vars: {} };
  const decide = (smsOptedOut: boolean): Decision =>
    'skip' in prepared
      ? { action: 'skip', reason: prepared.skip }
      : decideSend({ kind: request.kind, now, firstDueAt: request.firstDueAt, settings: shop.messaging, profile, smsOptedOut, recentSends: recipient.recentSends });
  const base = { ...ids, kind: request.kind, class: spec.class };

  // The SMS opt-out matters only to a message that could go by SMS. It was read with the
  // recipient when the task named the number and the profile still has it. Otherwise, when the
  // message would go by SMS, it is read beside the ledger claim (one round trip, not two); a
  // number that turns out opted out frees the claim with the decision made without SMS.
  const phone = profile?.phone;
  const known = phone && recipient.smsOptOut?.phoneDigest === phoneDigest(phone) ? recipient.smsOptOut.optedOut : undefined;
  const assumingOptIn = decide(known ?? false);
  let decision: Decision;
  let claimed = false;
  if (known !== undefined) {
    decision = assumingOptIn;
  } else if (assumingOptIn.action === 'send' && assumingOptIn.channels.includes('sms') && phone) {
    const [optedOut, claim] = await Promise.all([deps.messages.smsOptedOut(phone), deps.messages.claimMessage(base, now, SEND_LEASE_MS)]);
    if (!claim.claimed) return { status: 'skipped', reason: 'duplicate' };
    claimed = true;
    decision = optedOut ? decide(true) : assumingOptIn;
  } else {
    // A message the journey check stopped, or one going by email only, does not need it.
    decision = phone && assumingOptIn.action !== 'send' && !('skip' in prepared) ? decide(await deps.messages.smsOptedOut(phone)) : assumingOptIn;
  }

  if (decision.action === 'defer') {
    const outcome = { status: 'deferred', reason: decision.reason, deferredUntil: decision.until.toISOString() } as const;
    await (claimed ? deps.messages.finishMessage(ids, outcome, now) : deps.messages.noteMessage({ ...base, ...outcome }, now));
    return { status: 'deferred', until: decision.until, reason: decision.reason };
  }
  if (decision.action === 'skip') {
    const outcome = { status: 'skipped', reason: decision.reason } as const;
    // The ledger entry and the counters are separate items: written side by side.
    await settle(deps, request, claimed ? deps.messages.finishMessage(ids, outcome, now) : deps.messages.noteMessage({ ...base, ...outcome }, now), [
      deps.count?.(request.shopId, now, { [`skipped_${reasonKey(decision.reason)}`]: 1, [`skippedKind_${request.kind}`]: 1 }),
    ]);
    return { status: 'skipped', reason: decision.reason };
  }

  if (!claimed && !(await deps.messages.claimMessage(base, now, SEND_LEASE_MS)).claimed) return { status: 'skipped', reason: 'duplicate' };
  if (decision.countsAgainstBudget) {
    // The slot is taken before sending, conditionally: two runs cannot both take the last one.
    const taken = await deps.messages.recordBudgetSend(request.shopId, request.customerId, recipient.recentSends, recipient.budgetVersion, now, new Date(now.getTime() - 7 * 86_400_000));
    if (!taken) {
      await deps.messages.finishMessage(ids, { status: 'retrying', reason: 'contact_budget_changed' }, now);
      return { status: 'retry', reason: 'contact_budget_changed' };
    }
  }

  const locale = profile?.locale ?? shop.locale;
  const rendered = renderMessage({
    kind: request.kind,
    locale,
    ...(request.variant ? { variant: request.variant } : {}),
    vars: { shop_name: shop.messaging.shopName ?? shop.shopId, customer_name: profile?.firstName ?? '', ...request.vars, ...('vars' in prepared ? prepared.vars : {}) },
    overrides: (await deps.templateOverrides?.(request.shopId)) ?? [],
    maxSmsSegments: shop.messaging.maxSmsSegments,
    // The email parts only when the message may go (or fall back) by email.
    email: decision.channels.includes('email'),
  });
  const local = profile ? localParts(now, profile.timezone) : undefined;
  const localTime = local && profile ? `${local.date} ${local.time} ${profile.timezone}` : undefined;

  // A channel is built only when the decision lists it, so an email message has its email parts.
  const build = (channel: ChannelName): OutgoingMessage | undefined =>
    decision.channels.includes(channel)
      ? {
          ...ids,
          kind: request.kind,
          class: spec.class,
          channel,
          to: channel === 'sms' ? profile!.phone! : profile!.email!,
          text: channel === 'sms' ? rendered.sms.text : rendered.email!.body,
          ...(channel === 'email' ? { subject: rendered.email!.subject } : {}),
          ...(channel === 'email' && deps.unsubscribe
            ? { unsubscribeUrl: unsubscribeUrl(deps.unsubscribe.baseUrl, createUnsubscribeToken({ shopId: request.shopId, customerId: request.customerId, channel: 'email' }, deps.unsubscribe.secret)) }
            : {}),
          ...(channel === 'sms' && shop.messaging.smsSenderId ? { senderId: shop.messaging.smsSenderId } : {}),
        }
      : undefined;
  // The decision lists the open channels, preferred first; a permanent failure falls back to the next.
  const { result, channel, fallbackFrom } = await sendWithFallback(deps.channels, build, decision.channels[0]!); // a send decision has an open channel
  if (result.status === 'sent') {
    const segments = channel === 'sms' ? rendered.sms.segments : undefined;
    await settle(
      deps,
      request,
      deps.messages.finishMessage(
        ids,
        {
          status: 'sent',
          channel,
          ...(segments !== undefined ? { segments, encoding: rendered.sms.encoding } : {}),
          ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
          ...(localTime ? { localTime } : {}),
          // What the customer's timeline shows of it (shared/profiles/timeline.ts).
          preview: (channel === 'sms' ? rendered.sms.text : rendered.email!.subject).slice(0, 120),
          ...(fallbackFrom ? { fallbackFrom: `${fallbackFrom.channel} failed (${fallbackFrom.reason})` } : {}),
        },
        now,
      ),
      [
        deps.count?.(request.shopId, now, {
          [`sent_${request.kind}`]: 1,
          [`sent_${channel}`]: 1,
          ...(segments !== undefined ? { smsSegments: segments } : {}),
          // The customer's local hour: the report's send-hour histogram shows nothing lands at night.
          ...(local ? { [`sentHour_${String(local.hour).padStart(2, '0')}`]: 1 } : {}),
        }),
      ],
    );
    return { status: 'sent', channel, ...(segments !== undefined ? { segments } : {}) };
  }
  if (!result.permanent) {
    await deps.messages.finishMessage(ids, { status: 'retrying', reason: result.reason, channel }, now);
    return { status: 'retry', reason: result.reason };
  }
  const reason = `channel_failed:${result.reason}`;
  await settle(deps, request, deps.messages.finishMessage(ids, { status: 'failed', reason }, now), [
    deps.count?.(request.shopId, now, { [`skipped_${reasonKey(reason)}`]: 1, [`skippedKind_${request.kind}`]: 1 }),
  ]);
  return { status: 'skipped', reason };
}

/** What the pipeline reads about the recipient of a message. */
export function recipientRead(request: Pick<SendRequest, 'kind' | 'phoneDigest'>): RecipientRead {
  return { withBudget: kindSpec(request.kind).class !== 'transactional', ...(request.phoneDigest ? { phoneDigest: request.phoneDigest } : {}) };
}

/**
 * Writes a final outcome: the ledger entry (which the customer's timeline shows), with the
 * counters beside it. Only the ledger decides whether the task is done: a counter write that fails is
 * reported, not thrown, because a retried task would find the message final and record it as a
 * duplicate (and the customer's message would already be out).
 */
async function settle(deps: PipelineDeps, request: SendRequest, ledger: Promise<unknown>, bookkeeping: (Promise<unknown> | undefined)[]): Promise<void> {
  const [written, ...others] = await Promise.allSettled([ledger, ...bookkeeping]);
  if (written!.status === 'rejected') throw written!.reason;
  for (const other of others) {
    if (other.status === 'rejected') deps.onBookkeepingError?.(other.reason, { shopId: request.shopId, messageKey: request.messageKey });
  }
}
