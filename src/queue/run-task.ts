/** Runs one claimed task of an in-process tool and reports how it ended. */
import type { Progress } from '../contracts/execution-binding.js';
import { RailError } from '../contracts/errors.js';
import type { RegisteredOperation } from '../tools/registry.js';
import { ToolError, type RunContext, type ToolLogger } from '../tools/sdk.js';
import type { Attempts, ClaimedTask, Report } from './attempts.js';
import { completionReport } from './completion.js';

/** The abort reason of a task whose lease the worker gives back: it must not report at all. */
export const RELEASED = 'lease released';

export interface TaskHooks {
  /** Called with an abort function the worker uses when the binding is cancelled or its lease released. */
  onStart(bindingId: string, abort: (reason: string) => void): void;
  onEnd(bindingId: string): void;
  log: ToolLogger;
  now: () => number;
}

function describe(err: unknown): { code: string; message: string; retryable: boolean } {
  if (err instanceof ToolError) return { code: err.code, message: err.message, retryable: err.retryable };
  if (err instanceof Error) return { code: 'tool_error', message: err.message, retryable: true };
  return { code: 'tool_error', message: String(err), retryable: true };
}

export async function runTask(attempts: Attempts, op: RegisteredOperation, task: ClaimedTask, hooks: TaskHooks): Promise<void> {
  const { binding, command, token } = task;
  const controller = new AbortController();
  let released = false;
  const abort = (reason: string) => {
    released ||= reason === RELEASED;
    controller.abort(new Error(reason));
  };
  // The lease is lost when it expires without a heartbeat: stop the tool then.
  let leaseTimer = setTimeout(() => abort('lease expired'), binding.heartbeat_timeout_ms);
  hooks.onStart(binding.binding_id, abort);
  const receipts: { kind: string; body: Record<string, unknown> }[] = [];
  const started = performance.now();
  const ctx: RunContext = {
    tenantId: binding.tenant_id,
    bindingId: binding.binding_id,
    workOrderId: binding.work_order_id,
    commandId: binding.command_id,
    attempt: binding.attempt,
    signal: controller.signal,
    evidence: command.body.evidence,
    log: hooks.log,
    receipt: (kind, body) => {
      receipts.push({ kind, body });
    },
    heartbeat: async (progress?: Progress) => {
      try {
        const answer = await attempts.heartbeat(token, progress);
        clearTimeout(leaseTimer);
        leaseTimer = setTimeout(() => abort('lease expired'), answer.lease_expires_at - hooks.now());
      } catch (err) {
        // The database is away for a moment: keep working. The lease timer above stops the tool if
        // no heartbeat gets through before the lease would have expired.
        if (err instanceof RailError && err.code === 'unavailable') return;
        abort(err instanceof RailError ? err.code : 'heartbeat failed');
        throw err;
      }
    },
  };
  let report: Report;
  try {
    const result = await op.spec!.run(ctx, command.body.inputs);
    report = completionReport(op, { ...result, receipts }, performance.now() - started).report;
  } catch (err) {
    report = { kind: 'failed', ...describe(err), runMs: performance.now() - started };
  } finally {
    clearTimeout(leaseTimer);
    hooks.onEnd(binding.binding_id);
  }
  // Whatever the tool did after its lease was given back is not this attempt's to report.
  if (released) return;
  await deliverReport(attempts, token, report, binding, hooks.log);
}

const REPORT_RETRY_FIRST_MS = 100;
const REPORT_RETRY_MAX_MS = 2_000;
/** Past this the reaper has long since failed the attempt; the report would only be refused. */
const REPORT_GIVE_UP_MS = 10 * 60_000;

/**
 * Reports, retrying while the database is unavailable: the work is done and its result should not
 * be thrown away for a restart. A retry after a commit whose answer was lost is refused by fencing.
 */
async function deliverReport(attempts: Attempts, token: string, report: Report, binding: ClaimedTask['binding'], log: ToolLogger): Promise<void> {
  const giveUpAt = Date.now() + REPORT_GIVE_UP_MS;
  let retried = false;
  for (let wait = REPORT_RETRY_FIRST_MS; ; wait = Math.min(wait * 2, REPORT_RETRY_MAX_MS)) {
    try {
      await attempts.reportQuietly(token, report);
      return;
    } catch (err) {
      if (!(err instanceof RailError)) throw err;
      if (err.code === 'unavailable' && Date.now() < giveUpAt) {
        retried = true;
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      // A late report from a superseded attempt is refused by design (fencing); nothing to undo.
      // After a retry the usual cause is benign: the first try committed and only its answer was lost.
      const msg = retried ? 'report refused on retry (the first try may have committed before the connection was lost)' : 'report refused';
      log.warn(msg, { binding_id: binding.binding_id, attempt: binding.attempt, code: err.code });
      return;
    }
  }
}
