import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../shared/channels/channel.ts';
import { snsEmailChannel } from '../../shared/channels/sns-email.ts';
import { snsSmsChannel } from '../../shared/channels/sns-sms.ts';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

const message: OutgoingMessage = {
  shopId: 'tea-house',
  customerId: 'c1',
  messageKey: 'shipped:1001',
  kind: 'order_shipped',
  class: 'transactional',
  channel: 'sms',
  to: '+8613800138000',
  text: '【茶韵】您的订单已发货',
};
const error = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });

describe('SMS by SNS', () => {
  it('publishes transactional messages as Transactional with the sender id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const result = await snsSmsChannel({ client: new SNSClient({}), senderId: 'TeaHouse' }).send(message);
    expect(result).toEqual({ status: 'sent', providerMessageId: 'm-1' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      PhoneNumber: '+8613800138000',
      Message: '【茶韵】您的订单已发货',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'TeaHouse' },
      },
    });
  });

  it('publishes care and marketing as Promotional', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    await snsSmsChannel({ client: new SNSClient({}) }).send({ ...message, kind: 'check_in', class: 'care' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' } } });
  });

  it.each([
    ['ThrottledException', false],
    ['InternalErrorException', false],
    ['KMSThrottlingException', false],
    ['InvalidParameterException', true],
    ['InvalidParameterValueException', true],
    ['AuthorizationErrorException', true],
    ['OptedOutException', true],
  ])('%s is %s permanent', async (name, permanent) => {
    sns.on(PublishCommand).rejects(error(name));
    expect(await snsSmsChannel({ client: new SNSClient({}) }).send(message)).toEqual({ status: 'failed', permanent, reason: name });
  });

  it('never sends to a number that is not E.164, and never puts the number in the reason', async () => {
    const result = await snsSmsChannel({ client: new SNSClient({}) }).send({ ...message, to: '13800138000' });
    expect(result).toEqual({ status: 'failed', permanent: true, reason: 'invalid_phone' });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('email by SNS', () => {
  it('publishes one JSON message to the email topic for the mailer', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'e-1' });
    const email = { ...message, channel: 'email' as const, to: 'wei@example.com', subject: '已发货', unsubscribeUrl: 'https://c.example/u/t' };
    await snsEmailChannel({ client: new SNSClient({}), topicArn: 'arn:aws:sns:us-east-1:1:email' }).send(email);
    const published = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!);
    expect(published).toEqual({ version: 1, shopId: 'tea-house', customerId: 'c1', messageKey: 'shipped:1001', kind: 'order_shipped', to: 'wei@example.com', subject: '已发货', text: email.text, unsubscribeUrl: 'https://c.example/u/t' });
  });
});
