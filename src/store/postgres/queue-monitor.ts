/** PostgreSQL: the queue monitor's reads — lease holders, the oldest queued row, recent completions, stuck candidates. */
import type { BindingRow, LeaseHolder } from '../types.js';
import { bindingFromRow } from './codec.js';
import { rows, type Sql } from './open.js';

export async function leaseHolders(sql: Sql, tenantId?: string): Promise<LeaseHolder[]> {
  return rows<LeaseHolder & Record<string, unknown>>(
    sql,
    `SELECT lease_owner AS owner, COUNT(*) AS count FROM bindings
      WHERE state = 'leased' AND ($1::text IS NULL OR tenant_id = $1)
      GROUP BY lease_owner ORDER BY count DESC, owner`,
    [tenantId ?? null],
  );
}

export async function oldestQueued(sql: Sql, tenantId?: string): Promise<{ binding_id: string; run_at: number } | undefined> {
  const [r] = await rows<{ binding_id: string; run_at: number }>(
    sql,
    `SELECT binding_id, run_at FROM bindings
      WHERE state = 'queued' AND ($1::text IS NULL OR tenant_id = $1)
      ORDER BY run_at, binding_id LIMIT 1`,
    [tenantId ?? null],
  );
  return r;
}

export async function completionsSince(sql: Sql, tenantId: string | undefined, since: number): Promise<{ state: BindingRow['state']; count: number }[]> {
  return rows<{ state: BindingRow['state']; count: number }>(
    sql,
    `SELECT state, COUNT(*) AS count FROM bindings
      WHERE finished_at >= $1 AND ($2::text IS NULL OR tenant_id = $2) GROUP BY state`,
    [since, tenantId ?? null],
  );
}

/**
 * Unfinished bindings that look stuck: a lease that keeps expiring (attempt ≥ 2 and the last
 * error was lease_expired), queued since before `queuedBefore`, or waiting to retry since before
 * `retryWaitBefore`.
 */
export async function stuckCandidates(
  sql: Sql,
  tenantId: string,
  opts: { queuedBefore: number; retryWaitBefore: number; limit: number },
): Promise<BindingRow[]> {
  const found = await rows(
    sql,
    `SELECT * FROM bindings
      WHERE tenant_id = $1 AND state IN ('queued', 'leased', 'retry_wait')
        AND ((attempt >= 2 AND last_error->>'code' = 'lease_expired')
          OR (state = 'queued' AND run_at < $2)
          OR (state = 'retry_wait' AND updated_at < $3))
      ORDER BY updated_at LIMIT $4`,
    [tenantId, opts.queuedBefore, opts.retryWaitBefore, opts.limit],
  );
  return found.map(bindingFromRow);
}
