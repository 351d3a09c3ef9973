import type { MessageClass, MessageKind } from '../messages/kinds.ts';

export type ChannelName = 'sms' | 'email';

/** A rendered message, addressed, ready for a channel. */
export interface OutgoingMessage {
  shopId: string;
  customerId: string;
  /** The dedupe ledger key: the same message always has the same key. */
  messageKey: string;
  kind: MessageKind;
  class: MessageClass;
  channel: ChannelName;
  /** E.164 phone number for SMS, e-mail address for email. */
  to: string;
  /** SMS text, or the plain-text body of an email. */
  text: string;
  /** Email only. */
  subject?: string;
  /** Email only: the signed one-click unsubscribe link (List-Unsubscribe). */
  unsubscribeUrl?: string;
  /** SMS only: alphanumeric sender id, where the country allows one. */
  senderId?: string;
}

/**
 * What a channel made of a send. A permanent failure (invalid number, opted out at the carrier,
 * bad address) is not retried; a transient one (throttling, a 5xx) is. `reason` is a code
 * (e.g. the provider's error name), never the recipient.
 */
export type SendResult =
  | { status: 'sent'; providerMessageId?: string }
  | { status: 'failed'; permanent: boolean; reason: string };

export interface Channel {
  readonly name: ChannelName | 'outbox';
  send(message: OutgoingMessage): Promise<SendResult>;
}
