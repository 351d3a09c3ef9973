import type { MessageKind } from '../messages/kinds.ts';
import { type JourneyGuard, type PlannedMessage, sendMessageTask } from '../messages/message-task.ts';
import { firstSendableTime } from '../messages/send-decision.ts';
import { formatMoney } from '../money.ts';
import { type Milestone, type OrderRecord, type StoredCheckpoint, totalMinor } from '../orders/order-record.ts';
import type { Transition } from '../orders/order-state.ts';
import { allTransitionsOf } from '../orders/order-effects.ts';
import type { Profile } from '../profiles/profile.ts';
import type { Shop } from '../shops/shop.ts';
import { localParts, nextSendableTime, NO_QUIET_HOURS } from '../timing/send-time.ts';
import { kindSpec } from '../messages/kinds.ts';
import type { Call } from './calls.ts';
import { type JourneyCommand, journeyKeys, messageTaskKey, ORDER_ENDED, PAYMENT_OVER } from './commands.ts';
import { type PayGroup, type PayHistogram, payQuantileMinutes } from './pay-latency.ts';
import { type ProductRule, productKeyOf, ruleFor } from './products.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The care message follows the delivered notice by this long, so the two do not arrive together. */
export const CARE_AFTER_DELIVERY_MS = 2 * HOUR;
/** Task kinds of journey tasks that are not messages. */
export const STALL_CHECK_TASK = 'stall_check';
export const AT_RISK_TASK = 'at_risk_check';

export interface OrderJourneyInput {
  shop: Shop;
  before: OrderRecord | undefined;
  after: OrderRecord;
  transitions: Transition[];
  /** The customer's profile as it is now (after this change). */
  profile: Profile | undefined;
  /** The shop's product care rules by SKU / `product:<id>` / `*`. */
  products: ReadonlyMap<string, ProductRule>;
  payHistogram: PayHistogram | undefined;
  now: Date;
}

/**
 * The order-lifecycle journeys for one change of one order: a pure function from what changed
 * (and the order, profile, settings, product rules, now) to commands. Payment reminders, the
 * staff call, the last-chance reminder; shipping notice, daily parcel updates, stalls; delivery
 * care, check-ins, review request, repurchase reminders; the 30-day touch; and cancelling what
 * no longer applies after a payment, cancellation or refund.
 */
export function planOrderChange(input: OrderJourneyInput): JourneyCommand[] {
  const { after, shop } = input;
  const commands: JourneyCommand[] = [];
  for (const shipment of after.shipments) {
    if (shipment.trackingNumber && !input.before?.shipments.some((known) => known.trackingNumber === shipment.trackingNumber)) {
      commands.push({ type: 'track_parcel', trackingNumber: shipment.trackingNumber, ...(shipment.carrier ? { carrier: shipment.carrier } : {}) });
    }
  }
  const customerId = after.customerId;
  if (!customerId) return commands; // nobody to write to (yet): an order tied to its customer later replays below

  // An order that learned its customer late brings everything it already reached along.
  const transitions = input.transitions.some((t) => t.kind === 'customer_attached') ? allTransitionsOf(after) : input.transitions;
  const reached = new Map<Milestone, string>();
  for (const t of transitions) if (t.kind === 'milestone') reached.set(t.milestone, t.at);
  const ctx: Ctx = { ...input, customerId, zone: input.profile?.timezone ?? shop.timezone, commands };

  if (reached.has('created')) planCreated(ctx, reached.get('created')!);
  for (const milestone of ['shipped', 'delivered', 'cancelled', 'refunded'] as const) {
    if (reached.has(milestone)) commands.push({ type: 'count', counters: { [`orders_${milestone}`]: 1 }, at: reached.get(milestone)! });
  }
  // Platforms close (archive) fulfilled orders too: only an unpaid order's closing is counted.
  if (reached.has('closed') && !after.milestones.paid) commands.push({ type: 'count', counters: { ordersClosedUnpaid: 1 }, at: reached.get('closed')! });
  if (reached.has('paid')) planPaid(ctx, reached.get('paid')!);
  const checkpoints = transitions.flatMap((t) => (t.kind === 'checkpoint' ? [t.checkpoint] : []));
  // A parcel first heard of through an exception gets the reassuring notice, not "it has shipped".
  if (reached.has('shipped')) planShipped(ctx, reached.get('shipped')!, !checkpoints.some((c) => c.status === 'exception'));
  // Stalls are watched whether or not the customer hears about the parcel's way; out for
  // delivery is news too (a parcel stuck there is a stall).
  if (reached.has('shipped') || reached.has('out_for_delivery') || checkpoints.length) scheduleStallCheck(ctx);
  if (checkpoints.length) planCheckpoints(ctx, checkpoints);
  if (reached.has('out_for_delivery') && !after.milestones.delivered) planOutForDelivery(ctx);
  if (reached.has('delivered')) planDelivered(ctx, reached.get('delivered')!);
  const refunds = transitions.flatMap((t) => (t.kind === 'refund' ? [t.refund] : []));
  for (const refund of refunds) planItemRefund(ctx, refund.lineItems.map((line) => line.lineItemId));
  const ended = ORDER_ENDED.find((milestone) => reached.has(milestone));
  if (ended) planEnded(ctx, ended);
  else if (reached.has('closed') && !after.milestones.paid) stopPaymentReminders(ctx, 'order closed unpaid');
  return commands;
}

