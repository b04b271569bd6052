/** Currency minor units and exact conversion between decimal text and integer minor units. */
export { Dec, groupDigits, minorUnits } from '../../money.js';

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
