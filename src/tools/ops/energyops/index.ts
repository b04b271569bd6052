/** EnergyOps: interconnection packet readiness against a checklist, milestones, fees and consistency checks. */
import { defineOperation, defineTool, ToolError } from '../../sdk.js';
import { assessReadiness } from './assess.js';
import { assessEvidence, ENERGY_EVIDENCE_CHECKLIST, reviewReadiness } from './evidence.js';
import { AssessReadinessInput, AssessReadinessOutput } from './schemas.js';
import { readinessNextAction, readinessSummary } from './summary.js';

export const assessReadinessOperation = defineOperation({
  capability: 'energy.interconnection_readiness',
  description:
    'Reviews an interconnection packet (application, single-line diagram, studies, permits, fees, milestones, site control) as of a date: readiness per checklist item, overdue milestones, consistency findings and next steps.',
  input: AssessReadinessInput,
  output: AssessReadinessOutput,
  evidenceChecklist: ENERGY_EVIDENCE_CHECKLIST,
  assessEvidence,
  retry: { maxAttempts: 3, nonRetryable: ['invalid_date', 'capacity_not_positive'] },
  heartbeatTimeoutMs: 30_000,
  async run(ctx, input) {
    await ctx.heartbeat({ percent: 10, message: 'assessing interconnection readiness' });
    if (ctx.signal.aborted) throw new ToolError('aborted', 'readiness review stopped: the binding was cancelled or its lease lost', false);
    const output = assessReadiness(input, ctx.evidence);
    const evidence = reviewReadiness(output);
    ctx.receipt('readiness_statement', {
      project: output.project.name,
      territory: output.project.territory,
      queue_id: output.project.queue_id,
      application_id: output.project.application_id,
      capacity_mw: output.project.capacity_mw,
      technology: output.project.technology,
      stage: output.stage,
      as_of: output.as_of,
      overall: output.overall,
      checklist: output.checklist.map((l) => ({ item: l.item, readiness: l.readiness })),
      overdue_milestones: output.overdue_milestones,
      fee_totals: output.fee_totals,
      finding_codes: output.findings.map((f) => f.code),
      evidence_status: evidence.status,
    });
    return { output, summary: readinessSummary(output, evidence), evidence, nextAction: readinessNextAction(output, evidence) };
  },
});

export const energyops = defineTool({
  name: 'energyops',
  version: '1.0.0',
  description: 'Interconnection packet readiness for ISO/RTO queues (CAISO, PJM, ERCOT, MISO, NYISO, SPP, ISO-NE).',
  operations: { assess_readiness: assessReadinessOperation },
});
