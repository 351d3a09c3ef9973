import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod';

/** Where `npm start` keeps its data and tells the CLI how to reach it (git-ignored). */
export const LOCAL_DIR = resolve(process.env.CARELINE_HOME ?? '.careline');
export const LOCAL_TABLE = 'careline-local';

const localStateSchema = z.object({
  url: z.string(),
  port: z.number(),
  dynamodbEndpoint: z.string(),
  tableName: z.string(),
  pid: z.number(),
  startedAt: z.string(),
});
export type LocalState = z.infer<typeof localStateSchema>;

const stateFile = () => join(LOCAL_DIR, 'local.json');

export function writeLocalState(state: LocalState): void {
  mkdirSync(LOCAL_DIR, { recursive: true });
  writeFileSync(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
}

export function readLocalState(): LocalState | undefined {
  try {
    return localStateSchema.parse(JSON.parse(readFileSync(stateFile(), 'utf8')));
  } catch {
    return undefined;
  }
}
