import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import type { ClientSource } from '../aws/lazy-client.ts';
import type { Channel, OutgoingMessage } from './channel.ts';
import { SENDER_ID, SENDER_ID_RULE } from './sender-id.ts';
import { classifySnsError } from './sns-errors.ts';
import { snsPublish } from './sns-publish.ts';

export interface SnsSmsOptions {
  /**
   * The SNS client. Its SDK retry policy (by default 3 attempts within one send) is the only
   * retry here; retries across runs are the dispatcher's, with backoff and a last attempt.
   * Made on the first send when given as a function.
   */
  client: ClientSource<SNSClient>;
  /** Default alphanumeric sender id (1–11 letters or digits, at least one letter); a message's own wins. */
  senderId?: string;
  /** Most to pay for one SMS, in US dollars, e.g. "0.05"; SNS does not send a dearer one. */
  maxPriceUsd?: string;
}

/** E.164: a plus, then 7 to 15 digits, the first not zero. */
const E164 = /^\+[1-9]\d{6,14}$/;
const PRICE_USD = /^(?:0|[1-9]\d*)(?:\.\d{1,5})?$/;

/**
 * SMS by SNS Publish to a phone number. Transactional messages go as SMSType Transactional
 * (higher delivery priority); care and marketing as Promotional, as carriers expect.
 * A number that is not E.164 is refused without calling SNS.
 */
export function snsSmsChannel(options: SnsSmsOptions): Channel {
  // Options come from configuration: a bad one should stop the start, not fail every send.
  if (options.senderId !== undefined && !SENDER_ID.test(options.senderId)) {
    throw new Error(`bad SMS sender id: ${SENDER_ID_RULE}`);
  }
  if (options.maxPriceUsd !== undefined && !(PRICE_USD.test(options.maxPriceUsd) && Number(options.maxPriceUsd) > 0)) {
    throw new Error('SMS max price must be a positive amount in US dollars, e.g. "0.05"');
  }
  return {
    name: 'sms',
    async send(message) {
      if (!E164.test(message.to)) return { status: 'failed', permanent: true, reason: 'invalid_phone' };
      try {
        const result = await snsPublish(options.client, { PhoneNumber: message.to, Message: message.text, MessageAttributes: smsAttributes(message, options) });
        return { status: 'sent', ...(result.MessageId ? { providerMessageId: result.MessageId } : {}) };
      } catch (error) {
        return classifySnsError(error);
      }
    },
  };
}

/** The per-message SMS settings SNS reads from reserved message attributes. */
export function smsAttributes(message: OutgoingMessage, options: Pick<SnsSmsOptions, 'senderId' | 'maxPriceUsd'>): Record<string, MessageAttributeValue> {
  const senderId = message.senderId ?? options.senderId;
  return {
    'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: message.class === 'transactional' ? 'Transactional' : 'Promotional' },
    ...(senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: senderId } } : {}),
    ...(options.maxPriceUsd ? { 'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: options.maxPriceUsd } } : {}),
  };
}
