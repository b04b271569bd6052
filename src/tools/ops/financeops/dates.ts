/** Calendar dates as day numbers, so date windows are integer comparisons. No clock is read. */
import { ToolError } from '../../sdk.js';

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of an ISO date (YYYY-MM-DD); a date that is not on the calendar is unprocessable. */
export function dayNumber(date: string, what: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const ms = Date.UTC(y ?? NaN, (m ?? NaN) - 1, d ?? NaN);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new ToolError('invalid_date', `${what}: ${date} is not a calendar date (YYYY-MM-DD).`, false);
  }
  return ms / MS_PER_DAY;
}

/** The ISO date (YYYY-MM-DD) of a day number. */
export function isoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}
