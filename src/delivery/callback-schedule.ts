/** What a callback try leads to: delivered, another try after the schedule's delay, or failed. Pure. */

export interface TryOutcome {
  statusCode: number | null;
  /** Refused by the SSRF guard: trying again would not help, so the callback fails at once. */
  refused: boolean;
}

export type NextStep = { state: 'delivered' } | { state: 'pending'; retryAt: number } | { state: 'failed' };

/**
 * `roundAttempts` counts the tries since the callback was (re)queued, this one included. The
 * schedule holds the delays between tries: n delays = n + 1 tries, then `failed`.
 */
export function nextStep(outcome: TryOutcome, roundAttempts: number, schedule: readonly number[], now: number): NextStep {
  if (outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300) return { state: 'delivered' };
  if (outcome.refused) return { state: 'failed' };
  const delay = schedule[roundAttempts - 1];
  return delay === undefined ? { state: 'failed' } : { state: 'pending', retryAt: now + delay };
}
