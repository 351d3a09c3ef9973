import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonKeepingBigIntegers } from '../../shared/json.ts';
import type { WebhookRequest } from '../../shared/webhooks/adapter.ts';

const root = join(import.meta.dirname, '..', 'fixtures');

/** A platform fixture: its raw text (as the platform would send it), topic and headers. */
export function fixture(platform: 'shopify' | 'woocommerce', file: string) {
  const raw = readFileSync(join(root, platform, file), 'utf8');
  const meta = JSON.parse(readFileSync(join(root, platform, 'headers.json'), 'utf8'))[file] as { topic: string; headers: Record<string, string> };
  const headers = Object.fromEntries(Object.entries(meta.headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { raw, topic: meta.topic, headers, body: parseJsonKeepingBigIntegers(raw) };
}

export function requestFor(platform: 'shopify' | 'woocommerce', file: string, receivedAt = new Date('2026-11-23T00:00:00Z')): WebhookRequest {
  const { raw, headers } = fixture(platform, file);
  return { platform, shopId: 'test-shop', headers, rawBody: Buffer.from(raw), receivedAt };
}
