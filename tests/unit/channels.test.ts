import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizationErrorException,
  EndpointDisabledException,
  InternalErrorException,
  InvalidParameterException,
  KMSDisabledException,
  KMSThrottlingException,
  OptedOutException,
  PublishCommand,
  SNSClient,
  ThrottledException,
  ValidationException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Channel, ChannelName, OutgoingMessage, SendResult } from '../../shared/channels/channel.ts';
import { emailMessageSchema } from '../../shared/channels/email-message.ts';
import { chooseChannel, sendWithFallback } from '../../shared/channels/fallback.ts';
import { outboxChannel } from '../../shared/channels/outbox.ts';
import { snsEmailChannel } from '../../shared/channels/sns-email.ts';
import { snsSmsChannel } from '../../shared/channels/sns-sms.ts';
import { manualClock } from '../../shared/clock.ts';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

const sms: OutgoingMessage = {
  shopId: 'tea-house',
  customerId: 'c1',
  messageKey: 'payment_reminder:1001:1',
  kind: 'payment_reminder',
  class: 'transactional',
  channel: 'sms',
  to: '+8613800138000',
  text: '【茶韵】您的订单 #1001 还未付款,30 分钟后将自动取消。',
};
const email: OutgoingMessage = {
  ...sms,
  kind: 'repurchase_reminder',
  class: 'marketing',
  channel: 'email',
  to: 'wei@example.com',
  subject: '您的龙井快喝完了吗?',
  text: '再来一罐?',
  unsubscribeUrl: 'https://care.example/u/tok',
};
const TOPIC = 'arn:aws:sns:ap-east-1:111122223333:careline-email';
const failure = (permanent: boolean, reason: string): SendResult => ({ status: 'failed', permanent, reason });

/** An SDK-shaped service error, as the SNS client throws it. */
const serviceError = (name: string, httpStatusCode: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode }, ...extra });
const exceptionOptions = { message: 'x', $metadata: { httpStatusCode: 400 } };

