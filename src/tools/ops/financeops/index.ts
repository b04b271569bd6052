/** FinanceOps: reconciles invoices against bank export lines and issues a reconciliation statement. */
import type { Progress } from '../../../contracts/execution-binding.js';
import { defineOperation, defineTool, ToolError, type RunContext } from '../../sdk.js';
import { assessEvidence, reconcileChecklist } from './evidence.js';
import { reconcile } from './reconcile.js';
import { ReconcileInput, ReconcileOutput } from './schemas.js';
import { nextAction, summarize } from './summary.js';

/** Drives a pure step generator: heartbeat at each yielded progress, stop when the run is aborted. */
async function drive<T>(ctx: RunContext, steps: Generator<Progress, T>): Promise<T> {
  await ctx.heartbeat({ percent: 0, message: 'reconciling' });
  for (;;) {
    if (ctx.signal.aborted) throw new ToolError('aborted', 'reconciliation stopped: the binding was cancelled or its lease lost', false);
    const step = steps.next();
    if (step.done) return step.value;
    await ctx.heartbeat(step.value);
  }
}

export const reconcileOperation = defineOperation({
  capability: 'finance.reconcile',
  description:
    'Matches bank export lines to invoices by reference, currency and date window; reports matched, partial and duplicate payments, unmatched items and differences, with totals per currency.',
  input: ReconcileInput,
  output: ReconcileOutput,
  evidenceChecklist: reconcileChecklist,
  assessEvidence: (input, declared) => assessEvidence(input, declared),
  retry: { maxAttempts: 3, nonRetryable: ['duplicate_invoice_id', 'invoice_dates_inverted', 'statement_period_inverted', 'invalid_date'] },
  heartbeatTimeoutMs: 30_000,
  async run(ctx, input) {
    const { output, findings } = await drive(ctx, reconcile(input));
    const evidence = assessEvidence(input, ctx.evidence, findings);
    ctx.receipt('reconciliation_statement', {
      window: output.window,
      totals: output.totals,
      counts: output.counts,
      differences: output.differences,
      unmatched_invoice_ids: output.invoices.filter((i) => i.status === 'unmatched').map((i) => i.invoice_id),
      unmatched_line_ids: output.unmatched_bank_lines.map((l) => l.line_id),
      statement_balances: output.statement?.balances ?? null,
      evidence_status: evidence.status,
    });
    return { output, summary: summarize(output, evidence), evidence, nextAction: nextAction(evidence) };
  },
});

export const financeops = defineTool({
  name: 'financeops',
  version: '1.0.0',
  description: 'Reconciliation review: invoices vs bank export lines → matched, partial and duplicate payments, unmatched items, differences.',
  operations: { reconcile: reconcileOperation },
});
