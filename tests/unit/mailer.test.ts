import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import type { Context, SNSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/mailer/handler.ts';

const ses = mockClient(SESv2Client);
process.env.CARELINE_SES_FROM = 'care@shop.example';
beforeEach(() => ses.reset());

const event = (message: unknown): SNSEvent =>
  ({ Records: [{ Sns: { MessageId: 'sns-1', Message: typeof message === 'string' ? message : JSON.stringify(message) } }] }) as unknown as SNSEvent;
const email = { version: 1, shopId: 'tea-house', customerId: 'c1', messageKey: 'k', kind: 'order_shipped', to: 'wei@example.com', subject: '已发货', text: '您的订单已发货', unsubscribeUrl: 'https://c.example/u/tok' };
const run = (e: SNSEvent) => handler(e, {} as Context);

describe('the mailer', () => {
  it('sends through SES v2 from the configured identity, with one-click unsubscribe headers', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    await run(event(email));
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'care@shop.example',
      Destination: { ToAddresses: ['wei@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: '已发货', Charset: 'UTF-8' },
          Body: { Text: { Data: '您的订单已发货', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: '<https://c.example/u/tok>' },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
    });
  });

  it('throws on throttling so the invocation is retried, and drops a permanent refusal', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(run(event(email))).rejects.toThrow();
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('no'), { name: 'MessageRejected' }));
    await expect(run(event(email))).resolves.toBeUndefined();
  });

  it('skips a message it cannot read, without sending anything', async () => {
    await run(event('not json'));
    await run(event({ ...email, to: 'not-an-address' }));
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });
});
