import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signBase64Body } from '../shared/webhooks/signatures.ts';

/**
 * A Shopify `orders/create` body for the quickstart: an unpaid order from a customer whose
 * id, like real Shopify ids, does not fit a JavaScript number.
 */
export function sampleShopifyOrder(now: Date): string {
  const created = now.toISOString();
  return `{"id":5678901234567890123,"name":"#1001","email":"lin.wei@example.com","phone":null,"currency":"CNY","total_price":"398.00","financial_status":"pending","fulfillment_status":null,"cancelled_at":null,"closed_at":null,"created_at":"${created}","updated_at":"${created}","customer_locale":"zh-CN","customer":{"id":7012345678901234567,"email":"lin.wei@example.com","phone":"+8613800138000","first_name":"Wei","last_name":"Lin","email_marketing_consent":{"state":"subscribed"},"sms_marketing_consent":{"state":"subscribed"}},"shipping_address":{"country_code":"CN","province_code":"ZJ","city":"Hangzhou","phone":"+8613800138000"},"line_items":[{"id":13012345678901234,"product_id":8012345678901234,"sku":"TEA-LJ-250","title":"West Lake Longjing 250g","quantity":2,"price":"199.00"}],"fulfillments":[],"refunds":[]}`;
}

/** Writes the sample body and returns a curl line that posts it, signed with the shop's secret. */
export function sampleCurl(options: { dir: string; url: string; shopId: string; secret: string; now: Date }): string {
  const file = join(options.dir, 'sample-orders-create.json');
  const body = sampleShopifyOrder(options.now);
  writeFileSync(file, body);
  const hmac = signBase64Body(body, options.secret);
  return [
    `curl -s -X POST ${options.url}/webhooks/shopify/${options.shopId}`,
    `  -H 'Content-Type: application/json'`,
    `  -H 'X-Shopify-Topic: orders/create'`,
    `  -H 'X-Shopify-Webhook-Id: quickstart-${options.now.getTime()}'`,
    `  -H 'X-Shopify-Hmac-Sha256: ${hmac}'`,
    `  --data-binary @${file}`,
  ].join(' \\\n');
}
