import type { OutboxEntry } from '../../shared/channels/outbox.ts';
import { isMessageKind } from '../../shared/messages/kinds.ts';
import { timeRulesFor } from '../../shared/messages/send-decision.ts';
import { computeKpis, formatKpis, type Kpis } from '../../shared/reports/kpis.ts';
import { kpiHtml } from '../../shared/reports/html.ts';
import { isSendable, localParts } from '../../shared/timing/send-time.ts';
import type { SimResult } from './simulate.ts';

/**
 * Approximate price of one SMS segment in US dollars, by destination calling code: an estimate
 * for the preview only (carrier fees vary; see the AWS End User Messaging SMS pricing page).
 */
export const SMS_SEGMENT_PRICE_USD: Record<string, number> = { '+86': 0.02, '+1': 0.0088, '+44': 0.04 };
const DEFAULT_SEGMENT_PRICE_USD = 0.05;

export function segmentPrice(phone: string): number {
  const code = Object.keys(SMS_SEGMENT_PRICE_USD).find((prefix) => phone.startsWith(prefix));
  return code ? SMS_SEGMENT_PRICE_USD[code]! : DEFAULT_SEGMENT_PRICE_USD;
}

export interface SimChecks {
  /** Messages that arrived at a moment their kind's time rules do not allow (quiet hours, windows). */
  atForbiddenTime: OutboxEntry[];
  /** Message keys sent more than once. */
  duplicates: string[];
}

/** What must never happen in a run: a message at night (outside its kind's time rules), or one sent twice. */
export function checkRun(result: SimResult): SimChecks {
  const zoneOf = new Map(result.plan.customers.map((c) => [c.customerId, c.zone]));
  const atForbiddenTime = result.sent.filter((m) => {
    if (!isMessageKind(m.kind)) return true;
    const zone = zoneOf.get(m.customerId) ?? result.shop.timezone;
    return !isSendable(new Date(m.at), timeRulesFor(m.kind, result.shop.messaging, zone));
  });
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const m of result.sent) {
    const key = `${m.customerId}|${m.messageKey}`;
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  return { atForbiddenTime, duplicates };
}

export function simKpis(result: SimResult): Kpis {
  return computeKpis(result.counters, result.payHistogram, Math.round((result.end.getTime() - result.start.getTime()) / 86_400_000));
}

/**
 * A readable day-by-day excerpt for a few customers (by default one each with a payment
 * reminder, a stall and a repurchase reminder, and one abroad): local send time, kind, text, or why not.
 */
export function excerpt(result: SimResult, count = 4): string {
  const interesting = pickCustomers(result, count);
  const lines: string[] = [];
  for (const customer of interesting) {
    const entries = result.ledger.filter((e) => e.customerId === customer.customerId && e.status !== 'deferred' && e.status !== 'sending').sort((a, b) => a.at.localeCompare(b.at));
    const sentText = new Map(result.sent.filter((m) => m.customerId === customer.customerId).map((m) => [m.messageKey, m]));
    lines.push(`${customer.name} (${customer.customerId}, ${customer.zone}, ${customer.locale}, SMS consent ${customer.smsConsent}${customer.phone ? '' : ', email only'})`);
    let day = '';
    for (const entry of entries) {
      const local = localParts(new Date(entry.at), customer.zone);
      if (local.date !== day) lines.push(`  ${(day = local.date)}`);
      const message = sentText.get(entry.messageKey);
      const what = entry.status === 'sent' && message ? `${entry.channel === 'email' ? `email: ${message.subject ?? ''}` : message.text}` : `not sent: ${(entry.reason ?? entry.status).replaceAll('_', ' ')}`;
      lines.push(`    ${local.time}  ${entry.kind.padEnd(20)} ${what.replace(/\s+/g, ' ').slice(0, 110)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function pickCustomers(result: SimResult, count: number) {
  const kindsOf = (id: string) => new Set<string>(result.sent.filter((m) => m.customerId === id).map((m) => m.kind));
  const wanted = ['payment_reminder', 'shipment_delay', 'repurchase_reminder'];
  const chosen: typeof result.plan.customers = [];
  for (const kind of wanted) {
    const found = result.plan.customers.find((c) => !chosen.includes(c) && kindsOf(c.customerId).has(kind));
    if (found) chosen.push(found);
  }
  const overseas = result.plan.customers.find((c) => !chosen.includes(c) && c.zone !== result.shop.timezone && kindsOf(c.customerId).size > 0);
  if (overseas) chosen.push(overseas);
  return chosen.slice(0, count);
}

/** The summary printed after a run: what Careline would have sent, what it held back, and what it earned. */
export function summary(result: SimResult): string {
  const kpis = simKpis(result);
  const checks = checkRun(result);
  const segments = new Map(result.ledger.map((e) => [`${e.customerId}|${e.messageKey}`, e.segments]));
  const smsCost = result.sent.filter((m) => m.channel === 'sms').reduce((sum, m) => sum + segmentPrice(m.to) * (segments.get(`${m.customerId}|${m.messageKey}`) ?? 1), 0);
  const weeks = (result.end.getTime() - result.start.getTime()) / (7 * 86_400_000);
  const perCustomerWeek = result.sent.length / Math.max(result.plan.customers.length, 1) / weeks;
  return [
    formatKpis(kpis, `Simulated ${result.plan.customers.length} customers over ${kpis.days} days (seed ${result.plan.seed})`),
    '',
    `  SMS cost (estimate)      $${smsCost.toFixed(2)} for ${kpis.messages.smsSegments} segments; ${perCustomerWeek.toFixed(2)} messages per customer per week`,
    `  Stalled parcels caught   ${kpis.parcels.stalled} (the plan stalled ${result.plan.truth.stalled} and sent ${result.plan.truth.exceptions} exceptions), ${result.alerts} ops alerts`,
    `  Checks                   ${checks.atForbiddenTime.length} messages outside their hours, ${checks.duplicates.length} sent twice`,
  ].join('\n');
}

/** DynamoDB capacity of the run per order. Not part of the summary: cache hits vary with the dispatcher's concurrency. */
export function capacityLine(result: SimResult): string {
  const orders = Math.max(result.counters.orders ?? 0, 1);
  return `  DynamoDB                 ${Math.round(result.capacity.write)} write units, ${Math.round(result.capacity.read)} read units: ${(result.capacity.write / orders).toFixed(1)} WCU and ${(result.capacity.read / orders).toFixed(1)} RCU per order, all flows`;
}

export function simHtml(result: SimResult, wallMs: number): string {
  const checks = checkRun(result);
  return kpiHtml({
    title: `Careline preview: ${result.shop.shopId}, ${result.plan.customers.length} customers, ${Math.round((result.end.getTime() - result.start.getTime()) / 86_400_000)} days (seed ${result.plan.seed})`,
    kpis: simKpis(result),
    daily: result.daily,
    quietHours: result.shop.messaging.quietHours,
    notes: [
      `Simulated with Careline's own handlers on a virtual clock in ${(wallMs / 1000).toFixed(1)} s. Nothing was sent to anyone.`,
      `${checks.atForbiddenTime.length} messages outside their hours; ${checks.duplicates.length} sent twice.`,
    ],
  });
}
