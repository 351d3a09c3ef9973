import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createWorld, type World } from '../../local/world.ts';
import { manualClock } from '../../shared/clock.ts';
import type { OrderEvent } from '../../shared/events/canonical.ts';
import { type ProductRule, productRuleSchema } from '../../shared/journeys/products.ts';
import { type Shop, shopSchema } from '../../shared/shops/shop.ts';
import { JourneyStore } from '../../shared/store/journey-store.ts';
import { localParts } from '../../shared/timing/send-time.ts';
import { signCareline } from '../../shared/webhooks/signatures.ts';

export const SHOP_SECRET = 'tea-house-secret-0123456789';

/** A shop on the careline platform (canonical events), in Shanghai, with a 16:00 dispatch cut-off. */
export function journeyShop(overrides: Record<string, unknown> = {}): Shop {
  const { journeys, messaging, ...rest } = overrides as { journeys?: Record<string, unknown>; messaging?: Record<string, unknown> };
  return shopSchema.parse({
    shopId: 'tea-house',
    platform: 'careline',
    secrets: [{ value: SHOP_SECRET, addedAt: '2026-11-01T00:00:00.000Z' }],
    timezone: 'Asia/Shanghai',
    locale: 'zh-CN',
    currency: 'CNY',
    country: 'CN',
    vipThresholdMinor: 100_000,
    trackingSecrets: { kuaidi100: 'kuaidi100-salt-0123' },
    journeys: { dispatchCutoff: '16:00', ...journeys },
    messaging: { shopName: '茶韵', ...messaging },
    createdAt: '2026-11-01T00:00:00.000Z',
    ...rest,
  });
}

export interface JourneyWorld extends World {
  shop: Shop;
  journeys: JourneyStore;
  /** Sends one canonical event as the shop's platform would, signed, at the clock's time. */
  send(event: Omit<OrderEvent, 'occurredAt'> & { occurredAt?: string; customer?: Record<string, unknown> }): Promise<void>;
  /** Lets time pass up to a Shanghai wall-clock time ('2026-11-20 22:10'), running what falls due. */
  at(local: string): Promise<Date>;
  /** Messages sent, as `local time  kind  channel` lines in the customer's zone, plus the text. */
  log(): { local: string; kind: string; channel: string; text: string }[];
  product(rule: Omit<ProductRule, 'updatedAt' | 'checkInDays'> & { checkInDays?: number[] }): Promise<void>;
}

export async function journeyWorld(shop: Shop = journeyShop(), start = '2026-11-20T00:00:00.000Z'): Promise<JourneyWorld> {
  const clock = manualClock(start);
  const world = await createWorld({ endpoint: inject('dynamoEndpoint'), tableName: `journeys-${randomUUID().slice(0, 8)}`, clock });
  await world.store.createShop(shop);
  const journeys = new JourneyStore({ client: world.store.documentClient, tableName: world.store.tableName });
  let n = 0;
  return Object.assign(world, {
    shop,
    journeys,
    async send(event: Parameters<JourneyWorld['send']>[0]) {
      const body = JSON.stringify({ id: `evt-${++n}-${createHash('sha1').update(JSON.stringify(event)).digest('hex').slice(0, 8)}`, occurredAt: clock.now().toISOString(), ...event });
      const answer = await world.webhook({
        platform: 'careline',
        shopId: shop.shopId,
        body,
        headers: { 'careline-signature': signCareline(body, SHOP_SECRET, clock.now()) },
      });
      if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
    async at(local: string) {
      const at = shanghai(local);
      await world.runUntil(at);
      return at;
    },
    log() {
      return world.sent.map((m) => {
        const parts = localParts(new Date(m.at), shop.timezone);
        return { local: `${parts.date} ${parts.time}`, kind: m.kind, channel: m.channel, text: m.text };
      });
    },
    async product(rule: Parameters<JourneyWorld['product']>[0]) {
      await journeys.putProduct(shop.shopId, productRuleSchema.parse({ ...rule, updatedAt: clock.now().toISOString() }));
    },
  });
}

/** Shanghai wall-clock time as an instant. */
export function shanghai(local: string): Date {
  return new Date(`${local.replace(' ', 'T')}:00+08:00`);
}
