import { createHash } from 'node:crypto';
import type { OrderEvent } from '../events/canonical.ts';
import {
  type Milestone,
  type OrderItem,
  type OrderRecord,
  type OrderStatus,
  type StoredCheckpoint,
  type StoredRefund,
  type StoredShipment,
  refundedMinor,
  totalMinor,
} from './order-record.ts';

/**
 * The order state machine. A delivery becomes a delta; the order item is the union of every
 * delta (milestone times are sets whose earliest member counts, checkpoints, refunds and
 * shipments are keyed by id, the snapshot of descriptive facts is last-writer-wins by source
 * time). Union is commutative and idempotent, so the final order does not depend on the order
 * in which webhooks arrive, and the status, derived from the milestones, only moves forward.
 *
 * `applyDelta` here and the store's UpdateItem expression for the same delta compute the same
 * item; the store's integration tests check that they agree.
 */

/** Deliveries are remembered this long on the order (the contract is at least 7 days). */
export const DELIVERY_MEMORY_S = 8 * 24 * 3600;

export interface OrderDelta {
  deliveryKey: string;
  /** Epoch seconds. */
  seenAt: number;
  customerId?: string;
  snapshot?: {
    at: string;
    orderNumber?: string;
    currency?: string;
    total?: string;
    lineItems?: OrderItem['lineItems'];
    shippingRegion?: OrderItem['shippingRegion'];
    payUrl?: string;
  };
  milestones: Partial<Record<Milestone, string[]>>;
  checkpoints: StoredCheckpoint[];
  refunds: StoredRefund[];
  shipments: StoredShipment[];
}

/** Something that became true by applying a delta: it drives the timeline and domain events. */
export type Transition =
  | { kind: 'milestone'; milestone: Milestone; at: string }
  | { kind: 'checkpoint'; checkpoint: StoredCheckpoint }
  | { kind: 'refund'; refund: StoredRefund }
  | { kind: 'customer_attached'; customerId: string };

export function deliveryKey(deliveryId: string): string {
  return createHash('sha256').update(deliveryId).digest('base64url').slice(0, 12);
}

function shortId(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 10);
}

export function deltaFromEvents(
  events: OrderEvent[],
  context: { deliveryId: string; now: Date; customerId?: string },
): OrderDelta {
  const delta: OrderDelta = {
    deliveryKey: deliveryKey(context.deliveryId),
    seenAt: Math.floor(context.now.getTime() / 1000),
    ...(context.customerId ? { customerId: context.customerId } : {}),
    milestones: {},
    checkpoints: [],
    refunds: [],
    shipments: [],
  };
  const report = (milestone: Milestone, at: string) => {
    const times = (delta.milestones[milestone] ??= []);
    if (!times.includes(at)) times.push(at);
  };
  for (const event of events) {
    const facts = event.order;
    if (facts) {
      const at = facts.updatedAt ?? event.occurredAt;
      if (!delta.snapshot || at >= delta.snapshot.at) {
        delta.snapshot = definedFields({
          at,
          orderNumber: facts.orderNumber,
          currency: facts.currency,
          total: facts.total,
          lineItems: facts.lineItems,
          shippingRegion: facts.shippingRegion,
          payUrl: facts.payUrl,
        });
      }
      if (facts.createdAt) report('created', facts.createdAt);
    }
    for (const milestone of impliedMilestones(event)) report(milestone, event.occurredAt);
    if (event.shipment) {
      const id = event.shipment.shipmentId ?? event.shipment.trackingNumber ?? 'default';
      delta.shipments = [...delta.shipments.filter((s) => s.id !== id), definedFields({ ...event.shipment, id })];
    }
    if (event.checkpoint) {
      const c = event.checkpoint;
      const id = shortId(`${c.at}|${c.status}|${c.message ?? ''}`);
      if (!delta.checkpoints.some((known) => known.id === id)) delta.checkpoints.push(definedFields({ ...c, id }));
    }
    if (event.refund && !delta.refunds.some((r) => r.refundId === event.refund!.refundId)) {
      delta.refunds.push({ ...event.refund, at: event.occurredAt });
    }
  }
  return delta;
}

function impliedMilestones(event: OrderEvent): Milestone[] {
  switch (event.type) {
    case 'order.created':
      return event.order?.createdAt ? [] : ['created'];
    case 'order.paid':
      return ['paid'];
    case 'order.cancelled':
      return ['cancelled'];
    case 'order.closed':
      return ['closed'];
    case 'order.shipped':
    case 'shipment.checkpoint':
    case 'shipment.exception':
      return ['shipped'];
    case 'shipment.out_for_delivery':
      return ['shipped', 'out_for_delivery'];
    case 'shipment.delivered':
      return ['shipped', 'delivered'];
    case 'order.refunded':
    case 'order.updated':
      return [];
  }
}

