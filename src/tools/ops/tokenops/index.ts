/** TokenOps: settles agent-paid usage — credits funded, debited and remaining, overdraft refused. */
import type { Progress } from '../../../contracts/execution-binding.js';
import { defineOperation, defineTool, ToolError, type RunContext } from '../../sdk.js';
import { assessEvidence, settleChecklist } from './evidence.js';
import { SettleInput, SettleOutput } from './schemas.js';
import { settle } from './settle.js';
import { nextAction, summarize } from './summary.js';

/** Drives a pure step generator: heartbeat at each yielded progress, stop when the run is aborted. */
async function drive<T>(ctx: RunContext, steps: Generator<Progress, T>): Promise<T> {
  await ctx.heartbeat({ percent: 0, message: 'settling' });
  for (;;) {
    if (ctx.signal.aborted) throw new ToolError('aborted', 'settlement stopped: the binding was cancelled or its lease lost', false);
    const step = steps.next();
    if (step.done) return step.value;
    await ctx.heartbeat(step.value);
  }
}

export const settleOperation = defineOperation({
  capability: 'tokens.settle',
  description:
    'Checks a settled payment against its payment request, posts the credit ledger refusing overdrafts, and compares metered usage and usage receipts with the debits.',
  input: SettleInput,
  output: SettleOutput,
  evidenceChecklist: settleChecklist,
  assessEvidence: (input, declared) => assessEvidence(input, declared),
  retry: { maxAttempts: 3 },
  heartbeatTimeoutMs: 30_000,
  async run(ctx, input) {
    const { output, findings } = await drive(ctx, settle(input));
    const evidence = assessEvidence(input, ctx.evidence, findings);
    const c = output.credits;
    // Funding versus consumption of credits only; the rail's own usage receipt covers the run.
    ctx.receipt('settlement', {
      payment_id: output.payment?.payment_id ?? null,
      request_id: output.payment?.request_id ?? input.payment_request?.request_id ?? null,
      currency: output.payment?.currency ?? null,
      amount: output.payment?.amount ?? null,
      credits_requested: c.requested,
      credits_funded: c.funded,
      credits_adjusted: c.adjusted,
      credits_debited: c.debited,
      credits_refused: c.refused,
      credits_remaining: c.remaining,
      refused_entries: output.ledger.refused.map((r) => r.entry_id),
      manifest_digest: output.manifest_digest,
      evidence_status: evidence.status,
    });
    return { output, summary: summarize(output, evidence), evidence, nextAction: nextAction(evidence) };
  },
});

export const tokenops = defineTool({
  name: 'tokenops',
  version: '1.0.0',
  description: 'Settlement evidence for agent-paid usage: credits funded, debited and remaining; refuses overdraft; flags amount mismatches.',
  operations: { settle: settleOperation },
});
