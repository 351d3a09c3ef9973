import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/unsubscribe/handler.ts';
import { createRuntime, setRuntime } from '../../functions/runtime.ts';
import { manualClock } from '../../shared/clock.ts';
import { createUnsubscribeToken } from '../../shared/optout/unsubscribe-token.ts';
import { createTestTable } from '../support/dynamo.ts';

const clock = manualClock('2026-11-23T04:00:00.000Z');
let table: Awaited<ReturnType<typeof createTestTable>>;

beforeAll(async () => {
  table = await createTestTable('unsubscribe');
  setRuntime(createRuntime({ CARELINE_TABLE: table.tableName, CARELINE_UNSUBSCRIBE_SECRETS: 'new-secret,old-secret' }, { store: table.store, clock }));
  await table.store.updateProfile({ shopId: 'tea-house', customerId: 'c1' }, { factsAt: 'x', facts: { email: 'wei@example.com' }, orders: 1, spentMinor: 0 }, clock.now());
});

const call = async (method: 'GET' | 'POST', token: string) =>
  (await handler({ pathParameters: { token }, requestContext: { http: { method } }, headers: {} } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;

describe('GET and POST /u/{token}', () => {
  const token = createUnsubscribeToken({ shopId: 'tea-house', customerId: 'c1', channel: 'email' }, 'old-secret');

  it('shows a confirmation page on GET and changes nothing', async () => {
    const page = await call('GET', token);
    expect(page).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect((await table.store.getProfile('tea-house', 'c1'))?.emailOptOut).toBeUndefined();
  });

  it('unsubscribes on POST (one-click), with a token signed by a previous secret', async () => {
    expect((await call('POST', token)).statusCode).toBe(200);
    expect(await table.store.getProfile('tea-house', 'c1')).toMatchObject({ emailOptOut: true, emailOptOutAt: clock.now().toISOString() });
  });

  it('answers a bad token with 404 and does not echo it', async () => {
    const page = await call('POST', 'v1.bad.token');
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('v1.bad.token');
  });
});
