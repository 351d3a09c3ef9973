/**
 * The only place that spells item keys. Every key starts with the shop id (DESIGN principle 6),
 * so a request authenticated for one shop can only ever address that shop's items.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  dueIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export interface ItemKey {
  pk: string;
  sk: string;
}

const shopPrefix = (shopId: string) => `SHOP#${shopId}`;

export const keys = {
  shop: (shopId: string): ItemKey => ({ pk: shopPrefix(shopId), sk: 'META' }),
  webhookCounters: (shopId: string): ItemKey => ({ pk: shopPrefix(shopId), sk: 'COUNT#webhooks' }),
  order: (shopId: string, orderId: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#O#${orderId}`, sk: 'ORDER' }),
  profile: (shopId: string, customerId: string): ItemKey => ({
    pk: `${shopPrefix(shopId)}#C#${customerId}`,
    sk: 'PROFILE',
  }),
  customerPartition: (shopId: string, customerId: string): string => `${shopPrefix(shopId)}#C#${customerId}`,
  timelineEntry: (shopId: string, customerId: string, at: string, entryId: string): ItemKey => ({
    pk: `${shopPrefix(shopId)}#C#${customerId}`,
    sk: `T#${at}#${entryId}`,
  }),
  timelinePrefix: 'T#',
  /** Maps a hashed phone or email to the customer it belongs to (guest matching). */
  contactAlias: (shopId: string, digest: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#ID#${digest}`, sk: 'ID' }),
};

/** Whether a key is an order item's (the stream publisher only looks at those). */
export function isOrderKey(pk: string, sk: string): boolean {
  return sk === 'ORDER' && pk.startsWith('SHOP#') && pk.includes('#O#');
}
