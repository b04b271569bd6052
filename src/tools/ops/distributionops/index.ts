/** DistributionOps: pro rata payouts from a holder register with exact rounding, minimums and withholding. */
import { defineOperation, defineTool, ToolError } from '../../sdk.js';
import { DISTRIBUTION_EVIDENCE_CHECKLIST, assessEvidence, reviewSchedule } from './evidence.js';
import { buildSchedule, holderPayout, prepareDistribution, type HolderPayout } from './schedule.js';
import { ComputePayoutsInput, ComputePayoutsOutput } from './schemas.js';
import { payoutNextAction, payoutSummary } from './summary.js';

const HEARTBEAT_EVERY_HOLDERS = 1000;

export const computePayoutsOperation = defineOperation({
  capability: 'distribution.payouts',
  description:
    'Splits a distribution amount pro rata over a holder register to the currency minor unit (largest remainder), applies withholding and minimums, and holds the amounts of holders with exceptions. Totals reconcile exactly.',
  input: ComputePayoutsInput,
  output: ComputePayoutsOutput,
  evidenceChecklist: DISTRIBUTION_EVIDENCE_CHECKLIST,
  assessEvidence,
  retry: { maxAttempts: 3, nonRetryable: ['duplicate_holder_id', 'no_positive_units', 'amount_not_positive', 'reconciliation_failed'] },
  heartbeatTimeoutMs: 30_000,
  async run(ctx, input) {
    const prep = prepareDistribution(input);
    const payouts: HolderPayout[] = [];
    if (prep.computable) {
      for (const [i, holder] of input.holders.entries()) {
        if (ctx.signal.aborted) throw new ToolError('aborted', 'payout computation stopped: the binding was cancelled or its lease lost', false);
        payouts.push(holderPayout(holder, prep.terms));
        if ((i + 1) % HEARTBEAT_EVERY_HOLDERS === 0) {
          await ctx.heartbeat({ percent: Math.floor(((i + 1) / input.holders.length) * 90), message: `computed ${i + 1} of ${input.holders.length} holders` });
        }
      }
    }
    await ctx.heartbeat({ percent: 90, message: 'reconciling totals' });
    const output = buildSchedule(input, prep, payouts);
    const evidence = reviewSchedule(output);
    ctx.receipt('payout_schedule', {
      distribution: output.distribution,
      computed: output.computed,
      rounding: output.rounding,
      totals: output.totals,
      payouts: output.payouts.map((p) => ({ holder_id: p.holder_id, gross: p.gross, withheld: p.withheld, net: p.net, disposition: p.disposition })),
      finding_codes: output.findings.map((f) => f.code),
      evidence_status: evidence.status,
    });
    return { output, summary: payoutSummary(output, evidence), evidence, nextAction: payoutNextAction(output) };
  },
});

export const distributionops = defineTool({
  name: 'distributionops',
  version: '1.0.0',
  description: 'Distribution payouts from a holder register: exact largest-remainder rounding, minimums, withholding, held exceptions.',
  operations: { compute_payouts: computePayoutsOperation },
});
