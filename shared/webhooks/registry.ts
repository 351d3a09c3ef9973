import type { Platform } from '../shops/shop.ts';
import type { PlatformAdapter } from './adapter.ts';
import { carelineAdapter } from './careline.ts';
import { shopifyAdapter } from './shopify.ts';
import { woocommerceAdapter } from './woocommerce.ts';
import { aftershipAdapter } from './aftership.ts';
import { kuaidi100Adapter } from './kuaidi100.ts';

export const ADAPTERS: Record<Platform, PlatformAdapter> = {
  shopify: shopifyAdapter,
  woocommerce: woocommerceAdapter,
  careline: carelineAdapter,
};

/** Parcel-tracking services: they call any shop's route, whatever its platform, with checkpoints. */
export const TRACKING_SOURCES = ['kuaidi100', 'aftership'] as const;
export type TrackingSource = (typeof TRACKING_SOURCES)[number];
export const TRACKING_ADAPTERS: Record<TrackingSource, PlatformAdapter> = {
  kuaidi100: kuaidi100Adapter,
  aftership: aftershipAdapter,
};

export function isTrackingSource(source: string): source is TrackingSource {
  return Object.hasOwn(TRACKING_ADAPTERS, source);
}

export function adapterFor(platform: string): PlatformAdapter | undefined {
  if (isTrackingSource(platform)) return TRACKING_ADAPTERS[platform];
  return Object.hasOwn(ADAPTERS, platform) ? ADAPTERS[platform as Platform] : undefined;
}
