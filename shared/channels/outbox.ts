import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../clock.ts';
import { maskEmail, maskPhone } from '../profiles/contact.ts';
import type { Channel, OutgoingMessage, SendResult } from './channel.ts';

export const DEFAULT_OUTBOX_FILE = '.careline/outbox.jsonl';

export interface OutboxOptions {
  clock: Clock;
  /** JSON-lines file to append to (default `.careline/outbox.jsonl`); `null` keeps messages in memory only. */
  file?: string | null;
  /** Where the one-line summary goes (console.log by default; `() => {}` to stay quiet). */
  print?: (line: string) => void;
  /** Tests make chosen sends fail: a result returned here is the send's result, and nothing is recorded. */
  failNext?: (message: OutgoingMessage) => SendResult | undefined;
}

export type OutboxEntry = OutgoingMessage & { at: string };

const SUMMARY_CHARS = 100;

/**
 * The channel for local runs, the simulator and tests: nothing leaves the machine. Each message
 * is kept in `sent`, appended as one JSON line (with the time it was sent) and printed as one
 * line with the contact masked. It always succeeds unless `failNext` says otherwise.
 */
export function outboxChannel(options: OutboxOptions): Channel & { sent: OutboxEntry[] } {
  const file = options.file === undefined ? DEFAULT_OUTBOX_FILE : options.file;
  const print = options.print ?? ((line: string) => console.log(line));
  const sent: OutboxEntry[] = [];
  let directoryReady = false;
  return {
    name: 'outbox',
    sent,
    async send(message) {
      const failure = options.failNext?.(message);
      if (failure) {
        if (failure.status === 'failed') print(`✗ ${outboxSummary(message)} (${failure.permanent ? 'failed' : 'will retry'}: ${failure.reason})`);
        return failure;
      }
      const entry: OutboxEntry = { ...message, at: options.clock.now().toISOString() };
      if (file) {
        if (!directoryReady) mkdirSync(dirname(file), { recursive: true });
        directoryReady = true;
        appendFileSync(file, `${JSON.stringify(entry)}\n`);
      }
      sent.push(entry);
      print(`→ ${outboxSummary(message)}`);
      return { status: 'sent', providerMessageId: `outbox-${sent.length}` };
    },
  };
}

/** `SMS +86•••••••8000 [payment_reminder] 【茶韵】您的订单…`: enough to follow a run, no contact in clear. */
export function outboxSummary(message: OutgoingMessage): string {
  const to = message.channel === 'sms' ? maskPhone(message.to) : maskEmail(message.to);
  const content = (message.subject ? `${message.subject}: ${message.text}` : message.text).replace(/\s+/g, ' ').trim();
  const chars = [...content];
  const shown = chars.length > SUMMARY_CHARS ? `${chars.slice(0, SUMMARY_CHARS).join('')}…` : content;
  return `${message.channel === 'sms' ? 'SMS' : 'email'} ${to} [${message.kind}] ${shown}`;
}
