/** Exact decimal arithmetic and the currency table TokenOps checks payments against. */
import { Decimal } from 'decimal.js';

/**
 * Exact for every input the schemas admit: 15 integer + 12 fraction digits per value, products of
 * two such values and sums of 10^5 of them stay well inside 60 significant digits, and nothing divides.
 */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = Decimal;

export const ZERO = new Dec(0);

/** ISO 4217 minor units of the currencies this tool accepts; anything else is a finding, never a guess. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  AUD: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2, HKD: 2,
  HUF: 2, INR: 2, ISK: 0, JOD: 3, JPY: 0, KRW: 0, KWD: 3, MXN: 2, NOK: 2, NZD: 2, OMR: 3, PLN: 2,
  SEK: 2, SGD: 2, TND: 3, USD: 2, ZAR: 2,
};

/** Minor units of a currency, or undefined when the currency is not in the table. */
export function minorUnits(currency: string): number | undefined {
  return Object.hasOwn(MINOR_UNITS, currency) ? MINOR_UNITS[currency] : undefined;
}

/** True when the amount has more decimal places than the currency allows (e.g. JPY 100.5). */
export function exceedsMinorUnits(amount: Dec, currency: string): boolean {
  const minor = minorUnits(currency);
  return minor !== undefined && amount.decimalPlaces() > minor;
}

/** A money amount as text with the currency's minor units ("25.00"); exact digits when unknown. */
export function formatMoney(amount: Dec, currency: string): string {
  const minor = minorUnits(currency);
  return minor === undefined || amount.decimalPlaces() > minor ? amount.toFixed() : amount.toFixed(minor);
}

/** Credits as plain decimal text, never exponent notation ("1840.5"). */
export function formatCredits(credits: Dec): string {
  return credits.toFixed();
}

/** Groups the integer part for people to read: "1234567.5" → "1,234,567.5". */
export function groupDigits(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}
