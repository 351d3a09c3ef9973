import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { handleInboundSms, inboundSmsSchema } from '../../shared/optout/inbound-sms.ts';
import { getRuntime, logger } from '../runtime.ts';
import { snsMessages } from '../sns-records.ts';

/** Inbound SMS (SNS two-way messaging): opt-outs and opt-ins by keyword. */
async function receiveInboundSms(event: SNSEvent): Promise<void> {
  const { store, clock } = getRuntime();
  for (const message of snsMessages(event, inboundSmsSchema, 'inbound SMS')) {
    const outcome = await handleInboundSms(message, store, clock.now());
    logger.info('inbound SMS', { outcome });
  }
}

export const handler = middy<SNSEvent, void>().handler(receiveInboundSms);
