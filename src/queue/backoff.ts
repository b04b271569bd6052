/** Retry delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 300_000 };

/** Ceiling of the delay before attempt `failedAttempt + 1`: min(cap, base · 2^(failedAttempt − 1)). */
export function backoffCeiling(failedAttempt: number, policy: BackoffPolicy): number {
  const exp = Math.min(Math.max(failedAttempt - 1, 0), 40);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exp);
}

/** Full jitter: uniform in [0, ceiling]. `random` returns [0, 1). */
export function backoffDelay(failedAttempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * (backoffCeiling(failedAttempt, policy) + 1));
}
