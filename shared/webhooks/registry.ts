import type { Platform } from '../shops/shop.ts';
import type { PlatformAdapter } from './adapter.ts';
import { carelineAdapter } from './careline.ts';
import { shopifyAdapter } from './shopify.ts';
import { woocommerceAdapter } from './woocommerce.ts';

export const ADAPTERS: Record<Platform, PlatformAdapter> = {
  shopify: shopifyAdapter,
  woocommerce: woocommerceAdapter,
  careline: carelineAdapter,
};

export function adapterFor(platform: string): PlatformAdapter | undefined {
  return Object.hasOwn(ADAPTERS, platform) ? ADAPTERS[platform as Platform] : undefined;
}
