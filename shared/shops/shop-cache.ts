import type { Shop } from './shop.ts';

/**
 * Milliseconds of real time, for how long a cached read may be kept: how stale a copy of a
 * shop's settings may be is a question of real time (how soon a change reaches a running
 * function), not of the domain clock, which the simulator moves by days at a time.
 */
export const realTimeMs = (): number => performance.now();

/**
 * Reads per shop at most once per `ttlMs` as `stopwatch` counts it (settings change rarely;
 * every event needs them): `realTimeMs` for what only people change, the domain clock for what
 * events change. Values `keep` refuses are not cached; at most 1,000 shops are held.
 */
export function cachedFor<T>(ttlMs: number, stopwatch: () => number, load: (shopId: string) => Promise<T>, keep: (value: T) => boolean = () => true) {
  const entries = new Map<string, { value: T; until: number }>();
  return async (shopId: string): Promise<T> => {
    const now = stopwatch();
    const hit = entries.get(shopId);
    if (hit && hit.until > now) return hit.value;
    const value = await load(shopId);
    if (entries.size > 1000) entries.clear();
    if (keep(value)) entries.set(shopId, { value, until: now + ttlMs });
    return value;
  };
}

/**
 * Webhooks for one shop come in bursts; its settings are read once per `ttlMs` of real time per
 * Lambda instance. A new secret added by `careline shop secret add` is picked up within that
 * time; an unknown shop is not cached (it may be added any moment).
 */
export function shopCache(load: (shopId: string) => Promise<Shop | undefined>, ttlMs = 30_000): (shopId: string) => Promise<Shop | undefined> {
  return cachedFor(ttlMs, realTimeMs, load, (shop) => shop !== undefined);
}
