import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../clock.ts';
import { maskEmail, maskPhone } from '../profiles/contact.ts';
import type { Channel, OutgoingMessage, SendResult } from './channel.ts';

export interface OutboxOptions {
  clock: Clock;
  /** JSON-lines file to append to; `null` keeps messages in memory only. */
  file?: string | null;
  /** Where the one-line summary goes (console.log by default; a no-op to stay quiet). */
  print?: (line: string) => void;
  /** Tests can make chosen sends fail. */
  failNext?: (message: OutgoingMessage) => SendResult | undefined;
}

/**
 * The channel for local runs, the simulator and tests: nothing leaves the machine. Each message
 * is printed as one line (contacts masked) and appended to a JSON-lines file.
 */
export function outboxChannel(options: OutboxOptions): Channel & { sent: (OutgoingMessage & { at: string })[] } {
  const file = options.file === undefined ? '.careline/outbox.jsonl' : options.file;
  const print = options.print ?? ((line: string) => console.log(line));
  const sent: (OutgoingMessage & { at: string })[] = [];
  if (file) mkdirSync(dirname(file), { recursive: true });
  return {
    name: 'outbox',
    sent,
    async send(message) {
      const failure = options.failNext?.(message);
      if (failure) return failure;
      const entry = { ...message, at: options.clock.now().toISOString() };
      sent.push(entry);
      if (file) appendFileSync(file, `${JSON.stringify(entry)}\n`);
      const to = message.channel === 'sms' ? maskPhone(message.to) : maskEmail(message.to);
      print(`→ ${message.channel === 'sms' ? 'SMS' : 'email'} ${to} [${message.kind}] ${(message.subject ? `${message.subject}: ` : '') + message.text.replaceAll('\n', ' ').slice(0, 100)}`);
      return { status: 'sent', providerMessageId: `outbox-${sent.length}` };
    },
  };
}
