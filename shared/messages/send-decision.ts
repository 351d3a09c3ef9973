import type { ChannelName } from '../channels/channel.ts';
import type { Profile } from '../profiles/profile.ts';
import type { MessagingSettings } from '../shops/settings.ts';
import { isSendable, nextSendableTime, NO_QUIET_HOURS, type TimeRules } from '../timing/send-time.ts';
import { kindSpec, type MessageKind } from './kinds.ts';

export const NOT_SENT_REASONS = [
  'no_profile',
  'no_contact',
  'no_consent',
  'opted_out',
  'expired',
  'contact_budget',
  'duplicate',
  'channel_failed',
] as const;
export type NotSentReason = (typeof NOT_SENT_REASONS)[number];
export type DeferReason = 'quiet_hours' | 'send_window' | 'closed_day' | 'contact_budget';

export interface DecisionInput {
  kind: MessageKind;
  now: Date;
  /** When the message was first due: it expires relative to this. */
  firstDueAt: Date;
  settings: MessagingSettings;
  profile: Profile | undefined;
  smsOptedOut: boolean;
  /** Times of the customer's recent care/marketing sends. */
  recentSends: string[];
}

export type SendDecision =
  | { action: 'send'; channels: ChannelName[]; countsAgainstBudget: boolean }
  | { action: 'defer'; until: Date; reason: DeferReason }
  | { action: 'skip'; reason: NotSentReason };

const HOUR = 3_600_000;

/**
 * The send pipeline's decision for one message, in its order: consent → opt-out → time rules →
 * contact budget. Pure: the same input always gives the same answer. (Dedupe, rendering and the
 * channel come after, in send-pipeline.ts.)
 */
export function decideSend(input: DecisionInput): SendDecision {
  const spec = kindSpec(input.kind);
  const { profile } = input;
  if (!profile) return { action: 'skip', reason: 'no_profile' };

  // Consent: marketing needs the customer's yes on that channel; care respects an explicit no.
  const consented = (consent: Profile['smsConsent']) =>
    spec.class === 'marketing' ? consent === 'subscribed' : spec.class === 'care' ? consent !== 'unsubscribed' : true;
  const reachable = { sms: !!profile.phone, email: !!profile.email };
  const permitted = { sms: reachable.sms && consented(profile.smsConsent), email: reachable.email && consented(profile.emailConsent) };
  if (!reachable.sms && !reachable.email) return { action: 'skip', reason: 'no_contact' };
  if (!permitted.sms && !permitted.email) return { action: 'skip', reason: 'no_consent' };

  // Opt-out: STOP for SMS (by phone number), the unsubscribe link for email.
  const open = { sms: permitted.sms && !input.smsOptedOut, email: permitted.email && !profile.emailOptOut };
  const channels = (input.settings.preferredChannel === 'email' ? (['email', 'sms'] as const) : (['sms', 'email'] as const)).filter((c) => open[c]);
  if (channels.length === 0) return { action: 'skip', reason: 'opted_out' };

  // Time rules in the customer's zone: quiet hours, the kind's windows, closed days for marketing.
  const expiresAt = new Date(input.firstDueAt.getTime() + spec.expiresAfterHours * HOUR);
  if (input.now > expiresAt) return { action: 'skip', reason: 'expired' };
  const rules = timeRulesFor(input.kind, input.settings, profile.timezone);
  const sendable = nextSendableTime(input.now, rules);
  if (sendable > input.now) {
    if (sendable > expiresAt) return { action: 'skip', reason: 'expired' };
    return { action: 'defer', until: sendable, reason: deferReason(input.now, rules) };
  }

  // The contact budget, across all flows (transactional messages are exempt).
  if (spec.class !== 'transactional') {
    const slot = nextBudgetSlot(input.recentSends, input.now, input.settings.contactBudget);
    if (!slot) return { action: 'skip', reason: 'contact_budget' };
    if (slot > input.now) {
      const at = nextSendableTime(slot, rules);
      return at > expiresAt ? { action: 'skip', reason: 'contact_budget' } : { action: 'defer', until: at, reason: 'contact_budget' };
    }
  }
  return { action: 'send', channels, countsAgainstBudget: spec.class !== 'transactional' };
}

/** The time rules of one kind of message in the customer's zone: quiet hours, the kind's windows, closed days for marketing. */
export function timeRulesFor(kind: MessageKind, settings: Pick<MessagingSettings, 'quietHours' | 'closedDays'>, zone: string): TimeRules {
  const spec = kindSpec(kind);
  return {
    zone,
    // A kind's own windows (parcel updates 08:00–09:00, calls) replace the shop's quiet hours:
    // they are the narrower, deliberate statement of when that kind may arrive.
    quietHours: spec.windows ? NO_QUIET_HOURS : settings.quietHours,
    ...(spec.windows ? { windows: [...spec.windows] } : {}),
    ...(spec.class === 'marketing' ? { closedDays: settings.closedDays } : {}),
  };
}

/**
 * When a message wanted at `desired` may first go out under the time rules, not before `from`
 * (a time already past is planned from now): the journeys make its task due then. A task due
 * inside quiet hours would only be claimed to be deferred (a claim, a ledger note and a
 * reschedule for nothing). The send applies the rules again, so a zone or a setting that
 * changed since is honoured where it is stricter; one that would have let the message go
 * earlier does not bring it back, and a message with a short expiry can then expire. The
 * contact budget depends on what is sent meanwhile and is left to the send. A message that
 * could not go out before it expires keeps its time, so that the pipeline records why not.
 */
export function firstSendableTime(
  kind: MessageKind,
  desired: Date,
  settings: Pick<MessagingSettings, 'quietHours' | 'closedDays'>,
  zone: string,
  from: Date = desired,
): Date {
  const sendable = nextSendableTime(from > desired ? from : desired, timeRulesFor(kind, settings, zone));
  return sendable.getTime() > desired.getTime() + kindSpec(kind).expiresAfterHours * HOUR ? desired : sendable;
}

function deferReason(now: Date, rules: TimeRules): DeferReason {
  if (rules.windows?.length) return isSendable(now, { ...rules, closedDays: [] }) ? 'closed_day' : 'send_window';
  return isSendable(now, { zone: rules.zone, quietHours: rules.quietHours }) ? 'closed_day' : 'quiet_hours';
}

/**
 * The earliest moment at or after `now` when one more care/marketing message fits the budget
 * (at most `per24h` in any 24 hours and `per7d` in any 7 days); undefined if it never can.
 */
export function nextBudgetSlot(sends: string[], now: Date, budget: { per24h: number; per7d: number }): Date | undefined {
  if (budget.per24h <= 0 || budget.per7d <= 0) return undefined;
  const times = sends.map((s) => new Date(s).getTime()).sort((a, b) => a - b);
  const fits = (t: number) =>
    times.filter((s) => s > t - 24 * HOUR && s <= t).length < budget.per24h && times.filter((s) => s > t - 7 * 24 * HOUR && s <= t).length < budget.per7d;
  // The count only drops when a send leaves a window, so those instants are the only candidates.
  const candidates = [now.getTime(), ...times.flatMap((s) => [s + 24 * HOUR, s + 7 * 24 * HOUR])].filter((t) => t >= now.getTime()).sort((a, b) => a - b);
  const first = candidates.find(fits);
  return first === undefined ? undefined : new Date(first);
}
