import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createLogger, redactPersonalData } from '../../functions/logger.ts';

describe('redactPersonalData', () => {
  it.each([
    ['+8613800138000', '+•••8000'],
    ['+86 138 0013 8000', '+•••8000'],
    ['+86-138-0013-8000', '+•••8000'],
    ['+1 (415) 555-0100', '+•••0100'],
    ['+44 20 7946 0958', '+•••0958'],
    ['%2B8613800138000', '+•••8000'],
    ['13800138000', '•••8000'],
    ['138 0013 8000', '•••8000'],
    ['138-0013-8000', '•••8000'],
  ])('masks the phone number %s down to its last four digits', (phone, masked) => {
    expect(redactPersonalData(phone)).toBe(masked);
    expect(redactPersonalData(`SMS to ${phone}: refused`)).toBe(`SMS to ${masked}: refused`);
  });

  it('masks a Chinese mobile number inside Chinese text, after # and _ and between quotes', () => {
    expect(redactPersonalData('手机13800138000已退订')).toBe('手机•••8000已退订');
    expect(redactPersonalData('SHOP#tea#PHONE#13800138000')).toBe('SHOP#tea#PHONE#•••8000');
    expect(redactPersonalData('phone_13800138000')).toBe('phone_•••8000');
    expect(redactPersonalData('"13800138000"')).toBe('"•••8000"');
  });

  it('masks emails to their first character and domain, also URL-encoded', () => {
    expect(redactPersonalData('xiaoyu@example.com')).toBe('x•••@example.com');
    expect(redactPersonalData('to xiaoyu.chen+shop@mail.example.com.cn, cc a@b.io')).toBe('to x•••@mail.example.com.cn, cc a•••@b.io');
    expect(redactPersonalData('/u?email=xiaoyu%40example.com')).toBe('/u?email=x•••@example.com');
  });

  it('masks the phone number an email address is made of', () => {
    expect(redactPersonalData('13800138000@sms.example.cn')).toBe('1•••@sms.example.cn');
  });

  it.each([
    ['a 19-digit order id', 'order 5678901234567890123'],
    ['a 13-digit Shopify id', 'gid://shopify/Order/5678901234567'],
    ['an id that holds a mobile-like run next to letters', 'o13800138000x'],
    ['a 12-digit run', '138001380001'],
    ['digits starting 12 (not a mobile prefix)', '12800138000'],
    ['an epoch in milliseconds', '1763683800000'],
    ['an ISO timestamp with an offset', '2026-11-20T22:10:00.000+08:00'],
    ['a plus with too few digits', '+1234567'],
    ['a plus with more than 15 digits', '+1234567890123456'],
    ['a task key', 'msg:payment-reminder:o-1:last'],
    ['a UUID', '3f2b8c1e-1380-4013-8000-138001380000'],
  ])('leaves %s alone', (_what, text) => {
    expect(redactPersonalData(text)).toBe(text);
  });

  it('is idempotent: masked text stays as it is', () => {
    const once = redactPersonalData('+8613800138000 13800138000 xiaoyu@example.com');
    expect(redactPersonalData(once)).toBe(once);
  });
});

describe('the shared logger', () => {
  let written: MockInstance<typeof process.stdout.write>;
  let writtenToStderr: MockInstance<typeof process.stderr.write>;
  const lines = () => [...written.mock.calls, ...writtenToStderr.mock.calls].map(([chunk]) => String(chunk)).join('');
  const entries = () => lines().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeEach(() => {
    // Powertools writes through its own Console on process.stdout / process.stderr.
    written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    writtenToStderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    written.mockRestore();
    writtenToStderr.mockRestore();
  });

  it('masks the message and every attribute, however deeply nested, and keeps the line valid JSON', () => {
    const logger = createLogger({ serviceName: 'careline', logLevel: 'INFO' });
    logger.info('SMS to +8613800138000 deferred', {
      customer: { phone: '+8613800138000', emails: ['xiaoyu@example.com'], contact: { mobile: 13800138000 } },
      orderId: '5678901234567890123',
      platformOrderId: 5678901234567,
    });
    const [entry] = entries();
    expect(entry).toMatchObject({
      level: 'INFO',
      message: 'SMS to +•••8000 deferred',
      customer: { phone: '+•••8000', emails: ['x•••@example.com'], contact: { mobile: '•••8000' } },
      orderId: '5678901234567890123',
      platformOrderId: 5678901234567,
    });
    expect(lines()).not.toMatch(/13800138000|xiaoyu@/);
  });

  it('masks the message, stack and cause of a logged error', () => {
    const logger = createLogger({ logLevel: 'INFO' });
    const cause = new Error('customer xiaoyu@example.com has no consent');
    const error = new Error('Invalid parameter: PhoneNumber Reason: +8613800138000 is not valid to publish', { cause });
    logger.error('task dead', error);
    logger.error('unexpected error', { error });
    const [first, second] = entries();
    for (const entry of [first, second]) {
      expect(entry?.error).toMatchObject({
        name: 'Error',
        message: 'Invalid parameter: PhoneNumber Reason: +•••8000 is not valid to publish',
        stack: expect.stringContaining('Reason: +•••8000 is not valid'),
        cause: { message: 'customer x•••@example.com has no consent' },
      });
    }
    expect(lines()).not.toMatch(/13800138000|xiaoyu@/);
  });

  it('masks persistent keys, extra strings, and object keys that hold a contact', () => {
    const logger = createLogger({ logLevel: 'INFO' });
    logger.appendKeys({ to: 'xiaoyu@example.com' });
    logger.warn('opt-out', 'from 13800138000');
    logger.warn('opt-outs', { byPhone: { '+8613800138000': 2 } });
    const [first, second] = entries();
    expect(first).toMatchObject({ to: 'x•••@example.com', extra: 'from •••8000' });
    expect(second).toMatchObject({ to: 'x•••@example.com', byPhone: { '+•••8000': 2 } });
  });

  it('still drops circular references, also through an object whose keys it masked', () => {
    const logger = createLogger({ logLevel: 'INFO' });
    // Inside an error, which Powertools does not clone first: the cycle reaches the JSON replacer.
    const byPhone: Record<string, unknown> = { '+8613800138000': 1 };
    byPhone.self = byPhone;
    logger.error('cycle', Object.assign(new Error('boom'), { byPhone }));
    expect(entries()[0]?.error).toMatchObject({ message: 'boom', byPhone: { '+•••8000': 1 } });
    expect(lines()).not.toContain('13800138000');
  });

  it('child loggers mask as well', () => {
    const child = createLogger({ logLevel: 'INFO' }).createChild({ serviceName: 'careline-child' });
    child.info('reply from +86 138 0013 8000');
    expect(entries()[0]).toMatchObject({ service: 'careline-child', message: 'reply from +•••8000' });
  });
});
