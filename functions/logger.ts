import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';

const MASK = '•••';

/**
 * An international number as people write it: a plus (or `%2B` in a URL), then 8–15 digits
 * with at most two spaces, dashes, dots or brackets between them: `+8613800138000`,
 * `+86 138 0013 8000`, `+1 (415) 555-0100`. Without the plus a long digit run is an id
 * (order 5678901234567890123), not a phone, and is left alone.
 */
const INTERNATIONAL_PHONE = /(?:\+|%2[Bb])\d(?:[ \-.()]{0,2}\d){7,14}(?!\d)/g;

/**
 * A Chinese mobile number without its +86: 1, then 3–9, then 9 digits (also 3-4-4 with spaces
 * or dashes), standing on its own. A digit or letter next to it makes it part of a longer id;
 * an underscore, `#`, `:` or Chinese text around it does not.
 */
const CHINESE_MOBILE = /(?<![\dA-Za-z])1[3-9]\d(?:[ -]?\d{4}){2}(?![\dA-Za-z])/g;

/** An email address, also with its `@` URL-encoded (`%40`). */
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(?:@|%40)((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;

const lastFourDigits = (match: string) => match.replace(/\D/g, '').slice(-4);

/**
 * Masks phone numbers and email addresses in a piece of text: `+8613800138000` → `+•••8000`,
 * `13800138000` → `•••8000`, `xiaoyu@example.com` → `x•••@example.com`. Enough for ops to tell
 * two customers apart in a log, not enough to call or write to one. Masked text stays masked.
 */
export function redactPersonalData(text: string): string {
  return text
    .replace(EMAIL, (_match, first: string, domain: string) => `${first}${MASK}@${domain}`)
    .replace(INTERNATIONAL_PHONE, (match) => `+${MASK}${lastFourDigits(match)}`)
    .replace(CHINESE_MOBILE, (match) => `${MASK}${lastFourDigits(match)}`);
}

/**
 * The logger's JSON replacer: JSON.stringify hands it every value of a log line on its way out
 * (the message, each attribute however deeply nested, and the fields of each error after
 * Powertools has formatted it: message, stack, cause), so nothing reaches the log unmasked.
 * A phone number logged as a number (13800138000) becomes a masked string; object keys that
 * hold a phone or an address are masked too.
 */
function redactingReplacer(): (key: string, value: unknown) => unknown {
  // Objects whose keys had to be masked, by original: a cycle through one reaches the same copy,
  // so Powertools' cycle check still sees it. A new map for each line: JSON.stringify starts at key ''.
  let copies = new WeakMap<object, object>();
  return (key, value) => {
    if (key === '') copies = new WeakMap();
    if (typeof value === 'string') return redactPersonalData(value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      const digits = value.toString();
      const masked = redactPersonalData(digits);
      return masked === digits ? value : masked;
    }
    if (isPlainObject(value)) {
      const known = copies.get(value);
      if (known) return known;
      if (!Object.keys(value).some((name) => redactPersonalData(name) !== name)) return value;
      const copy = Object.fromEntries(Object.entries(value).map(([name, inner]) => [redactPersonalData(name), inner]));
      copies.set(value, copy);
      return copy;
    }
    return value;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A Powertools Logger whose every line goes through redactPersonalData (child loggers inherit it). */
export function createLogger(options: { serviceName?: string; logLevel?: LogLevel } = {}): Logger {
  return new Logger({ ...options, jsonReplacerFn: redactingReplacer() });
}

/** The structured JSON logger every handler shares (Powertools), apart from the runtime so light handlers need not load it. */
export const logger = createLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'careline' });
