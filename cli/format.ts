import type { OrderRecord } from '../shared/orders/order-record.ts';
import { refundedMinor, totalMinor } from '../shared/orders/order-record.ts';
import { formatMoney } from '../shared/money.ts';
import type { Profile } from '../shared/profiles/profile.ts';
import { maskEmail, maskPhone } from '../shared/profiles/contact.ts';
import { maskSecret, type Shop } from '../shared/shops/shop.ts';
import type { TimelinePage } from '../shared/profiles/timeline.ts';

const money = (minor: number | undefined, currency: string | undefined) =>
  minor !== undefined && currency ? formatMoney(minor, currency) : '—';

/** A shop as ops see it: secrets are masked, never printed whole. */
export function shopView(shop: Shop) {
  return {
    ...shop,
    secrets: shop.secrets.map((secret) => ({ secret: maskSecret(secret.value), addedAt: secret.addedAt })),
    trackingSecrets: Object.fromEntries(Object.entries(shop.trackingSecrets).map(([source, value]) => [source, value ? maskSecret(value) : value])),
  };
}

export function formatShop(shop: Shop): string {
  const view = shopView(shop);
  return [
    `Shop ${shop.shopId} (${shop.platform})`,
    `  time zone     ${shop.timezone}`,
    `  locale        ${shop.locale}`,
    `  currency      ${shop.currency}`,
    `  country       ${shop.country}`,
    `  VIP from      ${money(shop.vipThresholdMinor, shop.currency)} spent`,
    `  created       ${shop.createdAt}`,
    ...view.secrets.map((s, i) => `  secret ${i + 1}      ${s.secret}, added ${s.addedAt}`),
    ...Object.entries(view.trackingSecrets).map(([source, masked]) => `  ${source.padEnd(13)} ${masked}`),
    `  quiet hours   ${shop.messaging.quietHours.start}–${shop.messaging.quietHours.end}, budget ${shop.messaging.contactBudget.per24h}/24 h and ${shop.messaging.contactBudget.per7d}/7 d`,
    `  journeys      ${Object.entries(shop.journeys).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ')}`,
  ].join('\n');
}

export function formatOrder(order: OrderRecord): string {
  const lines = [
    `Order ${order.orderNumber ?? order.orderId} (id ${order.orderId})`,
    `  status        ${order.status}${order.stalled ? `  ⚠ parcel stalled since ${order.stalled.at} (${order.stalled.reason})` : ''}`,
    `  customer      ${order.customerId ?? 'unknown'}`,
    `  total         ${money(totalMinor(order), order.currency)}${order.refunds.length ? `, refunded ${money(refundedMinor(order), order.currency)}` : ''}`,
    `  ships to      ${[order.shippingRegion?.city, order.shippingRegion?.provinceCode, order.shippingRegion?.countryCode].filter(Boolean).join(', ') || '—'}`,
    '  items',
    ...order.lineItems.map((item) => `    ${item.quantity} × ${item.title}${item.sku ? ` [${item.sku}]` : ''} @ ${item.price}`),
    '  milestones',
    ...Object.entries(order.milestones)
      .sort(([, a], [, b]) => a.localeCompare(b))
      .map(([milestone, at]) => `    ${at}  ${milestone}`),
  ];
  for (const shipment of order.shipments) {
    lines.push(`  shipment      ${[shipment.carrier, shipment.trackingNumber].filter(Boolean).join(' ') || shipment.shipmentId || '—'}${shipment.trackingUrl ? `  ${shipment.trackingUrl}` : ''}`);
  }
  if (order.checkpoints.length) {
    lines.push('  checkpoints');
    for (const c of order.checkpoints) lines.push(`    ${c.at}  ${c.status}${c.location ? `  ${c.location}` : ''}${c.message ? `  ${c.message}` : ''}`);
  }
  return lines.join('\n');
}

export function formatProfile(profile: Profile | undefined, customerId: string): string {
  if (!profile) return `Customer ${customerId} (no profile yet)`;
  const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ') || 'no name';
  return [
    `Customer ${customerId}: ${name} [${profile.tags.join(', ') || 'no tags'}]`,
    `  contact  ${[maskPhone(profile.phone), maskEmail(profile.email)].filter(Boolean).join('  ') || '—'}`,
    `  consent  sms ${profile.smsConsent}, email ${profile.emailConsent}; time zone ${profile.timezone} (${profile.timezoneSource})`,
    `  orders   ${profile.orderCount}, spent ${money(profile.totalSpentMinor, profile.currency)}, first ${profile.firstOrderAt ?? '—'}, last ${profile.lastOrderAt ?? '—'}`,
  ].join('\n');
}

export function formatTimeline(page: TimelinePage): string {
  if (page.entries.length === 0) return '  (nothing on the timeline yet)';
  const lines = page.entries.map((entry) => `  ${entry.at}  ${entry.type.padEnd(26)} ${entry.summary}`);
  if (page.cursor) lines.push(`  … older entries: --cursor ${page.cursor}`);
  return lines.join('\n');
}
