/**
 * SMS length as carriers bill it.
 *
 * GSM-7 (the GSM 03.38 default alphabet): 160 septets in one segment; a longer message is sent
 * concatenated, and each part's 6-byte header leaves 153. Characters of the extension table are
 * an escape plus a character: two septets, never split across two parts.
 *
 * Anything outside that alphabet (any Chinese character, a curly quote, an emoji) makes the whole
 * message UCS-2: 70 UTF-16 code units in one segment, 67 per part when concatenated. An astral
 * character (most emoji) is a surrogate pair, two units, and a part never ends in half of one.
 */

/** The basic table, in code order (0x00–0x7F, without 0x1B, the escape to the extension table). */
const GSM_BASIC = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmno',
  'pqrstuvwxyzäöñüà',
].join('');

/** The extension table: form feed ^ { } \ [ ~ ] | €, each sent as escape + character. */
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** Unicode code points. */
  characters: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units each segment holds: the single-message size, or the concatenated one when there are several. */
  perSegment: number;
}

const LIMITS = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
} as const;

export function isGsm7(text: string): boolean {
  for (const char of text) if (!basic.has(char) && !extension.has(char)) return false;
  return true;
}

/** Typographic characters that editors slip into text, and the GSM-7 characters that read the same. */
const LOOKALIKES: Record<string, string> = {
  '\u2018': "'", // ‘
  '\u2019': "'", // ’ (Men’s Tee)
  '\u201A': "'",
  '\u2032': "'",
  '\u201C': '"', // “
  '\u201D': '"', // ”
  '\u201E': '"',
  '\u2033': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-', // –
  '\u2014': '-', // —
  '\u2212': '-',
  '\u2022': '-', // •
  '\u2026': '...', // …
  '\u00A0': ' ', // no-break space
  '\u2009': ' ',
  '\u202F': ' ',
  '\t': ' ',
  '\u200B': '', // zero-width space
  '\uFEFF': '',
};
const lookalike = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'gu');

/**
 * The GSM-7 spelling of a text when swapping typographic lookalikes (a curly apostrophe, a
 * dash, "…") is all it takes; otherwise the text unchanged. One "’" in a product title would
 * make the whole SMS UCS-2: up to three times the segments for the same words.
 */
export function preferGsm7(text: string): string {
  if (isGsm7(text)) return text;
  const swapped = text.replace(lookalike, (char) => LOOKALIKES[char] ?? char);
  return isGsm7(swapped) ? swapped : text;
}

/** Units per code point in the given encoding. */
function unitSizes(text: string, encoding: SmsEncoding): number[] {
  const sizes: number[] = [];
  for (const char of text) sizes.push(encoding === 'GSM-7' ? (extension.has(char) ? 2 : 1) : char.length);
  return sizes;
}

/** Packs characters, none of them split, into parts of `capacity` units; returns the part count. */
function packedSegments(sizes: number[], capacity: number): number {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > capacity) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function smsSegments(text: string): SmsLength {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const limits = LIMITS[encoding];
  const sizes = unitSizes(text, encoding);
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const segments = units === 0 ? 0 : units <= limits.single ? 1 : packedSegments(sizes, limits.concatenated);
  return { encoding, characters: sizes.length, units, segments, perSegment: segments > 1 ? limits.concatenated : limits.single };
}

export interface TruncateOptions {
  /**
   * Text the message ends with that must survive the cut (an opt-out instruction such as
   * "回TD退订"): the cut is made before it. Ignored when the message does not end with it or
   * when it alone does not fit.
   */
  keepTail?: string;
}

let segmenter: Intl.Segmenter | undefined;

/**
 * The text's user-perceived characters (an emoji, a flag, a letter with its accent: one each).
 * The segmenter is made on first use: making one loads ICU data, about 7 ms a process start
 * would otherwise spend before knowing it has a message to render.
 */
export function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (piece) => piece.segment);
}

/**
 * Shortens a message so it fits `maxSegments`, cutting between user-perceived characters (an
 * emoji, a flag or a letter with its accent stays whole) and marking the cut with an ellipsis.
 * The ellipsis is "…" in UCS-2, but "..." when the kept text is GSM-7: "…" is not in the GSM
 * alphabet and would turn a 160-unit segment into a 70-unit one.
 */
export function truncateToSegments(text: string, maxSegments: number, options: TruncateOptions = {}): string {
  const cap = Math.floor(maxSegments);
  if (!(cap >= 1)) return '';
  if (smsSegments(text).segments <= cap) return text;

  const tail = options.keepTail?.trim();
  if (tail && text.trimEnd().endsWith(tail)) {
    const head = text.trimEnd().slice(0, -tail.length);
    const separator = /\s$/.test(head) ? ' ' : '';
    const kept = cutToFit(head, (candidate) => `${candidate}${separator}${tail}`, cap);
    if (kept !== undefined) return kept;
  }
  return cutToFit(text, (candidate) => candidate, cap) ?? '';
}

/**
 * The longest cut of `text` (plus ellipsis) that, wrapped by `compose`, fits `cap` segments; undefined
 * when not even the bare ellipsis fits. Binary search, since a longer cut does not take fewer
 * segments (UCS-2 costs at least as much per character as GSM-7, even for extension characters).
 */
function cutToFit(text: string, compose: (cut: string) => string, cap: number): string | undefined {
  const pieces = graphemes(text);
  const candidate = (count: number) => {
    // A cut after "，" or a space reads as a stumble: drop the dangling separator first.
    const kept = pieces.slice(0, count).join('').replace(/[\s,，、;；:：]+$/u, '');
    const gsm = compose(`${kept}...`);
    return isGsm7(gsm) ? gsm : compose(`${kept}…`);
  };
  const fits = (count: number) => smsSegments(candidate(count)).segments <= cap;
  if (!fits(0)) return undefined;
  let low = 0;
  let high = pieces.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  // In a word of Latin letters or digits, step back to the space before it (if it is near).
  const word = /^[\p{Script=Latin}\d]$/u;
  if (word.test(pieces[low - 1] ?? '') && word.test(pieces[low] ?? '')) {
    for (let count = low - 1; count > 0 && count >= low - 20; count--) {
      if (/^\s$/.test(pieces[count] ?? '')) return candidate(count);
    }
  }
  return candidate(low);
}
