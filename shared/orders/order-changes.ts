import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { orderItemFromAttributes } from '../store/careline-store.ts';
import { isOrderKey } from '../store/keys.ts';
import { type DomainEvent, domainEventsFor } from './order-effects.ts';
import type { OrderRecord } from './order-record.ts';
import { orderView, type Transition, transitionsBetween } from './order-state.ts';

/** One change of one item, as the table's stream reports it (NEW_AND_OLD_IMAGES). */
export interface ItemChange {
  keys: Record<string, AttributeValue>;
  oldImage?: Record<string, AttributeValue>;
  newImage?: Record<string, AttributeValue>;
}

/**
 * The domain events an order change stands for: one per milestone, checkpoint or refund that the
 * change made true. Other items' changes stand for none. Event ids are derived from what
 * happened, so a change delivered twice by the stream yields the same ids again.
 */
export function domainEventsForChange(change: ItemChange): DomainEvent[] {
  const order = orderChangeOf(change);
  return order ? domainEventsFor(order.after.shopId, order.after, order.transitions) : [];
}

/** An order item's change as the domain reads it; undefined for other items and removals. */
export function orderChangeOf(change: ItemChange): { before: OrderRecord | undefined; after: OrderRecord; transitions: Transition[] } | undefined {
  const key = unmarshall(change.keys);
  if (!isOrderKey(String(key.pk), String(key.sk)) || !change.newImage) return undefined;
  const after = orderView(orderItemFromAttributes(unmarshall(change.newImage)));
  const before = change.oldImage ? orderView(orderItemFromAttributes(unmarshall(change.oldImage))) : undefined;
  return { before, after, transitions: transitionsBetween(before, after) };
}