interface Ctx extends OrderJourneyInput {
  customerId: string;
  zone: string;
  commands: JourneyCommand[];
}

function message(
  ctx: Ctx,
  kind: MessageKind,
  messageKey: string,
  dueAt: Date,
  options: {
    vars?: Record<string, string>;
    variant?: string;
    guard?: Omit<JourneyGuard, 'orderId'>;
    mode?: 'keep' | 'move';
    taskKey?: string;
    /** Not before this (nor now), though wanted at `dueAt`: it still expires relative to `dueAt`. */
    notBefore?: Date;
    /** A message planned now but scheduled only once this one is done (`planned`). */
    then?: PlannedMessage;
  } = {},
): void {
  ctx.commands.push({
    type: 'schedule',
    mode: options.mode ?? 'keep',
    task: sendMessageTask({
      shopId: ctx.shop.shopId,
      customerId: ctx.customerId,
      ...planned(ctx, kind, messageKey, dueAt, options),
      journey: { orderId: ctx.after.orderId, stopIf: [...ORDER_ENDED], ...options.guard },
      ...(ctx.profile?.phone ? { phone: ctx.profile.phone } : {}),
      ...(options.taskKey ? { taskKey: options.taskKey } : {}),
      ...(options.then ? { then: options.then } : {}),
    }),
  });
}

/**
 * A journey message as planned: due when the time rules first let it go (the send checks them
 * again), not in quiet hours. As a follow-up it is checked against its first's journey.
 */
function planned(
  ctx: Ctx,
  kind: MessageKind,
  messageKey: string,
  dueAt: Date,
  options: { vars?: Record<string, string>; variant?: string; notBefore?: Date } = {},
): PlannedMessage {
  const sendAt = firstSendableTime(kind, dueAt, ctx.shop.messaging, ctx.zone, options.notBefore ? maxDate(options.notBefore, ctx.now) : ctx.now);
  return {
    kind,
    messageKey,
    dueAt: sendAt,
    ...(sendAt > dueAt ? { firstDueAt: dueAt } : {}),
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.variant ? { variant: options.variant } : {}),
  };
}

function cancel(ctx: Ctx, messageKeyOrTaskKey: string, reason: string, options: { isTask?: boolean; onlyForOrder?: string } = {}): void {
  ctx.commands.push({
    type: 'cancel',
    taskKey: options.isTask ? messageKeyOrTaskKey : messageTaskKey(messageKeyOrTaskKey),
    reason,
    ...(options.onlyForOrder ? { onlyForOrder: options.onlyForOrder } : {}),
  });
}

/** New to the shop with this order, or returning. */
export function payGroupOf(profile: Profile | undefined, order: OrderRecord): PayGroup {
  if (!profile || profile.orderCount <= 1) return 'new';
  const created = order.milestones.created;
  return created && profile.firstOrderAt && profile.firstOrderAt >= created ? 'new' : 'returning';
}

