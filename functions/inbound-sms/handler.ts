import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { recordCheckInReply } from '../../shared/journeys/journey-runtime.ts';
import { handleInboundSms, inboundSmsSchema } from '../../shared/optout/inbound-sms.ts';
import { shopCache } from '../../shared/shops/shop-cache.ts';
import { JourneyStore } from '../../shared/store/journey-store.ts';
import { getRuntime, logger, type Runtime } from '../runtime.ts';
import { snsMessages } from '../sns-records.ts';

const replyDeps = new WeakMap<Runtime, Parameters<typeof recordCheckInReply>[2]>();

function checkInDeps(runtime: Runtime) {
  let deps = replyDeps.get(runtime);
  if (!deps) {
    const { store, clock } = runtime;
    deps = { store, clock, journeys: new JourneyStore({ client: store.documentClient, tableName: store.tableName }), loadShop: shopCache((id) => store.getShop(id)) };
    replyDeps.set(runtime, deps);
  }
  return deps;
}

/**
 * Inbound SMS (two-way SMS → SNS): opt-outs and opt-ins by keyword, and 1–5 answers to the
 * newest check-in sent to that number. A message that does not fit is logged by its SNS id only
 * and skipped (snsMessages); a store failure throws, so SNS retries the invocation and finally
 * leaves it in the dead-letter queue.
 */
async function receiveInboundSms(event: SNSEvent): Promise<void> {
  const runtime = getRuntime();
  for (const message of snsMessages(event, inboundSmsSchema, 'inbound SMS')) {
    const result = await handleInboundSms(message, runtime.store, runtime.clock.now());
    if (result.action === 'ignored') {
      const reply = await recordCheckInReply(message.originationNumber, message.messageBody, checkInDeps(runtime));
      logger.info('inbound SMS', { action: reply.action === 'recorded' ? 'check_in_reply' : 'ignored', inboundMessageId: message.inboundMessageId?.slice(0, 64) });
      continue;
    }
    logger.info('inbound SMS', { action: result.action, keyword: result.keyword, inboundMessageId: message.inboundMessageId?.slice(0, 64) });
  }
}

export const handler = middy<SNSEvent, void>().handler(receiveInboundSms);
