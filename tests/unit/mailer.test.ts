import {
  AccountSuspendedException,
  MessageRejected,
  SendEmailCommand,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import type { Context, SNSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/mailer/handler.ts';
import { logger } from '../../functions/logger.ts';
import { type EmailMessage, emailMessageSchema, isPermanentSesError, sendEmailInput } from '../../shared/channels/email-message.ts';

const ses = mockClient(SESv2Client);
const FROM = 'care@shop.example';
beforeEach(() => {
  ses.reset();
  process.env.CARELINE_SES_FROM = FROM;
});
afterEach(() => vi.restoreAllMocks());

const record = (message: unknown, id = 'sns-1') => ({ Sns: { MessageId: id, Message: typeof message === 'string' ? message : JSON.stringify(message) } });
const event = (...messages: unknown[]): SNSEvent => ({ Records: messages.map((m, i) => record(m, `sns-${i + 1}`)) }) as unknown as SNSEvent;
const email: EmailMessage = {
  version: 1,
  shopId: 'tea-house',
  customerId: 'c1',
  messageKey: 'repurchase_reminder:c1:2025-03',
  kind: 'repurchase_reminder',
  to: 'wei@example.com',
  subject: '您的龙井快喝完了吗?',
  text: '再来一罐?',
  unsubscribeUrl: 'https://care.example/u/tok',
};
const run = (e: SNSEvent) => handler(e, {} as Context);
const serviceError = (name: string, httpStatusCode: number) => Object.assign(new Error(`${name}: wei@example.com`), { name, $metadata: { httpStatusCode } });
/** Everything the handler logged, as one string, to look for what must not be there. */
const logged = (...spies: { mock: { calls: unknown[][] } }[]) => JSON.stringify(spies.flatMap((spy) => spy.mock.calls));

describe('the SES v2 request for an email', () => {
  it('sends from the configured identity to the one address, UTF-8, with one-click unsubscribe headers', () => {
    expect(sendEmailInput(email, FROM)).toEqual({
      FromEmailAddress: FROM,
      Destination: { ToAddresses: ['wei@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: '您的龙井快喝完了吗?', Charset: 'UTF-8' },
          Body: { Text: { Data: '再来一罐?', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: '<https://care.example/u/tok>' },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
    });
  });

  it('carries no unsubscribe headers without a link', () => {
    const { unsubscribeUrl: _, ...transactional } = email;
    expect(sendEmailInput(transactional, FROM).Content?.Simple).not.toHaveProperty('Headers');
  });

  it('offers no one-click POST for a plain-HTTP link (RFC 8058 asks for HTTPS)', () => {
    const local = sendEmailInput({ ...email, unsubscribeUrl: 'http://localhost:3000/u/tok' }, FROM);
    expect(local.Content?.Simple?.Headers).toEqual([{ Name: 'List-Unsubscribe', Value: '<http://localhost:3000/u/tok>' }]);
  });

  it('keeps a subject on one line', () => {
    expect(sendEmailInput({ ...email, subject: '已发货\r\n请查收' }, FROM).Content?.Simple?.Subject?.Data).toBe('已发货 请查收');
  });

  it.each([
    ['a version it does not know', { ...email, version: 2 }],
    ['an address that is not one', { ...email, to: 'wei@example' }],
    ['a link that is not http(s)', { ...email, unsubscribeUrl: 'javascript:alert(1)' }],
    ['no body', { ...email, text: '' }],
  ])('refuses a message with %s', (_, message) => {
    expect(emailMessageSchema.safeParse(message).success).toBe(false);
  });

  it.each([
    ['MessageRejected', true],
    ['MailFromDomainNotVerifiedException', true],
    ['AccountSuspendedException', true],
    ['SendingPausedException', true],
    ['BadRequestException', true],
    ['NotFoundException', true],
    ['TooManyRequestsException', false],
    ['LimitExceededException', false],
    ['InternalServiceErrorException', false],
    ['TimeoutError', false],
  ])('%s is permanent: %s', (name, permanent) => {
    expect(isPermanentSesError(serviceError(name, 400))).toBe(permanent);
  });
});

describe('the mailer', () => {
  it('sends each email on the topic through SES v2', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    await expect(run(event(email))).resolves.toBeUndefined();
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input).toEqual(sendEmailInput(email, FROM));
  });

  it.each([
    ['TooManyRequestsException', new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } })],
    ['an SES 5xx', serviceError('InternalServiceErrorException', 500)],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('throws on %s, so Lambda retries the invocation (then the dead-letter queue)', async (_, error) => {
    ses.on(SendEmailCommand).rejects(error);
    await expect(run(event(email))).rejects.toThrow();
  });

  it.each([
    new MessageRejected({ message: 'Email address is not verified: wei@example.com', $metadata: { httpStatusCode: 400 } }),
    new AccountSuspendedException({ message: 'suspended', $metadata: { httpStatusCode: 400 } }),
    serviceError('MailFromDomainNotVerifiedException', 400),
    serviceError('BadRequestException', 400),
  ])('logs $name with the address masked and does not throw', async (error) => {
    const logError = vi.spyOn(logger, 'error').mockImplementation(() => {});
    ses.on(SendEmailCommand).rejects(error);
    await expect(run(event(email))).resolves.toBeUndefined();
    expect(logError).toHaveBeenCalledWith('email refused by SES', {
      shopId: 'tea-house',
      messageKey: email.messageKey,
      kind: 'repurchase_reminder',
      to: 'w•••@example.com',
      reason: error.name,
    });
    expect(logged(logError)).not.toContain('wei@example.com');
  });

  it('skips a message it cannot read, logging its SNS id but not its content, and sends the others', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    await expect(run(event('not json', { ...email, to: 'not-an-address', text: 'secret body' }, email))).resolves.toBeUndefined();
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledWith('email message not understood', { snsMessageId: 'sns-1' });
    expect(warn).toHaveBeenCalledWith('email message not understood', { snsMessageId: 'sns-2' });
    expect(logged(warn)).not.toMatch(/not-an-address|secret body/);
  });

  it('refuses to run without a sender identity, so the invocation fails loudly', async () => {
    delete process.env.CARELINE_SES_FROM;
    await expect(run(event(email))).rejects.toThrow('CARELINE_SES_FROM');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });
});
