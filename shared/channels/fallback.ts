import type { Channel, ChannelName, OutgoingMessage, SendResult } from './channel.ts';

export interface FallbackSend {
  result: SendResult;
  /** The channel the result is from (the preferred one when no channel had an address). */
  channel: ChannelName;
  /** Set when the message went, or was tried, on the other channel after a permanent failure. */
  fallbackFrom?: { channel: ChannelName; reason: string };
}

/**
 * The next channel to try: the preferred one, else the other, skipping any without a usable
 * address and any that has failed for good. Undefined when none is left.
 */
export function chooseChannel(preferred: ChannelName, usable: Record<ChannelName, boolean>, failedPermanently: readonly ChannelName[] = []): ChannelName | undefined {
  return channelOrder(preferred).find((channel) => usable[channel] && !failedPermanently.includes(channel));
}

export function channelOrder(preferred: ChannelName): [ChannelName, ChannelName] {
  return preferred === 'sms' ? ['sms', 'email'] : ['email', 'sms'];
}

/**
 * Sends on the preferred channel and falls back to the other when the preferred one has no usable
 * address (`build` returns undefined) or failed permanently (invalid number, refused address).
 * A transient failure does not fall back: the caller retries the same channel later, so the
 * customer never gets the message on both.
 */
export async function sendWithFallback(
  channels: Record<ChannelName, Channel>,
  build: (channel: ChannelName) => OutgoingMessage | undefined,
  preferred: ChannelName,
): Promise<FallbackSend> {
  const messages = { sms: build('sms'), email: build('email') };
  const usable = { sms: messages.sms !== undefined, email: messages.email !== undefined };
  const failed: ChannelName[] = [];
  let fallbackFrom: FallbackSend['fallbackFrom'];
  for (let channel = chooseChannel(preferred, usable); channel; ) {
    const message = messages[channel];
    if (!message) break; // chooseChannel only picks channels with a message
    const result = await channels[channel].send(message);
    const outcome: FallbackSend = { result, channel, ...(fallbackFrom ? { fallbackFrom } : {}) };
    if (result.status === 'sent' || !result.permanent) return outcome;
    failed.push(channel);
    const next = chooseChannel(preferred, usable, failed);
    if (!next) return outcome;
    fallbackFrom = { channel, reason: result.reason };
    channel = next;
  }
  return { result: { status: 'failed', permanent: true, reason: 'no_contact' }, channel: preferred };
}
