import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { manualClock } from '../../shared/clock.ts';
import { coveredOrders, type JourneyDeps, orderVars, parcelStalled, reachableCutoff, satisfactionScore } from '../../shared/journeys/journey-runtime.ts';
import { emptyHistogram, PAY_BUCKET_EDGES, payBucket, payQuantileMinutes } from '../../shared/journeys/pay-latency.ts';
import { type ProductRule, productKeyOf, productRuleSchema, ruleFor } from '../../shared/journeys/products.ts';
import type { OrderRecord } from '../../shared/orders/order-record.ts';
import { type Shop, shopSchema } from '../../shared/shops/shop.ts';

// Pure helpers of the journeys: time-to-pay histogram, product rules and keys, and the pure parts
// of the journey runtime.

function shopWith(journeys: Record<string, unknown> = {}): Shop {
  return shopSchema.parse({
    shopId: 'tea-house',
    platform: 'shopify',
    secrets: [{ value: 'tea-house-secret-0123456789', addedAt: '2026-11-01T00:00:00.000Z' }],
    timezone: 'Asia/Shanghai',
    createdAt: '2026-11-01T00:00:00.000Z',
    journeys,
  });
}

describe('payBucket', () => {
  it('puts a time in the first bucket whose upper edge it does not exceed', () => {
    expect(payBucket(0)).toBe(0);
    expect(payBucket(15)).toBe(0);
    expect(payBucket(15.01)).toBe(1);
    expect(payBucket(30)).toBe(1);
    expect(payBucket(61)).toBe(4);
    expect(payBucket(120)).toBe(5);
    expect(payBucket(1440)).toBe(11);
    expect(payBucket(4320)).toBe(13);
  });

  it('puts anything beyond the last edge in the open-ended bucket', () => {
    expect(payBucket(4320.5)).toBe(14);
    expect(payBucket(100_000)).toBe(14);
    expect(PAY_BUCKET_EDGES).toHaveLength(14);
  });

  it('property: the bucket’s edges enclose the time', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 20_000, noNaN: true }), (minutes) => {
        const bucket = payBucket(minutes);
        const upper = PAY_BUCKET_EDGES[bucket];
        const lower = bucket === 0 ? -Infinity : PAY_BUCKET_EDGES[bucket - 1]!;
        expect(minutes).toBeGreaterThan(lower);
        if (upper !== undefined) expect(minutes).toBeLessThanOrEqual(upper);
        else expect(minutes).toBeGreaterThan(4320);
      }),
    );
  });
});

describe('emptyHistogram', () => {
  it('has one zero counter per bucket (edges + the open-ended one) for each group', () => {
    expect(emptyHistogram()).toEqual({ new: Array(15).fill(0), returning: Array(15).fill(0) });
  });

  it('gives fresh, unshared arrays', () => {
    const a = emptyHistogram();
    a.new[0] = 5;
    expect(a.returning[0]).toBe(0);
    expect(emptyHistogram().new[0]).toBe(0);
  });
});

