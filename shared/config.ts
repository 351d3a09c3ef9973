import * as z from 'zod';

/** Runtime configuration, parsed once from the environment; a bad value fails loudly at start. */
const configSchema = z.object({
  CARELINE_TABLE: z.string().min(3),
  /** Unset locally: domain events are then logged instead of published. */
  CARELINE_BUS: z.string().min(1).optional(),
  /** Set for DynamoDB Local. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
});
export type CarelineConfig = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CarelineConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`Careline configuration is invalid or missing: ${fields}`);
  }
  return parsed.data;
}
