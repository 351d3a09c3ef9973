import type { Region } from '../events/canonical.ts';

/**
 * Countries that span several zones, by province/state code. Elsewhere a country with one zone
 * gets that zone, and a country with several gets the zone most of its people live in
 * (MAIN_ZONE) or no guess at all (the shop's zone applies).
 */
const ZONES_BY_PROVINCE: Record<string, Record<string, string>> = {
  US: {
    ...spread('America/New_York', 'CT DE DC FL GA ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV IN KY'),
    ...spread('America/Chicago', 'AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI'),
    ...spread('America/Denver', 'CO MT NM UT WY ID'),
    ...spread('America/Phoenix', 'AZ'),
    ...spread('America/Los_Angeles', 'CA NV OR WA'),
    ...spread('America/Anchorage', 'AK'),
    ...spread('Pacific/Honolulu', 'HI'),
  },
  CA: {
    ...spread('America/Toronto', 'ON QC'),
    ...spread('America/Halifax', 'NS NB PE'),
    ...spread('America/St_Johns', 'NL'),
    ...spread('America/Winnipeg', 'MB'),
    ...spread('America/Regina', 'SK'),
    ...spread('America/Edmonton', 'AB'),
    ...spread('America/Vancouver', 'BC'),
  },
  AU: {
    ...spread('Australia/Sydney', 'NSW ACT'),
    ...spread('Australia/Melbourne', 'VIC'),
    ...spread('Australia/Brisbane', 'QLD'),
    ...spread('Australia/Adelaide', 'SA'),
    ...spread('Australia/Perth', 'WA'),
    ...spread('Australia/Hobart', 'TAS'),
    ...spread('Australia/Darwin', 'NT'),
  },
  CN: { ...spread('Asia/Urumqi', 'XJ') },
};

/**
 * Countries with several zones where one of them holds most of the people, so that a guess
 * from the country alone is right for most customers. (A zone list sorted by name is not such
 * a guess: its first entry for Russia is Asia/Anadyr, UTC+12, and for Portugal the Azores.)
 */
export const MAIN_ZONE: Readonly<Record<string, string>> = {
  AR: 'America/Argentina/Buenos_Aires',
  BR: 'America/Sao_Paulo',
  CD: 'Africa/Kinshasa',
  CL: 'America/Santiago',
  CN: 'Asia/Shanghai',
  CY: 'Asia/Nicosia',
  DE: 'Europe/Berlin',
  EC: 'America/Guayaquil',
  ES: 'Europe/Madrid',
  GL: 'America/Nuuk',
  ID: 'Asia/Jakarta',
  KI: 'Pacific/Tarawa',
  KZ: 'Asia/Almaty',
  MH: 'Pacific/Majuro',
  MN: 'Asia/Ulaanbaatar',
  MX: 'America/Mexico_City',
  MY: 'Asia/Kuala_Lumpur',
  NZ: 'Pacific/Auckland',
  PF: 'Pacific/Tahiti',
  PG: 'Pacific/Port_Moresby',
  PS: 'Asia/Hebron',
  PT: 'Europe/Lisbon',
  RU: 'Europe/Moscow',
  UA: 'Europe/Kyiv',
  UZ: 'Asia/Tashkent',
};

function spread(zone: string, codes: string): Record<string, string> {
  return Object.fromEntries(codes.split(' ').map((code) => [code, zone]));
}

/** The IANA zones of a country (ISO 3166 code), from the runtime's own CLDR data. */
export function zonesOfCountry(country: string): string[] {
  try {
    // `getTimeZones()` is the name in newer V8 releases; older ones (Node 20) have the `timeZones` getter.
    const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & { getTimeZones?: () => string[]; timeZones?: string[] };
    return locale.getTimeZones?.() ?? locale.timeZones ?? [];
  } catch {
    return []; // not a region code
  }
}

export function guessTimezone(region: Region | undefined): string | undefined {
  const country = region?.countryCode?.toUpperCase();
  if (!country) return undefined;
  const province = region?.provinceCode?.toUpperCase().replace(/^[A-Z]{2}-/, '');
  const byProvince = province ? ZONES_BY_PROVINCE[country]?.[province] : undefined;
  if (byProvince) return byProvince;
  if (MAIN_ZONE[country]) return MAIN_ZONE[country];
  // Names as the runtime's CLDR data spells them (Node 20: Asia/Calcutta for Asia/Kolkata); Intl takes either.
  const zones = zonesOfCountry(country);
  return zones.length === 1 ? zones[0] : undefined; // several zones and no main one: no guess
}
