import type { SNSClient } from '@aws-sdk/client-sns';
import type { ClientSource } from '../aws/lazy-client.ts';
import type { Channel, SendResult } from './channel.ts';
import { type EmailMessage, emailMessageSchema, MAX_EMAIL_MESSAGE_BYTES } from './email-message.ts';
import { classifySnsError } from './sns-errors.ts';
import { snsPublish } from './sns-publish.ts';

export interface SnsEmailOptions {
  /** Made on the first send when given as a function. */
  client: ClientSource<SNSClient>;
  /** The email topic; its subscriber, the mailer function, sends each message with SES. */
  topicArn: string;
}

/**
 * Email by SNS: one JSON message on the email topic, which the mailer function sends with SES.
 * The message is checked against the very schema the mailer reads with, so one the mailer would
 * drop is refused here, as a permanent failure the pipeline records (and can fall back from).
 */
export function snsEmailChannel(options: SnsEmailOptions): Channel {
  return {
    name: 'email',
    async send(message) {
      const draft: EmailMessage = {
        version: 1,
        shopId: message.shopId,
        customerId: message.customerId,
        messageKey: message.messageKey,
        kind: message.kind,
        to: message.to,
        subject: message.subject ?? '',
        text: message.text,
        ...(message.unsubscribeUrl ? { unsubscribeUrl: message.unsubscribeUrl } : {}),
      };
      const parsed = emailMessageSchema.safeParse(draft);
      if (!parsed.success) {
        const badAddress = parsed.error.issues.some((issue) => issue.path[0] === 'to');
        return refused(badAddress ? 'invalid_email' : 'invalid_email_message');
      }
      const body = JSON.stringify(parsed.data);
      if (Buffer.byteLength(body) > MAX_EMAIL_MESSAGE_BYTES) return refused('message_too_large');
      try {
        const result = await snsPublish(options.client, { TopicArn: options.topicArn, Message: body });
        return { status: 'sent', ...(result.MessageId ? { providerMessageId: result.MessageId } : {}) };
      } catch (error) {
        return classifySnsError(error);
      }
    },
  };
}

function refused(reason: string): SendResult {
  return { status: 'failed', permanent: true, reason };
}
