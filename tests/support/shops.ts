import { type Shop, shopSchema } from '../../shared/shops/shop.ts';

export function testShop(overrides: Partial<Shop> = {}): Shop {
  return shopSchema.parse({
    shopId: 'tea-house',
    platform: 'shopify',
    secrets: [{ value: 'tea-house-secret-0123456789', addedAt: '2026-11-01T00:00:00.000Z' }],
    timezone: 'Asia/Shanghai',
    locale: 'zh-CN',
    currency: 'CNY',
    country: 'CN',
    vipThresholdMinor: 100_000,
    createdAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  });
}