/** How long after an order is placed its payment reminder goes: learned (p90) once there is history, else the shop's setting. */
export function reminderDelayMinutes(shop: Shop, group: PayGroup, histogram: PayHistogram | undefined): { minutes: number; learned: boolean } {
  const j = shop.journeys;
  const configured = group === 'new' ? j.reminderDelayNewMinutes : j.reminderDelayReturningMinutes;
  const learned = j.learnReminderDelay && histogram ? payQuantileMinutes(histogram[group], 0.9, j.learnAfterPaidOrders) : undefined;
  return learned !== undefined ? { minutes: learned, learned: true } : { minutes: configured, learned: false };
}

function productKeys(order: OrderRecord): string[] {
  return [...new Set(order.lineItems.map(productKeyOf))];
}

function planCreated(ctx: Ctx, createdAt: string): void {
  const { after, shop, profile } = ctx;
  const j = shop.journeys;
  const created = new Date(createdAt);
  const open = !PAYMENT_OVER.some((m) => after.milestones[m]);
  const group = payGroupOf(profile, after);
  ctx.commands.push({ type: 'count', counters: { orders: 1, [`orders_${group}`]: 1, ...(open ? { ordersUnpaidAtCreation: 1 } : {}) }, at: createdAt });
  ctx.commands.push({ type: 'repurchase_check', customerId: ctx.customerId, productKeys: productKeys(after), at: createdAt });
  if (open && j.paymentReminders) {
    const firstAt = firstReminderAt(ctx, created);
    const stopIf = [...PAYMENT_OVER];
    // The last chance is planned now, and scheduled when the first reminder is done: an order
    // paid before that (most are) never had it, so there is nothing to cancel.
    const lastAt = j.autoCloseHours ? new Date(created.getTime() + (j.autoCloseHours - j.lastChanceHoursBefore) * HOUR) : undefined;
    // Only worth a second message when it comes well after the first.
    const last = lastAt && lastAt.getTime() - firstAt.getTime() >= 2 * HOUR ? planned(ctx, 'payment_last_chance', journeyKeys.lastChance(after.orderId), lastAt) : undefined;
    message(ctx, 'payment_reminder', journeyKeys.reminder(after.orderId), firstAt, { variant: group, guard: { stopIf, cutoff: true }, ...(last ? { then: last } : {}) });
    const total = totalMinor(after);
    if (j.callFromMinor > 0 && total !== undefined && total >= j.callFromMinor) {
      const dueAt = nextSendableTime(firstAt, { zone: ctx.zone, quietHours: NO_QUIET_HOURS, windows: j.callWindows });
      const local = localParts(dueAt, ctx.zone);
      const call: Call = {
        shopId: shop.shopId,
        orderId: after.orderId,
        customerId: ctx.customerId,
        ...(after.orderNumber ? { orderNumber: after.orderNumber } : {}),
        ...(after.currency ? { total: formatMoney(total, after.currency) } : {}),
        dueAt: dueAt.toISOString(),
        localDue: `${local.date} ${local.time} ${ctx.zone}`,
        status: 'open',
        createdAt: ctx.now.toISOString(),
        updatedAt: ctx.now.toISOString(),
      };
      ctx.commands.push({ type: 'open_call', call });
    }
    ctx.commands.push({ type: 'unpaid_add', customerId: ctx.customerId, orderId: after.orderId, createdAt, productKeys: productKeys(after) });
  }
  // The active window: one per customer, at the newest order + (window − 1) days; a newer order moves it.
  const newest = !profile?.lastOrderAt || createdAt >= profile.lastOrderAt;
  if (j.activeWindowDays > 0 && newest && !ORDER_ENDED.some((m) => after.milestones[m])) {
    const touchAt = new Date(created.getTime() + (j.activeWindowDays - 1) * DAY);
    // One task per customer, moved by every newer order; each window's touch is a message of its own.
    message(ctx, 'active_window_touch', `${journeyKeys.activeTouch(ctx.customerId)}:${createdAt.slice(0, 10)}`, touchAt, {
      mode: 'move',
      taskKey: messageTaskKey(journeyKeys.activeTouch(ctx.customerId)),
      vars: { product_title: after.lineItems[0]?.title ?? '' },
      // Not after that order was cancelled or refunded, nor once the customer has ordered again.
      guard: { orderedAfter: createdAt },
    });
    ctx.commands.push({
      type: 'schedule',
      mode: 'move',
      task: {
        shopId: shop.shopId,
        taskKey: journeyKeys.atRiskCheck(ctx.customerId),
        kind: AT_RISK_TASK,
        dueAt: new Date(created.getTime() + j.activeWindowDays * DAY),
        payload: { customerId: ctx.customerId, lastOrderAt: createdAt },
      },
    });
  }
}

