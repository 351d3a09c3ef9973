import * as z from 'zod/mini';
import { matchOptOutKeyword } from './keywords.ts';

/** What opt-outs need from the store (CarelineStore satisfies it structurally). */
export interface OptOutStore {
  /** Records an SMS opt-out (true) or opt-in (false) for a phone number, for every shop of this deployment (the number that sends is shared). */
  setSmsOptOut(phoneE164: string, optedOut: boolean, at: Date, source: string): Promise<void>;
  /** Records an email unsubscribe for one customer of one shop. */
  setEmailOptOut(shopId: string, customerId: string, optedOut: boolean, at: Date, source: string): Promise<void>;
}

const e164 = /^\+[1-9]\d{6,14}$/;

/**
 * The JSON that AWS End User Messaging SMS (two-way SMS) publishes to the inbound SNS topic:
 * `{ originationNumber, destinationNumber, messageKeyword, messageBody, inboundMessageId,
 * previousPublishedMessageId }`. Only the customer's number and the text are needed; the rest
 * is optional so a payload without them is still understood.
 */
export const inboundSmsSchema = z.object({
  /** The customer's number, E.164. */
  originationNumber: z.string().check(z.regex(e164)),
  /** Our number the customer wrote to. */
  destinationNumber: z.nullish(z.string()),
  /** The registered keyword of our number (set by AWS; not the customer's intent, which the body gives). */
  messageKeyword: z.nullish(z.string()),
  /** A concatenated SMS is at most about 1,600 characters. */
  messageBody: z.string().check(z.maxLength(2000)),
  inboundMessageId: z.nullish(z.string()),
  /** The id of the message the customer answers, when AWS knows it. */
  previousPublishedMessageId: z.nullish(z.string()),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;

export type InboundSmsAction = 'opted_out' | 'opted_in' | 'ignored' | 'invalid';

/** The outcome, safe to log: never the phone number, never the customer's text. */
export interface InboundSmsResult {
  action: InboundSmsAction;
  /** The canonical keyword that decided it (`STOP`, `TD`, `退订`, `START`…). */
  keyword?: string;
}

/**
 * STOP / 退订 / TD opt the sending number out for every shop of this deployment (the sending
 * number is shared); START / 订阅 opt it back in. Anything else is ignored here. The message is
 * parsed here too, so a caller may pass the SNS message's JSON as it came.
 */
export async function handleInboundSms(message: unknown, store: OptOutStore, now: Date): Promise<InboundSmsResult> {
  const parsed = inboundSmsSchema.safeParse(message);
  if (!parsed.success) return { action: 'invalid' };
  const match = matchOptOutKeyword(parsed.data.messageBody);
  if (!match) return { action: 'ignored' };
  const optedOut = match.intent === 'stop';
  await store.setSmsOptOut(parsed.data.originationNumber, optedOut, now, `sms:${match.keyword}`);
  return { action: optedOut ? 'opted_out' : 'opted_in', keyword: match.keyword };
}