describe('SMS by SNS', () => {
  const channel = (options: { senderId?: string; maxPriceUsd?: string } = {}) => snsSmsChannel({ client: new SNSClient({}), ...options });

  it('publishes a transactional message as Transactional, straight to the E.164 number', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    // Act
    const result = await channel().send(sms);
    // Assess
    expect(result).toEqual({ status: 'sent', providerMessageId: 'sns-1' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      PhoneNumber: '+8613800138000',
      Message: sms.text,
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    });
  });

  it.each([
    ['care', 'check_in'],
    ['marketing', 'campaign'],
  ] as const)('publishes a %s message as Promotional', async (messageClass, kind) => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-2' });
    await channel().send({ ...sms, class: messageClass, kind });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' } } });
  });

  it("uses the channel's sender id, and a message's own sender id over it", async () => {
    sns.on(PublishCommand).resolves({});
    await channel({ senderId: 'Careline' }).send(sms);
    await channel({ senderId: 'Careline' }).send({ ...sms, senderId: 'TeaHouse' });
    const senderIds = sns.commandCalls(PublishCommand).map((call) => call.args[0].input.MessageAttributes?.['AWS.SNS.SMS.SenderID']?.StringValue);
    expect(senderIds).toEqual(['Careline', 'TeaHouse']);
  });

  it('caps the price per message when told to, as a Number attribute', async () => {
    sns.on(PublishCommand).resolves({});
    const result = await channel({ maxPriceUsd: '0.05' }).send(sms);
    expect(result).toEqual({ status: 'sent' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { MessageAttributes: expect.objectContaining({ 'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.05' } }) });
  });

  it.each([
    { senderId: 'Tea House' },
    { senderId: 'TeaHouseShanghai' },
    { senderId: '12345' },
    { maxPriceUsd: 'cheap' },
    { maxPriceUsd: '0' },
    { maxPriceUsd: '-1' },
  ])('refuses to start with a bad option %j', (options) => {
    expect(() => channel(options)).toThrow();
  });

  it.each(['13800138000', '+0086 138 0013 8000', '+86-138-0013-8000', 'wei@example.com', '', '+12'])(
    'never sends to %j, which is not E.164, and keeps the number out of the reason',
    async (to) => {
      const result = await channel().send({ ...sms, to });
      expect(result).toEqual({ status: 'failed', permanent: true, reason: 'invalid_phone' });
      expect(sns).not.toHaveReceivedCommand(PublishCommand);
    },
  );

  // What the dispatcher does next depends on this table: permanent → recorded (and maybe the
  // other channel), transient → the same send again later.
  it.each([
    ['InvalidParameterException', serviceError('InvalidParameterException', 400), true],
    ['InvalidParameterValueException', serviceError('InvalidParameterValueException', 400), true],
    ['OptedOutException', serviceError('OptedOutException', 400), true],
    ['AuthorizationErrorException', serviceError('AuthorizationErrorException', 403), true],
    ['EndpointDisabledException', serviceError('EndpointDisabledException', 400), true],
    ['ValidationException', serviceError('ValidationException', 400), true],
    ['KMSDisabledException', serviceError('KMSDisabledException', 400), true],
    ['KMSInvalidStateException', serviceError('KMSInvalidStateException', 400), true],
    ['KMSAccessDeniedException', serviceError('KMSAccessDeniedException', 400), true],
    ['ThrottledException', serviceError('ThrottledException', 429), false],
    ['Throttling', serviceError('Throttling', 400, { $retryable: { throttling: true } }), false],
    ['TooManyRequestsException', serviceError('TooManyRequestsException', 429), false],
    ['InternalErrorException', serviceError('InternalErrorException', 500), false],
    ['KMSThrottlingException', serviceError('KMSThrottlingException', 400), false],
    ['ServiceUnavailable', serviceError('ServiceUnavailable', 503), false],
    ['TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), false],
    // A dropped connection reaches us as a plain Error with no $metadata: worth another try,
    // and reported by its code.
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), false],
    ['Error', new Error('no code at all'), false],
  ])('%s is classified (permanent: %s)', async (name, error, permanent) => {
    sns.on(PublishCommand).rejects(error);
    expect(await channel().send(sms)).toEqual({ status: 'failed', permanent, reason: name });
  });

  it('takes a client that cannot be made (its SDK failed to load) as a failure worth retrying, named by its code', async () => {
    const unloadable = snsSmsChannel({ client: async () => Promise.reject(Object.assign(new Error("Cannot find package '@aws-sdk/client-sns'"), { code: 'ERR_MODULE_NOT_FOUND' })) });
    expect(await unloadable.send(sms)).toEqual({ status: 'failed', permanent: false, reason: 'ERR_MODULE_NOT_FOUND' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it.each([
    [new InvalidParameterException(exceptionOptions), true],
    [new OptedOutException(exceptionOptions), true],
    [new AuthorizationErrorException(exceptionOptions), true],
    [new EndpointDisabledException(exceptionOptions), true],
    [new ValidationException({ ...exceptionOptions, Message: 'x' }), true],
    [new KMSDisabledException(exceptionOptions), true],
    [new ThrottledException(exceptionOptions), false],
    [new InternalErrorException({ ...exceptionOptions, $metadata: { httpStatusCode: 500 } }), false],
    [new KMSThrottlingException(exceptionOptions), false],
  ])('the SDK exception %s is classified the same way (permanent: %s)', async (error, permanent) => {
    sns.on(PublishCommand).rejects(error);
    expect(await channel().send(sms)).toEqual({ status: 'failed', permanent, reason: error.name });
  });

  it('reports an error without a name as UnknownError, to be retried', async () => {
    sns.on(PublishCommand).rejects({ message: 'odd' } as unknown as Error);
    const result = await channel().send(sms);
    expect(result).toMatchObject({ status: 'failed', permanent: false });
    expect(JSON.stringify(result)).not.toContain('13800138000');
  });
});

describe('email by SNS', () => {
  const channel = () => snsEmailChannel({ client: new SNSClient({}), topicArn: TOPIC });
  const published = () => JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!) as unknown;

  it('publishes one JSON message on the email topic, in the shape the mailer reads', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-e1' });
    const result = await channel().send(email);
    expect(result).toEqual({ status: 'sent', providerMessageId: 'sns-e1' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC });
    expect(published()).toEqual({
      version: 1,
      shopId: 'tea-house',
      customerId: 'c1',
      messageKey: 'payment_reminder:1001:1',
      kind: 'repurchase_reminder',
      to: 'wei@example.com',
      subject: '您的龙井快喝完了吗?',
      text: '再来一罐?',
      unsubscribeUrl: 'https://care.example/u/tok',
    });
    expect(emailMessageSchema.safeParse(published()).success).toBe(true);
  });

  it('leaves the unsubscribe link out when there is none (a transactional email)', async () => {
    sns.on(PublishCommand).resolves({});
    const { unsubscribeUrl: _, ...transactional } = { ...email, class: 'transactional' as const, kind: 'order_shipped' as const };
    await channel().send(transactional);
    expect(published()).not.toHaveProperty('unsubscribeUrl');
  });

  it.each(['wei', 'wei@', '@example.com', 'wei@example', 'wei @example.com', 'wei@example..com', '+8613800138000'])(
    'refuses %j as invalid_email without publishing',
    async (to) => {
      expect(await channel().send({ ...email, to })).toEqual({ status: 'failed', permanent: true, reason: 'invalid_email' });
      expect(sns).not.toHaveReceivedCommand(PublishCommand);
    },
  );

  it('refuses a message the mailer could not read, and one too large for SNS', async () => {
    expect(await channel().send({ ...email, unsubscribeUrl: 'javascript:alert(1)' })).toEqual(failure(true, 'invalid_email_message'));
    expect(await channel().send({ ...email, text: '' })).toEqual(failure(true, 'invalid_email_message'));
    expect(await channel().send({ ...email, text: '茶'.repeat(90_000) })).toEqual(failure(true, 'message_too_large'));
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('classifies SNS errors as the SMS channel does', async () => {
    sns.on(PublishCommand).rejectsOnce(serviceError('ThrottledException', 429)).rejectsOnce(serviceError('AuthorizationErrorException', 403));
    expect(await channel().send(email)).toEqual(failure(false, 'ThrottledException'));
    expect(await channel().send(email)).toEqual(failure(true, 'AuthorizationErrorException'));
  });
});

describe('the outbox', () => {
  const clock = manualClock('2025-03-01T02:30:00Z');
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'careline-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends each message as one JSON line, creating the directory, and prints it with the contact masked', async () => {
    // Prepare
    const file = join(dir, 'nested', 'outbox.jsonl');
    const printed: string[] = [];
    const outbox = outboxChannel({ clock, file, print: (line) => printed.push(line) });
    // Act
    const results = [await outbox.send(sms), await outbox.send(email)];
    // Assess
    expect(results).toEqual([
      { status: 'sent', providerMessageId: 'outbox-1' },
      { status: 'sent', providerMessageId: 'outbox-2' },
    ]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { ...sms, at: '2025-03-01T02:30:00.000Z' },
      { ...email, at: '2025-03-01T02:30:00.000Z' },
    ]);
    expect(outbox.sent).toEqual(lines);
    expect(printed[0]).toBe(`→ SMS +86•••••••8000 [payment_reminder] ${sms.text}`);
    expect(printed[1]).toBe('→ email w•••@example.com [repurchase_reminder] 您的龙井快喝完了吗?: 再来一罐?');
    expect(printed.join('\n')).not.toMatch(/13800138000|wei@/);
  });

  it('shortens a long message to one line', async () => {
    const printed: string[] = [];
    const outbox = outboxChannel({ clock, file: null, print: (line) => printed.push(line) });
    await outbox.send({ ...sms, text: `第一行\n${'茶'.repeat(300)}` });
    expect(printed).toHaveLength(1);
    expect(printed[0]).not.toContain('\n');
    expect(printed[0]).toMatch(/^→ SMS \+86•••••••8000 \[payment_reminder\] 第一行 茶+…$/);
  });

  it('keeps messages in memory only with file: null', async () => {
    const outbox = outboxChannel({ clock, file: null, print: () => {} });
    await outbox.send(sms);
    expect(outbox.sent).toHaveLength(1);
    expect(outbox.name).toBe('outbox');
  });

  it('fails the sends a test asks it to, and records none of them', async () => {
    const printed: string[] = [];
    const outbox = outboxChannel({ clock, file: null, print: (line) => printed.push(line), failNext: (m) => (m.channel === 'sms' ? failure(true, 'invalid_phone') : undefined) });
    expect(await outbox.send(sms)).toEqual(failure(true, 'invalid_phone'));
    expect(await outbox.send(email)).toMatchObject({ status: 'sent' });
    expect(outbox.sent.map((m) => m.channel)).toEqual(['email']);
    expect(printed[0]).toBe(`✗ SMS +86•••••••8000 [payment_reminder] ${sms.text} (failed: invalid_phone)`);
  });
});

