import { getCountry } from 'countries-and-timezones';
import type { Region } from '../events/canonical.ts';

/**
 * Countries that span several zones, by province/state code. Elsewhere the country's first
 * listed zone (from the countries-and-timezones data) is the guess.
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

function spread(zone: string, codes: string): Record<string, string> {
  return Object.fromEntries(codes.split(' ').map((code) => [code, zone]));
}

export function guessTimezone(region: Region | undefined): string | undefined {
  const country = region?.countryCode?.toUpperCase();
  if (!country) return undefined;
  const province = region?.provinceCode?.toUpperCase().replace(/^[A-Z]{2}-/, '');
  const byProvince = province ? ZONES_BY_PROVINCE[country]?.[province] : undefined;
  if (byProvince) return byProvince;
  if (ZONES_BY_PROVINCE[country] && country !== 'CN') return undefined; // several zones, province unknown
  return getCountry(country)?.timezones[0];
}
