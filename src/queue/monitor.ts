/** GET /v1/queue: the pulse of a tenant's queue, assembled from the store and this process's loops. */
import type { QueueMonitor } from '../contracts/queue-monitor.js';
import { callbacksPaused } from '../delivery/kill-switch.js';
import type { RailContext } from '../rail/context.js';
import { iso } from '../rail/present.js';
import type { BindingRow } from '../store/types.js';
import { stuckAlerts, type StuckThresholds } from './stuck-alerts.js';
import { pausedTools } from './tool-pause.js';

const THROUGHPUT_WINDOW_MS = 60_000;
/** Alerts of each kind read at most this many rows. */
const ALERT_ROWS = 100;

const clock = (loop: { lastRunAt: number | null; nextRunAt: number | null } | undefined) =>
  loop ? { last_run_at: loop.lastRunAt === null ? null : iso(loop.lastRunAt), next_run_at: loop.nextRunAt === null ? null : iso(loop.nextRunAt) } : null;

/** Pairs rows with their bindings, dropping any whose binding is gone. */
async function withBindings<T extends { binding_id: string }>(ctx: RailContext, tenantId: string, rows: T[]): Promise<{ row: T; binding: BindingRow }[]> {
  const bindings = await Promise.all(rows.map((r) => ctx.store.getBinding(tenantId, r.binding_id)));
  return rows.flatMap((row, i) => (bindings[i] ? [{ row, binding: bindings[i] }] : []));
}

export async function queueMonitor(ctx: RailContext, tenantId: string, thresholds: StuckThresholds): Promise<QueueMonitor> {
  const { store } = ctx;
  const now = ctx.now();
  const [counts, oldest, holders, paused, cbPaused, cbCounts, done, candidates, exceptions, failed] = await Promise.all([
    store.queueCounts(tenantId),
    store.oldestQueued(tenantId),
    store.leaseHolders(tenantId),
    pausedTools(store),
    callbacksPaused(store),
    store.callbackCounts(tenantId),
    store.completionsSince(tenantId, now - THROUGHPUT_WINDOW_MS),
    store.stuckCandidates(tenantId, { queuedBefore: now - thresholds.queuedTooLongMs, retryWaitBefore: now - thresholds.retryWaitingLongMs, limit: ALERT_ROWS }),
    store.listExceptions(tenantId, { status: 'open', limit: ALERT_ROWS }),
    store.listCallbackDeliveries(tenantId, { state: 'failed', limit: ALERT_ROWS }),
  ]);

  const byState: Record<string, number> = {};
  const tools = new Map<string, Record<string, number>>(ctx.registry.list().map((t) => [t.name, {}]));
  for (const c of counts) {
    byState[c.state] = (byState[c.state] ?? 0) + c.count;
    const states = tools.get(c.tool) ?? {};
    states[c.state] = c.count;
    tools.set(c.tool, states);
  }
  const pausedSet = new Set(paused);
  const completed = done.reduce((n, d) => n + d.count, 0);

  return {
    object: 'queue_monitor',
    tenant_id: tenantId,
    at: iso(now),
    counts: {
      by_state: byState,
      by_tool: [...tools]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([tool, states]) => ({ tool, paused: pausedSet.has(tool), total: Object.values(states).reduce((n, v) => n + v, 0), states })),
    },
    oldest_queued: oldest ? { binding_id: oldest.binding_id, age_ms: Math.max(0, now - oldest.run_at) } : null,
    lease_holders: holders.map((h) => ({ owner: h.owner, leased: h.count })),
    paused_tools: paused,
    reaper: clock(ctx.loops?.reaper),
    callbacks: {
      paused: cbPaused,
      dispatcher: clock(ctx.loops?.callbacks),
      by_state: Object.fromEntries(cbCounts.map((c) => [c.state, c.count])),
    },
    throughput: {
      window_ms: THROUGHPUT_WINDOW_MS,
      completed,
      by_state: Object.fromEntries(done.map((d) => [d.state, d.count])),
      per_minute: completed * (60_000 / THROUGHPUT_WINDOW_MS),
    },
    thresholds: { queued_too_long_ms: thresholds.queuedTooLongMs, retry_waiting_long_ms: thresholds.retryWaitingLongMs },
    stuck: stuckAlerts({
      now,
      thresholds,
      pausedTools: pausedSet,
      candidates,
      openExceptions: (await withBindings(ctx, tenantId, exceptions)).map(({ row, binding }) => ({ ticket: row, binding })),
      failedCallbacks: (await withBindings(ctx, tenantId, failed)).map(({ row, binding }) => ({ delivery: row, binding })),
    }),
  };
}