/** When the first payment reminder of an order placed at `created` is due (learned or configured delay). */
function firstReminderAt(ctx: Ctx, created: Date): Date {
  const delay = reminderDelayMinutes(ctx.shop, payGroupOf(ctx.profile, ctx.after), ctx.payHistogram);
  return new Date(created.getTime() + delay.minutes * MINUTE);
}

function stopPaymentReminders(ctx: Ctx, reason: string): void {
  cancel(ctx, journeyKeys.reminder(ctx.after.orderId), reason);
  // The last chance exists only once the first reminder has run: not before its time (reckoned
  // again now; should the learned delay have moved since, a last chance missed here is stopped
  // by its own check when due). Cancelling a task that is not there still costs a write.
  const created = ctx.after.milestones.created;
  const firstDue = created && firstSendableTime('payment_reminder', firstReminderAt(ctx, new Date(created)), ctx.shop.messaging, ctx.zone);
  if (!firstDue || firstDue <= ctx.now) cancel(ctx, journeyKeys.lastChance(ctx.after.orderId), reason);
  ctx.commands.push({ type: 'close_call', orderId: ctx.after.orderId, reason });
  ctx.commands.push({ type: 'unpaid_remove', customerId: ctx.customerId, orderId: ctx.after.orderId });
}

function planPaid(ctx: Ctx, paidAt: string): void {
  const { after } = ctx;
  stopPaymentReminders(ctx, 'paid');
  ctx.commands.push({ type: 'cancel_covered', customerId: ctx.customerId, paidOrderId: after.orderId, paidAt, productKeys: productKeys(after) });
  const created = after.milestones.created;
  const total = totalMinor(after);
  if (created && total !== undefined && after.currency) {
    ctx.commands.push({
      type: 'payment',
      customerId: ctx.customerId,
      group: payGroupOf(ctx.profile, after),
      minutesToPay: Math.max(0, (Date.parse(paidAt) - Date.parse(created)) / MINUTE),
      paidAt,
      amountMinor: total,
      currency: after.currency,
      reminderKeys: [journeyKeys.reminder(after.orderId), journeyKeys.lastChance(after.orderId)],
    });
  }
  // Buying a product again moves its repurchase reminder; the delivery will set it precisely.
  planRepurchase(ctx, new Date(paidAt));
}

function planShipped(ctx: Ctx, shippedAt: string, notify: boolean): void {
  const { after } = ctx;
  if (ctx.shop.journeys.parcelUpdates && notify && !after.milestones.delivered) {
    message(ctx, 'order_shipped', journeyKeys.shipped(after.orderId), maxDate(new Date(shippedAt), ctx.now), { guard: { stopIf: ['delivered', ...ORDER_ENDED] } });
  }
}

/** The newest news of a parcel: shipped, out for delivery or a checkpoint. */
export function newestActivity(order: Pick<OrderRecord, 'milestones' | 'checkpoints'>): string | undefined {
  const times = [order.milestones.shipped, order.milestones.out_for_delivery, ...order.checkpoints.map((c) => c.at)].filter((t): t is string => !!t);
  return times.sort().at(-1);
}

/**
 * Arms the stall check once, at the parcel's first news: due that news + stallAfterHours. Later
 * news leaves it alone; when it is due, the check reads the parcel's newest activity and, if the
 * parcel moved on since, moves itself to that activity + stallAfterHours. A write per stall
 * period, not one per checkpoint.
 */
