import { isSafeNumber, parse } from 'lossless-json';

/**
 * Parses JSON keeping every integer that a JavaScript number cannot hold exactly as its
 * decimal string. Shopify ids are 64-bit (e.g. 5678901234567890123); a plain JSON.parse
 * would silently turn them into a different id.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  return parse(text, null, (digits) => {
    if (isSafeNumber(digits, { approx: false })) return Number(digits);
    // Unsafe integers keep their exact digits; long decimals lose only precision, like JSON.parse.
    return /^-?\d+$/.test(digits) ? digits : Number(digits);
  });
}
