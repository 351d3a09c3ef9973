import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JourneyCommand } from '../../shared/journeys/commands.ts';
import { payGroupOf, planOrderChange, reminderDelayMinutes } from '../../shared/journeys/order-planner.ts';
import { emptyHistogram, type PayHistogram } from '../../shared/journeys/pay-latency.ts';
import { type ProductRule, productRuleSchema } from '../../shared/journeys/products.ts';
import type { Milestone, OrderRecord, StoredCheckpoint, StoredRefund, StoredShipment } from '../../shared/orders/order-record.ts';
import { transitionsBetween, type Transition } from '../../shared/orders/order-state.ts';
import { type Profile, type ProfileItem, profileView } from '../../shared/profiles/profile.ts';
import { type Shop, shopSchema } from '../../shared/shops/shop.ts';
import { timeRulesFor } from '../../shared/messages/send-decision.ts';
import { isSendable } from '../../shared/timing/send-time.ts';

// Pure tests of the order-lifecycle planner: exact commands for each rule. Times are written as
// Shanghai wall-clock (UTC+8, no DST) and compared as UTC ISO strings.

const SHOP_ID = 'tea-house';
const CUSTOMER = 'c-1';
const ORDER = 'o-1';
const ENDED = ['cancelled', 'refunded'];
const PAYMENT_OVER = ['paid', 'cancelled', 'closed', 'refunded'];

/** 'YYYY-MM-DD HH:mm' (or with :ss) in Shanghai → UTC ISO string. */
function sh(local: string): string {
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  return new Date(`${withSeconds.replace(' ', 'T')}+08:00`).toISOString();
}

function plusMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function shopWith(journeys: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Shop {
  return shopSchema.parse({
    shopId: SHOP_ID,
    platform: 'shopify',
    secrets: [{ value: 'tea-house-secret-0123456789', addedAt: '2026-11-01T00:00:00.000Z' }],
    timezone: 'Asia/Shanghai',
    createdAt: '2026-11-01T00:00:00.000Z',
    journeys,
    ...extra,
  });
}
const SHOP = shopWith();

const T0 = sh('2026-11-20 10:00');
const tea = { lineItemId: 'li-1', sku: 'LJ-250', title: '西湖龙井', quantity: 1, price: '168.00' };
const cup = { lineItemId: 'li-2', sku: 'CUP-1', title: '玻璃杯', quantity: 1, price: '30.00' };
const towel = { lineItemId: 'li-3', productId: '77', title: '茶巾', quantity: 1, price: '12.00' };

function order(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    shopId: SHOP_ID,
    orderId: ORDER,
    orderNumber: '#1001',
    customerId: CUSTOMER,
    currency: 'CNY',
    total: '168.00',
    lineItems: [tea],
    status: 'pending_payment',
    milestones: { created: T0 },
    shipments: [],
    checkpoints: [],
    refunds: [],
    version: 1,
    updatedAt: T0,
    ...overrides,
  };
}

function profile(overrides: Partial<ProfileItem> = {}): Profile {
  return profileView(
    {
      shopId: SHOP_ID,
      customerId: CUSTOMER,
      orderCount: 1,
      totalSpentMinor: 0,
      firstOrderAt: T0,
      lastOrderAt: T0,
      version: 1,
      createdAt: T0,
      updatedAt: T0,
      ...overrides,
    },
    SHOP,
  );
}
const newCustomer = () => profile();
const returningCustomer = () => profile({ orderCount: 3, firstOrderAt: sh('2026-10-01 12:00'), lastOrderAt: T0 });

function rule(sku: string, extra: Partial<ProductRule> = {}): ProductRule {
  return productRuleSchema.parse({ sku, updatedAt: '2026-11-01T00:00:00.000Z', ...extra });
}

const milestone = (m: Milestone, at: string): Transition => ({ kind: 'milestone', milestone: m, at });
const checkpointT = (checkpoint: StoredCheckpoint): Transition => ({ kind: 'checkpoint', checkpoint });
const refundT = (refund: StoredRefund): Transition => ({ kind: 'refund', refund });

function checkpoint(at: string, status: StoredCheckpoint['status'] = 'in_transit', extra: Partial<StoredCheckpoint> = {}): StoredCheckpoint {
  return { id: `cp-${at}-${status}`, at, status, ...extra };
}
function shipment(trackingNumber: string | undefined, carrier?: string): StoredShipment {
  return { id: trackingNumber ?? 'default', ...(trackingNumber ? { trackingNumber } : {}), ...(carrier ? { carrier } : {}) };
}

interface PlanArgs {
  shop?: Shop;
  before?: OrderRecord;
  after: OrderRecord;
  transitions: Transition[];
  /** null: no profile at all. */
  profile?: Profile | null;
  products?: ProductRule[];
  histogram?: PayHistogram;
  now: string;
}

function plan(args: PlanArgs): JourneyCommand[] {
  return planOrderChange({
    shop: args.shop ?? SHOP,
    before: args.before,
    after: args.after,
    transitions: args.transitions,
    profile: args.profile === null ? undefined : (args.profile ?? newCustomer()),
    products: new Map((args.products ?? []).map((r) => [r.sku, r])),
    payHistogram: args.histogram,
    now: new Date(args.now),
  });
}

/** Bookkeeping commands (daily counters, repurchase attribution) have tests of their own; the journey tests leave them out. */
const BOOKKEEPING = new Set<string>(['count', 'repurchase_check']);
const journeyOnly = (commands: JourneyCommand[]) => commands.filter((c) => !BOOKKEEPING.has(c.type));

/** The journey commands as plain data, with due times as ISO strings. */
function view(commands: JourneyCommand[]): unknown[] {
  return journeyOnly(commands).map((c) =>
    c.type === 'schedule' ? { ...c, task: { ...c.task, dueAt: c.task.dueAt.toISOString(), ...(c.task.firstDueAt ? { firstDueAt: c.task.firstDueAt.toISOString() } : {}) } } : c,
  );
}

const PRIORITY: Record<string, number> = {
  payment_reminder: 80,
  payment_last_chance: 85,
  order_shipped: 70,
  parcel_update: 50,
  out_for_delivery: 60,
  delivered: 60,
  delivery_care: 40,
  check_in: 30,
  review_request: 20,
  active_window_touch: 10,
  repurchase_reminder: 30,
};

/** The expected schedule command of a journey message, written out by hand. */
function msg(
  kind: string,
  messageKey: string,
  dueAt: string,
  options: {
    vars?: Record<string, string>;
    variant?: string;
    stopIf?: string[];
    cutoff?: boolean;
    orderedAfter?: string;
    taskKey?: string;
    mode?: 'keep' | 'move';
    /** When the message was wanted, if quiet hours hold it to `dueAt`. */
    wantedAt?: string;
    /** The message planned to follow it (in its payload, scheduled when it is done). */
    then?: Record<string, unknown>;
  } = {},
) {
  return {
    type: 'schedule',
    mode: options.mode ?? 'keep',
    task: {
      shopId: SHOP_ID,
      taskKey: options.taskKey ?? `msg:${messageKey}`,
      kind: 'send_message',
      dueAt,
      ...(options.wantedAt ? { firstDueAt: options.wantedAt } : {}),
      priority: PRIORITY[kind],
      payload: {
        customerId: CUSTOMER,
        kind,
        messageKey,
        vars: options.vars ?? {},
        ...(options.variant ? { variant: options.variant } : {}),
        journey: {
          orderId: ORDER,
          stopIf: options.stopIf ?? ENDED,
          ...(options.cutoff ? { cutoff: true } : {}),
          ...(options.orderedAfter ? { orderedAfter: options.orderedAfter } : {}),
        },
        ...(options.then ? { then: options.then } : {}),
      },
    },
  };
}

const reminder = (dueAt: string, variant: 'new' | 'returning', then?: Record<string, unknown>) =>
  msg('payment_reminder', `payment-reminder:${ORDER}:1`, dueAt, { variant, stopIf: PAYMENT_OVER, cutoff: true, ...(then ? { then } : {}) });
/** The last-chance reminder as the first reminder's follow-up (its task is scheduled when the first is done; it is checked against the first's journey). */
const lastChance = (dueAt: string, wantedAt?: string) => ({
  kind: 'payment_last_chance',
  messageKey: `payment-reminder:${ORDER}:last`,
  dueAt,
  ...(wantedAt ? { firstDueAt: wantedAt } : {}),
});
/** The last chance planned with the first reminder (which must be there): when it is due, and when it was wanted. */
const lastOf = (commands: JourneyCommand[]) => {
  const first = scheduled(commands, `msg:payment-reminder:${ORDER}:1`);
  expect(first).toHaveLength(1);
  return first.flatMap((c) => {
    const then = c.task.payload?.then as { dueAt: string; firstDueAt?: string } | undefined;
    return then ? [{ due: then.dueAt, wanted: then.firstDueAt ?? then.dueAt }] : [];
  });
};
const activeTouch = (createdAt: string, dueAt: string, productTitle = '西湖龙井') =>
  msg('active_window_touch', `active-window:${CUSTOMER}:${createdAt.slice(0, 10)}`, dueAt, {
    mode: 'move',
    taskKey: `msg:active-window:${CUSTOMER}`,
    vars: { product_title: productTitle },
    orderedAfter: createdAt,
  });
const atRisk = (createdAt: string, dueAt: string) => ({
  type: 'schedule',
  mode: 'move',
  task: { shopId: SHOP_ID, taskKey: `at-risk:${CUSTOMER}`, kind: 'at_risk_check', dueAt, payload: { customerId: CUSTOMER, lastOrderAt: createdAt } },
});
const stallCheck = (dueAt: string) => ({
  type: 'schedule',
  mode: 'keep',
  task: { shopId: SHOP_ID, taskKey: `stall-check:${ORDER}`, kind: 'stall_check', dueAt, payload: { orderId: ORDER } },
});
const repurchase = (sku: string, dueAt: string, title: string) =>
  msg('repurchase_reminder', `repurchase:${CUSTOMER}:${sku}:${ORDER}`, dueAt, {
    mode: 'move',
    taskKey: `msg:repurchase:${CUSTOMER}:${sku}`,
    vars: { product_title: title },
    stopIf: ['cancelled', 'refunded'],
  });

