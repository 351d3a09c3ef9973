import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { handleInboundSms, inboundSmsSchema } from '../../shared/optout/inbound-sms.ts';
import { getRuntime, logger } from '../runtime.ts';

/** Inbound SMS (SNS two-way messaging): opt-outs and opt-ins by keyword. */
async function receiveInboundSms(event: SNSEvent): Promise<void> {
  const { store, clock } = getRuntime();
  for (const record of event.Records) {
    let body: unknown;
    try {
      body = JSON.parse(record.Sns.Message);
    } catch {
      body = undefined;
    }
    const parsed = inboundSmsSchema.safeParse(body);
    if (!parsed.success) {
      // Logged without its content (it holds a phone number); not retried.
      logger.warn('inbound SMS not understood', { messageId: record.Sns.MessageId });
      continue;
    }
    const outcome = await handleInboundSms(parsed.data, store, clock.now());
    logger.info('inbound SMS', { outcome, messageId: record.Sns.MessageId });
  }
}

export const handler = middy<SNSEvent, void>().handler(receiveInboundSms);
