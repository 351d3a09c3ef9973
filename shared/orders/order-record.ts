import * as z from 'zod';
import { toMinorUnits } from '../money.ts';
import { checkpointSchema, lineItemSchema, regionSchema, shipmentSchema } from '../events/canonical.ts';

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

export const storedCheckpointSchema = checkpointSchema.extend({ id: z.string() });
export type StoredCheckpoint = z.infer<typeof storedCheckpointSchema>;

export const storedRefundSchema = z.object({
  refundId: z.string(),
  /** Decimal string in the order's currency (a refund can arrive before the order's currency is known). */
  amount: z.string(),
  at: z.string(),
  lineItems: z.array(z.object({ lineItemId: z.string(), quantity: z.number().int() })),
});
export type StoredRefund = z.infer<typeof storedRefundSchema>;

/** An order as Careline keeps it. Parsed with this schema every time it is read. */
export const orderRecordSchema = z.object({
  shopId: z.string(),
  orderId: z.string(),
  orderNumber: z.string().optional(),
  customerId: z.string().optional(),
  currency: z.string().optional(),
  /** Order total as a decimal string in `currency`. */
  total: z.string().optional(),
  lineItems: z.array(lineItemSchema).default([]),
  shippingRegion: regionSchema.optional(),
  /** Source time of the snapshot the facts above come from: a newer snapshot wins. */
  snapshotAt: z.string().optional(),
  status: z.enum(ORDER_STATUSES),
  milestones: z.partialRecord(z.enum(MILESTONES), z.string()).default({}),
  shipments: z.array(shipmentSchema).default([]),
  checkpoints: z.array(storedCheckpointSchema).default([]),
  refunds: z.array(storedRefundSchema).default([]),
  /** Short hashes of the webhook deliveries applied in the last days, with when they were seen. */
  deliveries: z.record(z.string(), z.string()).default({}),
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type OrderRecord = z.infer<typeof orderRecordSchema>;

export function totalMinor(order: Pick<OrderRecord, 'total' | 'currency'>): number | undefined {
  return order.total !== undefined && order.currency ? toMinorUnits(order.total, order.currency) : undefined;
}

export function refundedMinor(order: Pick<OrderRecord, 'refunds' | 'currency'>): number {
  const currency = order.currency;
  if (!currency) return 0;
  return order.refunds.reduce((sum, refund) => sum + toMinorUnits(refund.amount, currency), 0);
}