describe('payQuantileMinutes', () => {
  const counts = emptyHistogram().new;
  counts[0] = 5; // ≤ 15
  counts[2] = 3; // ≤ 45
  counts[5] = 2; // ≤ 120

  it('is the upper edge of the bucket in which the share is reached', () => {
    expect(payQuantileMinutes(counts, 0.5, 10)).toBe(15);
    expect(payQuantileMinutes(counts, 0.6, 10)).toBe(45);
    expect(payQuantileMinutes(counts, 0.8, 10)).toBe(45);
    expect(payQuantileMinutes(counts, 0.81, 10)).toBe(120);
    expect(payQuantileMinutes(counts, 0.9, 10)).toBe(120);
    expect(payQuantileMinutes(counts, 1, 10)).toBe(120);
  });

  it('is undefined below minCount payments, or with none at all', () => {
    expect(payQuantileMinutes(counts, 0.9, 11)).toBeUndefined();
    expect(payQuantileMinutes(emptyHistogram().new, 0.9, 0)).toBeUndefined();
    expect(payQuantileMinutes([], 0.5, 0)).toBeUndefined();
  });

  it('is undefined when the share is only reached in the open-ended bucket', () => {
    const late = emptyHistogram().new;
    late[3] = 5;
    late[14] = 5;
    expect(payQuantileMinutes(late, 0.5, 1)).toBe(60);
    expect(payQuantileMinutes(late, 0.51, 1)).toBeUndefined();
  });

  it('property: everyone paying in one bucket gives that bucket’s edge for any share', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 6000, noNaN: true }), fc.integer({ min: 1, max: 500 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (minutes, n, share) => {
        const histogram = emptyHistogram().new;
        histogram[payBucket(minutes)] = n;
        expect(payQuantileMinutes(histogram, share, n)).toBe(PAY_BUCKET_EDGES[payBucket(minutes)]);
      }),
    );
  });

  it('property: monotonic in the share (undefined counting as later than any edge)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 15, maxLength: 15 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (histogram, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const q = (share: number) => payQuantileMinutes(histogram, share, 1) ?? Infinity;
          expect(q(low)).toBeLessThanOrEqual(q(high));
        },
      ),
    );
  });

  it('property: at least the share of the payments fall at or below the quantile', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 15, maxLength: 15 }), fc.double({ min: 0, max: 1, noNaN: true }), (histogram, share) => {
        const total = histogram.reduce((s, n) => s + n, 0);
        const quantile = payQuantileMinutes(histogram, share, 1);
        if (total === 0) return expect(quantile).toBeUndefined();
        if (quantile === undefined) return;
        const bucket = PAY_BUCKET_EDGES.indexOf(quantile as (typeof PAY_BUCKET_EDGES)[number]);
        const atOrBelow = histogram.slice(0, bucket + 1).reduce((s, n) => s + n, 0);
        const below = histogram.slice(0, bucket).reduce((s, n) => s + n, 0);
        expect(atOrBelow).toBeGreaterThanOrEqual(share * total);
        // And it is the first such bucket.
        if (bucket > 0) expect(below).toBeLessThan(share * total);
      }),
    );
  });
});

describe('product rules', () => {
  const rule = (sku: string, extra: Partial<ProductRule> = {}) => productRuleSchema.parse({ sku, updatedAt: '2026-11-01T00:00:00.000Z', ...extra });
  const rules = new Map([
    ['LJ-250', rule('LJ-250', { usageTips: 'sku' })],
    ['product:77', rule('product:77', { usageTips: 'product' })],
    ['*', rule('*', { usageTips: 'default' })],
  ]);

  it('ruleFor: the SKU’s rule, else the product id’s, else the shop default', () => {
    expect(ruleFor({ sku: 'LJ-250', productId: '77' }, rules)?.usageTips).toBe('sku');
    expect(ruleFor({ sku: 'OTHER', productId: '77' }, rules)?.usageTips).toBe('product');
    expect(ruleFor({ productId: '77' }, rules)?.usageTips).toBe('product');
    expect(ruleFor({ sku: 'OTHER', productId: '78' }, rules)?.usageTips).toBe('default');
    expect(ruleFor({}, rules)?.usageTips).toBe('default');
  });

  it('ruleFor: none without a default', () => {
    const noDefault = new Map([...rules].filter(([key]) => key !== '*'));
    expect(ruleFor({ sku: 'OTHER', productId: '78' }, noDefault)).toBeUndefined();
    expect(ruleFor({ sku: 'LJ-250' }, new Map())).toBeUndefined();
  });

  it('a rule’s check-in days default to none', () => {
    expect(rule('X').checkInDays).toEqual([]);
  });

  it('productKeyOf: the SKU, else product:<id>, else title:<first 60 characters>', () => {
    expect(productKeyOf({ sku: 'LJ-250', productId: '77', title: '西湖龙井' })).toBe('LJ-250');
    expect(productKeyOf({ productId: '77', title: '西湖龙井' })).toBe('product:77');
    expect(productKeyOf({ title: '西湖龙井' })).toBe('title:西湖龙井');
    const long = `${'a'.repeat(60)}bbbbbbbbbb`;
    expect(productKeyOf({ title: long })).toBe(`title:${'a'.repeat(60)}`);
  });
});

