import type { Clock } from '../clock.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { sendMessageTask } from '../messages/message-task.ts';
import { firstSendableTime } from '../messages/send-decision.ts';
import type { MessagePreparer } from '../messages/send-task.ts';
import { formatMoney } from '../money.ts';
import { type OrderRecord, totalMinor } from '../orders/order-record.ts';
import { orderView } from '../orders/order-state.ts';
import { profileView } from '../profiles/profile.ts';
import type { Shop } from '../shops/shop.ts';
import type { CarelineStore } from '../store/careline-store.ts';
import type { JourneyStore, UnpaidOrder } from '../store/journey-store.ts';
import type { MessageStore } from '../store/message-store.ts';
import type { TaskStore } from '../store/task-store.ts';
import type { TaskHandler } from '../tasks/dispatcher.ts';
import { localParts } from '../timing/send-time.ts';
import { type CallOutcome, outcomeStopsReminders } from './calls.ts';
import { type JourneyCommand, journeyKeys, messageTaskKey, ORDER_ENDED } from './commands.ts';
import { newestActivity } from './order-planner.ts';
import { payBucket } from './pay-latency.ts';

/** A payment within this long after a reminder was sent counts as revenue the reminder recovered. */
export const ATTRIBUTION_MS = 24 * 3_600_000;

export interface JourneyDeps {
  store: CarelineStore;
  journeys: JourneyStore;
  tasks: TaskStore;
  messages: MessageStore;
  publisher: EventPublisher;
  clock: Clock;
  loadShop: (shopId: string) => Promise<Shop | undefined>;
  /** Tells ops (the ops SNS topic in AWS; the log locally). */
  alertOps: (subject: string, text: string) => Promise<void>;
}

/**
 * Applies a planner's commands for one order. Each command is idempotent, so a redelivered
 * change is harmless. Commands that write different items go out side by side; two on the same
 * item (a task scheduled and then cancelled, an unpaid order added and removed) keep their
 * order, and the commands that read before they write (payments, covered orders, stalls,
 * repurchases) run alone, after everything before them and before everything after.
 */