describe('falling back from one channel to the other', () => {
  /** A channel that answers from a script and remembers what it was asked to send. */
  const scripted = (name: ChannelName, ...results: SendResult[]) => {
    const calls: OutgoingMessage[] = [];
    const channel: Channel & { calls: OutgoingMessage[] } = {
      name,
      calls,
      send: vi.fn(async (message: OutgoingMessage): Promise<SendResult> => {
        calls.push(message);
        return results.shift() ?? { status: 'sent' };
      }),
    };
    return channel;
  };
  const both = (channel: ChannelName) => (channel === 'sms' ? sms : email);
  const smsOnly = (channel: ChannelName) => (channel === 'sms' ? sms : undefined);
  const emailOnly = (channel: ChannelName) => (channel === 'email' ? email : undefined);

  it.each([
    ['sms', { sms: true, email: true }, [], 'sms'],
    ['sms', { sms: false, email: true }, [], 'email'],
    ['sms', { sms: true, email: true }, ['sms'], 'email'],
    ['email', { sms: true, email: true }, [], 'email'],
    ['email', { sms: true, email: false }, [], 'sms'],
    ['sms', { sms: false, email: false }, [], undefined],
    ['sms', { sms: true, email: true }, ['sms', 'email'], undefined],
  ] as const)('chooseChannel(%s, %j, failed %j) → %s', (preferred, usable, failed, expected) => {
    expect(chooseChannel(preferred, usable, failed)).toBe(expected);
  });

  it('sends by SMS when it is preferred and there is a phone', async () => {
    const channels = { sms: scripted('sms'), email: scripted('email') };
    expect(await sendWithFallback(channels, both, 'sms')).toEqual({ result: { status: 'sent' }, channel: 'sms' });
    expect(channels.email.calls).toEqual([]);
  });

  it('sends by email when there is no usable phone', async () => {
    const channels = { sms: scripted('sms'), email: scripted('email') };
    expect(await sendWithFallback(channels, emailOnly, 'sms')).toEqual({ result: { status: 'sent' }, channel: 'email' });
    expect(channels.sms.calls).toEqual([]);
  });

  it('falls back to email when the SMS failed for good, and says why', async () => {
    const channels = { sms: scripted('sms', failure(true, 'InvalidParameterException')), email: scripted('email', { status: 'sent', providerMessageId: 'e-1' }) };
    expect(await sendWithFallback(channels, both, 'sms')).toEqual({
      result: { status: 'sent', providerMessageId: 'e-1' },
      channel: 'email',
      fallbackFrom: { channel: 'sms', reason: 'InvalidParameterException' },
    });
    expect(channels.email.calls).toEqual([email]);
  });

  it('does not fall back on a transient SMS failure: the same SMS is retried later', async () => {
    const channels = { sms: scripted('sms', failure(false, 'ThrottledException')), email: scripted('email') };
    expect(await sendWithFallback(channels, both, 'sms')).toEqual({ result: failure(false, 'ThrottledException'), channel: 'sms' });
    expect(channels.email.calls).toEqual([]);
  });

  it('reports the last permanent failure when both channels fail for good', async () => {
    const channels = { sms: scripted('sms', failure(true, 'invalid_phone')), email: scripted('email', failure(true, 'invalid_email')) };
    expect(await sendWithFallback(channels, both, 'sms')).toEqual({ result: failure(true, 'invalid_email'), channel: 'email', fallbackFrom: { channel: 'sms', reason: 'invalid_phone' } });
  });

  it('reports a permanent failure with no fallback when the other channel has no address', async () => {
    const channels = { sms: scripted('sms', failure(true, 'OptedOutException')), email: scripted('email') };
    expect(await sendWithFallback(channels, smsOnly, 'sms')).toEqual({ result: failure(true, 'OptedOutException'), channel: 'sms' });
  });

  it('prefers email when asked, falling back to SMS', async () => {
    const channels = { sms: scripted('sms'), email: scripted('email', failure(true, 'invalid_email')) };
    expect(await sendWithFallback(channels, both, 'email')).toMatchObject({ result: { status: 'sent' }, channel: 'sms' });
  });

  it('fails permanently as no_contact when neither channel has an address', async () => {
    const channels = { sms: scripted('sms'), email: scripted('email') };
    expect(await sendWithFallback(channels, () => undefined, 'sms')).toEqual({ result: failure(true, 'no_contact'), channel: 'sms' });
    expect(channels.sms.calls.length + channels.email.calls.length).toBe(0);
  });
});