type Schedule = Extract<JourneyCommand, { type: 'schedule' }>;
const schedules = (commands: JourneyCommand[]): Schedule[] => commands.filter((c): c is Schedule => c.type === 'schedule');
const taskKeys = (commands: JourneyCommand[]) => schedules(commands).map((c) => c.task.taskKey);
const scheduled = (commands: JourneyCommand[], taskKey: string) => schedules(commands).filter((c) => c.task.taskKey === taskKey);
const dueOf = (commands: JourneyCommand[], taskKey: string) => scheduled(commands, taskKey).map((c) => c.task.dueAt.toISOString());
/** When the message was wanted: its due time, unless quiet hours hold it later. */
const wantedOf = (commands: JourneyCommand[], taskKey: string) => scheduled(commands, taskKey).map((c) => (c.task.firstDueAt ?? c.task.dueAt).toISOString());
const ofType = <T extends JourneyCommand['type']>(commands: JourneyCommand[], type: T) =>
  commands.filter((c): c is Extract<JourneyCommand, { type: T }> => c.type === type);

const createdPlan = (args: Partial<PlanArgs> & { after?: OrderRecord } = {}) =>
  plan({ after: order(), transitions: [milestone('created', T0)], now: T0, ...args });

// ---------------------------------------------------------------------------------------------

