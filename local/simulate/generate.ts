import { DateTime } from 'luxon';
import type { OrderEvent } from '../../shared/events/canonical.ts';
import { type ProductRule, productRuleSchema } from '../../shared/journeys/products.ts';
import { type Shop, shopSchema } from '../../shared/shops/shop.ts';

/** A seeded pseudo-random source (mulberry32): the same seed gives the same shop, every time. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    between: (min: number, max: number) => min + next() * (max - min),
    int: (min: number, max: number) => Math.floor(min + next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
export type Random = ReturnType<typeof seededRandom>;

export interface SimProduct {
  sku: string;
  title: string;
  price: string;
  rule: Omit<ProductRule, 'updatedAt'>;
}

/** The demo shop's catalogue: teas that run out (repurchase cycles) and teaware that does not. */
export const DEMO_PRODUCTS: SimProduct[] = [
  { sku: 'LJ-250', title: '西湖龙井 250g', price: '168.00', rule: { sku: 'LJ-250', title: '西湖龙井', category: 'tea', usePeriodDays: 30, usageTips: '80–85度水温，第一泡10秒出汤', checkInDays: [3, 14], repurchaseCycleDays: 30 } },
  { sku: 'MC-50', title: '宇治抹茶粉 50g', price: '88.00', rule: { sku: 'MC-50', title: '抹茶粉', category: 'tea', usePeriodDays: 20, usageTips: '先用少量温水调开再加奶', checkInDays: [3], repurchaseCycleDays: 20 } },
  { sku: 'GF-100', title: '桂花乌龙 100g', price: '128.00', rule: { sku: 'GF-100', title: '桂花乌龙', category: 'tea', usePeriodDays: 25, usageTips: '开封后密封避光保存', checkInDays: [7], repurchaseCycleDays: 25 } },
  { sku: 'BC-01', title: '白瓷盖碗', price: '98.00', rule: { sku: 'BC-01', title: '白瓷盖碗', category: 'teaware', usageTips: '第一次使用前用开水烫洗', checkInDays: [7] } },
];

export const DEMO_SHOP_ID = 'demo-tea';
export const DEMO_SECRET = 'demo-tea-simulation-secret-0001';

