import { type Shop, shopSchema } from './shop.ts';

/** Top-level shop fields that `careline shop set` may not change (identity and secrets have their own commands). */
const FIXED = new Set(['shopId', 'platform', 'secrets', 'createdAt']);
const SECRET_PATHS = /^trackingSecrets\./;

export interface SettingChange {
  key: string;
  old: string;
  new: string;
}

export class SettingsError extends Error {}

/** A value as typed after `key=`: JSON when it reads as JSON (numbers, booleans, arrays), else text; empty unsets. */
export function parseSettingValue(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function getPath(target: Record<string, unknown>, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), target);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) throw new SettingsError(`"${path.join('.')}" is not a setting`);
    node = next as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** How a value is shown in the change log: secrets masked. */
export function showSetting(key: string, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (SECRET_PATHS.test(key) && typeof value === 'string') return `••••${value.slice(-4)}`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Applies `key=value` assignments (dotted paths, e.g. `journeys.stallAfterHours=72`,
 * `messaging.quietHours.start=22:00`) to a shop and validates the result with the shop schema.
 * Returns the new shop and what changed; throws SettingsError naming the bad key and why.
 */
export function applySettings(shop: Shop, assignments: string[]): { shop: Shop; changes: SettingChange[] } {
  const draft = structuredClone(shop) as unknown as Record<string, unknown>;
  const changes: SettingChange[] = [];
  const set: string[][] = [];
  for (const assignment of assignments) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new SettingsError(`"${assignment}" is not key=value (e.g. journeys.stallAfterHours=72)`);
    const key = assignment.slice(0, at).trim();
    const path = key.split('.');
    if (FIXED.has(path[0]!)) throw new SettingsError(`"${key}" cannot be set here${path[0] === 'secrets' ? ': use `careline shop secret add/remove`' : ''}`);
    if (!(path[0]! in shopSchema.shape)) throw new SettingsError(`"${key}" is not a setting: see \`careline shop show <shopId> --json\` for the keys`);
    const old = getPath(draft, path);
    const value = parseSettingValue(assignment.slice(at + 1).trim());
    setPath(draft, path, value);
    if (value !== undefined) set.push(path);
    changes.push({ key, old: showSetting(key, old), new: showSetting(key, value) });
  }
  const parsed = shopSchema.safeParse(draft);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'));
  }
  // The schema drops keys it does not know: a typo must not pass as a change.
  const dropped = set.find((path) => getPath(parsed.data as unknown as Record<string, unknown>, path) === undefined);
  if (dropped) throw new SettingsError(`"${dropped.join('.')}" is not a setting: see \`careline shop show <shopId> --json\` for the keys`);
  return { shop: parsed.data, changes: changes.filter((c) => c.old !== c.new) };
}
