/** SQLite: the queue monitor's reads — lease holders, the oldest queued row, recent completions, stuck candidates. */
import type { BindingRow, LeaseHolder } from '../types.js';
import { bindingFromRow } from './codec.js';
import type { Prepare } from './open.js';

export function leaseHolders(p: Prepare, tenantId?: string): LeaseHolder[] {
  return p(
    `SELECT lease_owner AS owner, COUNT(*) AS count FROM bindings
      WHERE state = 'leased' AND (@tenant IS NULL OR tenant_id = @tenant)
      GROUP BY lease_owner ORDER BY count DESC, owner`,
  ).all({ tenant: tenantId ?? null }) as LeaseHolder[];
}

export function oldestQueued(p: Prepare, tenantId?: string): { binding_id: string; run_at: number } | undefined {
  return p(
    `SELECT binding_id, run_at FROM bindings
      WHERE state = 'queued' AND (@tenant IS NULL OR tenant_id = @tenant)
      ORDER BY run_at, binding_id LIMIT 1`,
  ).get({ tenant: tenantId ?? null }) as { binding_id: string; run_at: number } | undefined;
}

export function completionsSince(p: Prepare, tenantId: string | undefined, since: number): { state: BindingRow['state']; count: number }[] {
  return p(
    `SELECT state, COUNT(*) AS count FROM bindings
      WHERE finished_at >= @since AND (@tenant IS NULL OR tenant_id = @tenant) GROUP BY state`,
  ).all({ since, tenant: tenantId ?? null }) as { state: BindingRow['state']; count: number }[];
}

/**
 * Unfinished bindings that look stuck: a lease that keeps expiring (attempt ≥ 2 and the last
 * error was lease_expired), queued since before `queuedBefore`, or waiting to retry since before
 * `retryWaitBefore`.
 */
export function stuckCandidates(
  p: Prepare,
  tenantId: string,
  opts: { queuedBefore: number; retryWaitBefore: number; limit: number },
): BindingRow[] {
  const rows = p(
    `SELECT * FROM bindings
      WHERE tenant_id = @tenant AND state IN ('queued', 'leased', 'retry_wait')
        AND ((attempt >= 2 AND json_extract(last_error, '$.code') = 'lease_expired')
          OR (state = 'queued' AND run_at < @queued_before)
          OR (state = 'retry_wait' AND updated_at < @retry_before))
      ORDER BY updated_at LIMIT @limit`,
  ).all({ tenant: tenantId, queued_before: opts.queuedBefore, retry_before: opts.retryWaitBefore, limit: opts.limit }) as Record<
    string,
    unknown
  >[];
  return rows.map(bindingFromRow);
}
