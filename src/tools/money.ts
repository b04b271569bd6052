/**
 * Money for operating tools: exact decimals (decimal.js, banker's rounding where a rule rounds)
 * and ISO 4217 minor units. An unknown currency is a finding for the tool to report, never a guess.
 */
import { Decimal } from 'decimal.js';

/**
 * 60 significant digits hold every value the tools' schemas admit (at most 18 integer + 12
 * fraction digits), products of two of them and sums of 10^5 of them, exactly.
 */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = Decimal;

export const ZERO = new Dec(0);

/** ISO 4217 minor units of the currencies the tools accept. */
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

/** A money amount as text with the currency's minor units ("1250.00"); exact digits when unknown or finer. */
export function formatMoney(amount: Dec, currency: string): string {
  const minor = minorUnits(currency);
  return minor === undefined || amount.decimalPlaces() > minor ? amount.toFixed() : amount.toFixed(minor);
}

/** Groups the integer part for people to read: "1234567.50" → "1,234,567.50". */
export function groupDigits(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}
