import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { handleInboundSms, inboundSmsSchema } from '../../shared/optout/inbound-sms.ts';
import { getRuntime, logger } from '../runtime.ts';
import { snsMessages } from '../sns-records.ts';

/**
 * Inbound SMS (two-way SMS → SNS): opt-outs and opt-ins by keyword. A message that does not
 * fit is logged by its SNS id only and skipped (snsMessages); a store failure throws, so SNS
 * retries the invocation and finally leaves it in the dead-letter queue.
 */
async function receiveInboundSms(event: SNSEvent): Promise<void> {
  const { store, clock } = getRuntime();
  for (const message of snsMessages(event, inboundSmsSchema, 'inbound SMS')) {
    const result = await handleInboundSms(message, store, clock.now());
    logger.info('inbound SMS', { action: result.action, keyword: result.keyword, inboundMessageId: message.inboundMessageId?.slice(0, 64) });
  }
}

export const handler = middy<SNSEvent, void>().handler(receiveInboundSms);
