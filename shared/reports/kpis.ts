import { PAY_GROUPS, type PayHistogram, payQuantileMinutes } from '../journeys/pay-latency.ts';
import { formatMoney } from '../money.ts';

/** What a shop's counters say, for `careline report` and the simulator's summary. */
export interface Kpis {
  days: number;
  orders: { total: number; new: number; returning: number; unpaidAtCreation: number; paid: number; closedUnpaid: number; paymentRate: number };
  /** Minutes to pay: p50/p90 from the histogram (all time), mean from the window's counters. */
  timeToPay: Record<'new' | 'returning', { p50?: number; p90?: number; mean?: number; paid: number }>;
  reminders: { sent: number; converted: number; recovered: Record<string, number> };
  parcels: { shipped: number; updates: number; stalled: number; delivered: number };
  care: { careMessages: number; checkIns: number; replies: number; averageSatisfaction?: number; lowScores: number };
  repurchase: { reminders: number; followedByPurchase: number };
  messages: { sent: number; sms: number; email: number; smsSegments: number; perOrder: number; byKind: Record<string, number>; skippedByReason: Record<string, number>; byLocalHour: number[] };
  optOuts: { heldBack: number };
  atRisk: number;
}

const sumPrefix = (counters: Record<string, number>, prefix: string) =>
  Object.fromEntries(Object.entries(counters).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));

export function computeKpis(counters: Record<string, number>, histogram: PayHistogram, days: number): Kpis {
  const c = (name: string) => counters[name] ?? 0;
  const paid = c('paidOrders_new') + c('paidOrders_returning');
  const byKind = sumPrefix(counters, 'sent_');
  delete byKind.sms;
  delete byKind.email;
  const sent = c('sent_sms') + c('sent_email');
  const recovered = sumPrefix(counters, 'recoveredMinor_');
  const timeToPay = Object.fromEntries(
    PAY_GROUPS.map((group) => {
      const n = c(`paidOrders_${group}`);
      const p50 = payQuantileMinutes(histogram[group], 0.5, 1);
      const p90 = payQuantileMinutes(histogram[group], 0.9, 1);
      return [group, { paid: n, ...(p50 !== undefined ? { p50 } : {}), ...(p90 !== undefined ? { p90 } : {}), ...(n ? { mean: Math.round(c(`paidMinutes_${group}`) / n) } : {}) }];
    }),
  ) as Kpis['timeToPay'];
  return {
    days,
    orders: {
      total: c('orders'),
      new: c('orders_new'),
      returning: c('orders_returning'),
      unpaidAtCreation: c('ordersUnpaidAtCreation'),
      paid,
      closedUnpaid: c('ordersClosedUnpaid'),
      paymentRate: c('orders') ? paid / c('orders') : 0,
    },
    timeToPay,
    reminders: { sent: c('sent_payment_reminder') + c('sent_payment_last_chance'), converted: c('recoveredOrders'), recovered },
    parcels: { shipped: c('orders_shipped'), updates: c('sent_parcel_update'), stalled: c('stalled_no_checkpoint') + c('stalled_exception'), delivered: c('orders_delivered') },
    care: {
      careMessages: c('sent_delivery_care'),
      checkIns: c('sent_check_in'),
      replies: c('checkInReplies'),
      ...(c('checkInReplies') ? { averageSatisfaction: Math.round((c('satisfactionSum') / c('checkInReplies')) * 10) / 10 } : {}),
      lowScores: c('lowSatisfaction'),
    },
    repurchase: { reminders: c('sent_repurchase_reminder'), followedByPurchase: c('repurchasesAfterReminder') },
    messages: {
      sent,
      sms: c('sent_sms'),
      email: c('sent_email'),
      smsSegments: c('smsSegments'),
      perOrder: c('orders') ? Math.round((sent / c('orders')) * 10) / 10 : 0,
      byKind,
      skippedByReason: sumPrefix(counters, 'skipped_'),
      byLocalHour: Array.from({ length: 24 }, (_, h) => c(`sentHour_${String(h).padStart(2, '0')}`)),
    },
    optOuts: { heldBack: c('skipped_opted_out') },
    atRisk: c('atRiskCustomers'),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const minutes = (m: number | undefined) => (m === undefined ? '—' : m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`);

/** The KPIs as a plain-text table. */
export function formatKpis(k: Kpis, title: string): string {
  const money = Object.entries(k.reminders.recovered).map(([currency, minor]) => formatMoney(minor, currency)).join(', ') || '—';
  const rows: [string, string][] = [
    ['Orders', `${k.orders.total} (${k.orders.new} new, ${k.orders.returning} returning)`],
    ['Paid', `${k.orders.paid} — payment rate ${pct(k.orders.paymentRate)}; closed unpaid ${k.orders.closedUnpaid}`],
    ['Time to pay, new', `p50 ≤ ${minutes(k.timeToPay.new.p50)}, p90 ≤ ${minutes(k.timeToPay.new.p90)}, mean ${minutes(k.timeToPay.new.mean)}`],
    ['Time to pay, returning', `p50 ≤ ${minutes(k.timeToPay.returning.p50)}, p90 ≤ ${minutes(k.timeToPay.returning.p90)}, mean ${minutes(k.timeToPay.returning.mean)}`],
    ['Payment reminders', `${k.reminders.sent} sent, ${k.reminders.converted} paid within 24 h, recovered ${money}`],
    ['Parcels', `${k.parcels.shipped} shipped, ${k.parcels.updates} daily updates, ${k.parcels.stalled} stalled caught, ${k.parcels.delivered} delivered`],
    ['Care', `${k.care.careMessages} care messages, ${k.care.checkIns} check-ins, ${k.care.replies} replies, average ${k.care.averageSatisfaction ?? '—'}/5, ${k.care.lowScores} low`],
    ['Repurchase', `${k.repurchase.reminders} reminders, ${k.repurchase.followedByPurchase} followed by a purchase within 30 days`],
    ['Messages', `${k.messages.sent} sent (${k.messages.sms} SMS in ${k.messages.smsSegments} segments, ${k.messages.email} email), ${k.messages.perOrder} per order`],
    ['Opt-outs', `${k.optOuts.heldBack} messages held back by STOP or unsubscribe`],
    ['At risk', `${k.atRisk} customers whose active window closed without an order`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [title, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  lines.push('', '  Sent by kind', ...table(k.messages.byKind));
  if (Object.keys(k.messages.skippedByReason).length) lines.push('', '  Not sent, by reason', ...table(k.messages.skippedByReason));
  return lines.join('\n');
}

function table(entries: Record<string, number>): string[] {
  const sorted = Object.entries(entries).sort((a, b) => b[1] - a[1]);
  const width = Math.max(0, ...sorted.map(([k]) => k.length));
  return sorted.map(([key, n]) => `    ${key.replaceAll('_', ' ').padEnd(width)}  ${String(n).padStart(6)}`);
}