function scheduleStallCheck(ctx: Ctx): void {
  const { after, before } = ctx;
  if (after.milestones.delivered || ORDER_ENDED.some((m) => after.milestones[m])) return;
  const last = newestActivity(after);
  // Armed already when the order had news while it was planned for (it is planned once it has a customer).
  if (!last || (before?.customerId && newestActivity(before))) return;
  ctx.commands.push({
    type: 'schedule',
    mode: 'keep',
    task: {
      shopId: ctx.shop.shopId,
      taskKey: journeyKeys.stallCheck(after.orderId),
      kind: STALL_CHECK_TASK,
      dueAt: maxDate(new Date(Date.parse(last) + ctx.shop.journeys.stallAfterHours * HOUR), ctx.now),
      payload: { orderId: after.orderId },
    },
  });
}

function planCheckpoints(ctx: Ctx, checkpoints: StoredCheckpoint[]): void {
  const { after } = ctx;
  const j = ctx.shop.journeys;
  const exception = checkpoints.find((c) => c.status === 'exception');
  if (exception) {
    ctx.commands.push({ type: 'stalled', reason: 'exception', detail: exception.message ?? exception.location ?? 'exception', at: exception.at });
  }
  if (!j.parcelUpdates || after.milestones.out_for_delivery || after.milestones.delivered) return;
  const news = newestNews(checkpoints);
  if (!news) return;
  const sendAt = parcelUpdateTime(ctx, maxDate(new Date(news.at), ctx.now));
  const localDate = localParts(sendAt, ctx.zone).date;
  message(ctx, 'parcel_update', journeyKeys.parcelUpdate(after.orderId, localDate), sendAt, { guard: { stopIf: ['out_for_delivery', 'delivered', ...ORDER_ENDED] } });
}

function newestNews(checkpoints: StoredCheckpoint[]): StoredCheckpoint | undefined {
  return checkpoints.filter((c) => c.status === 'in_transit' || c.status === 'info').sort((a, b) => a.at.localeCompare(b.at)).at(-1);
}

/** At most one parcel update a day, in the morning window on or after the news, and only because of news. */
function parcelUpdateTime(ctx: Ctx, from: Date): Date {
  const window = kindSpec('parcel_update').windows ?? [];
  return nextSendableTime(from, { zone: ctx.zone, quietHours: NO_QUIET_HOURS, windows: [...window] });
}

/**
 * Cancels the parcel's notices that newer news makes moot and that are still waiting: the
 * update planned for the morning after a checkpoint once the parcel is out for delivery or
 * delivered, and the shipped and out-for-delivery notices held for the morning once it is
 * delivered. Their guards would stop them when due; cancelling spares each a claim and its
 * "not sent" line in the customer's ledger. Waiting is judged from when the news happened (a
 * notice planned later because its news was heard late is left to its guard), so a cancel is
 * only sent for a task that should be there: cancelling one that is not still costs a write.
 */
function cancelWaitingNotices(ctx: Ctx, kinds: readonly ('order_shipped' | 'out_for_delivery' | 'parcel_update')[], reason: string): void {
  const { before, shop } = ctx;
  // What was planned is what the order was before this change, if it had its customer then (news
  // arriving with this change planned no notice that it would make moot).
  if (!shop.journeys.parcelUpdates || !before?.customerId || before.milestones.delivered) return;
  const orderId = before.orderId;
  const waiting = (kind: MessageKind, at: string | undefined) => at !== undefined && firstSendableTime(kind, new Date(at), shop.messaging, ctx.zone) > ctx.now;
  if (kinds.includes('order_shipped') && waiting('order_shipped', before.milestones.shipped)) cancel(ctx, journeyKeys.shipped(orderId), reason);
  if (kinds.includes('out_for_delivery') && waiting('out_for_delivery', before.milestones.out_for_delivery)) cancel(ctx, journeyKeys.outForDelivery(orderId), reason);
  const news = kinds.includes('parcel_update') && !before.milestones.out_for_delivery ? newestNews(before.checkpoints) : undefined;
  const updateAt = news && parcelUpdateTime(ctx, new Date(news.at));
  if (updateAt && updateAt > ctx.now) cancel(ctx, journeyKeys.parcelUpdate(orderId, localParts(updateAt, ctx.zone).date), reason);
}

