import type { CustomerFacts } from '../events/canonical.ts';
import { type OrderRecord, refundedMinor, totalMinor } from '../orders/order-record.ts';
import { normalizeEmail, normalizePhone } from './contact.ts';
import type { ProfileDelta, ProfileFacts } from './profile.ts';
import { isTimeZone } from '../timing/local-time.ts';
import { guessTimezone } from './timezone-guess.ts';

// Kept apart from profile.ts so that readers of profiles (every handler) do not load the phone
// and time-zone data only the webhook path needs.

/** What one order adds to its customer's profile; a profile change is the difference of two. */
export interface OrderContribution {
  orders: number;
  spentMinor: number;
  orderedAt?: string;
}

export function orderContribution(order: OrderRecord | undefined): OrderContribution {
  if (!order?.customerId) return { orders: 0, spentMinor: 0 };
  const paid = order.milestones.paid !== undefined && order.milestones.cancelled === undefined;
  const spent = paid ? (totalMinor(order) ?? 0) - refundedMinor(order) : 0;
  return { orders: 1, spentMinor: Math.max(spent, 0), ...(order.milestones.created ? { orderedAt: order.milestones.created } : {}) };
}

/**
 * The profile change an order change makes: counters move by the difference between the
 * order's contribution before and after, so a delivery that changed nothing changes nothing
 * here either. Undefined when there is nothing to write.
 */
export function profileDelta(input: {
  facts: CustomerFacts | undefined;
  factsAt: string;
  before: OrderRecord | undefined;
  after: OrderRecord;
  defaultCountry: string;
}): ProfileDelta | undefined {
  const before = orderContribution(input.before);
  const after = orderContribution(input.after);
  const facts = input.facts ? normalizedFacts(input.facts, input.after.shippingRegion?.countryCode ?? input.defaultCountry) : undefined;
  const regionTimezone = guessTimezone(input.after.shippingRegion);
  const delta: ProfileDelta = {
    factsAt: input.factsAt,
    orders: after.orders - before.orders,
    spentMinor: after.spentMinor - before.spentMinor,
    ...(facts && Object.keys(facts).length ? { facts } : {}),
    ...(regionTimezone ? { regionTimezone } : {}),
    ...(after.orderedAt && after.orderedAt !== before.orderedAt ? { orderedAt: after.orderedAt } : {}),
    ...(input.after.currency ? { currency: input.after.currency } : {}),
  };
  const changes = delta.facts || delta.orders || delta.spentMinor || delta.orderedAt;
  return changes ? delta : undefined;
}

function normalizedFacts(facts: CustomerFacts, country: string): ProfileFacts {
  const normalized: ProfileFacts = {
    platformCustomerId: facts.platformCustomerId,
    firstName: facts.firstName,
    lastName: facts.lastName,
    phone: normalizePhone(facts.phone, country),
    email: normalizeEmail(facts.email),
    locale: facts.locale,
    // A platform's free text ('UTC+8', 'local') is no zone: the region's or the shop's applies instead.
    customerTimezone: facts.timezone && isTimeZone(facts.timezone) ? facts.timezone : undefined,
    emailConsent: facts.emailConsent === 'unknown' ? undefined : facts.emailConsent,
    smsConsent: facts.smsConsent === 'unknown' ? undefined : facts.smsConsent,
  };
  return Object.fromEntries(Object.entries(normalized).filter(([, v]) => v !== undefined && v !== '')) as ProfileFacts;
}

