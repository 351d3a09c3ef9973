/**
 * SMS length as carriers bill it. GSM-7 (the GSM 03.38 default alphabet): 160 units in one
 * segment, 153 per segment when concatenated; extension characters take two units. Anything
 * outside it (any Chinese) makes the whole message UCS-2: 70 UTF-16 units in one segment, 67 per
 * segment when concatenated, and a segment never splits a surrogate pair.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
  units: number;
  segments: number;
  perSegment: number;
}

export function isGsm7(text: string): boolean {
  for (const char of text) if (!basic.has(char) && !extension.has(char)) return false;
  return true;
}

export function smsSegments(text: string): SmsLength {
  const characters = [...text].length;
  if (isGsm7(text)) {
    let units = 0;
    for (const char of text) units += extension.has(char) ? 2 : 1;
    const segments = units === 0 ? 0 : units <= 160 ? 1 : countSegments([...text].map((c) => (extension.has(c) ? 2 : 1)), 153);
    return { encoding: 'GSM-7', characters, units, segments, perSegment: segments > 1 ? 153 : 160 };
  }
  const sizes = [...text].map((char) => char.length); // UTF-16 units: 2 for an astral character
  const units = sizes.reduce((a, b) => a + b, 0);
  const segments = units <= 70 ? 1 : countSegments(sizes, 67);
  return { encoding: 'UCS-2', characters, units, segments, perSegment: segments > 1 ? 67 : 70 };
}

/** Packs characters (never split) into segments of `capacity` units. */
function countSegments(sizes: number[], capacity: number): number {
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

/** Shortens a message (adding an ellipsis in its own encoding) until it fits `maxSegments`. */
export function truncateToSegments(text: string, maxSegments: number): string {
  if (smsSegments(text).segments <= maxSegments) return text;
  const ellipsis = isGsm7(text) ? '...' : '…';
  const chars = [...text];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (smsSegments(`${chars.slice(0, mid).join('')}${ellipsis}`).segments <= maxSegments) low = mid;
    else high = mid - 1;
  }
  return `${chars.slice(0, low).join('')}${ellipsis}`;
}