export async function applyJourneyCommands(commands: JourneyCommand[], order: OrderRecord, deps: JourneyDeps): Promise<void> {
  const now = deps.clock.now();
  let batch: JourneyCommand[] = [];
  const held = new Set<string>();
  const flush = async () => {
    // Every write of the batch ends before a failure is reported (the record is then retried whole).
    const results = await Promise.allSettled(batch.map((command) => applyCommand(command, order, deps, now)));
    batch = [];
    held.clear();
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  for (const command of commands) {
    const item = itemOf(command);
    if (item === 'alone') {
      await flush();
      await applyCommand(command, order, deps, now);
      continue;
    }
    if (item !== 'any' && held.has(item)) await flush();
    if (item !== 'any') held.add(item);
    batch.push(command);
  }
  await flush();
}

/** The item a command writes (`any`: adds to counters, in any order; `alone`: reads first, runs by itself). */
function itemOf(command: JourneyCommand): string {
  switch (command.type) {
    case 'schedule':
      return `task:${command.task.taskKey}`;
    case 'cancel':
      return `task:${command.taskKey}`;
    case 'track_parcel':
      return `tracking:${command.trackingNumber}`;
    case 'open_call':
      return `call:${command.call.orderId}`;
    case 'close_call':
      return `call:${command.orderId}`;
    case 'unpaid_add':
    case 'unpaid_remove':
      return `unpaid:${command.customerId}:${command.orderId}`;
    case 'count':
      return 'any';
    default:
      return 'alone';
  }
}

async function applyCommand(command: JourneyCommand, order: OrderRecord, deps: JourneyDeps, now: Date): Promise<void> {
  const { shopId } = order;
  switch (command.type) {
    case 'schedule':
      await deps.tasks.schedule(command.task, now, command.mode);
      break;
    case 'cancel':
      await deps.tasks.cancel(shopId, command.taskKey, now, command.reason, command.onlyForOrder);
      break;
    case 'track_parcel':
      await deps.store.recordTracking(shopId, command.trackingNumber, command.carrier, order.orderId);
      break;
    case 'open_call':
      if (await deps.journeys.openCall(command.call)) {
        await note(deps, shopId, command.call.customerId, `call#${order.orderId}`, now, 'call.scheduled', order.orderId, `Call about unpaid ${label(order)} placed at ${command.call.localDue}`);
      }
      break;
    case 'close_call':
      await deps.journeys.closeCall(shopId, command.orderId, { status: 'not_needed', note: command.reason }, now);
      break;
    case 'unpaid_add':
      await deps.journeys.addUnpaid(shopId, command.customerId, { orderId: command.orderId, createdAt: command.createdAt, productKeys: command.productKeys });
      break;
    case 'unpaid_remove':
      await deps.journeys.removeUnpaid(shopId, command.customerId, command.orderId);
      break;
    case 'cancel_covered':
      await cancelCovered(command, order, deps, now);
      break;
    case 'payment':
      await countPayment(command, order, deps);
      break;
    case 'stalled':
      await parcelStalled(order, command.reason, command.detail, deps);
      break;
    case 'count':
      await deps.journeys.addCounters(shopId, command.counters, new Date(command.at));
      break;
    case 'repurchase_check':
      await countRepurchase(command, order, deps);
      break;
  }
}

/** A purchase within this long after the product's repurchase reminder counts as following it. */
export const REPURCHASE_ATTRIBUTION_MS = 30 * 86_400_000;

async function countRepurchase(command: Extract<JourneyCommand, { type: 'repurchase_check' }>, order: OrderRecord, deps: JourneyDeps): Promise<void> {
  const at = Date.parse(command.at);
  const tasks = await Promise.all(command.productKeys.map((productKey) => deps.tasks.get(order.shopId, messageTaskKey(journeyKeys.repurchase(command.customerId, productKey)))));
  for (const task of tasks) {
    const sentAt = task?.status === 'done' && task.note?.startsWith('sent') ? Date.parse(task.updatedAt) : undefined;
    if (sentAt !== undefined && sentAt <= at && at - sentAt <= REPURCHASE_ATTRIBUTION_MS) {
      await deps.journeys.addCounters(order.shopId, { repurchasesAfterReminder: 1 }, new Date(at));
    }
  }
}

/** Unpaid orders of the customer that a newly paid order covers: placed before it was paid, every product in it. */
export function coveredOrders(unpaid: UnpaidOrder[], paid: { orderId: string; paidAt: string; productKeys: string[] }): UnpaidOrder[] {
  return unpaid.filter(
    (u) => u.orderId !== paid.orderId && u.createdAt <= paid.paidAt && u.productKeys.length > 0 && u.productKeys.every((key) => paid.productKeys.includes(key)),
  );
}

async function cancelCovered(command: Extract<JourneyCommand, { type: 'cancel_covered' }>, order: OrderRecord, deps: JourneyDeps, now: Date): Promise<void> {
  const unpaid = await deps.journeys.listUnpaid(order.shopId, command.customerId);
  for (const covered of coveredOrders(unpaid, { orderId: command.paidOrderId, paidAt: command.paidAt, productKeys: command.productKeys })) {
    const reason = `covered by paid order ${order.orderNumber ?? order.orderId}`;
    await deps.tasks.cancel(order.shopId, messageTaskKey(journeyKeys.reminder(covered.orderId)), now, reason);
    // The last chance may not exist yet (a first reminder under way would make it): cancelled ahead.
    await deps.tasks.cancelAhead(order.shopId, messageTaskKey(journeyKeys.lastChance(covered.orderId)), now, reason);
    await deps.journeys.closeCall(order.shopId, covered.orderId, { status: 'not_needed', note: reason }, now);
    await deps.journeys.removeUnpaid(order.shopId, command.customerId, covered.orderId);
    await note(deps, order.shopId, command.customerId, `covered#${covered.orderId}`, now, 'journey.reminders_stopped', covered.orderId, `Payment reminders for order ${covered.orderId} stopped: ${reason}`);
  }
}

async function countPayment(command: Extract<JourneyCommand, { type: 'payment' }>, order: OrderRecord, deps: JourneyDeps): Promise<void> {
  const paidAt = Date.parse(command.paidAt);
  const reminders = await Promise.all(command.reminderKeys.map((key) => deps.messages.getMessage(order.shopId, command.customerId, key)));
  // The reminder that was sent last before the payment, within the attribution window.
  const recovering = reminders
    .filter((entry) => entry?.status === 'sent' && Date.parse(entry.at) <= paidAt && paidAt - Date.parse(entry.at) <= ATTRIBUTION_MS)
    .sort((a, b) => b!.at.localeCompare(a!.at))[0];
  const counters: Record<string, number> = { [`paidOrders_${command.group}`]: 1, [`paidMinutes_${command.group}`]: Math.round(command.minutesToPay) };
  if (recovering) Object.assign(counters, { recoveredOrders: 1, [`recoveredMinor_${command.currency}`]: command.amountMinor });
  const counted = await deps.journeys.countPaymentOnce({ shopId: order.shopId, orderId: order.orderId, group: command.group, bucket: payBucket(command.minutesToPay), counters, at: new Date(paidAt) });
  if (counted && recovering) {
    await note(
      deps,
      order.shopId,
      command.customerId,
      `recovered#${order.orderId}`,
      new Date(paidAt),
      'payment.recovered',
      order.orderId,
      `${label(order)} paid ${formatMoney(command.amountMinor, command.currency)} after the ${recovering.kind.replaceAll('_', ' ')} (recovered revenue)`,
    );
  }
}

/**
 * A parcel stalled (no checkpoint for the shop's time) or hit an exception: once per order, the
 * order is flagged, ops are alerted, `order.shipment_stalled` is published, and the customer
 * gets a reassuring message.
 */
export async function parcelStalled(order: OrderRecord, reason: 'exception' | 'no_checkpoint', detail: string, deps: JourneyDeps): Promise<boolean> {
  const now = deps.clock.now();
  // Read before the stall is counted: a failed read fails the whole (retried) step, not just the
  // message after the count, which a retry would never reach.
  const [shop, profile] = order.customerId ? await Promise.all([deps.loadShop(order.shopId), deps.store.getProfile(order.shopId, order.customerId)]) : [];
  const first = await deps.journeys.countOnce(order.shopId, order.orderId, 'stalled', { [`stalled_${reason}`]: 1 }, now);
  if (!first) return false;
  await deps.journeys.flagStalled(order.shopId, order.orderId, `${reason}: ${detail}`, now);
  // The customer's message first: the stall is counted once, so a publish or an alert that fails
  // after this must not take the message with it (scheduling by key is idempotent).
  if (order.customerId) {
    // Due when the customer's time rules first allow it (a stall found at 02:00 waits for the
    // morning in the due index, not in a claim that is deferred); the send checks them again.
    const dueAt = shop ? firstSendableTime('shipment_delay', now, shop.messaging, profile ? profileView(profile, shop).timezone : shop.timezone) : now;
    await deps.tasks.schedule(
      sendMessageTask({
        shopId: order.shopId,
        customerId: order.customerId,
        kind: 'shipment_delay',
        messageKey: journeyKeys.shipmentDelay(order.orderId, 'stalled'),
        dueAt,
        ...(dueAt > now ? { firstDueAt: now } : {}),
        journey: { orderId: order.orderId, stopIf: ['delivered', ...ORDER_ENDED] },
      }),
      now,
    );
  }
  const shipment = order.shipments.at(-1);
  await deps.publisher.publish([
    {
      eventId: `${order.shopId}#${order.orderId}#stalled`,
      type: 'order.shipment_stalled',
      at: now.toISOString(),
      shopId: order.shopId,
      orderId: order.orderId,
      ...(order.customerId ? { customerId: order.customerId } : {}),
      status: order.status,
      detail: { reason, detail, ...(shipment ? { shipment } : {}) },
    },
  ]);
  await deps.alertOps(
    `Careline: parcel stalled for ${label(order)} (shop ${order.shopId})`,
    `${label(order)} of shop ${order.shopId}: ${reason === 'exception' ? 'the carrier reported an exception' : 'no checkpoint for a while'} (${detail}).\n` +
      `${shipment ? `Parcel: ${[shipment.carrier, shipment.trackingNumber].filter(Boolean).join(' ')}\n` : ''}` +
      `The customer has been sent a reassuring message. See it with: careline order ${order.shopId} ${order.orderId}`,
  );
  if (order.customerId) {
    await note(deps, order.shopId, order.customerId, `stalled#${order.orderId}`, now, 'shipment.stalled', order.orderId, `Parcel for ${label(order).toLowerCase()} stalled (${reason.replace('_', ' ')}): ops alerted`);
  }
  return true;
}

/** Variables and checks of journey messages, read when the message is due. */
export function journeyPreparer(deps: Pick<JourneyDeps, 'store'>): MessagePreparer {
  const read = (shopId: string, orderId: string) => deps.store.getOrder(shopId, orderId);
  const preparer: MessagePreparer = async ({ shopId, guard }, { shop, profile, now }, early) => {
    let order: OrderRecord | undefined;
    if (guard.orderId) {
      const orderId = guard.orderId;
      const item = await (early ? (early as ReturnType<typeof read>).catch(() => read(shopId, orderId)) : read(shopId, orderId));
      if (!item) return { skip: 'order_missing' };
      order = orderView(item);
      const stopped = guard.stopIf.find((milestone) => order!.milestones[milestone as keyof OrderRecord['milestones']]);
      if (stopped) return { skip: `order_${stopped}` };
    }
    if (guard.orderedAfter && profile?.lastOrderAt && profile.lastOrderAt > guard.orderedAfter) return { skip: 'ordered_again' };
    const vars: Record<string, string> = order ? orderVars(order, profile?.locale ?? shop.locale) : {};
    // The cut-off is the warehouse's: read on the shop's clock.
    if (guard.cutoff) vars.cutoff_time = reachableCutoff(shop, shop.timezone, now);
    return { vars };
  };
  // The order is read while the task is claimed.
  preparer.prefetch = ({ shopId, orderId }) => read(shopId, orderId);
  return preparer;
}

/** The dispatch cut-off when it can still be made today in the customer's zone, else empty. */
export function reachableCutoff(shop: Shop, zone: string, now: Date): string {
  const cutoff = shop.journeys.dispatchCutoff;
  if (!cutoff) return '';
  return localParts(now, zone).time < cutoff ? cutoff : '';
}

export function orderVars(order: OrderRecord, locale: string): Record<string, string> {
  const shipment = order.shipments.at(-1);
  const checkpoint = order.checkpoints.at(-1);
  const total = totalMinor(order);
  return {
    order_number: order.orderNumber ?? '',
    order_total: total !== undefined && order.currency ? formatMoney(total, order.currency, locale) : '',
    item_titles: order.lineItems.map((item) => item.title).join(locale.startsWith('zh') ? '、' : ', ').slice(0, 80),
    carrier: shipment?.carrier ?? '',
    tracking_number: shipment?.trackingNumber ?? '',
    tracking_url: shipment?.trackingUrl ?? '',
    pay_url: order.payUrl ?? '',
    parcel_location: checkpoint?.location ?? '',
    parcel_status: checkpoint?.message ?? '',
  };
}

/** Journey tasks that are not messages: the stall check and the at-risk check. */
export function journeyTaskHandlers(deps: JourneyDeps): Record<string, TaskHandler> {
  return {
    stall_check: async (task) => {
      const orderId = String(task.payload.orderId ?? '');
      const item = await deps.store.getOrder(task.shopId, orderId);
      if (!item) return { outcome: 'done', note: 'order missing' };
      const order = orderView(item);
      if (['delivered', ...ORDER_ENDED].some((m) => order.milestones[m as keyof OrderRecord['milestones']])) return { outcome: 'done', note: 'no longer applies' };
      const hours = (await deps.loadShop(task.shopId))?.journeys.stallAfterHours ?? 48;
      // The check was armed at the parcel's first news; news since moves it on.
      const last = newestActivity(order);
      const stallsAt = last ? Date.parse(last) + hours * 3_600_000 : 0;
      if (stallsAt > deps.clock.now().getTime()) return { outcome: 'reschedule', dueAt: new Date(stallsAt), note: 'parcel moved on' };
      const stalled = await parcelStalled(order, 'no_checkpoint', `no checkpoint for ${hours} h`, deps);
      return { outcome: 'done', note: stalled ? 'stalled: ops alerted' : 'stalled (already flagged)' };
    },
    at_risk_check: async (task) => {
      const customerId = String(task.payload.customerId ?? '');
      const lastOrderAt = String(task.payload.lastOrderAt ?? '');
      const marked = await deps.journeys.markAtRisk(task.shopId, customerId, lastOrderAt, deps.clock.now());
      if (marked) {
        await note(deps, task.shopId, customerId, `at-risk#${lastOrderAt}`, deps.clock.now(), 'customer.at_risk', '', 'Active window closed without a new order: tagged at-risk');
        await deps.journeys.addCounters(task.shopId, { atRiskCustomers: 1 }, deps.clock.now());
      }
      return { outcome: 'done', note: marked ? 'tagged at-risk' : 'ordered again' };
    },
  };
}

/** After a check-in goes out by SMS, a 1–5 reply from that number is taken as its answer. */
export async function rememberCheckIn(deps: Pick<JourneyDeps, 'store' | 'journeys' | 'clock'>, task: { shopId: string; payload: Record<string, unknown> }): Promise<void> {
  const customerId = String(task.payload.customerId);
  const profile = await deps.store.getProfile(task.shopId, customerId);
  if (!profile?.phone) return; // stored in E.164
  const journey = task.payload.journey as { orderId?: string } | undefined;
  await deps.journeys.putCheckIn(
    profile.phone,
    { shopId: task.shopId, customerId, orderId: journey?.orderId ?? '', messageKey: String(task.payload.messageKey), sentAt: deps.clock.now().toISOString() },
    deps.clock.now(),
  );
}

const DIGITS: Record<string, number> = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '１': 1, '２': 2, '３': 3, '４': 4, '５': 5 };

