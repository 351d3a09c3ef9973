import type { Shop } from './shop.ts';

/**
 * Milliseconds of real time, for how long a cached read may be kept: how stale a copy of a
 * shop's settings may be is a question of real time (how soon a change reaches a running
 * function), not of the domain clock, which the simulator moves by days at a time.
 */
export const realTimeMs = (): number => performance.now();

/**
 * Webhooks for one shop come in bursts; its settings are read once per `ttlMs` of real time per
 * Lambda instance. A new secret added by `careline shop secret add` is picked up within that time.
 */
export function shopCache(load: (shopId: string) => Promise<Shop | undefined>, ttlMs = 30_000, stopwatch: () => number = realTimeMs) {
  const entries = new Map<string, { shop: Shop; until: number }>();
  return async (shopId: string): Promise<Shop | undefined> => {
    const now = stopwatch();
    const cached = entries.get(shopId);
    if (cached && cached.until > now) return cached.shop;
    const shop = await load(shopId);
    if (entries.size > 1000) entries.clear();
    if (shop) entries.set(shopId, { shop, until: now + ttlMs }); // an unknown shop may be added any moment
    return shop;
  };
}
