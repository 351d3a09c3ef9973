import type { Context, ScheduledEvent } from 'aws-lambda';
import { inboundSmsEvent } from '../../local/inbound-sms-event.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { handler as dispatcherHandler } from '../../functions/dispatcher/handler.ts';
import { handler as inboundSmsHandler } from '../../functions/inbound-sms/handler.ts';
import { logger } from '../../functions/logger.ts';
import { setRuntime } from '../../functions/runtime.ts';
import { journeyKeys, messageTaskKey } from '../../shared/journeys/commands.ts';
import { SEND_MESSAGE_TASK } from '../../shared/messages/message-task.ts';
import { signCareline } from '../../shared/webhooks/signatures.ts';
import type { Task } from '../../shared/tasks/task.ts';
import { type JourneyWorld, journeyWorld, SHOP_SECRET, shanghai } from '../support/journey-world.ts';

// A customer's journey through the real handlers against DynamoDB Local, with every line the
// shared Powertools logger writes captured: neither the phone number nor the email address may
// appear in the clear, including where an error message carries them into the log.

const PHONE = '+8613800138000';
const EMAIL = 'xiaoyu@example.com';
/** A long numeric id, as platforms give them: an id, not a phone number, and logged as it is. */
const ORDER_ID = '5678901234567890123';
const customer = { platformCustomerId: 'c-1001', firstName: '晓雨', phone: PHONE, email: EMAIL, smsConsent: 'subscribed', emailConsent: 'subscribed' };
const tea = { lineItemId: 'li-1', sku: 'LJ-250', title: '西湖龙井', quantity: 1, price: '168.00' };

let world: JourneyWorld | undefined;
let stdout: MockInstance<typeof process.stdout.write>;
let stderr: MockInstance<typeof process.stderr.write>;
const levelBefore = logger.getLevelName();

/** Everything written to stdout and stderr since the test began, one entry per line. */
const captured = () =>
  [...stdout.mock.calls, ...stderr.mock.calls]
    .map(([chunk]) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')))
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '');

beforeAll(() => {
  // The tests run with POWERTOOLS_LOG_LEVEL=WARN; this journey is about what info lines say too.
  logger.setLogLevel('DEBUG');
});
afterAll(() => {
  logger.setLogLevel(levelBefore);
});
beforeEach(() => {
  // Powertools writes through its own Console on process.stdout / process.stderr (not the global console).
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  stdout.mockRestore();
  stderr.mockRestore();
  await world?.stop();
  world = undefined;
});

/** The SNS event two-way SMS delivers to the inbound-SMS function. */
function inboundSms(messageBody: string, originationNumber = PHONE, n = 1) {
  return inboundSmsEvent({ originationNumber, messageBody, n, at: new Date('2026-11-21T02:00:00.000Z'), destinationNumber: '+8610690000' });
}

describe('log privacy', () => {
  it('an order, its reminders, a failed delivery, a dead send and an SMS STOP log neither the phone number nor the email in the clear', async () => {
    world = await journeyWorld();
    const w = world;

    // The shop's platform sends the order; the first delivery fails in DynamoDB with an error that
    // echoes the customer's contact (the middleware logs it and answers 500), the platform retries.
    await w.at('2026-11-20 22:10');
    const body = JSON.stringify({
      id: 'evt-order-1',
      type: 'order.created',
      orderId: ORDER_ID,
      occurredAt: w.clock.now().toISOString(),
      order: { orderNumber: '#1001', currency: 'CNY', total: '336.00', lineItems: [{ ...tea, quantity: 2 }], createdAt: w.clock.now().toISOString() },
      customer,
    });
    const delivery = { platform: 'careline', shopId: w.shop.shopId, body, headers: { 'careline-signature': signCareline(body, SHOP_SECRET, w.clock.now()) } };
    const failure = Object.assign(new Error(`One or more parameter values were invalid: contact ${PHONE} / ${EMAIL} (138-0013-8000)`), { name: 'ValidationException' });
    vi.spyOn(w.store, 'updateOrder').mockRejectedValueOnce(failure);
    expect((await w.webhook(delivery)).status).toBe(500);
    expect((await w.webhook(delivery)).status).toBe(200);

    // The first reminder's send keeps failing with SNS's own words, which name the number,
    // until the task is dead (logged, and told to ops); the last-chance reminder goes out.
    const send = w.engine.handlers[SEND_MESSAGE_TASK]!;
    // (The stand-in keeps the handler's own parts: its prefetch, and the follow-up a dead task leaves.)
    w.engine.handlers[SEND_MESSAGE_TASK] = Object.assign(async (task: Task, now: Date) => {
      if (task.payload.kind === 'payment_reminder') {
        throw Object.assign(new Error(`Invalid parameter: PhoneNumber Reason: ${PHONE} is not valid to publish`), { name: 'InvalidParameterException' });
      }
      return send(task, now);
    }, send);
    await w.runUntil(shanghai('2026-11-22 23:00'));
    expect(await w.engine.tasks.get(w.shop.shopId, messageTaskKey(journeyKeys.reminder(ORDER_ID)))).toMatchObject({ status: 'dead' });
    expect(w.log().map((l) => [l.kind, l.channel])).toContainEqual(['payment_last_chance', 'sms']);

    // The customer answers STOP; a reply the schema refuses (a number that is not E.164) is
    // skipped; a stray "5" is matched against check-ins.
    setRuntime(w.runtime);
    await inboundSmsHandler(inboundSms('STOP'), {} as Context);
    await inboundSmsHandler(inboundSms('STOP', '13800138000', 2), {} as Context);
    await inboundSmsHandler(inboundSms('5', PHONE, 3), {} as Context);
    expect(await w.engine.messages.smsOptedOut(PHONE)).toBe(true);

    // One run of the real dispatcher handler, as the minute rule would start it.
    await dispatcherHandler({} as ScheduledEvent, { getRemainingTimeInMillis: () => 60_000 } as Context);

    const lines = captured();
    const messages = lines.map((line) => (JSON.parse(line) as { message?: string }).message);
    // The journey was logged, its failures with them: the test would see a leak.
    expect(messages).toEqual(expect.arrayContaining(['unexpected error', 'webhook', 'task dead', 'inbound SMS', 'inbound SMS not understood', 'dispatcher run']));
    expect(lines.join('\n')).toContain(`+•••8000`);
    expect(lines.join('\n')).toContain('x•••@example.com');
    for (const line of lines) {
      expect(line.replace(/[\s-]/g, '')).not.toContain('13800138000');
      expect(line).not.toContain(EMAIL);
      expect(line).not.toContain('xiaoyu%40example.com');
    }
    // Ids are not phone numbers: the order id stays readable.
    expect(lines.join('\n')).toContain(ORDER_ID);
  });
});