describe('coveredOrders', () => {
  const paid = { orderId: 'o-paid', paidAt: '2026-11-20T03:00:00.000Z', productKeys: ['LJ-250', 'CUP-1'] };

  it('is the unpaid orders placed before the payment whose products the paid order all has', () => {
    const unpaid = [
      { orderId: 'o-a', createdAt: '2026-11-20T02:00:00.000Z', productKeys: ['LJ-250'] },
      { orderId: 'o-b', createdAt: '2026-11-20T03:00:01.000Z', productKeys: ['LJ-250'] }, // placed after the payment
      { orderId: 'o-c', createdAt: '2026-11-20T02:00:00.000Z', productKeys: ['LJ-250', 'OTHER'] }, // a product the paid order lacks
      { orderId: 'o-d', createdAt: '2026-11-20T02:00:00.000Z', productKeys: [] }, // nothing known about it
      { orderId: 'o-paid', createdAt: '2026-11-20T02:00:00.000Z', productKeys: ['LJ-250'] }, // the paid order itself
      { orderId: 'o-f', createdAt: '2026-11-20T03:00:00.000Z', productKeys: ['CUP-1', 'LJ-250'] }, // placed at the payment time
    ];
    expect(coveredOrders(unpaid, paid).map((u) => u.orderId)).toEqual(['o-a', 'o-f']);
  });

  it('none when there is nothing unpaid', () => {
    expect(coveredOrders([], paid)).toEqual([]);
  });
});

describe('satisfactionScore', () => {
  it('reads a single digit 1–5, half- or full-width', () => {
    expect(['1', '2', '3', '4', '5'].map(satisfactionScore)).toEqual([1, 2, 3, 4, 5]);
    expect(['１', '２', '３', '４', '５'].map(satisfactionScore)).toEqual([1, 2, 3, 4, 5]);
  });

  it('allows a little punctuation and 分 / 星 around it', () => {
    expect(satisfactionScore(' 2 ')).toBe(2);
    expect(satisfactionScore('5分')).toBe(5);
    expect(satisfactionScore('４星')).toBe(4);
    expect(satisfactionScore('“3”')).toBe(3);
    expect(satisfactionScore('「5」')).toBe(5);
    expect(satisfactionScore('（4）')).toBe(4);
    expect(satisfactionScore('(1)')).toBe(1);
    expect(satisfactionScore('5！')).toBe(5);
    expect(satisfactionScore('3。')).toBe(3);
    expect(satisfactionScore('4~~')).toBe(4);
    expect(satisfactionScore('\n5分!\n')).toBe(5);
  });

  it('ignores anything else', () => {
    for (const body of ['', '0', '6', '12', '2 3', 'five', '3 stars', 'STOP', '5 分很好', 'Ⅴ', '-1', '3.5']) {
      expect(satisfactionScore(body), body).toBeUndefined();
    }
  });
});

describe('reachableCutoff', () => {
  const shop = shopWith({ dispatchCutoff: '16:00' });

  it('is the cut-off while it can still be made today in the zone', () => {
    expect(reachableCutoff(shop, 'Asia/Shanghai', new Date('2026-11-20T07:59:00.000Z'))).toBe('16:00'); // 15:59
    expect(reachableCutoff(shop, 'Asia/Shanghai', new Date('2026-11-20T08:00:00.000Z'))).toBe(''); // 16:00
    expect(reachableCutoff(shop, 'Asia/Shanghai', new Date('2026-11-20T12:00:00.000Z'))).toBe(''); // 20:00
    expect(reachableCutoff(shop, 'Asia/Shanghai', new Date('2026-11-19T16:30:00.000Z'))).toBe('16:00'); // 00:30 the next day
  });

  it('reads the time in the zone it is given', () => {
    const now = new Date('2026-11-20T08:30:00.000Z'); // 16:30 in Shanghai, 08:30 in London
    expect(reachableCutoff(shop, 'Asia/Shanghai', now)).toBe('');
    expect(reachableCutoff(shop, 'Europe/London', now)).toBe('16:00');
  });

  it('is empty without a cut-off', () => {
    expect(reachableCutoff(shopWith(), 'Asia/Shanghai', new Date('2026-11-20T01:00:00.000Z'))).toBe('');
  });
});

