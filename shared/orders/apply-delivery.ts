import type { Clock } from '../clock.ts';
import type { CustomerFacts, OrderEvent } from '../events/canonical.ts';
import { contactDigest, normalizeEmail, normalizePhone } from '../profiles/contact.ts';
import type { ProfileItem } from '../profiles/profile.ts';
import { profileDelta } from '../profiles/profile-delta.ts';
import type { Shop } from '../shops/shop.ts';
import type { WebhookStore } from '../store/webhook-store.ts';
import type { OrderRecord } from './order-record.ts';
import { deltaFromEvents, orderView, transitionsBetween, type Transition } from './order-state.ts';

export interface ApplyDeps {
  store: WebhookStore;
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

/**
 * Applies one verified webhook delivery to its order and customer profile.
 *
 * The order write comes first and is the commit point: one conditional UpdateItem that merges
 * the delivery without reading the order and refuses a delivery id it has already applied. The
 * profile, and the order's place among its customer's orders, follow from what that write
 * changed, so a repeated or concurrent delivery has no second effect. Domain events are
 * published from the table's stream (see functions/order-stream), never from here. The one
 * window: if the process dies after the order write and before the profile write, that
 * delivery's profile counters are not applied (they are never applied twice); the order's
 * listing under its customer is written again from the stream.
 */
export async function applyDelivery(shop: Shop, delivery: Delivery, deps: ApplyDeps): Promise<ApplyOutcome> {
  const now = deps.clock.now();
  const country = regionCountry(delivery) ?? shop.country;
  const customerId = await resolveCustomerId(shop, delivery.customer, country, deps.store);
  const delta = deltaFromEvents(delivery.events, { deliveryId: delivery.deliveryId, now, ...(customerId ? { customerId } : {}) });
  const ids = { shopId: shop.shopId, orderId: delivery.orderId };
  const written = await deps.store.updateOrder(ids, delta, now);
  if (written.outcome === 'duplicate') return { outcome: 'duplicate', orderId: delivery.orderId };

  const before = written.before && orderView(written.before);
  const after = orderView(written.after);
  const transitions = transitionsBetween(before, after);
  if (after.customerId) {
    await Promise.all([linkToCustomer(shop.shopId, before, after, deps.store), saveProfile(shop, delivery, before, after, deps)]);
  }
  return {
    outcome: 'applied',
    orderId: after.orderId,
    ...(after.customerId ? { customerId: after.customerId } : {}),
    transitions: transitions.map((t) => t.kind),
  };
}

/**
 * The customer's timeline reads an order's history from the order itself; the order is listed
 * under its customer once, when it first names one (an order's customer never changes after).
 * Later webhooks write nothing for the timeline. The order-stream function writes the same
 * listing again for the same change, so a listing lost here (the process died after the order
 * write) is not lost for good.
 */
async function linkToCustomer(shopId: string, before: OrderRecord | undefined, after: OrderRecord, store: WebhookStore): Promise<void> {
  if (after.customerId && !before?.customerId) await store.linkCustomerOrder(shopId, after.customerId, after.orderId);
}

function regionCountry(delivery: Delivery): string | undefined {
  return delivery.events.find((event) => event.order?.shippingRegion?.countryCode)?.order?.shippingRegion?.countryCode;
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
  store: WebhookStore,
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
  const delta = profileDelta({ facts: delivery.customer, factsAt, before, after, defaultCountry: shop.country });
  if (!delta) return;
  const result = await deps.store.updateProfile({ shopId: shop.shopId, customerId }, delta, deps.clock.now());
  await linkNewContacts(shop.shopId, result.before, result.after, deps.store);
}

/** New phone numbers and emails of a customer point guest orders with them to this customer. */
async function linkNewContacts(shopId: string, before: ProfileItem | undefined, after: ProfileItem, store: WebhookStore): Promise<void> {
  const links: string[] = [];
  if (after.phone && after.phone !== before?.phone) links.push(contactDigest(shopId, `phone:${after.phone}`));
  if (after.email && after.email !== before?.email) links.push(contactDigest(shopId, `email:${after.email}`));
  await Promise.all(links.map((digest) => store.linkContact(shopId, digest, after.customerId)));
}
