/**
 * Money is kept in integer minor units of its currency (cents, fen); the number of decimals
 * comes from ICU through Intl, so JPY has none and KWD has three.
 */
export function currencyDecimals(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
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
  const decimals = currencyDecimals(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** decimals);
}