describe('orderVars', () => {
  const order = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
    shopId: 'tea-house',
    orderId: 'o-1',
    orderNumber: '#1001',
    customerId: 'c-1',
    currency: 'CNY',
    total: '336.00',
    lineItems: [
      { lineItemId: 'li-1', sku: 'LJ-250', title: '西湖龙井', quantity: 2, price: '168.00' },
      { lineItemId: 'li-2', title: '玻璃杯', quantity: 1, price: '0.00' },
    ],
    status: 'shipped',
    milestones: { created: '2026-11-20T02:00:00.000Z' },
    shipments: [
      { id: 'a', carrier: '中通快递', trackingNumber: 'ZT1' },
      { id: 'b', carrier: '顺丰速运', trackingNumber: 'SF2', trackingUrl: 'https://t.example/SF2' },
    ],
    checkpoints: [
      { id: 'c1', at: '2026-11-20T23:00:00.000Z', status: 'in_transit', location: '杭州转运中心', message: '已到达' },
      { id: 'c2', at: '2026-11-21T23:00:00.000Z', status: 'in_transit', location: '上海浦东营业部', message: '派送准备中' },
    ],
    refunds: [],
    version: 3,
    updatedAt: '2026-11-21T23:00:00.000Z',
    ...overrides,
  });

  it('fills the order’s variables from its newest shipment and checkpoint, in Chinese', () => {
    expect(orderVars(order(), 'zh-CN')).toEqual({
      order_number: '#1001',
      order_total: '¥336.00',
      item_titles: '西湖龙井、玻璃杯',
      carrier: '顺丰速运',
      tracking_number: 'SF2',
      tracking_url: 'https://t.example/SF2',
      pay_url: '',
      parcel_location: '上海浦东营业部',
      parcel_status: '派送准备中',
    });
  });

  it('gives the pay link of an order that has one', () => {
    expect(orderVars(order({ payUrl: 'https://shop.example/pay/1001' }), 'zh-CN').pay_url).toBe('https://shop.example/pay/1001');
  });

  it('in English: the total formatted for English, titles joined by commas', () => {
    expect(orderVars(order(), 'en')).toMatchObject({ order_total: 'CN¥336.00', item_titles: '西湖龙井, 玻璃杯' });
  });

  it('gives empty strings for what is not known', () => {
    const bare = order({ orderNumber: undefined, currency: undefined, lineItems: [], shipments: [], checkpoints: [] });
    expect(orderVars(bare, 'zh-CN')).toEqual({
      order_number: '',
      order_total: '',
      item_titles: '',
      carrier: '',
      tracking_number: '',
      tracking_url: '',
      pay_url: '',
      parcel_location: '',
      parcel_status: '',
    });
  });

  it('cuts the item titles at 80 characters', () => {
    const lineItems = Array.from({ length: 5 }, (_, i) => ({ lineItemId: `li-${i}`, title: `${i}`.repeat(20), quantity: 1, price: '1.00' }));
    const titles = orderVars(order({ lineItems }), 'en').item_titles ?? '';
    expect(titles).toHaveLength(80);
    expect(titles).toBe(lineItems.map((l) => l.title).join(', ').slice(0, 80));
    expect(titles.startsWith(`${'0'.repeat(20)}, ${'1'.repeat(20)}, `)).toBe(true);
  });
});

