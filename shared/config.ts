import { SENDER_ID, SENDER_ID_RULE } from './channels/sender-id.ts';
import * as z from 'zod/mini';

/** Runtime configuration, parsed once from the environment; a bad value fails loudly at start. */
const configSchema = z.object({
  CARELINE_TABLE: z.string().check(z.minLength(3)),
  /** Unset locally: domain events are then logged instead of published. */
  CARELINE_BUS: z.optional(z.string().check(z.minLength(1))),
  /** Set for DynamoDB Local. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** `sns` in AWS; `outbox` locally, in the simulator and tests (messages go to .careline/outbox.jsonl). */
  CARELINE_CHANNEL: z._default(z.enum(['sns', 'outbox']), 'sns'),
  /** The SNS topic the mailer function reads emails from. */
  CARELINE_EMAIL_TOPIC_ARN: z.optional(z.string()),
  /** The SNS topic for operational alerts (dead tasks, stalled parcels). */
  CARELINE_OPS_TOPIC_ARN: z.optional(z.string()),
  /** Public base URL of the HTTP API, ending in '/', for unsubscribe links. */
  CARELINE_PUBLIC_URL: z.optional(z.url()),
  /** Secrets that sign unsubscribe links, comma-separated; the first signs, all verify. */
  CARELINE_UNSUBSCRIBE_SECRETS: z.optional(z.string()),
  /** Default SMS sender id (a shop's own setting wins). */
  CARELINE_SMS_SENDER_ID: z.optional(z.string().check(z.regex(SENDER_ID, SENDER_ID_RULE))),
  /** Where the outbox channel appends messages. */
  CARELINE_OUTBOX_FILE: z.optional(z.string()),
});
export type CarelineConfig = z.infer<typeof configSchema>;
/** Configuration as written (defaults not yet applied), e.g. by the local server and tests. */
export type CarelineConfigInput = z.input<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv | CarelineConfigInput = process.env): CarelineConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`Careline configuration is invalid or missing: ${fields}`);
  }
  return parsed.data;
}
