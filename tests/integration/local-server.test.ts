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

  it('sets product rules and shop settings from the CLI, logs each change, and refuses unknown keys', async () => {
    const cli = (...args: string[]) => run(process.execPath, ['bin/careline.js', ...args], { env });
    await cli('product', 'set', 'demo', 'LJ-250', '--title', '西湖龙井', '--check-in', '3,14', '--repurchase-days', '30');
    expect((await cli('product', 'list', 'demo')).stdout).toMatch(/LJ-250\s+西湖龙井\s+check-ins 3,14\s+repurchase 30 d\/unit/);

    const set = await cli('shop', 'set', 'demo', 'journeys.stallAfterHours=72', 'trackingSecrets.kuaidi100=salt-0123456789');
    expect(set.stdout).toContain('journeys.stallAfterHours: 48 → 72');
    expect(set.stdout).toContain('trackingSecrets.kuaidi100: (unset) → ••••6789'); // secrets never printed whole
    const changes = (await cli('shop', 'changes', 'demo')).stdout;
    expect(changes).toContain('journeys.stallAfterHours: 48 → 72');
    expect(JSON.parse((await cli('shop', 'show', 'demo', '--json')).stdout)).toMatchObject({ journeys: { stallAfterHours: 72 } });

    const typo = await cli('shop', 'set', 'demo', 'journeys.stalAfterHours=72').catch((error: { stderr: string; code: number }) => error);
    expect(typo).toMatchObject({ code: 1, stderr: expect.stringContaining('"journeys.stalAfterHours" is not a setting') });
    const bad = await cli('shop', 'set', 'demo', 'journeys.stallAfterHours=2').catch((error: { stderr: string; code: number }) => error);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('journeys.stallAfterHours') });
    expect((await cli('calls', 'demo')).stdout).toContain('No open calls for demo.');
    // The order posted above was counted as it happened; the report reads the day's counters.
    const report = JSON.parse((await cli('report', 'demo', '--since', '7d', '--json')).stdout);
    expect(report.kpis.orders).toMatchObject({ total: 1, new: 1 });
    const badSince = await cli('report', 'demo', '--since', 'last week').catch((error: { stderr: string; code: number }) => error);
    expect(badSince).toMatchObject({ code: 1, stderr: expect.stringContaining('--since takes 30d') });
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
