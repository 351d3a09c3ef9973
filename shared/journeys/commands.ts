import type { Milestone } from '../orders/order-record.ts';
import type { ScheduleRequest } from '../tasks/task.ts';
import type { Call } from './calls.ts';
import type { PayGroup } from './pay-latency.ts';

/**
 * What a journey planner decides; the handlers only load, call the planner and apply these.
 * Every command is safe to apply twice (tasks by key, items by key, counters behind a mark).
 */
export type JourneyCommand =
  | { type: 'schedule'; task: ScheduleRequest; mode: 'keep' | 'move' }
  /** Cancels a waiting task; with `onlyForOrder`, only if the task was scheduled for that order. */
  | { type: 'cancel'; taskKey: string; reason: string; onlyForOrder?: string }
  /** Remembers which order a parcel belongs to, so tracking services' callbacks find it. */
  | { type: 'track_parcel'; trackingNumber: string; carrier?: string }
  | { type: 'open_call'; call: Call }
  | { type: 'close_call'; orderId: string; reason: string }
  /** Keeps the customer's list of unpaid orders (for "paid another order covering it"). */
  | { type: 'unpaid_add'; customerId: string; orderId: string; createdAt: string; productKeys: string[] }
  | { type: 'unpaid_remove'; customerId: string; orderId: string }
  /** Stops the reminders of the customer's unpaid orders that a newly paid order covers. */
  | { type: 'cancel_covered'; customerId: string; paidOrderId: string; paidAt: string; productKeys: string[] }
  /** Counts a payment: the time-to-pay histogram and, within 24 h of a reminder, recovered revenue. */
  | { type: 'payment'; customerId: string; group: PayGroup; minutesToPay: number; paidAt: string; amountMinor: number; currency: string; reminderKeys: string[] }
  /** A parcel needs attention: flag the order, alert ops, publish order.shipment_stalled, reassure the customer. */
  | { type: 'stalled'; reason: 'exception' | 'no_checkpoint'; detail: string; at: string }
  /** Adds to the shop's daily counters (orders placed, shipped, delivered, ended). */
  | { type: 'count'; counters: Record<string, number>; at: string }
  /** Counts a purchase that followed the product's repurchase reminder (sent within 30 days before it). */
  | { type: 'repurchase_check'; customerId: string; productKeys: string[]; at: string };

/**
 * Milestones after which an order's remaining messages no longer apply. `closed` is not among
 * them: platforms close (archive) fulfilled orders too; only an unpaid order's closing ends it.
 */
export const ORDER_ENDED: readonly Milestone[] = ['cancelled', 'refunded'];
/** What stops payment reminders and calls: paid, or ended, or closed (unpaid, by the platform). */
export const PAYMENT_OVER: readonly Milestone[] = ['paid', 'cancelled', 'closed', 'refunded'];

/** Deterministic message keys (task key = `msg:` + message key) and task keys of the journeys. */
export const journeyKeys = {
  reminder: (orderId: string) => `payment-reminder:${orderId}:1`,
  lastChance: (orderId: string) => `payment-reminder:${orderId}:last`,
  shipped: (orderId: string) => `shipped:${orderId}`,
  parcelUpdate: (orderId: string, localDate: string) => `parcel-update:${orderId}:${localDate}`,
  outForDelivery: (orderId: string) => `out-for-delivery:${orderId}`,
  delivered: (orderId: string) => `delivered:${orderId}`,
  shipmentDelay: (orderId: string, cause: string) => `shipment-delay:${orderId}:${cause}`,
  deliveryCare: (orderId: string) => `delivery-care:${orderId}`,
  review: (orderId: string) => `review:${orderId}`,
  checkIn: (orderId: string, day: number) => `check-in:${orderId}:${day}`,
  repurchase: (customerId: string, productKey: string) => `repurchase:${customerId}:${productKey}`,
  activeTouch: (customerId: string) => `active-window:${customerId}`,
  /** Task keys of journey tasks that are not messages. */
  stallCheck: (orderId: string) => `stall-check:${orderId}`,
  atRiskCheck: (customerId: string) => `at-risk:${customerId}`,
};

export const messageTaskKey = (messageKey: string) => `msg:${messageKey}`;
