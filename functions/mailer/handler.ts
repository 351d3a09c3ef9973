import middy from '@middy/core';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSEvent } from 'aws-lambda';
import { emailMessageSchema, errorName, isPermanentSesError, sendEmailInput } from '../../shared/channels/email-message.ts';
import { maskEmail } from '../../shared/profiles/contact.ts';
import { logger } from '../logger.ts';
import { snsMessages } from '../sns-records.ts';

let ses: SESv2Client | undefined;

/**
 * Delivers the emails the dispatcher publishes on the email topic, through SES v2. Throttling
 * and other transient errors throw, so the asynchronous invocation is retried (then lands in the
 * dead-letter queue); permanent ones are logged, with the address masked, and dropped. A message
 * that does not parse is logged by its SNS id and skipped (see snsMessages).
 */
async function deliverEmails(event: SNSEvent): Promise<void> {
  const from = process.env.CARELINE_SES_FROM;
  if (!from) throw new Error('CARELINE_SES_FROM is not set');
  ses ??= new SESv2Client({});
  for (const message of snsMessages(event, emailMessageSchema, 'email message')) {
    const about = { shopId: message.shopId, messageKey: message.messageKey, kind: message.kind };
    try {
      const sent = await ses.send(new SendEmailCommand(sendEmailInput(message, from)));
      logger.info('email sent', { ...about, sesMessageId: sent.MessageId });
    } catch (error) {
      if (!isPermanentSesError(error)) throw error;
      logger.error('email refused by SES', { ...about, to: maskEmail(message.to), reason: errorName(error) });
    }
  }
}

export const handler = middy<SNSEvent, void>().handler(deliverEmails);
