import * as z from 'zod/mini';
import { checkpointSchema, lineItemSchema, regionSchema, shipmentSchema } from '../events/canonical.ts';
import { toMinorUnits } from '../money.ts';

/** Milestones an order can reach. Each is kept with the earliest time any source reported it. */
export const MILESTONES = [
  'created',
  'paid',
  'shipped',
  'out_for_delivery',
  'delivered',
  'closed',
  'cancelled',
  'refunded',
] as const;
export type Milestone = (typeof MILESTONES)[number];

export const ORDER_STATUSES = [
  'unknown',
  'pending_payment',
  'paid',
  'closed',
  'shipped',
  'out_for_delivery',
  'delivered',
  'cancelled',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const storedCheckpointSchema = z.extend(checkpointSchema, { id: z.string() });
export type StoredCheckpoint = z.infer<typeof storedCheckpointSchema>;

export const storedRefundSchema = z.object({
  refundId: z.string(),
  /** Decimal string in the order's currency (a refund can arrive before the order's currency is known). */
  amount: z.string(),
  at: z.string(),
  lineItems: z.array(z.object({ lineItemId: z.string(), quantity: z.int() })),
});
export type StoredRefund = z.infer<typeof storedRefundSchema>;

export const storedShipmentSchema = z.extend(shipmentSchema, { id: z.string() });
export type StoredShipment = z.infer<typeof storedShipmentSchema>;

/**
 * An order as it is stored: the union of everything reported about it. Every part merges
 * without reading first (sets grow, maps are keyed by id, the snapshot is last-writer-wins by
 * source time), so one conditional UpdateItem applies a delivery. See order-state.ts.
 */
export const orderItemSchema = z.object({
  shopId: z.string(),
  orderId: z.string(),
  customerId: z.optional(z.string()),
  /** Source time of the newest order snapshot applied; the fields below come from it. */
  snapshotAt: z.optional(z.string()),
  orderNumber: z.optional(z.string()),
  currency: z.optional(z.string()),
  /** Order total as a decimal string in `currency`. */
  total: z.optional(z.string()),
  lineItems: z.optional(z.array(lineItemSchema)),
  shippingRegion: z.optional(regionSchema),
  /** Where the customer pays (the platform's payment or order-status page). */
  payUrl: z.optional(z.string()),
  /** Every time reported for each milestone; the earliest one counts. */
  milestoneReports: z.partialRecord(z.enum(MILESTONES), z.array(z.string())),
  checkpoints: z.record(z.string(), storedCheckpointSchema),
  refunds: z.record(z.string(), storedRefundSchema),
  shipments: z.record(z.string(), storedShipmentSchema),
  /** Short hashes of the webhook deliveries applied, with when they were seen (epoch seconds). */
  deliveries: z.record(z.string(), z.number()),
  /** Set when the parcel stalled or hit an exception (ops were alerted, the customer reassured). */
  stalledAt: z.optional(z.string()),
  stallReason: z.optional(z.string()),
  version: z.int().check(z.nonnegative()),
  updatedAt: z.string(),
});
export type OrderItem = z.infer<typeof orderItemSchema>;

/** An order as the domain reads it: derived from its item, never stored as such. */
export interface OrderRecord {
  shopId: string;
  orderId: string;
  orderNumber?: string;
  customerId?: string;
  currency?: string;
  total?: string;
  lineItems: z.infer<typeof lineItemSchema>[];
  shippingRegion?: z.infer<typeof regionSchema>;
  payUrl?: string;
  status: OrderStatus;
  milestones: Partial<Record<Milestone, string>>;
  shipments: StoredShipment[];
  checkpoints: StoredCheckpoint[];
  refunds: StoredRefund[];
  stalled?: { at: string; reason: string };
  version: number;
  updatedAt: string;
}

export function totalMinor(order: Pick<OrderRecord, 'total' | 'currency'>): number | undefined {
  return order.total !== undefined && order.currency ? toMinorUnits(order.total, order.currency) : undefined;
}

export function refundedMinor(order: Pick<OrderRecord, 'refunds' | 'currency'>): number {
  const currency = order.currency;
  if (!currency) return 0;
  return order.refunds.reduce((sum, refund) => sum + toMinorUnits(refund.amount, currency), 0);
}
