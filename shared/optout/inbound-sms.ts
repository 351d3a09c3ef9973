import * as z from 'zod';
import { parseOptOutKeyword } from './keywords.ts';

export interface OptOutStore {
  setSmsOptOut(phoneE164: string, optedOut: boolean, at: Date, source: string): Promise<void>;
  setEmailOptOut(shopId: string, customerId: string, optedOut: boolean, at: Date, source: string): Promise<void>;
}

/** The JSON of an inbound SMS that SNS two-way messaging publishes to the inbound topic. */
export const inboundSmsSchema = z.object({
  originationNumber: z.string().regex(/^\+[1-9]\d{6,14}$/),
  destinationNumber: z.string().optional(),
  messageKeyword: z.string().optional(),
  messageBody: z.string().max(2000),
  inboundMessageId: z.string().optional(),
  previousPublishedMessageId: z.string().optional(),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;

export type InboundOutcome = 'opted_out' | 'opted_in' | 'ignored';

/** STOP / 退订 / TD opt the number out for every shop of this deployment; START opts it back in. */
export async function handleInboundSms(message: InboundSms, store: OptOutStore, now: Date): Promise<InboundOutcome> {
  const keyword = parseOptOutKeyword(message.messageBody);
  if (!keyword) return 'ignored';
  const word = message.messageBody.normalize('NFKC').trim().split(/\s+/)[0]!.slice(0, 20);
  await store.setSmsOptOut(message.originationNumber, keyword === 'stop', now, `sms:${word}`);
  return keyword === 'stop' ? 'opted_out' : 'opted_in';
}
