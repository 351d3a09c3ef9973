import type { Context } from 'aws-lambda';
import { handler as inboundSmsHandler } from '../../functions/inbound-sms/handler.ts';
import { setRuntime } from '../../functions/runtime.ts';
import type { OutboxEntry } from '../../shared/channels/outbox.ts';
import { manualClock } from '../../shared/clock.ts';
import type { ProductRule } from '../../shared/journeys/products.ts';
import type { TemplateSource } from '../../shared/messages/templates.ts';
import type { Shop } from '../../shared/shops/shop.ts';
import { JourneyStore } from '../../shared/store/journey-store.ts';
import type { LedgerEntry } from '../../shared/store/message-store.ts';
import { signCareline } from '../../shared/webhooks/signatures.ts';
import { inboundSmsEvent } from '../inbound-sms-event.ts';
import { createWorld } from '../world.ts';
import { DEMO_PRODUCTS, demoShop, generatePlan, productRules, type SimCustomer, type SimPlan } from './generate.ts';

export interface SimOptions {
  /** A running DynamoDB Local (in memory). */
  endpoint: string;
  seed: number;
  customers: number;
  days: number;
  /** First moment of the simulation (default: 2026-11-02 00:00 UTC, a Monday). */
  start?: Date;
  /** An existing shop's settings, products and templates (`careline simulate <shopId>`); the demo shop otherwise. */
  shop?: Shop;
  products?: ProductRule[];
  templates?: TemplateSource[];
  /** Told how far the run is, 0…1. */
  onProgress?: (done: number) => void;
}

export interface SimResult {
  shop: Shop;
  start: Date;
  end: Date;
  plan: SimPlan;
  sent: OutboxEntry[];
  /** Every customer's message ledger: sent and not sent, with reasons. */
  ledger: LedgerEntry[];
  /** The shop's counters over the run, as `careline report` reads them. */
  counters: Record<string, number>;
  daily: { day: string; counters: Record<string, number> }[];
  payHistogram: Awaited<ReturnType<JourneyStore['getPayHistogram']>>;
  alerts: number;
  webhooks: number;
  /** DynamoDB capacity the whole run consumed (ingest, journeys, dispatcher, pipeline), by operation. */
  capacity: { read: number; write: number; byOperation: Record<string, { read: number; write: number }> };
  wallMs: number;
}

const DAY = 86_400_000;

/**
 * Runs a shop's next weeks on a virtual clock through Careline itself: the real webhook
 * handler, order stream, dispatcher, send pipeline and inbound-SMS handler, against DynamoDB
 * Local, with the outbox channel. Nothing here re-implements a rule; it only makes things happen.
 */
export async function simulate(options: SimOptions): Promise<SimResult> {
  const started = performance.now();
  const start = options.start ?? new Date('2026-11-02T00:00:00.000Z');
  const end = new Date(start.getTime() + options.days * DAY);
  const clock = manualClock(start);
  const capacity: SimResult['capacity'] = { read: 0, write: 0, byOperation: {} };
  const world = await createWorld({
    endpoint: options.endpoint,
    tableName: `simulation-${options.seed}-${Date.now().toString(36)}`,
    clock,
    onCapacity: (operation, units) => {
      capacity.read += units.read;
      capacity.write += units.write;
      const entry = (capacity.byOperation[operation] ??= { read: 0, write: 0 });
      entry.read += units.read;
      entry.write += units.write;
    },
  });
  try {
    const shop = options.shop ? { ...options.shop, platform: 'careline' as const } : demoShop();
    await world.store.createShop(shop);
    const journeys = new JourneyStore({ client: world.store.documentClient, tableName: world.store.tableName });
    const rules = options.products ?? productRules(DEMO_PRODUCTS, start);
    for (const rule of rules) await journeys.putProduct(shop.shopId, rule);
    for (const template of options.templates ?? []) await world.store.putTemplate(shop.shopId, template);
    const products = options.products
      ? options.products.map((rule) => ({ sku: rule.sku, title: rule.title ?? rule.sku, price: '99.00', rule }))
      : DEMO_PRODUCTS;
    const plan = generatePlan({ seed: options.seed, customers: options.customers, days: options.days, start, products });
    const secret = shop.secrets[0]!.value;

    let webhooks = 0;
    let replies = 0;
    // Replies and events planned past the last day are not part of this run.
    for (const action of plan.actions.filter((a) => a.at < end)) {
      await world.runUntil(action.at);
      if (action.type === 'event') {
        const body = JSON.stringify({ id: `sim-${++webhooks}`, occurredAt: action.at.toISOString(), ...action.event });
        const answer = await world.webhook(
          { platform: 'careline', shopId: shop.shopId, body, headers: { 'careline-signature': signCareline(body, secret, clock.now()) } },
          { settle: false },
        );
        if (answer.status !== 200) throw new Error(`simulated webhook refused (${answer.status}): ${JSON.stringify(answer.body)}`);
      } else {
        setRuntime(world.runtime);
        await inboundSmsHandler(inboundSmsEvent({ originationNumber: action.phone, messageBody: action.body, n: replies++, at: clock.now() }), {} as Context);
      }
      options.onProgress?.((action.at.getTime() - start.getTime()) / (end.getTime() - start.getTime()));
    }
    await world.runUntil(end);
    options.onProgress?.(1);

    const ledger: LedgerEntry[] = [];
    for (const customer of plan.customers) ledger.push(...(await world.engine.messages.listMessages(shop.shopId, customer.customerId, 500)));
    const daily = await journeys.getDailyCounters(shop.shopId);
    return {
      shop,
      start,
      end,
      plan,
      sent: [...world.sent],
      ledger,
      counters: await journeys.getCounters(shop.shopId),
      daily,
      payHistogram: await journeys.getPayHistogram(shop.shopId),
      alerts: world.alerts.length,
      capacity,
      webhooks,
      wallMs: performance.now() - started,
    };
  } finally {
    await world.stop();
  }
}

export type { SimCustomer };
