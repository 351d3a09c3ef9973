import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Channel } from './channel.ts';
import { classifySnsError } from './sns-errors.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Email by SNS: one JSON message on the email topic, which the mailer function sends with SES. */
export function snsEmailChannel(options: { client: SNSClient; topicArn: string }): Channel {
  return {
    name: 'email',
    async send(message) {
      if (!EMAIL.test(message.to)) return { status: 'failed', permanent: true, reason: 'invalid_email' };
      try {
        const result = await options.client.send(
          new PublishCommand({
            TopicArn: options.topicArn,
            Message: JSON.stringify({
              version: 1,
              shopId: message.shopId,
              customerId: message.customerId,
              messageKey: message.messageKey,
              kind: message.kind,
              to: message.to,
              subject: message.subject ?? '',
              text: message.text,
              ...(message.unsubscribeUrl ? { unsubscribeUrl: message.unsubscribeUrl } : {}),
            }),
          }),
        );
        return { status: 'sent', ...(result.MessageId ? { providerMessageId: result.MessageId } : {}) };
      } catch (error) {
        return classifySnsError(error);
      }
    },
  };
}
