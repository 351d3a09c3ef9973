import { parse } from 'parse5';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { checkRun, excerpt, simHtml, summary } from '../../local/simulate/present.ts';
import { type SimResult, simulate } from '../../local/simulate/simulate.ts';

// A small shop keeps this under a few seconds; `npm run demo` runs the full-size one.
const size = { customers: 18, days: 45 };
let first: SimResult;
let second: SimResult;
let other: SimResult;

beforeAll(async () => {
  const endpoint = inject('dynamoEndpoint');
  first = await simulate({ endpoint, seed: 7, ...size });
  second = await simulate({ endpoint, seed: 7, ...size });
  other = await simulate({ endpoint, seed: 8, customers: 10, days: 30 });
}, 300_000);

describe('the simulator', () => {
  it('is deterministic for a seed: the same messages and the same summary twice, another seed differs', () => {
    const messages = (r: SimResult) => r.sent.map((m) => `${m.at} ${m.customerId} ${m.kind} ${m.channel} ${m.text}`).sort();
    expect(first.sent.length).toBeGreaterThan(50);
    expect(messages(second)).toEqual(messages(first));
    expect(summary(second)).toBe(summary(first));
    expect(excerpt(second)).toBe(excerpt(first));
    expect(messages(other)).not.toEqual(messages(first));
  });

  it('makes the things shops care about happen: reminders, parcel updates, care, repurchase, a STOP', () => {
    const kinds = new Set(first.sent.map((m) => m.kind));
    for (const kind of ['payment_reminder', 'order_shipped', 'parcel_update', 'delivered', 'delivery_care', 'check_in', 'repurchase_reminder']) expect(kinds, kind).toContain(kind);
    // The customer who replied STOP gets no SMS after it; what still had to be said went by email or not at all.
    const stop = first.plan.actions.find((a) => a.type === 'sms_reply' && a.body === 'STOP')!;
    const after = first.ledger.filter((e) => e.customerId === stop.customerId && e.at > stop.at.toISOString() && e.status !== 'deferred');
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((e) => e.channel === 'sms')).toEqual([]);
    expect(after.every((e) => e.channel === 'email' || e.reason === 'opted_out' || e.status !== 'sent')).toBe(true);
    expect(new Set(first.plan.customers.map((c) => c.zone)).size).toBeGreaterThan(1);
  });

  it('agrees with the counters `careline report` reads', () => {
    const outboxByKind: Record<string, number> = {};
    for (const m of first.sent) outboxByKind[m.kind] = (outboxByKind[m.kind] ?? 0) + 1;
    const countersByKind = Object.fromEntries(
      Object.entries(first.counters).filter(([k]) => k.startsWith('sent_') && k !== 'sent_sms' && k !== 'sent_email').map(([k, v]) => [k.slice(5), v]),
    );
    expect(countersByKind).toEqual(outboxByKind);
    expect((first.counters.sent_sms ?? 0) + (first.counters.sent_email ?? 0)).toBe(first.sent.length);
    const skipped = first.ledger.filter((e) => e.status === 'skipped' || e.status === 'failed').length;
    const countedSkips = Object.entries(first.counters).filter(([k]) => k.startsWith('skipped_')).reduce((sum, [, v]) => sum + v, 0);
    expect(countedSkips).toBe(skipped);
    const segments = first.ledger.filter((e) => e.status === 'sent' && e.segments).reduce((sum, e) => sum + e.segments!, 0);
    expect(first.counters.smsSegments).toBe(segments);
  });

  it('never sends a message outside its hours, and never twice', () => {
    for (const run of [first, other]) {
      const checks = checkRun(run);
      expect(checks.atForbiddenTime.map((m) => `${m.kind} ${m.at}`)).toEqual([]);
      expect(checks.duplicates).toEqual([]);
    }
  });

  it('writes a valid, self-contained HTML report', () => {
    const html = simHtml(first, 1234);
    const errors: string[] = [];
    parse(html, { onParseError: (error) => errors.push(error.code) });
    expect(errors).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).toContain('<svg');
    expect(html).toContain('Messages per day, by kind');
  });
});