describe('payment reminders on an unpaid order', () => {
  it('a new customer: the reminder 120 min after the order, the last chance 22 h after it (held to 09:00, when quiet hours end), the unpaid entry, the active window', () => {
    expect(view(createdPlan())).toEqual([
      reminder(sh('2026-11-20 12:00'), 'new', lastChance(sh('2026-11-21 09:00'), sh('2026-11-21 08:00'))),
      { type: 'unpaid_add', customerId: CUSTOMER, orderId: ORDER, createdAt: T0, productKeys: ['LJ-250'] },
      activeTouch(T0, sh('2026-12-19 10:00')),
      atRisk(T0, sh('2026-12-20 10:00')),
    ]);
  });

  it('a returning customer: the reminder 180 min after the order, variant returning', () => {
    const commands = createdPlan({ profile: returningCustomer() });
    expect(view(commands).slice(0, 1)).toEqual([reminder(sh('2026-11-20 13:00'), 'returning', lastChance(sh('2026-11-21 09:00'), sh('2026-11-21 08:00')))]);
  });

  it('with no profile at all the customer counts as new', () => {
    expect(dueOf(createdPlan({ profile: null }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 12:00')]);
    // No profile: nothing newer is known, so the active window is planned.
    expect(taskKeys(createdPlan({ profile: null }))).toContain(`at-risk:${CUSTOMER}`);
  });

  it('follows the shop’s configured delays', () => {
    const shop = shopWith({ reminderDelayNewMinutes: 45, reminderDelayReturningMinutes: 300 });
    expect(dueOf(createdPlan({ shop }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 10:45')]);
    expect(dueOf(createdPlan({ shop, profile: returningCustomer() }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 15:00')]);
  });

  it('product keys of the unpaid entry are deduplicated: SKU, else product:<id>, else title:<title>', () => {
    const after = order({ lineItems: [tea, { ...tea, lineItemId: 'li-9' }, towel, { lineItemId: 'li-4', title: '礼盒', quantity: 1, price: '1.00' }] });
    expect(ofType(createdPlan({ after }), 'unpaid_add')).toEqual([
      { type: 'unpaid_add', customerId: CUSTOMER, orderId: ORDER, createdAt: T0, productKeys: ['LJ-250', 'product:77', 'title:礼盒'] },
    ]);
  });

  describe('learned delay', () => {
    it('uses the p90 bucket edge of the group once it has 50 payments', () => {
      const histogram = emptyHistogram();
      histogram.new[4] = 45; // ≤ 90 min
      histogram.new[7] = 5; // ≤ 240 min
      expect(dueOf(createdPlan({ histogram }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 11:30')]);
      expect(reminderDelayMinutes(SHOP, 'new', histogram)).toEqual({ minutes: 90, learned: true });
    });

    it('keeps the configured delay below learnAfterPaidOrders payments', () => {
      const histogram = emptyHistogram();
      histogram.new[4] = 44;
      histogram.new[7] = 5; // 49 payments
      expect(dueOf(createdPlan({ histogram }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 12:00')]);
      expect(reminderDelayMinutes(SHOP, 'new', histogram)).toEqual({ minutes: 120, learned: false });
    });

    it('honours a lower learnAfterPaidOrders', () => {
      const shop = shopWith({ learnAfterPaidOrders: 10 });
      const histogram = emptyHistogram();
      histogram.new[1] = 9; // ≤ 30 min
      histogram.new[9] = 1; // ≤ 480 min
      expect(dueOf(createdPlan({ shop, histogram }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 10:30')]);
    });

    it('learns per group: returning customers use their own history', () => {
      const histogram = emptyHistogram();
      histogram.new[4] = 50;
      expect(reminderDelayMinutes(SHOP, 'returning', histogram)).toEqual({ minutes: 180, learned: false });
      histogram.returning[8] = 60; // ≤ 360 min
      expect(dueOf(createdPlan({ histogram, profile: returningCustomer() }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 16:00')]);
    });

    it('learnReminderDelay: false ignores the history', () => {
      const histogram = emptyHistogram();
      histogram.new[4] = 500;
      const shop = shopWith({ learnReminderDelay: false });
      expect(dueOf(createdPlan({ shop, histogram }), `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 12:00')]);
      expect(reminderDelayMinutes(shop, 'new', histogram)).toEqual({ minutes: 120, learned: false });
    });

    it('a share only reached in the open-ended last bucket keeps the configured delay', () => {
      const histogram = emptyHistogram();
      histogram.new[14] = 100;
      expect(reminderDelayMinutes(SHOP, 'new', histogram)).toEqual({ minutes: 120, learned: false });
    });

    it('a learned delay of a day leaves no room for the last chance', () => {
      const histogram = emptyHistogram();
      histogram.new[11] = 50; // ≤ 1440 min
      const commands = createdPlan({ histogram });
      expect(dueOf(commands, `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-21 10:00')]);
      expect(lastOf(commands)).toEqual([]);
    });
  });

  describe('last chance', () => {
    it('goes autoCloseHours − lastChanceHoursBefore after the order when that is ≥ 2 h after the first reminder', () => {
      expect(lastOf(createdPlan({ shop: shopWith({ autoCloseHours: 6 }) }))).toEqual([{ due: sh('2026-11-20 14:00'), wanted: sh('2026-11-20 14:00') }]);
      expect(lastOf(createdPlan({ shop: shopWith({ lastChanceHoursBefore: 6 }) }))).toEqual([{ due: sh('2026-11-21 09:00'), wanted: sh('2026-11-21 04:00') }]);
    });

    it('is planned with the first reminder, not scheduled: its task is made when the first is done', () => {
      expect(taskKeys(createdPlan())).not.toContain(`msg:payment-reminder:${ORDER}:last`);
    });

    it('is left out when the auto-close is too close to the first reminder', () => {
      expect(lastOf(createdPlan({ shop: shopWith({ autoCloseHours: 5 }) }))).toEqual([]); // 3 h vs 2 h
      expect(lastOf(createdPlan({ shop: shopWith({ autoCloseHours: 4 }) }))).toEqual([]); // 2 h vs 2 h
      // Returning: first at 3 h, last at 4 h.
      expect(lastOf(createdPlan({ shop: shopWith({ autoCloseHours: 6 }), profile: returningCustomer() }))).toEqual([]);
    });
  });

  it('paymentReminders: false: no reminder, no last chance, no call, no unpaid entry', () => {
    const shop = shopWith({ paymentReminders: false });
    const commands = createdPlan({ shop, after: order({ total: '5000.00' }) });
    expect(view(commands)).toEqual([activeTouch(T0, sh('2026-12-19 10:00')), atRisk(T0, sh('2026-12-20 10:00'))]);
  });

  it('an order paid in the change that created it gets no reminder', () => {
    const paidAt = plusMs(T0, 5 * MIN);
    const commands = plan({ after: order({ milestones: { created: T0, paid: paidAt } }), transitions: [milestone('created', T0), milestone('paid', paidAt)], now: paidAt });
    // The first reminder's cancel only: its follow-up cannot exist before it has run.
    expect(journeyOnly(commands).map((c) => c.type)).toEqual(['schedule', 'schedule', 'cancel', 'close_call', 'unpaid_remove', 'cancel_covered', 'payment']);
    expect(taskKeys(commands)).toEqual([`msg:active-window:${CUSTOMER}`, `at-risk:${CUSTOMER}`]);
    expect(ofType(commands, 'unpaid_add')).toEqual([]);
  });

  it('an order already cancelled when it is first seen: no reminder and no active window', () => {
    const cancelledAt = plusMs(T0, 10 * MIN);
    const commands = plan({ after: order({ milestones: { created: T0, cancelled: cancelledAt } }), transitions: [milestone('created', T0), milestone('cancelled', cancelledAt)], now: cancelledAt });
    expect(schedules(commands)).toEqual([]);
  });
});

describe('payGroupOf', () => {
  const created = order();
  it('is new without a profile or with one order, returning with an earlier first order', () => {
    expect(payGroupOf(undefined, created)).toBe('new');
    expect(payGroupOf(profile({ orderCount: 1 }), created)).toBe('new');
    expect(payGroupOf(profile({ orderCount: 0 }), created)).toBe('new');
    expect(payGroupOf(profile({ orderCount: 2, firstOrderAt: sh('2026-11-01 09:00') }), created)).toBe('returning');
  });

  it('is new for the customer’s first order even when later orders are already counted', () => {
    expect(payGroupOf(profile({ orderCount: 2, firstOrderAt: T0 }), created)).toBe('new');
    // An older order that arrives late is older than the first known one: still the first.
    expect(payGroupOf(profile({ orderCount: 2, firstOrderAt: sh('2026-11-21 09:00') }), created)).toBe('new');
  });

  it('is returning when the order has no created time or the first order time is unknown', () => {
    expect(payGroupOf(profile({ orderCount: 2, firstOrderAt: T0 }), order({ milestones: {} }))).toBe('returning');
    expect(payGroupOf(profile({ orderCount: 2, firstOrderAt: undefined }), created)).toBe('returning');
  });
});

describe('the staff call for a large unpaid order', () => {
  const big = (overrides: Partial<OrderRecord> = {}) => order({ total: '2680.00', lineItems: [{ ...tea, quantity: 10, price: '268.00' }], ...overrides });
  const callOf = (commands: JourneyCommand[]) => ofType(commands, 'open_call').map((c) => c.call);

  it('a reminder at 12:00 (the end of the first window) places the call at 15:30', () => {
    const commands = createdPlan({ after: big() });
    expect(callOf(commands)).toEqual([
      {
        shopId: SHOP_ID,
        orderId: ORDER,
        customerId: CUSTOMER,
        orderNumber: '#1001',
        total: 'CN¥2,680.00',
        dueAt: sh('2026-11-20 15:30'),
        localDue: '2026-11-20 15:30 Asia/Shanghai',
        status: 'open',
        createdAt: T0,
        updatedAt: T0,
      },
    ]);
    expect(journeyOnly(commands).map((c) => c.type)).toEqual(['schedule', 'open_call', 'unpaid_add', 'schedule', 'schedule']);
  });

  it('a reminder inside a window keeps its time', () => {
    const created = sh('2026-11-20 09:30');
    const commands = createdPlan({ after: big({ milestones: { created } }), transitions: [milestone('created', created)], now: created });
    expect(callOf(commands).map((c) => [c.dueAt, c.localDue])).toEqual([[sh('2026-11-20 11:30'), '2026-11-20 11:30 Asia/Shanghai']]);
    const afternoon = sh('2026-11-20 14:00');
    const later = createdPlan({ after: big({ milestones: { created: afternoon } }), transitions: [milestone('created', afternoon)], now: afternoon });
    expect(callOf(later).map((c) => c.localDue)).toEqual(['2026-11-20 16:00 Asia/Shanghai']);
  });

  it('a returning customer’s order at 23:30: reminder wanted at 02:30 and due at 09:00, call at 11:00 the next day', () => {
    const created = sh('2026-11-20 23:30');
    const commands = createdPlan({
      after: big({ milestones: { created } }),
      transitions: [milestone('created', created)],
      now: created,
      profile: returningCustomer(),
    });
    expect(wantedOf(commands, `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-21 02:30')]);
    expect(dueOf(commands, `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-21 09:00')]);
    expect(callOf(commands).map((c) => [c.dueAt, c.localDue])).toEqual([[sh('2026-11-21 11:00'), '2026-11-21 11:00 Asia/Shanghai']]);
  });

  it('a reminder after the last window waits for the next morning’s window', () => {
    const created = sh('2026-11-20 15:00');
    const commands = createdPlan({ after: big({ milestones: { created } }), transitions: [milestone('created', created)], now: created });
    expect(callOf(commands).map((c) => c.localDue)).toEqual(['2026-11-21 11:00 Asia/Shanghai']);
  });

  it('from exactly callFromMinor, not below it', () => {
    expect(callOf(createdPlan({ after: big({ total: '1000.00' }) }))).toHaveLength(1);
    expect(callOf(createdPlan({ after: big({ total: '999.99' }) }))).toEqual([]);
    expect(callOf(createdPlan({ after: big({ total: '300.00' }), shop: shopWith({ callFromMinor: 30_000 }) }))).toHaveLength(1);
  });

  it('callFromMinor: 0 never calls', () => {
    expect(callOf(createdPlan({ after: big({ total: '99999.00' }), shop: shopWith({ callFromMinor: 0 }) }))).toEqual([]);
  });

  it('without a currency the total is unknown: no call', () => {
    expect(callOf(createdPlan({ after: big({ currency: undefined }) }))).toEqual([]);
  });

  it('uses the shop’s own call windows', () => {
    const shop = shopWith({ callWindows: [{ start: '19:00', end: '20:00' }] });
    expect(callOf(createdPlan({ after: big(), shop })).map((c) => c.localDue)).toEqual(['2026-11-20 19:00 Asia/Shanghai']);
  });

  it('is placed on the customer’s own clock when the profile has a time zone', () => {
    const created = '2026-11-20T08:00:00.000Z'; // 09:00 in Berlin: reminder at 11:00, inside the window
    const commands = createdPlan({
      after: big({ milestones: { created }, orderNumber: undefined }),
      transitions: [milestone('created', created)],
      now: created,
      profile: profile({ customerTimezone: 'Europe/Berlin', firstOrderAt: created, lastOrderAt: created }),
    });
    const [call] = callOf(commands);
    expect(call).toMatchObject({ dueAt: '2026-11-20T10:00:00.000Z', localDue: '2026-11-20 11:00 Europe/Berlin' });
    expect(call).not.toHaveProperty('orderNumber');
  });
});

describe('on paid', () => {
  const paidAt = sh('2026-11-20 11:35');
  const teaRule = rule('LJ-250', { repurchaseCycleDays: 30 });
  const before = order({ lineItems: [{ ...tea, quantity: 2 }], total: '336.00' });
  const after = order({ lineItems: [{ ...tea, quantity: 2 }], total: '336.00', status: 'paid', milestones: { created: T0, paid: paidAt } });

  it('stops the reminders and the call, counts the payment, covers older unpaid orders, and moves the repurchase from the payment', () => {
    const commands = plan({ before, after, transitions: [milestone('paid', paidAt)], products: [teaRule], now: paidAt });
    expect(view(commands)).toEqual([
      // Paid at 11:35, before the first reminder (12:00): there is no last chance to cancel yet.
      { type: 'cancel', taskKey: `msg:payment-reminder:${ORDER}:1`, reason: 'paid' },
      { type: 'close_call', orderId: ORDER, reason: 'paid' },
      { type: 'unpaid_remove', customerId: CUSTOMER, orderId: ORDER },
      { type: 'cancel_covered', customerId: CUSTOMER, paidOrderId: ORDER, paidAt, productKeys: ['LJ-250'] },
      {
        type: 'payment',
        customerId: CUSTOMER,
        group: 'new',
        minutesToPay: 95,
        paidAt,
        amountMinor: 33_600,
        currency: 'CNY',
        reminderKeys: [`payment-reminder:${ORDER}:1`, `payment-reminder:${ORDER}:last`],
      },
      // paid + 30 × 2 − 3 = 57 days
      repurchase('LJ-250', sh('2027-01-16 11:35'), '西湖龙井'),
    ]);
  });

  it('paid after the first reminder: its last chance, scheduled by then, is cancelled too', () => {
    const late = sh('2026-11-20 15:00');
    const commands = plan({ before, after: { ...after, milestones: { created: T0, paid: late } }, transitions: [milestone('paid', late)], now: late });
    expect(ofType(commands, 'cancel').map((c) => c.taskKey)).toEqual([`msg:payment-reminder:${ORDER}:1`, `msg:payment-reminder:${ORDER}:last`]);
  });

  it('counts a returning customer’s payment in the returning group, with fractional minutes', () => {
    const at = plusMs(T0, 90.5 * MIN);
    const commands = plan({ before, after: { ...after, milestones: { created: T0, paid: at } }, transitions: [milestone('paid', at)], profile: returningCustomer(), now: at });
    expect(ofType(commands, 'payment')).toMatchObject([{ group: 'returning', minutesToPay: 90.5, paidAt: at }]);
  });

  it('never counts negative minutes to pay (a paid time before the created time)', () => {
    const at = plusMs(T0, -3 * MIN);
    const commands = plan({ before, after: { ...after, milestones: { created: T0, paid: at } }, transitions: [milestone('paid', at)], now: T0 });
    expect(ofType(commands, 'payment')).toMatchObject([{ minutesToPay: 0 }]);
  });

  it('without a currency or created time there is no payment to count, but reminders still stop', () => {
    const noCurrency = plan({ before, after: { ...after, currency: undefined }, transitions: [milestone('paid', paidAt)], now: paidAt });
    expect(ofType(noCurrency, 'payment')).toEqual([]);
    expect(ofType(noCurrency, 'cancel')).toHaveLength(1);
    const noCreated = plan({ before, after: { ...after, milestones: { paid: paidAt } }, transitions: [milestone('paid', paidAt)], now: paidAt });
    expect(ofType(noCreated, 'payment')).toEqual([]);
  });

  it('a repurchase that would already be due goes now', () => {
    const now = sh('2027-03-01 09:00');
    const commands = plan({ before, after, transitions: [milestone('paid', paidAt)], products: [teaRule], now });
    expect(dueOf(commands, `msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([now]);
  });
});

describe('shipped', () => {
  const paidAt = sh('2026-11-20 10:05');
  const shippedAt = sh('2026-11-20 15:00');
  const before = order({ status: 'paid', milestones: { created: T0, paid: paidAt } });
  const after = (overrides: Partial<OrderRecord> = {}) =>
    order({ status: 'shipped', milestones: { created: T0, paid: paidAt, shipped: shippedAt }, shipments: [shipment('SF1456789012345', '顺丰速运')], ...overrides });
  const orderShipped = (dueAt: string) => msg('order_shipped', `shipped:${ORDER}`, dueAt, { stopIf: ['delivered', ...ENDED] });

  it('tracks the parcel, tells the customer, and arms the stall check at shipped + 48 h', () => {
    const commands = plan({ before, after: after(), transitions: [milestone('shipped', shippedAt)], now: shippedAt });
    expect(view(commands)).toEqual([
      { type: 'track_parcel', trackingNumber: 'SF1456789012345', carrier: '顺丰速运' },
      orderShipped(shippedAt),
      stallCheck(sh('2026-11-22 15:00')),
    ]);
  });

  it('a late webhook: the notice goes now; the stall check follows stallAfterHours', () => {
    const now = sh('2026-11-20 18:20');
    const commands = plan({ before, after: after(), transitions: [milestone('shipped', shippedAt)], now, shop: shopWith({ stallAfterHours: 24 }) });
    expect(view(commands).slice(1)).toEqual([orderShipped(now), stallCheck(sh('2026-11-21 15:00'))]);
  });

  it('a shipped milestone that came with an exception checkpoint: no "shipped" notice, a stall instead', () => {
    const exception = checkpoint(shippedAt, 'exception', { message: '地址不详', location: '杭州' });
    const commands = plan({
      before,
      after: after({ checkpoints: [exception] }),
      transitions: [milestone('shipped', shippedAt), checkpointT(exception)],
      now: shippedAt,
    });
    expect(scheduled(commands, `msg:shipped:${ORDER}`)).toEqual([]);
    expect(ofType(commands, 'stalled')).toEqual([{ type: 'stalled', reason: 'exception', detail: '地址不详', at: shippedAt }]);
    expect(new Set(view(scheduled(commands, `stall-check:${ORDER}`)).map((c) => JSON.stringify(c)))).toEqual(
      new Set([JSON.stringify(stallCheck(sh('2026-11-22 15:00')))]),
    );
  });

  it('shipped and delivered in one change: no "shipped" notice and no stall check', () => {
    const deliveredAt = sh('2026-11-21 16:00');
    const commands = plan({
      before,
      after: after({ milestones: { created: T0, paid: paidAt, shipped: shippedAt, delivered: deliveredAt } }),
      transitions: [milestone('shipped', shippedAt), milestone('delivered', deliveredAt)],
      now: deliveredAt,
    });
    expect(scheduled(commands, `msg:shipped:${ORDER}`)).toEqual([]);
    expect(scheduled(commands, `stall-check:${ORDER}`)).toEqual([]);
    expect(ofType(commands, 'cancel')).toEqual([{ type: 'cancel', taskKey: `stall-check:${ORDER}`, reason: 'delivered' }]);
  });

  it('parcelUpdates: false sends no "shipped" notice', () => {
    const commands = plan({ before, after: after(), transitions: [milestone('shipped', shippedAt)], now: shippedAt, shop: shopWith({ parcelUpdates: false }) });
    expect(scheduled(commands, `msg:shipped:${ORDER}`)).toEqual([]);
  });
});

describe('checkpoints and parcel updates', () => {
  const shippedAt = sh('2026-11-20 15:00');
  const milestones = { created: T0, paid: plusMs(T0, 5 * MIN), shipped: shippedAt };
  const shipped = order({ status: 'shipped', milestones, shipments: [shipment('SF1')] });
  const withCheckpoints = (checkpoints: StoredCheckpoint[], extra: Partial<OrderRecord> = {}) => ({ ...shipped, checkpoints, ...extra });
  const parcelUpdate = (localDate: string, dueAt: string) =>
    msg('parcel_update', `parcel-update:${ORDER}:${localDate}`, dueAt, { stopIf: ['out_for_delivery', 'delivered', ...ENDED] });

  function onCheckpoint(c: StoredCheckpoint, now = c.at, extra: Partial<PlanArgs> = {}, orderExtra: Partial<OrderRecord> = {}) {
    return plan({ before: shipped, after: withCheckpoints([c], orderExtra), transitions: [checkpointT(c)], now, ...extra });
  }

  it('a 07:00 checkpoint: the update at 08:00 the same day; the stall check armed at shipping is left alone', () => {
    const c = checkpoint(sh('2026-11-21 07:00'), 'in_transit', { location: '杭州转运中心' });
    expect(view(onCheckpoint(c))).toEqual([parcelUpdate('2026-11-21', sh('2026-11-21 08:00'))]);
  });

  it('an 18:00 checkpoint: the update at 08:00 the next day, keyed by that day', () => {
    const c = checkpoint(sh('2026-11-21 18:00'));
    expect(view(scheduled(onCheckpoint(c), `msg:parcel-update:${ORDER}:2026-11-22`))).toEqual([parcelUpdate('2026-11-22', sh('2026-11-22 08:00'))]);
  });

  it('an 08:30 checkpoint: the update goes at once', () => {
    const c = checkpoint(sh('2026-11-21 08:30'), 'info');
    expect(view(scheduled(onCheckpoint(c), `msg:parcel-update:${ORDER}:2026-11-21`))).toEqual([parcelUpdate('2026-11-21', sh('2026-11-21 08:30'))]);
    const edge = checkpoint(sh('2026-11-21 09:00'));
    expect(dueOf(onCheckpoint(edge), `msg:parcel-update:${ORDER}:2026-11-22`)).toEqual([sh('2026-11-22 08:00')]);
  });

  it('a checkpoint heard of late is planned from now, not from its own time', () => {
    const c = checkpoint(sh('2026-11-21 07:00'));
    const commands = onCheckpoint(c, sh('2026-11-21 10:00'));
    expect(dueOf(commands, `msg:parcel-update:${ORDER}:2026-11-22`)).toEqual([sh('2026-11-22 08:00')]);
    // No write for the stall check: when due, it counts from the parcel's newest activity.
    expect(dueOf(commands, `stall-check:${ORDER}`)).toEqual([]);
  });

  it('the key is the customer’s local date, not the UTC date', () => {
    // 08:00 in Tokyo is 23:00 UTC the day before.
    const c = checkpoint('2026-11-21T20:00:00.000Z'); // 05:00 on the 22nd in Tokyo
    const commands = onCheckpoint(c, c.at, { profile: profile({ customerTimezone: 'Asia/Tokyo' }) });
    expect(dueOf(commands, `msg:parcel-update:${ORDER}:2026-11-22`)).toEqual(['2026-11-21T23:00:00.000Z']);
  });

  it('several checkpoints in one change: one update, about the newest news', () => {
    const a = checkpoint(sh('2026-11-21 18:00'), 'in_transit');
    const b = checkpoint(sh('2026-11-21 20:00'), 'info');
    const late = checkpoint(sh('2026-11-22 06:00'), 'in_transit');
    const commands = plan({ before: shipped, after: withCheckpoints([a, b, late]), transitions: [checkpointT(late), checkpointT(a), checkpointT(b)], now: late.at });
    expect(view(commands)).toEqual([parcelUpdate('2026-11-22', sh('2026-11-22 08:00'))]);
  });

  it('no update once the parcel is out for delivery or delivered', () => {
    const c = checkpoint(sh('2026-11-21 07:00'));
    const out = onCheckpoint(c, c.at, {}, { milestones: { ...milestones, out_for_delivery: sh('2026-11-21 06:30') } });
    expect(view(out)).toEqual([]);
    const delivered = onCheckpoint(c, c.at, {}, { milestones: { ...milestones, delivered: sh('2026-11-21 06:30') } });
    expect(view(delivered)).toEqual([]);
  });

  it('a delivered or out-for-delivery checkpoint is no news for a parcel update', () => {
    const c = checkpoint(sh('2026-11-21 07:00'), 'out_for_delivery');
    expect(taskKeys(onCheckpoint(c))).toEqual([]);
  });

  it('an exception: a stalled command with the carrier’s message, else its location, else "exception"', () => {
    const at = sh('2026-11-21 14:00');
    expect(ofType(onCheckpoint(checkpoint(at, 'exception', { message: '地址不详', location: '杭州' })), 'stalled')).toEqual([
      { type: 'stalled', reason: 'exception', detail: '地址不详', at },
    ]);
    expect(ofType(onCheckpoint(checkpoint(at, 'exception', { location: '杭州' })), 'stalled')).toEqual([{ type: 'stalled', reason: 'exception', detail: '杭州', at }]);
    const bare = onCheckpoint(checkpoint(at, 'exception'));
    expect(view(bare)).toEqual([{ type: 'stalled', reason: 'exception', detail: 'exception', at }]);
  });

  it('parcelUpdates: false: no update for a checkpoint', () => {
    const c = checkpoint(sh('2026-11-21 07:00'));
    expect(view(onCheckpoint(c, c.at, { shop: shopWith({ parcelUpdates: false }) }))).toEqual([]);
  });

  it('out for delivery (before delivery): the notice at that time', () => {
    const outAt = sh('2026-11-22 09:10');
    const after = { ...shipped, milestones: { ...milestones, out_for_delivery: outAt } };
    const commands = plan({ before: shipped, after, transitions: [milestone('out_for_delivery', outAt)], now: outAt });
    expect(view(scheduled(commands, `msg:out-for-delivery:${ORDER}`))).toEqual([
      msg('out_for_delivery', `out-for-delivery:${ORDER}`, outAt, { stopIf: ['delivered', ...ENDED] }),
    ]);
    // Already delivered by the time it is planned: no out-for-delivery notice.
    const delivered = { ...after, milestones: { ...after.milestones, delivered: sh('2026-11-22 11:00') } };
    expect(scheduled(plan({ before: shipped, after: delivered, transitions: [milestone('out_for_delivery', outAt)], now: outAt }), `msg:out-for-delivery:${ORDER}`)).toEqual([]);
  });

  describe('notices that newer news makes moot are cancelled while they wait', () => {
    const cancels = (commands: JourneyCommand[]) => ofType(commands, 'cancel').filter((c) => /^msg:(shipped|out-for-delivery|parcel-update):/.test(c.taskKey));
    const news = checkpoint(sh('2026-11-21 15:00'), 'in_transit'); // its update waits for 08:00 on the 22nd

    it('out for delivery at 07:10: the morning’s update is cancelled; at 08:30 it has gone and nothing is cancelled', () => {
      const outAt = sh('2026-11-22 07:10');
      const out = (at: string) => plan({ before: withCheckpoints([news]), after: withCheckpoints([news], { milestones: { ...milestones, out_for_delivery: at } }), transitions: [milestone('out_for_delivery', at)], now: at });
      expect(cancels(out(outAt))).toEqual([{ type: 'cancel', taskKey: `msg:parcel-update:${ORDER}:2026-11-22`, reason: 'out for delivery' }]);
      // The notice itself is held to 09:00 (quiet hours until then).
      expect(dueOf(out(outAt), `msg:out-for-delivery:${ORDER}`)).toEqual([sh('2026-11-22 09:00')]);
      expect(cancels(out(sh('2026-11-22 08:30')))).toEqual([]);
    });

    it('delivered at 08:30 with the out-for-delivery notice held to 09:00: that notice is cancelled, not the update that went at 08:00', () => {
      const outAt = sh('2026-11-22 07:10');
      const deliveredAt = sh('2026-11-22 08:30');
      const before = withCheckpoints([news], { milestones: { ...milestones, out_for_delivery: outAt } });
      const after = { ...before, milestones: { ...before.milestones, delivered: deliveredAt } };
      expect(cancels(plan({ before, after, transitions: [milestone('delivered', deliveredAt)], now: deliveredAt }))).toEqual([
        { type: 'cancel', taskKey: `msg:out-for-delivery:${ORDER}`, reason: 'delivered' },
      ]);
    });

    it('delivered at 07:30, before the morning’s update and the shipped notice held since 22:00: both cancelled', () => {
      const late = { ...milestones, shipped: sh('2026-11-21 22:00') };
      const deliveredAt = sh('2026-11-22 07:30');
      const before = withCheckpoints([news], { milestones: late });
      const after = { ...before, milestones: { ...late, delivered: deliveredAt } };
      expect(cancels(plan({ before, after, transitions: [milestone('delivered', deliveredAt)], now: deliveredAt }))).toEqual([
        { type: 'cancel', taskKey: `msg:shipped:${ORDER}`, reason: 'delivered' },
        { type: 'cancel', taskKey: `msg:parcel-update:${ORDER}:2026-11-22`, reason: 'delivered' },
      ]);
    });

    it('news that arrives in one change with the delivery planned nothing to cancel: shipped, out for delivery and delivered at once, or a customer attached late', () => {
      const deliveredAt = sh('2026-11-22 07:30');
      const bare = order({ status: 'paid', milestones: { created: T0, paid: plusMs(T0, 5 * MIN) } });
      const all = { ...bare, status: 'delivered' as const, checkpoints: [news], milestones: { ...bare.milestones, shipped: sh('2026-11-21 22:00'), out_for_delivery: sh('2026-11-22 07:00'), delivered: deliveredAt } };
      const together = plan({ before: bare, after: all, transitions: [milestone('shipped', sh('2026-11-21 22:00')), checkpointT(news), milestone('out_for_delivery', sh('2026-11-22 07:00')), milestone('delivered', deliveredAt)], now: deliveredAt });
      expect(cancels(together)).toEqual([]);
      // The same order known before, but without its customer: nothing was planned for it.
      const anonymous = { ...withCheckpoints([news], { milestones: { ...milestones, shipped: sh('2026-11-21 22:00') } }), customerId: undefined };
      const attached = { ...anonymous, customerId: CUSTOMER, milestones: { ...anonymous.milestones, delivered: deliveredAt } };
      expect(cancels(plan({ before: anonymous, after: attached, transitions: [{ kind: 'customer_attached' } as Transition, milestone('delivered', deliveredAt)], now: deliveredAt }))).toEqual([]);
    });

    it('nothing waiting, or parcel updates off: no cancel (a cancel of a task that is not there still costs a write)', () => {
      const deliveredAt = sh('2026-11-22 16:00');
      const before = withCheckpoints([news]);
      const after = { ...before, milestones: { ...milestones, delivered: deliveredAt } };
      expect(cancels(plan({ before, after, transitions: [milestone('delivered', deliveredAt)], now: deliveredAt }))).toEqual([]);
      const early = sh('2026-11-22 07:30');
      const off = plan({ before, after: { ...after, milestones: { ...milestones, delivered: early } }, transitions: [milestone('delivered', early)], now: early, shop: shopWith({ parcelUpdates: false }) });
      expect(cancels(off)).toEqual([]);
    });
  });

  it('property: a parcel update always lands in 08:00–09:00 Shanghai time, never before the news or now, and within a day', () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 730 * DAY }), fc.integer({ min: 0, max: 3 * DAY }), (offset, delay) => {
        const at = new Date(start + offset).toISOString();
        const now = new Date(start + offset + delay).toISOString();
        const commands = onCheckpoint(checkpoint(at), now);
        const updates = schedules(commands).filter((c) => c.task.payload?.kind === 'parcel_update');
        expect(updates).toHaveLength(1);
        const due = updates[0]!.task.dueAt.getTime();
        const earliest = Math.max(Date.parse(at), Date.parse(now));
        const local = new Date(due + 8 * HOUR).toISOString(); // Shanghai has no DST
        expect(due).toBeGreaterThanOrEqual(earliest);
        expect(due - earliest).toBeLessThan(DAY);
        expect(local.slice(11, 13)).toBe('08');
        expect(updates[0]!.task.taskKey).toBe(`msg:parcel-update:${ORDER}:${local.slice(0, 10)}`);
        const earliestLocalHour = new Date(earliest + 8 * HOUR).getUTCHours();
        if (earliestLocalHour === 8) expect(due).toBe(earliest);
      }),
      { numRuns: 300 },
    );
  });
});

describe('delivered', () => {
  const deliveredAt = sh('2026-11-22 16:00');
  const lines = [{ ...tea, quantity: 2 }, cup, towel];
  const products = [
    rule('LJ-250', { usageTips: '90度水温，第一泡10秒出汤', checkInDays: [3, 14], repurchaseCycleDays: 30 }),
    rule('CUP-1', { usageTips: '首次使用前请用温水清洗', checkInDays: [3] }),
  ];
  const milestones = { created: T0, paid: plusMs(T0, 5 * MIN), shipped: sh('2026-11-20 15:00') };
  const before = order({ status: 'shipped', lineItems: lines, total: '378.00', milestones });
  const after = (extra: Partial<OrderRecord> = {}) => ({ ...before, status: 'delivered' as const, milestones: { ...milestones, delivered: deliveredAt }, ...extra });
  const onDelivered = (extra: Partial<PlanArgs> = {}, orderExtra: Partial<OrderRecord> = {}) =>
    plan({ before, after: after(orderExtra), transitions: [milestone('delivered', deliveredAt)], products, now: deliveredAt, shop: shopWith({ defaultCheckInDays: [7] }), ...extra });

  it('notice, care with every product’s tips, review, one check-in per day, default days for products without their own, repurchase; the stall check cancelled', () => {
    expect(view(onDelivered())).toEqual([
      { type: 'cancel', taskKey: `stall-check:${ORDER}`, reason: 'delivered' },
      msg('delivered', `delivered:${ORDER}`, deliveredAt),
      msg('delivery_care', `delivery-care:${ORDER}`, sh('2026-11-22 18:00'), {
        vars: { usage_tips: '90度水温，第一泡10秒出汤；首次使用前请用温水清洗', product_title: '西湖龙井' },
      }),
      msg('review_request', `review:${ORDER}`, sh('2026-11-27 16:00'), { vars: { product_title: '西湖龙井' } }),
      msg('check_in', `check-in:${ORDER}:3`, sh('2026-11-25 16:00'), { vars: { product_title: '西湖龙井、玻璃杯', check_in_day: '3' } }),
      msg('check_in', `check-in:${ORDER}:7`, sh('2026-11-29 16:00'), { vars: { product_title: '茶巾', check_in_day: '7' } }),
      msg('check_in', `check-in:${ORDER}:14`, sh('2026-12-06 16:00'), { vars: { product_title: '西湖龙井', check_in_day: '14' } }),
      // delivered + 30 × 2 − 3 = 57 days
      repurchase('LJ-250', sh('2027-01-18 16:00'), '西湖龙井'),
    ]);
  });

  it('the same tips twice are given once; no tips: empty', () => {
    const same = [rule('LJ-250', { usageTips: '避光保存' }), rule('CUP-1', { usageTips: '避光保存' })];
    const care = (commands: JourneyCommand[]) => scheduled(commands, `msg:delivery-care:${ORDER}`).map((c) => c.task.payload?.vars);
    expect(care(onDelivered({ products: same }))).toEqual([{ usage_tips: '避光保存', product_title: '西湖龙井' }]);
    expect(care(onDelivered({ products: [] }))).toEqual([{ usage_tips: '', product_title: '西湖龙井' }]);
  });

  it('the shop default rule (*) applies to products without one of their own', () => {
    const commands = onDelivered({ products: [rule('*', { usageTips: '常温保存', checkInDays: [10], repurchaseCycleDays: 20 })] });
    expect(scheduled(commands, `msg:delivery-care:${ORDER}`).map((c) => c.task.payload?.vars)).toEqual([{ usage_tips: '常温保存', product_title: '西湖龙井' }]);
    expect(taskKeys(commands).filter((k) => k.includes('check-in'))).toEqual([`msg:check-in:${ORDER}:10`]);
    // Every product now has a cycle: tea 20 × 2 − 3, cup and towel 20 − 3.
    expect(schedules(commands).filter((c) => c.task.payload?.kind === 'repurchase_reminder').map((c) => [c.task.taskKey, c.task.dueAt.toISOString()])).toEqual([
      [`msg:repurchase:${CUSTOMER}:LJ-250`, sh('2026-12-29 16:00')],
      [`msg:repurchase:${CUSTOMER}:CUP-1`, sh('2026-12-09 16:00')],
      [`msg:repurchase:${CUSTOMER}:product:77`, sh('2026-12-09 16:00')],
    ]);
  });

  it('no days anywhere: no check-in', () => {
    const commands = onDelivered({ products: [], shop: SHOP });
    expect(taskKeys(commands).filter((k) => k.includes('check-in'))).toEqual([]);
  });

  it('reviewAfterDays: 0: no review request; repurchaseLeadDays is honoured', () => {
    const commands = onDelivered({ shop: shopWith({ reviewAfterDays: 0, repurchaseLeadDays: 10 }) });
    expect(scheduled(commands, `msg:review:${ORDER}`)).toEqual([]);
    expect(dueOf(commands, `msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([sh('2027-01-11 16:00')]);
  });

  it('deliveryCare: false: only the notice and the repurchase', () => {
    expect(taskKeys(onDelivered({ shop: shopWith({ deliveryCare: false, defaultCheckInDays: [7] }) }))).toEqual([
      `msg:delivered:${ORDER}`,
      `msg:repurchase:${CUSTOMER}:LJ-250`,
    ]);
  });

  it('parcelUpdates: false: no delivered notice, care still goes', () => {
    const keys = taskKeys(onDelivered({ shop: shopWith({ parcelUpdates: false }) }));
    expect(keys).not.toContain(`msg:delivered:${ORDER}`);
    expect(keys).toContain(`msg:delivery-care:${ORDER}`);
  });

  it('a delivery heard of late: the notice goes now, the care 2 h after the notice; the review and check-ins stay on the delivery', () => {
    const now = sh('2026-11-22 17:00');
    const commands = onDelivered({ now });
    expect(dueOf(commands, `msg:delivered:${ORDER}`)).toEqual([now]);
    expect(dueOf(commands, `msg:delivery-care:${ORDER}`)).toEqual([sh('2026-11-22 19:00')]);
    expect(dueOf(commands, `msg:review:${ORDER}`)).toEqual([sh('2026-11-27 16:00')]);
  });

  it('a delivery heard of days late: the notice goes now, the care keeps its wanted time and so expires (no "did it arrive?" ten days on)', () => {
    const now = sh('2026-12-02 10:00');
    const commands = onDelivered({ now });
    expect(dueOf(commands, `msg:delivered:${ORDER}`)).toEqual([now]);
    expect(dueOf(commands, `msg:delivery-care:${ORDER}`)).toEqual([sh('2026-11-22 18:00')]);
    expect(wantedOf(commands, `msg:delivery-care:${ORDER}`)).toEqual([sh('2026-11-22 18:00')]);
  });

  it('an evening delivery: the notice waits for the morning and the care follows it 2 h later, not in the same minute', () => {
    const late = sh('2026-11-22 22:30');
    const commands = plan({ before, after: { ...after(), milestones: { ...milestones, delivered: late } }, transitions: [milestone('delivered', late)], products, now: late });
    expect(view(commands).filter((c) => ['msg:delivered:o-1', 'msg:delivery-care:o-1'].includes((c as { task?: { taskKey: string } }).task?.taskKey ?? ''))).toEqual([
      msg('delivered', `delivered:${ORDER}`, sh('2026-11-23 09:00'), { wantedAt: late }),
      // Wanted 2 h after the delivery (its expiry counts from then), due 2 h after the notice.
      msg('delivery_care', `delivery-care:${ORDER}`, sh('2026-11-23 11:00'), { wantedAt: sh('2026-11-23 00:30'), vars: { usage_tips: '90度水温，第一泡10秒出汤；首次使用前请用温水清洗', product_title: '西湖龙井' } }),
    ]);
    // Without the notice (parcel updates off), the care keeps to the delivery: wanted 00:30, held to 09:00.
    const noNotice = plan({ before, after: { ...after(), milestones: { ...milestones, delivered: late } }, transitions: [milestone('delivered', late)], products, now: late, shop: shopWith({ parcelUpdates: false }) });
    expect(dueOf(noNotice, `msg:delivery-care:${ORDER}`)).toEqual([sh('2026-11-23 09:00')]);
  });

  it('repurchase counts the units left after a refund known at delivery', () => {
    const refund: StoredRefund = { refundId: 'r-1', amount: '168.00', at: sh('2026-11-21 10:00'), lineItems: [{ lineItemId: 'li-1', quantity: 1 }] };
    expect(dueOf(onDelivered({}, { refunds: [refund] }), `msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([sh('2026-12-19 16:00')]);
    const all: StoredRefund = { ...refund, amount: '336.00', lineItems: [{ lineItemId: 'li-1', quantity: 2 }] };
    expect(scheduled(onDelivered({}, { refunds: [all] }), `msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([]);
  });

  it('long titles are cut: product_title of a check-in at 60 characters, tips at 300', () => {
    const long = 'x'.repeat(50);
    const commands = onDelivered({
      products: [rule('LJ-250', { usageTips: 'a'.repeat(200), checkInDays: [3] }), rule('CUP-1', { usageTips: 'b'.repeat(200), checkInDays: [3] })],
    }, { lineItems: [{ ...tea, title: long }, { ...cup, title: 'y'.repeat(50) }] });
    const vars = (key: string) => scheduled(commands, key)[0]!.task.payload?.vars as Record<string, string>;
    expect(vars(`msg:check-in:${ORDER}:3`).product_title).toBe(`${long}、${'y'.repeat(9)}`);
    expect(vars(`msg:delivery-care:${ORDER}`).usage_tips).toBe(`${'a'.repeat(200)}；${'b'.repeat(99)}`);
  });
});

describe('refunds and cancellation', () => {
  const products = [rule('LJ-250', { checkInDays: [3, 14], repurchaseCycleDays: 30 }), rule('CUP-1', { repurchaseCycleDays: 90 })];
  const shop = shopWith({ defaultCheckInDays: [7] });
  const deliveredMilestones = { created: T0, paid: plusMs(T0, 5 * MIN), shipped: sh('2026-11-20 15:00'), delivered: sh('2026-11-22 16:00') };
  const refundAt = sh('2026-11-24 10:00');
  const delivered = order({ status: 'delivered', lineItems: [{ ...tea, quantity: 2 }, cup], total: '366.00', milestones: deliveredMilestones });
  /** `lastChance`: false when the order ends before its first reminder was due (no last chance exists yet). */
  const endedCancels = (reason: string, checkInDays: number[], skus: string[], lastChance = true) => [
    { type: 'cancel', taskKey: `msg:payment-reminder:${ORDER}:1`, reason },
    ...(lastChance ? [{ type: 'cancel', taskKey: `msg:payment-reminder:${ORDER}:last`, reason }] : []),
    { type: 'close_call', orderId: ORDER, reason },
    { type: 'unpaid_remove', customerId: CUSTOMER, orderId: ORDER },
    ...['shipped', 'out-for-delivery', 'delivered', 'delivery-care', 'review'].map((k) => ({ type: 'cancel', taskKey: `msg:${k}:${ORDER}`, reason })),
    { type: 'cancel', taskKey: `stall-check:${ORDER}`, reason },
    ...checkInDays.map((day) => ({ type: 'cancel', taskKey: `msg:check-in:${ORDER}:${day}`, reason })),
    ...skus.map((sku) => ({ type: 'cancel', taskKey: `msg:repurchase:${CUSTOMER}:${sku}`, reason, onlyForOrder: ORDER })),
  ];

  it('a full refund cancels every pending key of the order (repurchase only if scheduled for it)', () => {
    const refund: StoredRefund = { refundId: 'r-1', amount: '366.00', at: refundAt, lineItems: [{ lineItemId: 'li-1', quantity: 2 }, { lineItemId: 'li-2', quantity: 1 }] };
    const after = { ...delivered, status: 'refunded' as const, refunds: [refund], milestones: { ...deliveredMilestones, refunded: refundAt } };
    const commands = plan({ before: delivered, after, transitions: [refundT(refund), milestone('refunded', refundAt)], products, shop, now: refundAt });
    expect(view(commands)).toEqual([
      { type: 'cancel', taskKey: `msg:repurchase:${CUSTOMER}:LJ-250`, reason: 'item refunded', onlyForOrder: ORDER },
      { type: 'cancel', taskKey: `msg:repurchase:${CUSTOMER}:CUP-1`, reason: 'item refunded', onlyForOrder: ORDER },
      ...endedCancels('order refunded', [7, 3, 14], ['LJ-250', 'CUP-1']),
    ]);
  });

  it('a cancellation of an unpaid order cancels the same keys', () => {
    const before = order({ lineItems: [tea] });
    const at = sh('2026-11-20 10:40');
    const after = { ...before, status: 'cancelled' as const, milestones: { created: T0, cancelled: at } };
    const commands = plan({ before, after, transitions: [milestone('cancelled', at)], products, shop, now: at });
    expect(view(commands)).toEqual(endedCancels('order cancelled', [7, 3, 14], ['LJ-250'], false)); // cancelled at 10:40, the first reminder was due at 12:00
  });

  it('an unpaid order closed by the platform: only its payment reminders and call stop', () => {
    const before = order({ lineItems: [cup] });
    const at = sh('2026-11-21 10:00');
    const commands = plan({ before, after: { ...before, milestones: { created: T0, closed: at } }, transitions: [milestone('closed', at)], products, shop, now: at });
    expect(view(commands)).toEqual(endedCancels('order closed unpaid', [], []).slice(0, 4));
  });

  it('a paid order the platform archives (closed) keeps its delivery journey', () => {
    const at = sh('2026-12-01 10:00');
    const commands = plan({ before: delivered, after: { ...delivered, milestones: { ...deliveredMilestones, closed: at } }, transitions: [milestone('closed', at)], products, shop, now: at });
    expect(view(commands)).toEqual([]);
  });

  it('a partial refund of one whole line cancels only that product’s repurchase', () => {
    const refund: StoredRefund = { refundId: 'r-1', amount: '30.00', at: refundAt, lineItems: [{ lineItemId: 'li-2', quantity: 1 }] };
    const commands = plan({ before: delivered, after: { ...delivered, refunds: [refund] }, transitions: [refundT(refund)], products, shop, now: refundAt });
    expect(view(commands)).toEqual([{ type: 'cancel', taskKey: `msg:repurchase:${CUSTOMER}:CUP-1`, reason: 'item refunded', onlyForOrder: ORDER }]);
  });

  it('refunds add up: the second refund of the last unit cancels the repurchase', () => {
    const first: StoredRefund = { refundId: 'r-1', amount: '168.00', at: refundAt, lineItems: [{ lineItemId: 'li-1', quantity: 1 }] };
    const second: StoredRefund = { refundId: 'r-2', amount: '168.00', at: plusMs(refundAt, HOUR), lineItems: [{ lineItemId: 'li-1', quantity: 1 }] };
    const before = { ...delivered, refunds: [first] };
    const commands = plan({ before, after: { ...delivered, refunds: [first, second] }, transitions: [refundT(second)], products, shop, now: second.at });
    expect(view(commands)).toEqual([{ type: 'cancel', taskKey: `msg:repurchase:${CUSTOMER}:LJ-250`, reason: 'item refunded', onlyForOrder: ORDER }]);
  });

  it('a partial quantity refund cancels nothing, and brings the repurchase reminder forward to what is left', () => {
    const refund: StoredRefund = { refundId: 'r-1', amount: '168.00', at: refundAt, lineItems: [{ lineItemId: 'li-1', quantity: 1 }] };
    const commands = plan({ before: delivered, after: { ...delivered, refunds: [refund] }, transitions: [refundT(refund)], products, shop, now: refundAt });
    expect(ofType(commands, 'cancel')).toEqual([]);
    expect(dueOf(commands, `msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([sh('2026-12-19 16:00')]); // delivered + 30 × 1 − 3
  });

  it('two lines of the same product add up for its repurchase reminder', () => {
    const twoLines = order({ status: 'delivered', lineItems: [tea, { ...tea, lineItemId: 'li-9' }], total: '336.00', milestones: deliveredMilestones });
    const commands = plan({ before: order(), after: twoLines, transitions: [milestone('delivered', deliveredMilestones.delivered)], products, shop, now: deliveredMilestones.delivered });
    expect(dueOf(commands, `msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([sh('2027-01-18 16:00')]); // delivered + 30 × 2 − 3
  });

  it('a refund before payment with the quantity reduced: the repurchase planned on payment counts what is left', () => {
    const paidAt = sh('2026-11-20 11:00');
    const refund: StoredRefund = { refundId: 'r-1', amount: '168.00', at: T0, lineItems: [{ lineItemId: 'li-1', quantity: 1 }] };
    const before = order({ lineItems: [{ ...tea, quantity: 2 }], total: '336.00', refunds: [refund] });
    const after = { ...before, milestones: { created: T0, paid: paidAt } };
    const commands = plan({ before, after, transitions: [milestone('paid', paidAt)], products, shop, now: paidAt });
    expect(dueOf(commands, `msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([sh('2026-12-17 11:00')]); // paid + 30 − 3
  });
});

describe('the active window', () => {
  it('touch at the order + 29 days (one task per customer, moved), at-risk check at + 30 days', () => {
    const commands = createdPlan({ shop: shopWith({ paymentReminders: false }) });
    expect(view(commands)).toEqual([activeTouch(T0, sh('2026-12-19 10:00')), atRisk(T0, sh('2026-12-20 10:00'))]);
  });

  it('follows activeWindowDays', () => {
    const shop = shopWith({ paymentReminders: false, activeWindowDays: 1 });
    expect(view(createdPlan({ shop }))).toEqual([activeTouch(T0, T0), atRisk(T0, sh('2026-11-21 10:00'))]);
    const fortnight = shopWith({ paymentReminders: false, activeWindowDays: 14 });
    expect(view(createdPlan({ shop: fortnight }))).toEqual([activeTouch(T0, sh('2026-12-03 10:00')), atRisk(T0, sh('2026-12-04 10:00'))]);
  });

  it('activeWindowDays: 0: none', () => {
    expect(view(createdPlan({ shop: shopWith({ paymentReminders: false, activeWindowDays: 0 }) }))).toEqual([]);
  });

  it('an older order arriving after a newer one does not move the window back', () => {
    const commands = createdPlan({ profile: profile({ orderCount: 2, firstOrderAt: T0, lastOrderAt: sh('2026-11-25 09:00') }) });
    expect(taskKeys(commands)).toEqual([`msg:payment-reminder:${ORDER}:1`]);
  });

  it('an order without line items: empty product title', () => {
    const commands = createdPlan({ shop: shopWith({ paymentReminders: false }), after: order({ lineItems: [] }) });
    expect(view(commands)[0]).toEqual(activeTouch(T0, sh('2026-12-19 10:00'), ''));
  });
});

describe('customers and parcels', () => {
  const paidAt = plusMs(T0, 95 * MIN);
  const shippedAt = sh('2026-11-20 15:00');
  const cp = checkpoint(sh('2026-11-21 07:00'), 'in_transit', { location: '杭州' });

  it('an order without a customer yields only track_parcel commands', () => {
    const after = order({ customerId: undefined, milestones: { created: T0, paid: paidAt, shipped: shippedAt }, shipments: [shipment('SF1', '顺丰速运'), shipment('YT2')], checkpoints: [cp] });
    const commands = plan({
      after,
      transitions: [milestone('created', T0), milestone('paid', paidAt), milestone('shipped', shippedAt), checkpointT(cp)],
      now: cp.at,
    });
    expect(commands).toEqual([
      { type: 'track_parcel', trackingNumber: 'SF1', carrier: '顺丰速运' },
      { type: 'track_parcel', trackingNumber: 'YT2' },
    ]);
    expect(plan({ after: order({ customerId: undefined }), transitions: [milestone('created', T0)], now: T0 })).toEqual([]);
  });

  it('a customer attached later: everything the order already reached is planned', () => {
    const before = order({ customerId: undefined, status: 'shipped', milestones: { created: T0, paid: paidAt, shipped: shippedAt }, shipments: [shipment('SF1')], checkpoints: [cp] });
    const after = { ...before, customerId: CUSTOMER };
    const transitions = transitionsBetween(before, after);
    expect(transitions).toEqual([{ kind: 'customer_attached', customerId: CUSTOMER }]);
    const now = sh('2026-11-21 07:30');
    const commands = plan({ before, after, transitions, now });
    expect(view(commands)).toEqual([
      activeTouch(T0, sh('2026-12-19 10:00')),
      atRisk(T0, sh('2026-12-20 10:00')),
      { type: 'cancel', taskKey: `msg:payment-reminder:${ORDER}:1`, reason: 'paid' },
      { type: 'cancel', taskKey: `msg:payment-reminder:${ORDER}:last`, reason: 'paid' },
      { type: 'close_call', orderId: ORDER, reason: 'paid' },
      { type: 'unpaid_remove', customerId: CUSTOMER, orderId: ORDER },
      { type: 'cancel_covered', customerId: CUSTOMER, paidOrderId: ORDER, paidAt, productKeys: ['LJ-250'] },
      { type: 'payment', customerId: CUSTOMER, group: 'new', minutesToPay: 95, paidAt, amountMinor: 16_800, currency: 'CNY', reminderKeys: [`payment-reminder:${ORDER}:1`, `payment-reminder:${ORDER}:last`] },
      msg('order_shipped', `shipped:${ORDER}`, sh('2026-11-21 09:00'), { stopIf: ['delivered', ...ENDED], wantedAt: now }), // quiet hours end at 09:00
      stallCheck(sh('2026-11-23 07:00')), // armed once, from the parcel's newest activity
      msg('parcel_update', `parcel-update:${ORDER}:2026-11-21`, sh('2026-11-21 08:00'), { stopIf: ['out_for_delivery', 'delivered', ...ENDED] }),
    ]);
  });

  it('a customer attached to an unpaid order gets the payment reminder of the order', () => {
    const before = order({ customerId: undefined });
    const now = plusMs(T0, 10 * MIN);
    const commands = plan({ before, after: order(), transitions: [{ kind: 'customer_attached', customerId: CUSTOMER }], now });
    expect(dueOf(commands, `msg:payment-reminder:${ORDER}:1`)).toEqual([sh('2026-11-20 12:00')]);
    expect(ofType(commands, 'unpaid_add')).toHaveLength(1);
  });

  it('a customer attached to a delivered order: the delivery journeys, no shipped notice or parcel update', () => {
    const deliveredAt = sh('2026-11-22 16:00');
    const milestones = { created: T0, paid: paidAt, shipped: shippedAt, delivered: deliveredAt };
    const before = order({ customerId: undefined, status: 'delivered', milestones, checkpoints: [cp] });
    const commands = plan({ before, after: { ...before, customerId: CUSTOMER }, transitions: [{ kind: 'customer_attached', customerId: CUSTOMER }], now: sh('2026-11-22 17:00') });
    const keys = taskKeys(commands);
    expect(keys).toContain(`msg:delivered:${ORDER}`);
    expect(keys).toContain(`msg:delivery-care:${ORDER}`);
    expect(keys.filter((k) => k.startsWith('msg:shipped') || k.startsWith('msg:parcel-update') || k.startsWith('stall-check'))).toEqual([]);
  });

  it('track_parcel once per new tracking number', () => {
    const paid = order({ status: 'paid', milestones: { created: T0, paid: paidAt } });
    const first = { ...paid, shipments: [shipment('SF1', '顺丰速运')] };
    const both = { ...paid, shipments: [shipment('SF1', '顺丰速运'), shipment('YT2', '圆通')] };
    expect(ofType(plan({ before: paid, after: first, transitions: [], now: shippedAt }), 'track_parcel')).toEqual([
      { type: 'track_parcel', trackingNumber: 'SF1', carrier: '顺丰速运' },
    ]);
    expect(ofType(plan({ before: first, after: both, transitions: [], now: shippedAt }), 'track_parcel')).toEqual([
      { type: 'track_parcel', trackingNumber: 'YT2', carrier: '圆通' },
    ]);
    // The same number seen again (now with a carrier) is not tracked twice; a shipment without a number is not tracked.
    const again = { ...paid, shipments: [{ id: 'f-1', trackingNumber: 'SF1', carrier: 'SF Express' }, shipment(undefined, '京东')] };
    expect(ofType(plan({ before: first, after: again, transitions: [], now: shippedAt }), 'track_parcel')).toEqual([]);
    // No before: every number is new.
    expect(ofType(plan({ after: both, transitions: [], now: shippedAt }), 'track_parcel')).toHaveLength(2);
  });
});

describe('bookkeeping: daily counters and repurchase attribution', () => {
  const bookkeeping = (commands: JourneyCommand[]) => commands.filter((c) => BOOKKEEPING.has(c.type));

  it('a new unpaid order: counted as placed, new and unpaid at creation; its products checked against repurchase reminders', () => {
    const after = order({ lineItems: [tea, towel] });
    expect(bookkeeping(createdPlan({ after }))).toEqual([
      { type: 'count', counters: { orders: 1, orders_new: 1, ordersUnpaidAtCreation: 1 }, at: T0 },
      { type: 'repurchase_check', customerId: CUSTOMER, productKeys: ['LJ-250', 'product:77'], at: T0 },
    ]);
  });

  it('a returning customer’s order paid at once is not unpaid at creation', () => {
    const paidAt = plusMs(T0, MIN);
    const commands = plan({
      after: order({ milestones: { created: T0, paid: paidAt } }),
      transitions: [milestone('created', T0), milestone('paid', paidAt)],
      profile: returningCustomer(),
      now: paidAt,
    });
    expect(bookkeeping(commands)).toEqual([
      { type: 'count', counters: { orders: 1, orders_returning: 1 }, at: T0 },
      { type: 'repurchase_check', customerId: CUSTOMER, productKeys: ['LJ-250'], at: T0 },
    ]);
  });

  it('shipped, delivered and ended orders are counted at the milestone’s time', () => {
    const shippedAt = sh('2026-11-20 15:00');
    const deliveredAt = sh('2026-11-22 16:00');
    const milestones = { created: T0, paid: plusMs(T0, MIN), shipped: shippedAt, delivered: deliveredAt };
    const commands = plan({
      after: order({ milestones }),
      before: order({ milestones: { created: T0, paid: plusMs(T0, MIN) } }),
      transitions: [milestone('shipped', shippedAt), milestone('delivered', deliveredAt)],
      now: deliveredAt,
    });
    expect(bookkeeping(commands)).toEqual([
      { type: 'count', counters: { orders_shipped: 1 }, at: shippedAt },
      { type: 'count', counters: { orders_delivered: 1 }, at: deliveredAt },
    ]);
    for (const ended of ['cancelled', 'refunded'] as const) {
      const at = sh('2026-11-20 11:00');
      const endedPlan = plan({ before: order(), after: order({ milestones: { created: T0, [ended]: at } }), transitions: [milestone(ended, at)], now: at });
      expect(bookkeeping(endedPlan)).toEqual([{ type: 'count', counters: { [`orders_${ended}`]: 1 }, at }]);
    }
    // Closing counts only for an unpaid order: platforms also close (archive) fulfilled ones.
    const closedAt = sh('2026-11-20 11:00');
    const closedUnpaid = plan({ before: order(), after: order({ milestones: { created: T0, closed: closedAt } }), transitions: [milestone('closed', closedAt)], now: closedAt });
    expect(bookkeeping(closedUnpaid)).toEqual([{ type: 'count', counters: { ordersClosedUnpaid: 1 }, at: closedAt }]);
    const archived = { created: T0, paid: plusMs(T0, MIN), shipped: shippedAt, delivered: deliveredAt };
    const closedPaid = plan({ before: order({ milestones: archived }), after: order({ milestones: { ...archived, closed: closedAt } }), transitions: [milestone('closed', closedAt)], now: closedAt });
    expect(bookkeeping(closedPaid)).toEqual([]);
  });

  it('a checkpoint or a refund alone counts nothing', () => {
    const c = checkpoint(sh('2026-11-21 07:00'));
    const shipped = order({ milestones: { created: T0, shipped: sh('2026-11-20 15:00') } });
    expect(bookkeeping(plan({ before: shipped, after: { ...shipped, checkpoints: [c] }, transitions: [checkpointT(c)], now: c.at }))).toEqual([]);
  });
});

describe('properties of the payment plan', () => {
  it('the reminder is created + the configured delay, and the call lands in a call window at or after it, within a day', () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * DAY }), fc.integer({ min: 5, max: 7 * 24 * 60 }), fc.boolean(), (offset, delay, returning) => {
        const created = new Date(start + offset).toISOString();
        const shop = shopWith(returning ? { reminderDelayReturningMinutes: delay } : { reminderDelayNewMinutes: delay });
        const who = returning ? profile({ orderCount: 2, firstOrderAt: '2025-01-01T00:00:00.000Z', lastOrderAt: created }) : profile({ firstOrderAt: created, lastOrderAt: created });
        const commands = plan({
          shop,
          after: order({ total: '2000.00', milestones: { created } }),
          transitions: [milestone('created', created)],
          profile: who,
          now: created,
        });
        const first = start + offset + delay * MIN;
        const [reminderTask] = scheduled(commands, `msg:payment-reminder:${ORDER}:1`);
        expect((reminderTask!.task.firstDueAt ?? reminderTask!.task.dueAt).getTime()).toBe(first);
        // Due when the time rules first allow, in the customer's zone (a reminder has 48 h to go).
        const reminderDue = reminderTask!.task.dueAt;
        const rules = timeRulesFor('payment_reminder', shop.messaging, who.timezone);
        expect(reminderDue.getTime()).toBeGreaterThanOrEqual(first);
        expect(isSendable(reminderDue, rules)).toBe(true);
        // …and not a minute later than that: the minute before was not allowed, or was before the wanted time.
        expect(isSendable(new Date(reminderDue.getTime() - MIN), rules) && reminderDue.getTime() > first).toBe(false);
        expect(reminderTask!.task.payload?.variant).toBe(returning ? 'returning' : 'new');
        const [call] = ofType(commands, 'open_call');
        const due = Date.parse(call!.call.dueAt);
        expect(due).toBeGreaterThanOrEqual(first);
        expect(due - first).toBeLessThan(DAY);
        const local = new Date(due + 8 * HOUR);
        const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
        expect((minute >= 660 && minute < 720) || (minute >= 930 && minute < 990)).toBe(true);
        expect(call!.call.localDue).toBe(`${local.toISOString().slice(0, 10)} ${local.toISOString().slice(11, 16)} Asia/Shanghai`);
        expect(lastOf(commands).length).toBe(22 * HOUR - delay * MIN >= 2 * HOUR ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('fixes from review', () => {
  it('out for delivery is news: a parcel first heard of there is watched from then, one already watched is left alone', () => {
    const shippedAt = sh('2026-11-20 15:00');
    const outAt = sh('2026-11-21 09:00');
    const unshipped = order({ milestones: { created: T0, paid: plusMs(T0, MIN) } });
    const firstNews = plan({ before: unshipped, after: { ...unshipped, milestones: { ...unshipped.milestones, out_for_delivery: outAt } }, transitions: [milestone('out_for_delivery', outAt)], now: outAt });
    expect(dueOf(firstNews, `stall-check:${ORDER}`)).toEqual([plusMs(outAt, 48 * HOUR)]);
    const before = order({ milestones: { created: T0, paid: plusMs(T0, MIN), shipped: shippedAt } });
    const after = { ...before, milestones: { ...before.milestones, out_for_delivery: outAt } };
    expect(dueOf(plan({ before, after, transitions: [milestone('out_for_delivery', outAt)], now: outAt }), `stall-check:${ORDER}`)).toEqual([]);
  });

  it('an empty SKU is no SKU: the product id keys the repurchase', async () => {
    const { productKeyOf } = await import('../../shared/journeys/products.ts');
    expect(productKeyOf({ sku: '', productId: '42', title: 'X' })).toBe('product:42');
    expect(productKeyOf({ sku: '', title: 'Tea towel' })).toBe('title:Tea towel');
  });

  it('autoCloseHours null: the platform never closes unpaid orders, so there is no last-chance reminder', () => {
    const shop = shopWith({ autoCloseHours: null });
    const commands = plan({ shop, before: undefined, after: order(), transitions: [milestone('created', T0)], now: T0 });
    expect(scheduledKeys(commands)).not.toContain(`msg:payment-reminder:${ORDER}:last`);
    expect(scheduledKeys(commands)).toContain(`msg:payment-reminder:${ORDER}:1`);
  });

  it('parcelUpdates false: no notices, but stalls are still watched', () => {
    const shippedAt = sh('2026-11-20 15:00');
    const before = order({ milestones: { created: T0, paid: plusMs(T0, MIN) } });
    const after = { ...before, milestones: { ...before.milestones, shipped: shippedAt } };
    const commands = plan({ shop: shopWith({ parcelUpdates: false }), before, after, transitions: [milestone('shipped', shippedAt)], now: shippedAt });
    expect(scheduledKeys(commands)).toEqual([`stall-check:${ORDER}`]);
  });
});

describe("the shop's links", () => {
  it('fills the review and repurchase links with the product and order', () => {
    const deliveredAt = sh('2026-11-22 16:00');
    const shop = shopWith({ reviewUrl: 'https://shop.example/review/{order}?sku={sku}', repurchaseUrl: 'https://shop.example/p/{sku}' });
    const before = order({ orderNumber: '#1001', milestones: { created: T0, paid: plusMs(T0, MIN) } });
    const after = { ...before, milestones: { ...before.milestones, delivered: deliveredAt } };
    const commands = plan({ shop, before, after, transitions: [milestone('delivered', deliveredAt)], products: [rule('LJ-250', { repurchaseCycleDays: 30 })], now: deliveredAt });
    const varsOf = (key: string) => commands.flatMap((c) => (c.type === 'schedule' && c.task.taskKey === key ? [c.task.payload?.vars] : []));
    expect(varsOf(`msg:review:${ORDER}`)).toEqual([{ product_title: '西湖龙井', review_url: 'https://shop.example/review/1001?sku=LJ-250' }]);
    expect(varsOf(`msg:repurchase:${CUSTOMER}:LJ-250`)).toEqual([{ product_title: '西湖龙井', repurchase_url: 'https://shop.example/p/LJ-250' }]);
  });

  it('leaves the links out when the shop has none', () => {
    const deliveredAt = sh('2026-11-22 16:00');
    const before = order({ milestones: { created: T0, paid: plusMs(T0, MIN) } });
    const commands = plan({ before, after: { ...before, milestones: { ...before.milestones, delivered: deliveredAt } }, transitions: [milestone('delivered', deliveredAt)], now: deliveredAt });
    const review = commands.find((c) => c.type === 'schedule' && c.task.taskKey === `msg:review:${ORDER}`);
    expect(review?.type === 'schedule' ? review.task.payload?.vars : undefined).toEqual({ product_title: '西湖龙井' });
  });
});

function scheduledKeys(commands: JourneyCommand[]): string[] {
  return commands.flatMap((c) => (c.type === 'schedule' ? [c.task.taskKey] : []));
}
