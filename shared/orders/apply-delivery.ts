import type { Clock } from '../clock.ts';
import type { CustomerFacts, OrderEvent } from '../events/canonical.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { contactDigest, normalizeEmail, normalizePhone } from '../profiles/contact.ts';
import { orderContribution, type Profile, updateProfile } from '../profiles/profile.ts';
import type { Shop } from '../shops/shop.ts';
import type { CarelineStore } from '../store/careline-store.ts';
import { VersionConflictError } from '../store/errors.ts';
import { domainEventsFor, timelineChanges } from './order-effects.ts';
import type { OrderRecord } from './order-record.ts';
import { mergeDelivery, type Transition } from './order-state.ts';

export interface ApplyDeps {
  store: CarelineStore;
  publisher: EventPublisher;
  clock: Clock;
}

export interface Delivery {
  deliveryId: string;
  orderId: string;
  events: OrderEvent[];
  customer?: CustomerFacts;
}

export type ApplyOutcome =
  | { outcome: 'duplicate'; orderId: string }
  | { outcome: 'applied'; orderId: string; customerId?: string; transitions: Transition['kind'][] };

const MAX_ATTEMPTS = 6;

/**
 * Applies one verified webhook delivery to its order, customer profile and timeline.
 *
 * Writes, in this order: domain events (at least once), the order (one conditional put — the
 * commit point, which also records the delivery id for de-duplication), then the timeline
 * entries and the profile. Every step is idempotent or driven by what the commit changed, so a
 * retried or concurrent delivery has no second effect. The one window: if the process dies
 * after the order commit and before the profile write, that delivery's profile counters are
 * not applied (they are never applied twice).
 */
export async function applyDelivery(shop: Shop, delivery: Delivery, deps: ApplyDeps): Promise<ApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now();
    const current = await deps.store.getOrder(shop.shopId, delivery.orderId);
    const customerId =
      current?.value.customerId ?? (await resolveCustomerId(shop, delivery.customer, regionCountry(delivery) ?? shop.country, deps.store));
    const merged = mergeDelivery(current?.value, delivery.events, {
      shopId: shop.shopId,
      deliveryId: delivery.deliveryId,
      now,
      ...(customerId ? { customerId } : {}),
    });
    if (merged.outcome === 'duplicate') return { outcome: 'duplicate', orderId: delivery.orderId };

    const { order, transitions } = merged;
    const domainEvents = domainEventsFor(shop.shopId, order, transitions);
    if (domainEvents.length) await deps.publisher.publish(domainEvents);
    try {
      await deps.store.putOrder(order, current?.version ?? 0);
    } catch (error) {
      if (error instanceof VersionConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }

    if (order.customerId) {
      const timeline = timelineChanges(current?.value, order);
      await Promise.all([
        deps.store.applyTimelineChanges(shop.shopId, order.customerId, timeline),
        profileNeedsUpdate(delivery, current?.value, order) ? saveProfile(shop, delivery, current?.value, order, deps) : undefined,
      ]);
    }
    return {
      outcome: 'applied',
      orderId: order.orderId,
      ...(order.customerId ? { customerId: order.customerId } : {}),
      transitions: transitions.map((t) => t.kind),
    };
  }
}

function regionCountry(delivery: Delivery): string | undefined {
  return delivery.events.find((event) => event.order?.shippingRegion?.countryCode)?.order?.shippingRegion?.countryCode;
}

function profileNeedsUpdate(delivery: Delivery, before: OrderRecord | undefined, after: OrderRecord): boolean {
  if (delivery.customer) return true;
  const [a, b] = [orderContribution(before), orderContribution(after)];
  return a.orders !== b.orders || a.spentMinor !== b.spentMinor || a.orderedAt !== b.orderedAt;
}

/** Contacts as they are matched: normalized E.164 phone first, then lower-cased email. */
function contactsOf(facts: CustomerFacts | undefined, shopId: string, country: string): string[] {
  const phone = normalizePhone(facts?.phone, country);
  const email = normalizeEmail(facts?.email);
  return [phone && `phone:${phone}`, email && `email:${email}`].filter((c): c is string => !!c).map((c) => contactDigest(shopId, c));
}

/**
 * The platform's customer id when there is one; a guest is matched to a known customer by
 * phone or email, or else gets a stable id derived from that contact.
 */
async function resolveCustomerId(
  shop: Shop,
  facts: CustomerFacts | undefined,
  country: string,
  store: CarelineStore,
): Promise<string | undefined> {
  if (facts?.platformCustomerId) return facts.platformCustomerId;
  const digests = contactsOf(facts, shop.shopId, country);
  if (digests.length === 0) return undefined;
  const known = await store.findCustomersByContact(shop.shopId, digests);
  for (const digest of digests) {
    const customerId = known.get(digest);
    if (customerId) return customerId;
  }
  return `guest-${digests[0]}`;
}

async function saveProfile(shop: Shop, delivery: Delivery, before: OrderRecord | undefined, after: OrderRecord, deps: ApplyDeps): Promise<void> {
  const customerId = after.customerId!;
  const factsAt = delivery.events.reduce((latest, e) => (e.occurredAt > latest ? e.occurredAt : latest), '');
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.getProfile(shop.shopId, customerId);
    const next = updateProfile(current?.value, {
      shop,
      customerId,
      facts: delivery.customer,
      factsAt,
      before,
      after,
      now: deps.clock.now(),
    });
    if (!next) return;
    try {
      await deps.store.putProfile(next, current?.version ?? 0);
    } catch (error) {
      if (error instanceof VersionConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    await linkNewContacts(shop.shopId, current?.value, next, deps.store);
    return;
  }
}

/** New phone numbers and emails of a customer point guest orders with them to this customer. */
async function linkNewContacts(shopId: string, before: Profile | undefined, after: Profile, store: CarelineStore): Promise<void> {
  const links: string[] = [];
  if (after.phone && after.phone !== before?.phone) links.push(contactDigest(shopId, `phone:${after.phone}`));
  if (after.email && after.email !== before?.email) links.push(contactDigest(shopId, `email:${after.email}`));
  await Promise.all(links.map((digest) => store.linkContact(shopId, digest, after.customerId)));
}
