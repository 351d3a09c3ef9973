import type { Clock } from '../clock.ts';
import type { Shop } from './shop.ts';

/**
 * Webhooks for one shop come in bursts; its settings are read once per `ttlMs` per Lambda
 * instance. A new secret added by `careline shop secret add` is picked up within that time.
 */
export function shopCache(load: (shopId: string) => Promise<Shop | undefined>, clock: Clock, ttlMs = 30_000) {
  const entries = new Map<string, { shop: Shop; until: number }>();
  return async (shopId: string): Promise<Shop | undefined> => {
    const now = clock.now().getTime();
    const cached = entries.get(shopId);
    if (cached && cached.until > now) return cached.shop;
    const shop = await load(shopId);
    if (entries.size > 1000) entries.clear();
    if (shop) entries.set(shopId, { shop, until: now + ttlMs }); // an unknown shop may be added any moment
    return shop;
  };
}
