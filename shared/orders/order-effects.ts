import { formatMoney, toMinorUnits } from '../money.ts';
import { type OrderRecord, totalMinor } from './order-record.ts';
import type { Transition } from './order-state.ts';

/** One line on a customer's timeline. Its key is derived from what happened, so rewriting it is harmless. */
export interface TimelineEntry {
  /** Deterministic: the same happening always yields the same id. */
  entryId: string;
  at: string;
  type: string;
  summary: string;
  orderId: string;
}

/** A domain event for other systems (EventBridge detail-type = type). */
export interface DomainEvent {
  eventId: string;
  type: string;
  at: string;
  shopId: string;
  orderId: string;
  customerId?: string;
  status: string;
  detail: Record<string, unknown>;
}

const MILESTONE_EVENT: Record<string, string> = {
  created: 'order.created',
  paid: 'order.paid',
  shipped: 'order.shipped',
  out_for_delivery: 'shipment.out_for_delivery',
  delivered: 'shipment.delivered',
  closed: 'order.closed',
  cancelled: 'order.cancelled',
  refunded: 'order.refunded',
};

interface Happening {
  id: string;
  type: string;
  at: string;
  summary: string;
  detail: Record<string, unknown>;
}

function happeningsOf(order: OrderRecord, transitions: Transition[]): Happening[] {
  const label = `Order ${order.orderNumber ?? order.orderId}`;
  const money = (minor: number | undefined) =>
    minor !== undefined && order.currency ? formatMoney(minor, order.currency) : 'amount unknown';
  const happenings: Happening[] = [];
  for (const transition of transitions) {
    switch (transition.kind) {
      case 'milestone': {
        const { milestone, at } = transition;
        const shipment = order.shipments.at(-1);
        const summaries: Record<string, string> = {
          created: `${label} placed: ${order.lineItems.reduce((n, item) => n + item.quantity, 0)} item(s), ${money(totalMinor(order))}`,
          paid: `${label} paid: ${money(totalMinor(order))}`,
          shipped: `${label} shipped${shipment?.carrier ? ` with ${shipment.carrier}` : ''}${shipment?.trackingNumber ? ` (${shipment.trackingNumber})` : ''}`,
          out_for_delivery: `${label} is out for delivery`,
          delivered: `${label} delivered`,
          closed: `${label} closed`,
          cancelled: `${label} cancelled`,
          refunded: `${label} fully refunded`,
        };
        happenings.push({
          id: `${order.orderId}#${milestone}`,
          type: MILESTONE_EVENT[milestone] ?? `order.${milestone}`,
          at,
          summary: summaries[milestone] ?? `${label}: ${milestone}`,
          detail: milestone === 'shipped' && shipment ? { shipment } : {},
        });
        break;
      }
      case 'checkpoint': {
        const { checkpoint } = transition;
        const where = checkpoint.location ? ` at ${checkpoint.location}` : '';
        happenings.push({
          id: `${order.orderId}#cp#${checkpoint.id}`,
          type: checkpoint.status === 'exception' ? 'shipment.exception' : 'shipment.checkpoint',
          at: checkpoint.at,
          summary: `Parcel for ${label.toLowerCase()}${where}: ${checkpoint.message ?? checkpoint.status.replaceAll('_', ' ')}`,
          detail: { checkpoint },
        });
        break;
      }
      case 'refund': {
        const { refund } = transition;
        const minor = order.currency ? toMinorUnits(refund.amount, order.currency) : undefined;
        happenings.push({
          id: `${order.orderId}#refund#${refund.refundId}`,
          type: 'order.refund_issued',
          at: refund.at,
          summary: `Refund of ${money(minor)} on ${label.toLowerCase()}`,
          detail: { refund },
        });
        break;
      }
      case 'customer_attached':
        break;
    }
  }
  return happenings;
}

/** The order's part of its customer's timeline: a pure function of the order's state. */
export function timelineOf(order: OrderRecord): TimelineEntry[] {
  if (!order.customerId) return [];
  return happeningsOf(order, allTransitionsOf(order)).map((h) => ({
    entryId: h.id,
    at: h.at,
    type: h.type,
    summary: h.summary,
    orderId: order.orderId,
  }));
}

export function domainEventsFor(shopId: string, order: OrderRecord, transitions: Transition[]): DomainEvent[] {
  return happeningsOf(order, transitions).map((h) => ({
    eventId: `${shopId}#${h.id}`,
    type: h.type,
    at: h.at,
    shopId,
    orderId: order.orderId,
    ...(order.customerId ? { customerId: order.customerId } : {}),
    status: order.status,
    detail: h.detail,
  }));
}

/** Every transition an order has gone through, as if it all happened now (a replay). */
export function allTransitionsOf(order: OrderRecord): Transition[] {
  return [
    ...Object.entries(order.milestones).map(
      ([milestone, at]) => ({ kind: 'milestone', milestone, at }) as Transition,
    ),
    ...order.checkpoints.map((checkpoint): Transition => ({ kind: 'checkpoint', checkpoint })),
    ...order.refunds.map((refund): Transition => ({ kind: 'refund', refund })),
  ];
}