/** A one-digit reply 1–5 (half- or full-width, with a little punctuation around it), else undefined. */
export function satisfactionScore(body: string): number | undefined {
  const trimmed = body.trim().replace(/^[\s"'“”「」(（]+|[\s"'“”「」)）.。!！~～分星]+$/gu, '');
  return DIGITS[trimmed];
}

export type CheckInReplyResult = { action: 'ignored' } | { action: 'recorded'; score: number; low: boolean };

/** Records a 1–5 reply to the newest check-in sent to the number within the reply window. */
export async function recordCheckInReply(phoneE164: string, body: string, deps: Pick<JourneyDeps, 'store' | 'journeys' | 'loadShop' | 'clock'>): Promise<CheckInReplyResult> {
  const score = satisfactionScore(body);
  if (score === undefined) return { action: 'ignored' };
  const now = deps.clock.now();
  const checkIn = await deps.journeys.findCheckIn(phoneE164, now);
  if (!checkIn) return { action: 'ignored' };
  const shop = await deps.loadShop(checkIn.shopId);
  const low = score <= (shop?.journeys.lowSatisfactionScore ?? 2);
  if (!(await deps.journeys.recordSatisfaction(checkIn.shopId, checkIn.customerId, score, low, now))) return { action: 'ignored' };
  await deps.journeys.addCounters(checkIn.shopId, { checkInReplies: 1, satisfactionSum: score, ...(low ? { lowSatisfaction: 1 } : {}) }, now);
  await note(
    deps,
    checkIn.shopId,
    checkIn.customerId,
    `reply#${checkIn.messageKey}#${now.toISOString()}`,
    now,
    'check_in.reply',
    checkIn.orderId,
    `Check-in reply: ${score}/5${low ? ' — low, flagged for follow-up' : ''}`,
  );
  return { action: 'recorded', score, low };
}

/** Records a staff call's outcome; `paid` and `declined` stop the order's payment reminders. */
export async function recordCallOutcome(
  shopId: string,
  orderId: string,
  outcome: CallOutcome,
  note_: string | undefined,
  deps: Pick<JourneyDeps, 'store' | 'journeys' | 'tasks' | 'clock'>,
): Promise<{ closed: boolean; remindersStopped: boolean }> {
  const now = deps.clock.now();
  const call = await deps.journeys.getCall(shopId, orderId);
  if (!call) return { closed: false, remindersStopped: false };
  const closed = await deps.journeys.closeCall(shopId, orderId, { status: 'done', outcome, ...(note_ ? { note: note_ } : {}) }, now);
  if (!closed) return { closed: false, remindersStopped: false };
  const stop = outcomeStopsReminders(outcome);
  if (stop) {
    await deps.tasks.cancel(shopId, messageTaskKey(journeyKeys.reminder(orderId)), now, `call outcome: ${outcome}`);
    await deps.tasks.cancelAhead(shopId, messageTaskKey(journeyKeys.lastChance(orderId)), now, `call outcome: ${outcome}`);
  }
  await note(deps, shopId, call.customerId, `call-outcome#${orderId}`, now, 'call.done', orderId, `Call about order ${call.orderNumber ?? orderId}: ${outcome}${note_ ? ` (${note_.slice(0, 80)})` : ''}${stop ? '; payment reminders stopped' : ''}`);
  return { closed: true, remindersStopped: stop };
}

function label(order: OrderRecord): string {
  return `Order ${order.orderNumber ?? order.orderId}`;
}

async function note(deps: Pick<JourneyDeps, 'store'>, shopId: string, customerId: string, entryId: string, at: Date, type: string, orderId: string, summary: string): Promise<void> {
  await deps.store.addTimelineNote(shopId, customerId, { entryId, at: at.toISOString(), type, summary, orderId });
}
