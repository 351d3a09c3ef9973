/**
 * Shopify webhook bodies for one order's whole life: created (unpaid), paid, fulfilled with a
 * tracking number, checkpoints, delivered. Ids are 64-bit like Shopify's. Used by the shuffle
 * tests and the ingest benchmark.
 */
export interface LifecycleStep {
  topic: string;
  webhookId: string;
  body: string;
  /** Label for reports: the canonical event this step stands for. */
  label: string;
}

export interface LifecycleOptions {
  orderId: string;
  customerId: string;
  /** When the order was placed; every later step is hours after it. */
  placedAt: Date;
  phone?: string;
}

/** JSON.stringify cannot write a 64-bit integer: ids are written as "n:<digits>" and unquoted here. */
const rawIds = (json: string) => json.replace(/"n:(\d+)"/g, '$1');

const at = (base: Date, hours: number) => new Date(base.getTime() + hours * 3600_000).toISOString().replace('.000Z', '+00:00');

export function shopifyLifecycle(options: LifecycleOptions): LifecycleStep[] {
  const { orderId, customerId, placedAt } = options;
  const fulfillmentId = `${orderId.slice(0, -3)}777`;
  const order = (financial: string, fulfillment: string | null, updated: number, fulfillments: unknown[] = []) =>
    rawIds(JSON.stringify({
      id: `n:${orderId}`,
      admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
      name: `#${orderId.slice(-4)}`,
      order_number: Number(orderId.slice(-4)),
      email: `buyer${customerId.slice(-4)}@example.com`,
      phone: null,
      currency: 'CNY',
      presentment_currency: 'CNY',
      subtotal_price: '398.00',
      total_discounts: '0.00',
      total_tax: '0.00',
      total_price: '398.00',
      financial_status: financial,
      fulfillment_status: fulfillment,
      confirmed: true,
      test: false,
      cancelled_at: null,
      closed_at: null,
      processed_at: at(placedAt, 0),
      created_at: at(placedAt, 0),
      updated_at: at(placedAt, updated),
      customer_locale: 'zh-CN',
      buyer_accepts_marketing: true,
      tags: '',
      note: null,
      note_attributes: [{ name: 'gift_wrap', value: 'no' }],
      discount_codes: [],
      tax_lines: [],
      shipping_lines: [{ id: 'n:4200000000000001', title: '顺丰速运', price: '0.00', code: 'SF' }],
      customer: {
        id: `n:${customerId}`,
        email: `buyer${customerId.slice(-4)}@example.com`,
        phone: options.phone ?? '+8613800138000',
        first_name: 'Wei',
        last_name: 'Lin',
        state: 'enabled',
        verified_email: true,
        email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: at(placedAt, -240) },
        sms_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: at(placedAt, -240), consent_collected_from: 'SHOPIFY' },
        created_at: at(placedAt, -240),
      },
      billing_address: { first_name: 'Wei', last_name: 'Lin', address1: '西湖区文三路 100 号', city: 'Hangzhou', province: 'Zhejiang', province_code: 'ZJ', country: 'China', country_code: 'CN', zip: '310000', phone: '+8613800138000' },
      shipping_address: { first_name: 'Wei', last_name: 'Lin', address1: '西湖区文三路 100 号', city: 'Hangzhou', province: 'Zhejiang', province_code: 'ZJ', country: 'China', country_code: 'CN', zip: '310000', phone: '+8613800138000' },
      line_items: [
        { id: 'n:13012345678901234', product_id: 'n:8012345678901234', variant_id: 'n:9012345678901234', sku: 'TEA-LJ-250', title: 'West Lake Longjing 250g', quantity: 1, price: '199.00', grams: 250, vendor: 'Tea House', requires_shipping: true, taxable: true, fulfillment_status: fulfillment },
        { id: 'n:13012345678901235', product_id: 'n:8012345678901235', variant_id: 'n:9012345678901235', sku: 'CUP-CELADON', title: 'Celadon tea cup', quantity: 1, price: '199.00', grams: 180, vendor: 'Tea House', requires_shipping: true, taxable: true, fulfillment_status: fulfillment },
      ],
      fulfillments,
      refunds: [],
    }));
  const fulfillment = (updated: number, shipmentStatus: string | null) => ({
    id: `n:${fulfillmentId}`,
    order_id: `n:${orderId}`,
    status: 'success',
    created_at: at(placedAt, 20),
    updated_at: at(placedAt, updated),
    tracking_company: 'SF Express',
    tracking_number: `SF${orderId.slice(-10)}`,
    tracking_url: `https://www.sf-express.com/cn/sc/dynamic_function/waybill/#search/bill-number/SF${orderId.slice(-10)}`,
    shipment_status: shipmentStatus,
    line_items: [],
  });
  const checkpoint = (hours: number, status: string, city: string, message: string) =>
    rawIds(JSON.stringify({
      id: `n:${fulfillmentId}${Math.round(hours)}`,
      fulfillment_id: `n:${fulfillmentId}`,
      status,
      message,
      happened_at: at(placedAt, hours),
      city,
      province: 'Zhejiang',
      country: 'China',
      zip: null,
      address1: null,
      latitude: null,
      longitude: null,
      shop_id: 'n:60000000001',
      created_at: at(placedAt, hours),
      updated_at: at(placedAt, hours),
      estimated_delivery_at: null,
      order_id: `n:${orderId}`,
    }));

  const step = (topic: string, label: string, body: string, n: number): LifecycleStep => ({ topic, label, body, webhookId: `wh-${orderId}-${n}` });
  return [
    step('orders/create', 'order.created', order('pending', null, 0), 1),
    step('orders/paid', 'order.paid', order('paid', null, 2), 2),
    step('fulfillments/create', 'order.shipped', rawIds(JSON.stringify(fulfillment(20, 'confirmed'))), 3),
    step('fulfillment_events/create', 'shipment.checkpoint', checkpoint(26, 'in_transit', 'Hangzhou', '快件已揽收'), 4),
    step('fulfillment_events/create', 'shipment.checkpoint', checkpoint(38, 'in_transit', 'Shanghai', '快件到达上海转运中心'), 5),
    step('fulfillment_events/create', 'shipment.checkpoint', checkpoint(50, 'out_for_delivery', 'Shanghai', '快递员正在派件'), 6),
    step('fulfillment_events/create', 'shipment.delivered', checkpoint(54, 'delivered', 'Shanghai', '已签收'), 7),
  ];
}
