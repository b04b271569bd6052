/** Exact decimals for fees and megawatts, and the currency table fee amounts are checked against. */
import { Decimal } from 'decimal.js';

/** No division happens; 40 digits hold every sum of the schema's 15+6-digit amounts exactly. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = Decimal;

/** ISO 4217 minor units; an unknown currency is a finding, never a guess. */
const MINOR_UNITS: Readonly<Record<string, number>> = { USD: 2, CAD: 2, MXN: 2, EUR: 2, GBP: 2 };

export function minorUnits(currency: string): number | undefined {
  return Object.hasOwn(MINOR_UNITS, currency) ? MINOR_UNITS[currency] : undefined;
}

/** "50000" USD → "50000.00"; exact digits when the currency is unknown or the amount is finer. */
export function formatMoney(amount: Dec, currency: string): string {
  const minor = minorUnits(currency);
  return minor === undefined || amount.decimalPlaces() > minor ? amount.toFixed() : amount.toFixed(minor);
}

/** "1234567.50" → "1,234,567.50" for people to read. */
export function groupDigits(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}

/** Equal as quantities: "150" and "150.0" are the same capacity. */
export function sameQuantity(a: string, b: string): boolean {
  return new Dec(a).eq(new Dec(b));
}
