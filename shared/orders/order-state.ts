import { createHash } from 'node:crypto';
import type { Checkpoint, OrderEvent, Shipment } from '../events/canonical.ts';
import {
  type Milestone,
  type OrderRecord,
  type OrderStatus,
  type StoredCheckpoint,
  type StoredRefund,
  refundedMinor,
  totalMinor,
} from './order-record.ts';

/**
 * The order state machine. An order is a join of everything reported about it: milestones
 * keep their earliest reported time, checkpoints, shipments and refunds are sets keyed by id,
 * and the descriptive facts come from the newest snapshot. Merging is commutative and
 * idempotent, so the final state does not depend on the order in which webhooks arrive, and
 * the status, derived from the milestones, only moves forward.
 */

/** Deliveries are remembered this long on the order (the contract is at least 7 days). */
export const DELIVERY_MEMORY_MS = 8 * 24 * 3600 * 1000;
const MAX_CHECKPOINTS = 40;

/** Something that became true by merging an event: it drives the timeline and domain events. */
export type Transition =
  | { kind: 'milestone'; milestone: Milestone; at: string }
  | { kind: 'checkpoint'; checkpoint: StoredCheckpoint }
  | { kind: 'refund'; refund: StoredRefund }
  | { kind: 'customer_attached'; customerId: string };

export type MergeResult =
  | { outcome: 'duplicate' }
  | { outcome: 'applied'; order: OrderRecord; transitions: Transition[] };

export interface MergeContext {
  shopId: string;
  deliveryId: string;
  /** The customer the order belongs to, when known (resolved by the caller). */
  customerId?: string;
  now: Date;
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

export function emptyOrder(shopId: string, orderId: string, now: Date): OrderRecord {
  return {
    shopId,
    orderId,
    status: 'unknown',
    milestones: {},
    lineItems: [],
    shipments: [],
    checkpoints: [],
    refunds: [],
    deliveries: {},
    version: 0,
    updatedAt: now.toISOString(),
  };
}

export function deliveryKey(deliveryId: string): string {
  return createHash('sha256').update(deliveryId).digest('base64url').slice(0, 12);
}

/** Merges every canonical event of one webhook delivery into the order. */
export function mergeDelivery(current: OrderRecord | undefined, events: OrderEvent[], ctx: MergeContext): MergeResult {
  const key = deliveryKey(ctx.deliveryId);
  const base = current ?? emptyOrder(ctx.shopId, events[0]?.orderId ?? '', ctx.now);
  if (base.deliveries[key]) return { outcome: 'duplicate' };

  const order: OrderRecord = structuredClone(base);
  for (const event of events) applyEvent(order, event);
  if (ctx.customerId && !order.customerId) order.customerId = ctx.customerId;
  order.status = deriveStatus(order.milestones);
  order.deliveries = rememberDelivery(order.deliveries, key, ctx.now);
  order.updatedAt = ctx.now.toISOString();
  return { outcome: 'applied', order, transitions: transitionsBetween(current, order) };
}

function applyEvent(order: OrderRecord, event: OrderEvent): void {
  applySnapshot(order, event);
  for (const [milestone, at] of impliedMilestones(event)) reachMilestone(order, milestone, at);
  if (event.shipment) mergeShipment(order, event.shipment);
  if (event.checkpoint) mergeCheckpoint(order, event.checkpoint);
  if (event.refund) {
    const refund = event.refund;
    if (!order.refunds.some((r) => r.refundId === refund.refundId)) {
      order.refunds.push({
        refundId: refund.refundId,
        amount: refund.amount,
        at: event.occurredAt,
        lineItems: refund.lineItems,
      });
      order.refunds.sort((a, b) => a.at.localeCompare(b.at) || a.refundId.localeCompare(b.refundId));
    }
  }
  const total = totalMinor(order);
  if (total !== undefined && total > 0 && refundedMinor(order) >= total) {
    const lastRefund = order.refunds.at(-1);
    if (lastRefund) reachMilestone(order, 'refunded', lastRefund.at);
  }
}

function impliedMilestones(event: OrderEvent): [Milestone, string][] {
  const at = event.occurredAt;
  const implied: [Milestone, string][] = [];
  if (event.order?.createdAt) implied.push(['created', event.order.createdAt]);
  switch (event.type) {
    case 'order.created':
      implied.push(['created', event.order?.createdAt ?? at]);
      break;
    case 'order.paid':
      implied.push(['paid', at]);
      break;
    case 'order.cancelled':
      implied.push(['cancelled', at]);
      break;
    case 'order.closed':
      implied.push(['closed', at]);
      break;
    case 'order.shipped':
    case 'shipment.checkpoint':
    case 'shipment.exception':
      implied.push(['shipped', at]);
      break;
    case 'shipment.out_for_delivery':
      implied.push(['shipped', at], ['out_for_delivery', at]);
      break;
    case 'shipment.delivered':
      implied.push(['shipped', at], ['delivered', at]);
      break;
    case 'order.refunded':
    case 'order.updated':
      break;
  }
  return implied;
}

function reachMilestone(order: OrderRecord, milestone: Milestone, at: string): void {
  const known = order.milestones[milestone];
  if (!known || at < known) order.milestones[milestone] = at;
}

/** Descriptive facts come from the newest snapshot; fields it lacks keep their older value. */
function applySnapshot(order: OrderRecord, event: OrderEvent): void {
  const facts = event.order;
  if (!facts) return;
  const snapshotAt = facts.updatedAt ?? event.occurredAt;
  const newer = !order.snapshotAt || snapshotAt >= order.snapshotAt;
  const take = <K extends 'orderNumber' | 'currency' | 'total' | 'shippingRegion'>(field: K, value: OrderRecord[K] | undefined) => {
    if (value !== undefined && (newer || order[field] === undefined)) order[field] = value;
  };
  take('orderNumber', facts.orderNumber);
  take('currency', facts.currency);
  take('shippingRegion', facts.shippingRegion);
  take('total', facts.total);
  if (facts.lineItems && (newer || order.lineItems.length === 0)) order.lineItems = facts.lineItems;
  if (newer) order.snapshotAt = snapshotAt;
}

function mergeShipment(order: OrderRecord, shipment: Shipment): void {
  const id = shipment.shipmentId ?? shipment.trackingNumber;
  const existing = order.shipments.find((s) => (s.shipmentId ?? s.trackingNumber) === id);
  if (existing) Object.assign(existing, definedFields(shipment));
  else order.shipments.push(definedFields(shipment));
}

function mergeCheckpoint(order: OrderRecord, checkpoint: Checkpoint): void {
  const id = createHash('sha256')
    .update(`${checkpoint.at}|${checkpoint.status}|${checkpoint.message ?? ''}`)
    .digest('base64url')
    .slice(0, 10);
  if (order.checkpoints.some((c) => c.id === id)) return;
  order.checkpoints.push({ ...definedFields(checkpoint), id });
  order.checkpoints.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  if (order.checkpoints.length > MAX_CHECKPOINTS) order.checkpoints.splice(0, order.checkpoints.length - MAX_CHECKPOINTS);
}

function rememberDelivery(deliveries: Record<string, string>, key: string, now: Date): Record<string, string> {
  const oldest = new Date(now.getTime() - DELIVERY_MEMORY_MS).toISOString();
  const kept = Object.fromEntries(Object.entries(deliveries).filter(([, seenAt]) => seenAt >= oldest));
  kept[key] = now.toISOString();
  return kept;
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