function planOutForDelivery(ctx: Ctx): void {
  if (!ctx.shop.journeys.parcelUpdates) return;
  cancelWaitingNotices(ctx, ['parcel_update'], 'out for delivery');
  message(ctx, 'out_for_delivery', journeyKeys.outForDelivery(ctx.after.orderId), maxDate(new Date(ctx.after.milestones.out_for_delivery!), ctx.now), {
    guard: { stopIf: ['delivered', ...ORDER_ENDED] },
  });
}

function planDelivered(ctx: Ctx, deliveredAt: string): void {
  const { after, shop } = ctx;
  const j = shop.journeys;
  const delivered = new Date(deliveredAt);
  cancel(ctx, journeyKeys.stallCheck(after.orderId), 'delivered', { isTask: true });
  cancelWaitingNotices(ctx, ['order_shipped', 'out_for_delivery', 'parcel_update'], 'delivered');
  // When the notice will go: a delivery heard of late or in the evening is announced later than it happened.
  let noticeAt = delivered;
  if (j.parcelUpdates) {
    const wanted = maxDate(delivered, ctx.now);
    message(ctx, 'delivered', journeyKeys.delivered(after.orderId), wanted);
    noticeAt = firstSendableTime('delivered', wanted, shop.messaging, ctx.zone, ctx.now);
  }
  if (j.deliveryCare) {
    const rules = after.lineItems.map((item) => ({ item, rule: ruleFor(item, ctx.products) }));
    const tips = [...new Set(rules.flatMap(({ rule }) => (rule?.usageTips ? [rule.usageTips] : [])))];
    const titles = after.lineItems.map((item) => item.title);
    // Wanted 2 h after the delivery (it expires from then: a delivery heard of days late gets no
    // care message), and not before 2 h after the notice: a parcel delivered at 22:30 gets its
    // notice at 09:00 and its care at 11:00, not both at 09:00.
    message(ctx, 'delivery_care', journeyKeys.deliveryCare(after.orderId), new Date(delivered.getTime() + CARE_AFTER_DELIVERY_MS), {
      vars: { usage_tips: tips.join('；').slice(0, 300), product_title: titles[0] ?? '' },
      notBefore: new Date(noticeAt.getTime() + CARE_AFTER_DELIVERY_MS),
    });
    if (j.reviewAfterDays > 0) {
      const first = after.lineItems[0];
      const reviewUrl = j.reviewUrl ? fillLink(j.reviewUrl, { sku: first ? productKeyOf(first) : '', order: after.orderNumber ?? after.orderId }) : '';
      message(ctx, 'review_request', journeyKeys.review(after.orderId), new Date(delivered.getTime() + j.reviewAfterDays * DAY), {
        vars: { product_title: titles[0] ?? '', ...(reviewUrl ? { review_url: reviewUrl } : {}) },
      });
    }
    for (const [day, products] of checkInDays(rules, j.defaultCheckInDays)) {
      message(ctx, 'check_in', journeyKeys.checkIn(after.orderId, day), new Date(delivered.getTime() + day * DAY), {
        vars: { product_title: products.join('、').slice(0, 60), check_in_day: String(day) },
      });
    }
  }
  planRepurchase(ctx, delivered);
}

/** Check-in days of the order's products (one check-in per day for the whole order), else the shop's default days. */
function checkInDays(rules: { item: { title: string }; rule: ProductRule | undefined }[], defaults: number[]): Map<number, string[]> {
  const days = new Map<number, string[]>();
  for (const { item, rule } of rules) {
    for (const day of rule?.checkInDays.length ? rule.checkInDays : defaults) {
      const titles = days.get(day) ?? [];
      if (!titles.includes(item.title)) titles.push(item.title);
      days.set(day, titles);
    }
  }
  return new Map([...days].sort(([a], [b]) => a - b));
}

