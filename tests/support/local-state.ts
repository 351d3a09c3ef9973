import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads the `.careline/local.json` that `npm start` writes, from a given home folder. */
export function readLocalStateFrom(home: string): { dynamodbEndpoint: string; url: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(home, 'local.json'), 'utf8'));
  } catch {
    return undefined;
  }
}
