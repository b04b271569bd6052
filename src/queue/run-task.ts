/** Runs one claimed task of an in-process tool and reports how it ended. */
import type { Progress } from '../contracts/execution-binding.js';
import { RailError } from '../contracts/errors.js';
import type { RegisteredOperation } from '../tools/registry.js';
import { ToolError, type RunContext, type ToolLogger } from '../tools/sdk.js';
import type { Attempts, ClaimedTask, Report } from './attempts.js';
import { completionReport } from './completion.js';

export interface TaskHooks {
  /** Called with an abort function the worker uses when the binding is cancelled. */
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
  const abort = (reason: string) => controller.abort(new Error(reason));
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
  try {
    await attempts.report(token, report);
  } catch (err) {
    // A late report from a superseded attempt is refused by design (fencing); nothing to undo.
    if (!(err instanceof RailError)) throw err;
    hooks.log.warn('report refused', { binding_id: binding.binding_id, attempt: binding.attempt, code: err.code });
  }
}
