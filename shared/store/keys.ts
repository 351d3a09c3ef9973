/**
 * The only place that spells item keys. Every key starts with the shop id (DESIGN principle 6),
 * so a request authenticated for one shop can only ever address that shop's items.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /**
   * The due-task index. It holds only what the dispatcher needs before it claims a task; the
   * attributes a claim changes (status, lease) are not projected, so a claim writes the table
   * alone, not the index as well.
   */
  dueIndex: {
    name: 'gsi1',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    projected: ['shopId', 'taskKey', 'kind', 'dueAt', 'priority', 'payload'],
  },
} as const;

export interface ItemKey {
  pk: string;
  sk: string;
}

const shopPrefix = (shopId: string) => `SHOP#${shopId}`;

export const keys = {
  shop: (shopId: string): ItemKey => ({ pk: shopPrefix(shopId), sk: 'META' }),
  /** A shop's own template for a message kind, locale and variant. */
  template: (shopId: string, kind: string, locale: string, variant?: string): ItemKey => ({
    pk: shopPrefix(shopId),
    sk: `TPL#${kind}#${locale}#${variant ?? '-'}`,
  }),
  templatePrefix: 'TPL#',
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
  /** One of a customer's orders (its history is read from the order when the timeline is shown). */
  customerOrder: (shopId: string, customerId: string, orderId: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#C#${customerId}`, sk: `CO#${orderId}` }),
  customerOrderPrefix: 'CO#',
  /** A task; a shop's tasks are spread over TASK_PARTITIONS partitions by key. */
  task: (shopId: string, partition: number, taskKey: string): ItemKey => ({
    pk: `${shopPrefix(shopId)}#T#${String(partition).padStart(2, '0')}`,
    sk: `K#${taskKey}`,
  }),
  taskPartition: (shopId: string, partition: number): string => `${shopPrefix(shopId)}#T#${String(partition).padStart(2, '0')}`,
  /** Index keys of a task waiting to run (sparse: finished tasks have none). */
  dueIndex: (bucket: string, shard: number, dueAt: string, shopId: string, taskKey: string) => ({
    gsi1pk: `DUE#${bucket}#${shard}`,
    gsi1sk: `${dueAt}#${shopId}#${taskKey}`,
  }),
  dueIndexPartition: (bucket: string, shard: number): string => `DUE#${bucket}#${shard}`,
  /** Index keys of a dead task: listed and counted per shop. */
  deadIndex: (shopId: string, deadAt: string, taskKey: string) => ({ gsi1pk: `DEAD#${shopId}`, gsi1sk: `${deadAt}#${taskKey}` }),
  deadIndexPartition: (shopId: string): string => `DEAD#${shopId}`,
  /**
   * The dispatcher's watermark: the oldest due bucket it still has to read. It belongs to the
   * deployment, not to a shop — the one key that does not start with a shop id.
   */
  dispatcherWatermark: (): ItemKey => ({ pk: 'CARELINE#DISPATCHER', sk: 'WATERMARK' }),
  /** A customer's message ledger entry (dedupe and the why-sent / why-not record). */
  message: (shopId: string, customerId: string, messageKey: string): ItemKey => ({
    pk: `${shopPrefix(shopId)}#C#${customerId}`,
    sk: `M#${messageKey}`,
  }),
  messagePrefix: 'M#',
  /** A customer's recent care/marketing sends (the contact budget). */
  contactBudget: (shopId: string, customerId: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#C#${customerId}`, sk: 'BUDGET' }),
  /**
   * An SMS opt-out, by hashed phone number. STOP replies reach the deployment's sending number,
   * which all its shops share, so an opt-out holds for all of them: not shop-scoped either.
   */
  smsOptOut: (phoneDigest: string): ItemKey => ({ pk: `OPTOUT#SMS#${phoneDigest}`, sk: 'OPTOUT' }),
  /** A product care rule (`*` is the shop default). */
  product: (shopId: string, sku: string): ItemKey => ({ pk: shopPrefix(shopId), sk: `PRODUCT#${sku}` }),
  productPrefix: 'PRODUCT#',
  /** How long the shop's buyers take to pay, by group (a histogram of counters). */
  payHistogram: (shopId: string): ItemKey => ({ pk: shopPrefix(shopId), sk: 'PAYHIST' }),
  /** The shop's counters for one UTC day (messages, payments, recovered revenue, stalls, replies, …). */
  dailyCounters: (shopId: string, day: string): ItemKey => ({ pk: shopPrefix(shopId), sk: `COUNT#d#${day}` }),
  dailyCountersPrefix: 'COUNT#d#',
  /** Marks that a once-only effect of an order (its payment counted, its stall alerted) happened. */
  orderMark: (shopId: string, orderId: string, mark: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#O#${orderId}`, sk: `MARK#${mark}` }),
  /** Which order a parcel belongs to, by tracking number (tracking services call with that alone). */
  tracking: (shopId: string, trackingNumber: string, orderId: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#TRK#${trackingNumber.toUpperCase()}`, sk: `O#${orderId}` }),
  trackingPartition: (shopId: string, trackingNumber: string): string => `${shopPrefix(shopId)}#TRK#${trackingNumber.toUpperCase()}`,
  /** A phone call staff should make about a large unpaid order. */
  call: (shopId: string, orderId: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#CALLS`, sk: `CALL#${orderId}` }),
  callPartition: (shopId: string): string => `${shopPrefix(shopId)}#CALLS`,
  /** One of the customer's unpaid orders (for "paid another order covering it"). */
  unpaidOrder: (shopId: string, customerId: string, orderId: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#C#${customerId}`, sk: `UNPAID#${orderId}` }),
  unpaidPrefix: 'UNPAID#',
  /** The newest check-in sent to a phone number, so a 1–5 reply finds it (deployment-wide, as replies are). */
  checkIn: (phoneDigest: string): ItemKey => ({ pk: `CHECKIN#${phoneDigest}`, sk: 'CHECKIN' }),
  /** One change of a shop setting, with its old and new value. */
  settingsChange: (shopId: string, at: string, key: string): ItemKey => ({ pk: shopPrefix(shopId), sk: `CHANGE#${at}#${key}` }),
  settingsChangePrefix: 'CHANGE#',
  /** Maps a hashed phone or email to the customer it belongs to (guest matching). */
  contactAlias: (shopId: string, digest: string): ItemKey => ({ pk: `${shopPrefix(shopId)}#ID#${digest}`, sk: 'ID' }),
};

/** Whether a key is an order item's (the stream publisher only looks at those). */
export function isOrderKey(pk: string, sk: string): boolean {
  return sk === 'ORDER' && pk.startsWith('SHOP#') && pk.includes('#O#');
}
