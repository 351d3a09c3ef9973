/**
 * Money is kept in integer minor units of its currency (cents, fen); the number of decimals
 * comes from ICU through Intl, so JPY has none and KWD has three.
 */

// Building an Intl.NumberFormat costs far more than using one: keep one per currency and locale.
const formats = new Map<string, Intl.NumberFormat>();
function currencyFormat(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formats.set(key, format);
  }
  return format;
}

export function currencyDecimals(currency: string): number {
  try {
    return currencyFormat(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "199.5" CNY → 19950. Extra decimals are rounded half up. */
export function toMinorUnits(amount: string, currency: string): number {
  const decimals = currencyDecimals(currency);
  const [whole = '0', fraction = ''] = amount.split('.');
  const padded = (fraction + '0'.repeat(decimals + 1)).slice(0, decimals + 1);
  const minor = Number(whole) * 10 ** decimals + Number(padded.slice(0, decimals) || '0');
  return Number(padded[decimals]) >= 5 ? minor + 1 : minor;
}

export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  return currencyFormat(currency, locale).format(minor / 10 ** currencyDecimals(currency));
}