export function demoShop(): Shop {
  return shopSchema.parse({
    shopId: DEMO_SHOP_ID,
    platform: 'careline',
    secrets: [{ value: DEMO_SECRET, addedAt: '2026-01-01T00:00:00.000Z' }],
    timezone: 'Asia/Shanghai',
    locale: 'zh-CN',
    currency: 'CNY',
    country: 'CN',
    vipThresholdMinor: 100_000,
    messaging: { shopName: '茶韵' },
    journeys: { dispatchCutoff: '16:00' },
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

export interface SimCustomer {
  customerId: string;
  name: string;
  zone: string;
  locale: 'zh-CN' | 'en';
  phone?: string;
  email?: string;
  smsConsent: 'subscribed' | 'unknown';
  /** This customer answers a message with STOP. */
  repliesStop: boolean;
}

/** One thing that happens at a moment of the simulation. */
export type SimAction =
  | { at: Date; type: 'event'; customerId: string; event: Omit<OrderEvent, 'occurredAt'> & { customer?: Record<string, unknown> } }
  | { at: Date; type: 'sms_reply'; customerId: string; phone: string; body: string };

export interface SimPlan {
  seed: number;
  customers: SimCustomer[];
  actions: SimAction[];
  /** What the plan meant to happen, for the summary (not used by Careline). */
  truth: { orders: number; unpaid: number; neverPaid: number; stalled: number; exceptions: number; refunded: number; reorders: number };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ZONES = [
  { zone: 'Asia/Shanghai', locale: 'zh-CN' as const, weight: 0.82, phone: (r: Random) => `+86139${String(r.int(10000000, 99999999))}` },
  { zone: 'America/Los_Angeles', locale: 'en' as const, weight: 0.12, phone: (r: Random) => `+1650253${String(r.int(1000, 9999))}` },
  { zone: 'Europe/London', locale: 'en' as const, weight: 0.06, phone: (r: Random) => `+447400${String(r.int(100000, 999999))}` },
];
const ZH_NAMES = ['晓雨', '子涵', '思远', '雨桐', '浩然', '欣怡', '梓萱', '俊杰', '诗琪', '明轩'];
const EN_NAMES = ['Amy', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Grace', 'Henry'];
const CARRIERS = [
  { carrier: '顺丰速运', prefix: 'SF' },
  { carrier: '中通快递', prefix: 'ZT' },
  { carrier: '韵达快递', prefix: 'YD' },
];
const PLACES = ['杭州转运中心', '上海分拨中心', '南京转运中心', '广州白云集散中心', '北京顺义中转场', '成都双流中转站'];

/**
 * A believable shop's next `days` days: customers in several time zones, new and returning
 * buyers, unpaid orders (some paid after a reminder, some never), parcels with checkpoints (some
 * stalled, some with an exception), refunds, re-orders, customers without marketing consent,
 * one who replies STOP. All from the seed.
 */
export function generatePlan(options: { seed: number; customers: number; days: number; start: Date; products?: SimProduct[] }): SimPlan {
  const r = seededRandom(options.seed);
  const products = options.products?.length ? options.products : DEMO_PRODUCTS;
  const end = options.start.getTime() + options.days * DAY;
  const customers: SimCustomer[] = [];
  const actions: SimAction[] = [];
  const truth = { orders: 0, unpaid: 0, neverPaid: 0, stalled: 0, exceptions: 0, refunded: 0, reorders: 0 };
  const stopper = Math.min(options.customers - 1, 7);
  let orderSeq = 1000;

  for (let i = 0; i < options.customers; i++) {
    const roll = r.next();
    const place = roll < ZONES[0]!.weight ? ZONES[0]! : roll < ZONES[0]!.weight + ZONES[1]!.weight ? ZONES[1]! : ZONES[2]!;
    const customerId = `sim-${String(i + 1).padStart(4, '0')}`;
    const emailOnly = r.chance(0.08);
    const customer: SimCustomer = {
      customerId,
      name: place.locale === 'en' ? r.pick(EN_NAMES) : r.pick(ZH_NAMES),
      zone: place.zone,
      locale: place.locale,
      ...(emailOnly ? {} : { phone: place.phone(r) }),
      ...(emailOnly || r.chance(0.4) ? { email: `${customerId}@example.com` } : {}),
      smsConsent: r.chance(0.75) ? 'subscribed' : 'unknown',
      repliesStop: i === stopper && !emailOnly,
    };
    customers.push(customer);
    const facts = {
      platformCustomerId: customerId,
      firstName: customer.name,
      locale: customer.locale,
      timezone: customer.zone,
      smsConsent: customer.smsConsent,
      emailConsent: customer.smsConsent,
      ...(customer.phone ? { phone: customer.phone } : {}),
      ...(customer.email ? { email: customer.email } : {}),
    };

    // First order somewhere in the period, at a shopping hour of the customer's own day.
    let orderAt = options.start.getTime() + r.between(0, Math.max(options.days - 8, 1)) * DAY;
    orderAt = atLocalHour(orderAt, place.zone, r.pick([9, 11, 12, 13, 15, 19, 20, 21, 22, 22, 23]), r.int(0, 59));
    // West of UTC, that hour of the first local day can fall before the period starts.
    while (orderAt < options.start.getTime()) orderAt += DAY;
    for (let n = 0; n < 3 && orderAt < end - 2 * HOUR; n++) {
      if (n > 0) truth.reorders++;
      const orderId = `${customerId}-o${n + 1}`;
      orderSeq++;
      truth.orders++;
      const lines = pickLines(r, products);
      const total = lines.reduce((sum, line) => sum + Number(line.price) * line.quantity, 0).toFixed(2);
      const at = (ms: number) => new Date(ms);
      const event = (when: number, e: Omit<OrderEvent, 'occurredAt' | 'orderId'> & { customer?: Record<string, unknown> }) =>
        when < end && actions.push({ at: at(when), type: 'event', customerId, event: { orderId, ...e } });
      event(orderAt, {
        type: 'order.created',
        order: { orderNumber: `#${orderSeq}`, currency: 'CNY', total, lineItems: lines, createdAt: at(orderAt).toISOString() },
        customer: facts,
      });

      // Payment: most pay at once; some take their time (a reminder may bring them back); some never do.
      let paidAt: number | undefined = orderAt + r.between(1, 10) * 60_000;
      if (r.chance(0.3)) {
        truth.unpaid++;
        const mood = r.next();
        paidAt = mood < 0.4 ? orderAt + r.between(0.3, 1.5) * HOUR : mood < 0.75 ? orderAt + r.between(3, 14) * HOUR : undefined;
        if (!paidAt) {
          truth.neverPaid++;
          event(orderAt + 24 * HOUR, { type: 'order.closed' });
        }
      }
      if (paidAt) {
        event(paidAt, { type: 'order.paid' });
        const { carrier, prefix } = r.pick(CARRIERS);
        const tracking = `${prefix}${String(r.int(100000000, 999999999))}${String(i).padStart(4, '0')}`;
        let t = paidAt + r.between(3, 26) * HOUR;
        event(t, { type: 'order.shipped', shipment: { carrier, trackingNumber: tracking, trackingUrl: `https://track.example/${tracking}` } });
        const fate = r.next();
        const checkpoints = r.int(2, 4);
        for (let c = 0; c < checkpoints; c++) {
          t += r.between(8, 22) * HOUR;
          event(t, { type: 'shipment.checkpoint', checkpoint: { at: at(t).toISOString(), status: 'in_transit', location: r.pick(PLACES), message: '运输中' } });
          if (fate < 0.06 && c === 0) break; // stalled: nothing more from the carrier
        }
        if (fate < 0.06) truth.stalled++;
        else if (fate < 0.09) {
          truth.exceptions++;
          t += r.between(6, 20) * HOUR;
          event(t, { type: 'shipment.exception', checkpoint: { at: at(t).toISOString(), status: 'exception', message: '地址不详，联系收件人中' } });
        } else {
          if (r.chance(0.5)) {
            t += r.between(10, 20) * HOUR;
            event(t, { type: 'shipment.out_for_delivery', checkpoint: { at: at(t).toISOString(), status: 'out_for_delivery', message: '派送中' } });
          }
          t += r.between(2, 6) * HOUR;
          event(t, { type: 'shipment.delivered', checkpoint: { at: at(t).toISOString(), status: 'delivered', message: '已签收' } });
          // Some answer the day-3 check-in with a score; most are happy.
          if (customer.phone && lines.some((l) => productOf(products, l.sku)?.rule.checkInDays.includes(3)) && r.chance(0.4) && t + 4 * DAY < end) {
            const score = r.pick(['5', '5', '5', '4', '4', '3', '2', '1']);
            actions.push({ at: new Date(t + 3 * DAY + r.between(12, 30) * HOUR), type: 'sms_reply', customerId, phone: customer.phone, body: score });
          }
          if (r.chance(0.05)) {
            truth.refunded++;
            event(t + r.between(1, 5) * DAY, {
              type: 'order.refunded',
              refund: { refundId: `${orderId}-r1`, amount: total, lineItems: lines.map((l) => ({ lineItemId: l.lineItemId, quantity: l.quantity })) },
            });
          }
        }
      }
      if (customer.repliesStop && n === 0 && customer.phone) {
        actions.push({ at: new Date(orderAt + 3 * DAY), type: 'sms_reply', customerId, phone: customer.phone, body: 'STOP' });
      }
      // A returning customer comes back some weeks later.
      if (!r.chance(n === 0 ? 0.35 : 0.2)) break;
      orderAt = atLocalHour(orderAt + r.between(12, 40) * DAY, place.zone, r.pick([10, 12, 14, 20, 21]), r.int(0, 59));
    }
  }
  actions.sort((a, b) => a.at.getTime() - b.at.getTime() || a.customerId.localeCompare(b.customerId));
  return { seed: options.seed, customers, actions, truth };
}

function productOf(products: SimProduct[], sku: string | undefined): SimProduct | undefined {
  return products.find((p) => p.sku === sku);
}

function pickLines(r: Random, products: SimProduct[]) {
  const count = r.chance(0.7) ? 1 : 2;
  const chosen = new Set<SimProduct>();
  while (chosen.size < Math.min(count, products.length)) chosen.add(r.pick(products));
  // A few large orders (gifts, offices) reach the shop's call threshold.
  const large = r.chance(0.05);
  return [...chosen].map((product, i) => ({
    lineItemId: `li-${i + 1}`,
    sku: product.sku,
    title: product.title,
    quantity: large ? r.int(6, 12) : r.chance(0.75) ? 1 : 2,
    price: product.price,
  }));
}

/** The instant of `hour:minute` on the local day of `ms` in `zone` (luxon: DST-correct). */
function atLocalHour(ms: number, zone: string, hour: number, minute: number): number {
  return DateTime.fromMillis(ms, { zone }).set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
}

export function productRules(products: SimProduct[], at: Date): ProductRule[] {
  return products.map((p) => productRuleSchema.parse({ ...p.rule, updatedAt: at.toISOString() }));
}
