/** Calendar dates as day numbers: the only date arithmetic EnergyOps needs, with no clock. */
import { ToolError } from '../../sdk.js';

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 for a YYYY-MM-DD date; a date that does not exist (2025-02-30) cannot be assessed. */
export function dayNumber(date: string, field: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
    throw new ToolError('invalid_date', `${field}: ${date} is not a calendar date`, false);
  }
  return ms / MS_PER_DAY;
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string, fromField: string, toField: string): number {
  return dayNumber(to, toField) - dayNumber(from, fromField);
}