/** The item after a delta: exactly what the store's UpdateItem expression does to it. */
export function applyDelta(item: OrderItem | undefined, delta: OrderDelta, ids: { shopId: string; orderId: string }, now: Date): OrderItem {
  const next: OrderItem = item
    ? structuredClone(item)
    : { ...ids, milestoneReports: {}, checkpoints: {}, refunds: {}, shipments: {}, deliveries: {}, version: 0, updatedAt: '' };
  next.deliveries[delta.deliveryKey] = delta.seenAt;
  if (delta.customerId && !next.customerId) next.customerId = delta.customerId;
  const snapshot = delta.snapshot;
  if (snapshot && isFreshSnapshot(item, snapshot.at)) {
    const { at, ...facts } = snapshot;
    Object.assign(next, facts, { snapshotAt: at });
  }
  for (const [milestone, times] of Object.entries(delta.milestones) as [Milestone, string[]][]) {
    next.milestoneReports[milestone] = [...new Set([...(next.milestoneReports[milestone] ?? []), ...times])].sort();
  }
  for (const checkpoint of delta.checkpoints) next.checkpoints[checkpoint.id] = checkpoint;
  for (const refund of delta.refunds) next.refunds[refund.refundId] = refund;
  for (const shipment of delta.shipments) next.shipments[shipment.id] = shipment;
  next.version += 1;
  next.updatedAt = now.toISOString();
  return next;
}

/** A snapshot older than the one applied is ignored (the store's condition says the same). */
export function isFreshSnapshot(item: OrderItem | undefined, at: string): boolean {
  return !item?.snapshotAt || item.snapshotAt <= at;
}

/** Delivery keys older than the memory window, to forget. */
export function expiredDeliveries(item: OrderItem, now: Date): string[] {
  const oldest = Math.floor(now.getTime() / 1000) - DELIVERY_MEMORY_S;
  return Object.entries(item.deliveries)
    .filter(([, seenAt]) => seenAt < oldest)
    .map(([key]) => key);
}

const STATUS_PRECEDENCE: [Milestone, OrderStatus][] = [
  ['refunded', 'refunded'],
  ['cancelled', 'cancelled'],
  ['delivered', 'delivered'],
  ['out_for_delivery', 'out_for_delivery'],
  ['shipped', 'shipped'],
  ['closed', 'closed'],
  ['paid', 'paid'],
  ['created', 'pending_payment'],
];

export function deriveStatus(milestones: OrderRecord['milestones']): OrderStatus {
  for (const [milestone, status] of STATUS_PRECEDENCE) if (milestones[milestone]) return status;
  return 'unknown';
}

/** The order the domain works with, derived from its stored item. */
export function orderView(item: OrderItem): OrderRecord {
  const milestones: OrderRecord['milestones'] = {};
  for (const [milestone, times] of Object.entries(item.milestoneReports) as [Milestone, string[]][]) {
    const earliest = [...times].sort()[0];
    if (earliest) milestones[milestone] = earliest;
  }
  const byTime = <T extends { at: string }>(a: T, b: T, key: (x: T) => string) => a.at.localeCompare(b.at) || key(a).localeCompare(key(b));
  const order: OrderRecord = {
    shopId: item.shopId,
    orderId: item.orderId,
    ...definedFields({
      orderNumber: item.orderNumber,
      customerId: item.customerId,
      currency: item.currency,
      total: item.total,
      shippingRegion: item.shippingRegion,
      payUrl: item.payUrl,
    }),
    lineItems: item.lineItems ?? [],
    status: 'unknown',
    milestones,
    shipments: Object.values(item.shipments).sort((a, b) => a.id.localeCompare(b.id)),
    checkpoints: Object.values(item.checkpoints).sort((a, b) => byTime(a, b, (c) => c.id)),
    refunds: Object.values(item.refunds).sort((a, b) => byTime(a, b, (r) => r.refundId)),
    ...(item.stalledAt ? { stalled: { at: item.stalledAt, reason: item.stallReason ?? 'stalled' } } : {}),
    version: item.version,
    updatedAt: item.updatedAt,
  };
  // Fully refunded is derived: the refunds reached the total, at the time of the last one.
  const total = totalMinor(order);
  const lastRefund = order.refunds.at(-1);
  if (total !== undefined && total > 0 && lastRefund && refundedMinor(order) >= total) milestones.refunded = lastRefund.at;
  order.status = deriveStatus(milestones);
  return order;
}

export function transitionsBetween(before: OrderRecord | undefined, after: OrderRecord): Transition[] {
  const transitions: Transition[] = [];
  for (const [milestone, at] of Object.entries(after.milestones) as [Milestone, string][]) {
    if (!before?.milestones[milestone]) transitions.push({ kind: 'milestone', milestone, at });
  }
  const knownCheckpoints = new Set(before?.checkpoints.map((c) => c.id));
  for (const checkpoint of after.checkpoints) {
    if (!knownCheckpoints.has(checkpoint.id)) transitions.push({ kind: 'checkpoint', checkpoint });
  }
  const knownRefunds = new Set(before?.refunds.map((r) => r.refundId));
  for (const refund of after.refunds) if (!knownRefunds.has(refund.refundId)) transitions.push({ kind: 'refund', refund });
  if (after.customerId && !before?.customerId) transitions.push({ kind: 'customer_attached', customerId: after.customerId });
  return transitions;
}

function definedFields<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
