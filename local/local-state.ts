import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';

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

/** The running local stack's state; undefined when none runs (a file left by a stopped one does not count). */
export function readLocalState(): LocalState | undefined {
  let state: LocalState;
  try {
    state = localStateSchema.parse(JSON.parse(readFileSync(stateFile(), 'utf8')));
  } catch {
    return undefined;
  }
  try {
    process.kill(state.pid, 0); // signal 0: only asks whether the process is alive
    return state;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? state : undefined;
  }
}

/** A secret of the local stack (e.g. for unsubscribe links), made once and kept under .careline/. */
export function localSecret(name: string): string {
  const file = join(LOCAL_DIR, `${name}.secret`);
  if (!existsSync(file)) {
    mkdirSync(LOCAL_DIR, { recursive: true });
    writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