/** Repurchase reminders at `from` + cycle × quantity − lead days, one per product per customer (its lines added up). */
function planRepurchase(ctx: Ctx, from: Date): void {
  const { after, shop } = ctx;
  const refunded = refundedQuantities(after);
  const products = new Map<string, { item: (typeof after.lineItems)[number]; quantity: number }>();
  for (const item of after.lineItems) {
    const key = productKeyOf(item);
    const known = products.get(key);
    const quantity = item.quantity - (refunded.get(item.lineItemId) ?? 0);
    products.set(key, { item: known?.item ?? item, quantity: (known?.quantity ?? 0) + quantity });
  }
  for (const [productKey, { item, quantity }] of products) {
    const rule = ruleFor(item, ctx.products);
    if (!rule?.repurchaseCycleDays || quantity <= 0) continue;
    const dueAt = new Date(from.getTime() + (rule.repurchaseCycleDays * quantity - shop.journeys.repurchaseLeadDays) * DAY);
    // One task per customer and product, moved by every new purchase of it; each purchase's reminder is a message of its own.
    message(ctx, 'repurchase_reminder', `${journeyKeys.repurchase(ctx.customerId, productKey)}:${after.orderId}`, maxDate(dueAt, ctx.now), {
      mode: 'move',
      taskKey: messageTaskKey(journeyKeys.repurchase(ctx.customerId, productKey)),
      vars: { product_title: item.title, ...(shop.journeys.repurchaseUrl ? { repurchase_url: fillLink(shop.journeys.repurchaseUrl, { sku: productKey, order: after.orderNumber ?? after.orderId }) } : {}) },
      guard: { stopIf: ['cancelled', 'refunded'] },
    });
  }
}

function refundedQuantities(order: OrderRecord): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const refund of order.refunds) for (const line of refund.lineItems) quantities.set(line.lineItemId, (quantities.get(line.lineItemId) ?? 0) + line.quantity);
  return quantities;
}

function planItemRefund(ctx: Ctx, lineItemIds: string[]): void {
  const refunded = refundedQuantities(ctx.after);
  const touched = ctx.after.lineItems.filter((item) => lineItemIds.includes(item.lineItemId));
  // Every unit of a product refunded: its reminder goes (if this order set it); some units: it comes sooner.
  const remaining = (key: string) => ctx.after.lineItems.filter((item) => productKeyOf(item) === key).reduce((n, item) => n + item.quantity - (refunded.get(item.lineItemId) ?? 0), 0);
  for (const key of new Set(touched.map(productKeyOf))) {
    if (remaining(key) <= 0) cancel(ctx, journeyKeys.repurchase(ctx.customerId, key), 'item refunded', { onlyForOrder: ctx.after.orderId });
  }
  const from = ctx.after.milestones.delivered ?? ctx.after.milestones.paid;
  if (from && touched.some((item) => remaining(productKeyOf(item)) > 0)) planRepurchase(ctx, new Date(from));
}

/** Cancelled or fully refunded: every pending task of this order that no longer makes sense. */
function planEnded(ctx: Ctx, milestone: Milestone): void {
  const { after } = ctx;
  const reason = `order ${milestone}`;
  stopPaymentReminders(ctx, reason);
  for (const key of [journeyKeys.shipped(after.orderId), journeyKeys.outForDelivery(after.orderId), journeyKeys.delivered(after.orderId), journeyKeys.deliveryCare(after.orderId), journeyKeys.review(after.orderId)]) {
    cancel(ctx, key, reason);
  }
  cancel(ctx, journeyKeys.stallCheck(after.orderId), reason, { isTask: true });
  const days = new Set([...ctx.shop.journeys.defaultCheckInDays, ...after.lineItems.flatMap((item) => ruleFor(item, ctx.products)?.checkInDays ?? [])]);
  for (const day of days) cancel(ctx, journeyKeys.checkIn(after.orderId, day), reason);
  for (const item of after.lineItems) cancel(ctx, journeyKeys.repurchase(ctx.customerId, productKeyOf(item)), reason, { onlyForOrder: after.orderId });
  // Parcel updates are keyed by day; their guard stops any that is still waiting.
}

/** A shop's link with `{sku}` and `{order}` filled in (URL-encoded; braces may arrive encoded). */
export function fillLink(template: string, values: { sku: string; order: string }): string {
  return template.replace(/\{(sku|order)\}|%7B(sku|order)%7D/gi, (_, plain: string | undefined, encoded: string | undefined) =>
    encodeURIComponent(values[((plain ?? encoded)!.toLowerCase()) as 'sku' | 'order'].replace(/^#/, '')),
  );
}

function maxDate(a: Date, b: Date): Date {
  return a > b ? a : b;
}
