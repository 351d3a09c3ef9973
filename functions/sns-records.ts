import type { SNSEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import { logger } from './logger.ts';

/**
 * The JSON messages of an SNS event that fit the schema. One that does not is logged by its SNS
 * id only (its content may hold a phone number or an address) and skipped: retrying it would
 * never make it fit.
 */
export function snsMessages<S extends z.ZodMiniType>(event: SNSEvent, schema: S, what: string): z.infer<S>[] {
  const messages: z.infer<S>[] = [];
  for (const record of event.Records) {
    let body: unknown;
    try {
      body = JSON.parse(record.Sns.Message);
    } catch {
      body = undefined;
    }
    const parsed = schema.safeParse(body);
    if (parsed.success) messages.push(parsed.data);
    else logger.warn(`${what} not understood`, { snsMessageId: record.Sns.MessageId });
  }
  return messages;
}