describe('a stalled parcel', () => {
  const stalled: OrderRecord = {
    shopId: 'tea-house',
    orderId: 'o-1',
    customerId: 'c-1',
    lineItems: [],
    status: 'shipped',
    milestones: { created: '2026-11-20T02:00:00.000Z', shipped: '2026-11-20T08:00:00.000Z' },
    shipments: [{ id: 'a', carrier: '中通快递', trackingNumber: 'ZT1' }],
    checkpoints: [],
    refunds: [],
    version: 2,
    updatedAt: '2026-11-20T08:00:00.000Z',
  };

  it('has the customer’s message planned before the event and the alert, so a bus that fails cannot lose it (the stall is counted only once)', async () => {
    const schedule = vi.fn(async (_request: { taskKey: string }, _now: Date) => 'scheduled' as const);
    const alertOps = vi.fn(async () => {});
    const deps = {
      clock: manualClock('2026-11-23T04:00:00.000Z'),
      journeys: { countOnce: async () => true, flagStalled: async () => {} },
      tasks: { schedule },
      publisher: { publish: async () => Promise.reject(new Error('bus down')) },
      alertOps,
      loadShop: async () => shopWith(),
      store: { addTimelineNote: async () => {}, getProfile: async () => undefined },
    } as unknown as JourneyDeps;
    await expect(parcelStalled(stalled, 'no_checkpoint', 'no news for 48 h', deps)).rejects.toThrow('bus down');
    expect(schedule).toHaveBeenCalledTimes(1);
    expect(schedule.mock.calls[0]![0]).toMatchObject({ taskKey: expect.stringContaining('shipment-delay'), payload: { kind: 'shipment_delay', customerId: 'c-1' } });
    expect(alertOps).not.toHaveBeenCalled();
  });

  it('reads the shop and the profile before the stall is counted, so a failed read is retried whole rather than losing the message', async () => {
    const countOnce = vi.fn(async () => true);
    const deps = {
      clock: manualClock('2026-11-23T04:00:00.000Z'),
      journeys: { countOnce, flagStalled: async () => {} },
      tasks: { schedule: async () => 'scheduled' },
      publisher: { publish: async () => {} },
      alertOps: async () => {},
      loadShop: async () => shopWith(),
      store: { addTimelineNote: async () => {}, getProfile: async () => Promise.reject(new Error('throttled')) },
    } as unknown as JourneyDeps;
    await expect(parcelStalled(stalled, 'no_checkpoint', 'no news for 48 h', deps)).rejects.toThrow('throttled');
    expect(countOnce).not.toHaveBeenCalled();
  });

  /** The shipment_delay task a stall found at `now` schedules, for a customer whose profile names `customerTimezone`. */
  async function delayTask(now: string, customerTimezone?: string) {
    const schedule = vi.fn(async (_request: { dueAt: Date; firstDueAt?: Date }, _now: Date) => 'scheduled' as const);
    const profile = { shopId: 'tea-house', customerId: 'c-1', orderCount: 1, totalSpentMinor: 0, version: 1, createdAt: now, updatedAt: now, ...(customerTimezone ? { customerTimezone } : {}) };
    const deps = {
      clock: manualClock(now),
      journeys: { countOnce: async () => true, flagStalled: async () => {} },
      tasks: { schedule },
      publisher: { publish: async () => {} },
      alertOps: async () => {},
      loadShop: async () => shopWith(),
      store: { addTimelineNote: async () => {}, getProfile: async () => profile },
    } as unknown as JourneyDeps;
    await parcelStalled(stalled, 'no_checkpoint', 'no news for 48 h', deps);
    const { dueAt, firstDueAt } = schedule.mock.calls[0]![0];
    return { dueAt: dueAt.toISOString(), firstDueAt: firstDueAt?.toISOString() };
  }

  it('plans the customer’s message for the first moment their time rules allow, and keeps when it was wanted', async () => {
    // 02:00 in Shanghai (the shop's zone): held to 09:00, wanted at 02:00.
    expect(await delayTask('2026-11-22T18:00:00.000Z')).toEqual({ dueAt: '2026-11-23T01:00:00.000Z', firstDueAt: '2026-11-22T18:00:00.000Z' });
    // The same moment is 18:00 in London, the customer's own zone: due at once.
    expect(await delayTask('2026-11-22T18:00:00.000Z', 'Europe/London')).toEqual({ dueAt: '2026-11-22T18:00:00.000Z', firstDueAt: undefined });
  });
});
