import middy from '@middy/core';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSEvent } from 'aws-lambda';
import { emailMessageSchema, isPermanentSesError, sendEmailInput } from '../../shared/channels/email-message.ts';
import { logger } from '../logger.ts';
import { snsMessages } from '../sns-records.ts';

let ses: SESv2Client | undefined;

/**
 * Delivers the emails the dispatcher publishes on the email topic, through SES v2. Throttling
 * and other transient errors throw, so the asynchronous invocation is retried (then lands in the
 * dead-letter queue); permanent ones are logged, without the address, and dropped.
 */
async function deliverEmails(event: SNSEvent): Promise<void> {
  const from = process.env.CARELINE_SES_FROM;
  if (!from) throw new Error('CARELINE_SES_FROM is not set');
  ses ??= new SESv2Client({});
  for (const message of snsMessages(event, emailMessageSchema, 'email message')) {
    try {
      await ses.send(new SendEmailCommand(sendEmailInput(message, from)));
      logger.info('email sent', { shopId: message.shopId, messageKey: message.messageKey, kind: message.kind });
    } catch (error) {
      if (!isPermanentSesError(error)) throw error;
      logger.error('email refused by SES', { shopId: message.shopId, messageKey: message.messageKey, reason: (error as Error).name });
    }
  }
}

export const handler = middy<SNSEvent, void>().handler(deliverEmails);
