import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local.ts';
import { readLocalStateFrom } from '../support/local-state.ts';
import { sampleShopifyOrder } from '../../local/sample-webhook.ts';
import { signBase64Body } from '../../shared/webhooks/signatures.ts';

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), 'careline-home-'));
const env = { ...process.env, CARELINE_HOME: home, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
let server: ChildProcess;
let output = '';
let port: number;

async function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = output.match(pattern);
    if (match) return match;
    if (server.exitCode !== null) throw new Error(`npm start exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  port = await freePort();
  // What `npm start` runs, in its own home folder and port.
  server = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(/Press Ctrl-C to stop/, 45_000);
}, 60_000);

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints its URL, the demo shop secret and a ready curl line', () => {
    expect(output).toContain(`Careline is running at http://127.0.0.1:${port}`);
    expect(output).toMatch(/demo shop secret: [0-9a-f]{48}/);
    expect(output).toContain(`curl -s -X POST http://127.0.0.1:${port}/webhooks/shopify/demo`);
  });

  it('answers a signed webhook end to end, and the CLI finds the order on the timeline', async () => {
    const secret = output.match(/demo shop secret: ([0-9a-f]{48})/)![1]!;
    const body = sampleShopifyOrder(new Date());
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/shopify/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'e2e-1', 'x-shopify-hmac-sha256': signBase64Body(body, secret) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, outcome: 'applied', orderId: '5678901234567890123' });

    const unsigned = await fetch(`http://127.0.0.1:${port}/webhooks/shopify/demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);

    const { stdout } = await run(process.execPath, ['bin/careline.js', 'timeline', 'demo', '7012345678901234567'], { env });
    expect(stdout).toContain('Order #1001 placed: 2 item(s), CN¥398.00');
    expect(stdout).toContain('+86•••••••8000'); // the CLI masks contacts
    const order = await run(process.execPath, ['bin/careline.js', 'order', 'demo', '5678901234567890123', '--json'], { env });
    expect(JSON.parse(order.stdout)).toMatchObject({ orderId: '5678901234567890123', status: 'pending_payment', customerId: '7012345678901234567' });
  });

  it('stops DynamoDB Local with it on SIGTERM', async () => {
    const { dynamodbEndpoint } = readLocalStateFrom(home)!;
    expect((await fetch(dynamodbEndpoint).catch(() => undefined))?.status).toBeDefined();
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    expect(server.exitCode).toBe(0);
    await expect(fetch(dynamodbEndpoint)).rejects.toThrow();
  });
});
