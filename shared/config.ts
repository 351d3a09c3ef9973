import { SENDER_ID, SENDER_ID_RULE } from './channels/sender-id.ts';
import * as z from 'zod';

/** Runtime configuration, parsed once from the environment; a bad value fails loudly at start. */
const configSchema = z.object({
  CARELINE_TABLE: z.string().min(3),
  /** Unset locally: domain events are then logged instead of published. */
  CARELINE_BUS: z.string().min(1).optional(),
  /** Set for DynamoDB Local. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  /** `sns` in AWS; `outbox` locally, in the simulator and tests (messages go to .careline/outbox.jsonl). */
  CARELINE_CHANNEL: z.enum(['sns', 'outbox']).default('sns'),
  /** The SNS topic the mailer function reads emails from. */
  CARELINE_EMAIL_TOPIC_ARN: z.string().optional(),
  /** The SNS topic for operational alerts (dead tasks, stalled parcels). */
  CARELINE_OPS_TOPIC_ARN: z.string().optional(),
  /** Public base URL of the HTTP API, ending in '/', for unsubscribe links. */
  CARELINE_PUBLIC_URL: z.url().optional(),
  /** Secrets that sign unsubscribe links, comma-separated; the first signs, all verify. */
  CARELINE_UNSUBSCRIBE_SECRETS: z.string().optional(),
  /** Default SMS sender id (a shop's own setting wins). */
  CARELINE_SMS_SENDER_ID: z.string().regex(SENDER_ID, SENDER_ID_RULE).optional(),
  /** Where the outbox channel appends messages. */
  CARELINE_OUTBOX_FILE: z.string().optional(),
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
