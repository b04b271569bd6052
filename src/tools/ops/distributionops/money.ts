/** Currency minor units and exact conversion between decimal text and integer minor units. */
import { Decimal } from 'decimal.js';

/** Withholding products stay under 35 significant digits (18+6 digit amounts × 10-digit rates). */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = Decimal;

/** ISO 4217 minor units; an unknown currency is a finding, never a guess. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  AUD: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2, HKD: 2,
  HUF: 2, INR: 2, ISK: 0, JOD: 3, JPY: 0, KRW: 0, KWD: 3, MXN: 2, NOK: 2, NZD: 2, OMR: 3, PLN: 2,
  SEK: 2, SGD: 2, TND: 3, USD: 2, ZAR: 2,
};

export function minorUnits(currency: string): number | undefined {
  return Object.hasOwn(MINOR_UNITS, currency) ? MINOR_UNITS[currency] : undefined;
}

/** Decimal text → exact integer count of 10^-scale units; undefined when it has finer digits than `scale`. */
export function toScaled(text: string, scale: number): bigint | undefined {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > scale) return undefined;
  const value = BigInt(whole + trimmed.padEnd(scale, '0'));
  return negative ? -value : value;
}

/** Integer minor units → decimal text with exactly `scale` places: 3334n, 2 → "33.34". */
export function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Number of decimal places written in a decimal string ("1.50" → 2). */
export function decimalPlaces(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** "1234567.50" → "1,234,567.50" for people to read. */
export function groupDigits(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}
