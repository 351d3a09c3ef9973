import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Channel } from './channel.ts';
import { classifySnsError } from './sns-errors.ts';

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * SMS by SNS Publish to a phone number. Transactional messages go as SMSType Transactional
 * (higher delivery priority); care and marketing as Promotional, as carriers expect.
 */
export function snsSmsChannel(options: { client: SNSClient; senderId?: string }): Channel {
  return {
    name: 'sms',
    async send(message) {
      if (!E164.test(message.to)) return { status: 'failed', permanent: true, reason: 'invalid_phone' };
      const senderId = message.senderId ?? options.senderId;
      try {
        const result = await options.client.send(
          new PublishCommand({
            PhoneNumber: message.to,
            Message: message.text,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: message.class === 'transactional' ? 'Transactional' : 'Promotional' },
              ...(senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: senderId } } : {}),
            },
          }),
        );
        return { status: 'sent', ...(result.MessageId ? { providerMessageId: result.MessageId } : {}) };
      } catch (error) {
        return classifySnsError(error);
      }
    },
  };
}
