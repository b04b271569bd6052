import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Compile } from 'typebox/compile';
import type { EvidenceRef } from '../../src/contracts/work-order.js';
import { ToolError } from '../../src/tools/sdk.js';
import { assessEvidence } from '../../src/tools/ops/energyops/evidence.js';
import { assessReadinessOperation, energyops } from '../../src/tools/ops/energyops/index.js';
import { AssessReadinessInput, AssessReadinessOutput } from '../../src/tools/ops/energyops/schemas.js';
import { toolContext } from '../helpers/tool-context.js';

const inputSchema = Compile(AssessReadinessInput);
const outputSchema = Compile(AssessReadinessOutput);

const fakeCtx = toolContext;

async function run(input: AssessReadinessInput, evidence: EvidenceRef[] = []) {
  assert.ok(inputSchema.Check(input), JSON.stringify(inputSchema.Errors(input)));
  const f = fakeCtx(evidence);
  const result = await assessReadinessOperation.run(f.ctx, input);
  assert.ok(outputSchema.Check(result.output), JSON.stringify(outputSchema.Errors(result.output)));
  return { ...f, result, output: result.output };
}

/** A 120 MW ERCOT solar project, complete at the study stage as of 2025-06-30. */
function readyProject(): AssessReadinessInput {
  return {
    project: {
      name: 'Live Oak Solar',
      territory: 'ERCOT',
      capacity_mw: '120',
      technology: 'solar',
      queue_id: '23INR0517',
      site_control: { type: 'lease', expires_on: '2030-12-31', ref: 'dms://live-oak/lease.pdf' },
    },
    as_of: '2025-06-30',
    stage: 'study',
    documents: [
      { kind: 'interconnection_application', ref: 'dms://live-oak/gina.pdf', territory: 'ERCOT', capacity_mw: '120', technology: 'solar', queue_id: '23INR0517' },
      { kind: 'single_line_diagram', ref: 'dms://live-oak/sld-rev-c.pdf', revision: 'C', capacity_mw: '120' },
      { kind: 'feasibility_study', ref: 'dms://live-oak/screening-study.pdf', status: 'complete', completed_on: '2023-09-01', capacity_mw: '120' },
      { kind: 'system_impact_study', ref: 'dms://live-oak/fis-ss.pdf', status: 'complete', completed_on: '2024-05-01', capacity_mw: '120' },
      { kind: 'facilities_study', ref: 'dms://live-oak/fis-fac.pdf', status: 'complete', completed_on: '2024-11-15' },
      { kind: 'permit', ref: 'dms://live-oak/county-permit.pdf', permit_type: 'county development permit', issued_on: '2024-02-01', expires_on: '2027-02-01' },
    ],
    fees: [
      { fee_type: 'application_fee', amount_due: '5000.00', amount_paid: '5000.00', currency: 'USD', due_on: '2023-03-01' },
      { fee_type: 'study_deposit', amount_due: '100000', amount_paid: '100000.00', currency: 'USD', due_on: '2023-03-01' },
    ],
    milestones: [
      { milestone_id: 'FIS-1', name: 'FIS request', due_on: '2023-06-01', completed_on: '2023-05-20' },
      { milestone_id: 'SGIA', name: 'Sign SGIA', due_on: '2025-09-30' },
    ],
  };
}

const codes = (o: AssessReadinessOutput) => o.findings.map((f) => f.code);
const readinessOf = (o: AssessReadinessOutput, item: string) => o.checklist.find((l) => l.item === item)?.readiness;

describe('energyops assess_readiness', () => {
  it('is declared with its name, operation and capability', () => {
    assert.equal(energyops.name, 'energyops');
    assert.equal(energyops.operations.assess_readiness?.capability, 'energy.interconnection_readiness');
  });

  it('a complete packet is ready and sufficient, with one readiness_statement receipt', async () => {
    const { output, result, receipts, heartbeats } = await run(readyProject());
    assert.equal(output.overall, 'ready');
    assert.deepEqual(output.findings, []);
    assert.ok(output.checklist.every((l) => l.readiness === 'ready'), JSON.stringify(output.checklist));
    assert.deepEqual(result.evidence, { status: 'sufficient', missing: [], exceptions: [] });
    assert.equal(result.nextAction?.action, 'none');
    assert.deepEqual(output.fee_totals, [{ currency: 'USD', amount_due: '105000.00', amount_paid: '105000.00', balance: '0.00' }]);
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]!.kind, 'readiness_statement');
    assert.ok(heartbeats.length >= 1);
    assert.match(result.summary, /Live Oak Solar \(ERCOT 23INR0517, solar 120 MW\).*READY/);
  });

  const milestoneCases: { name: string; due_on: string; completed_on?: string; status: string; days: number; codes: string[] }[] = [
    { name: 'due yesterday, open → overdue by one day', due_on: '2025-06-29', status: 'overdue', days: 1, codes: ['milestone_overdue'] },
    { name: 'due today, open → not overdue', due_on: '2025-06-30', status: 'open', days: 0, codes: [] },
    { name: 'due last month, open → 30 days', due_on: '2025-05-31', status: 'overdue', days: 30, codes: ['milestone_overdue'] },
    { name: 'completed on the due date', due_on: '2025-06-01', completed_on: '2025-06-01', status: 'completed', days: 0, codes: [] },
    { name: 'completed late is history, not a finding', due_on: '2025-06-01', completed_on: '2025-06-10', status: 'completed_late', days: 0, codes: [] },
    {
      name: 'completion dated after as_of does not count',
      due_on: '2025-06-20',
      completed_on: '2025-07-02',
      status: 'overdue',
      days: 10,
      codes: ['milestone_completed_after_as_of', 'milestone_overdue'],
    },
  ];
  for (const c of milestoneCases) {
    it(`milestone ${c.name}`, async () => {
      const input = readyProject();
      input.milestones = [{ milestone_id: 'M1', name: 'Milestone', due_on: c.due_on, ...(c.completed_on ? { completed_on: c.completed_on } : {}) }];
      const { output, result } = await run(input);
      assert.equal(output.milestones[0]!.status, c.status);
      assert.equal(output.milestones[0]!.days_overdue, c.days);
      assert.deepEqual(codes(output), c.codes);
      assert.equal(result.evidence.status, c.codes.length ? 'partial' : 'sufficient');
      assert.deepEqual(output.overdue_milestones, c.status === 'overdue' ? ['M1'] : []);
    });
  }

  it('sorts milestones by due date and flags duplicate ids', async () => {
    const input = readyProject();
    input.milestones = [
      { milestone_id: 'B', name: 'later', due_on: '2025-12-01' },
      { milestone_id: 'A', name: 'earlier', due_on: '2025-08-01' },
      { milestone_id: 'A', name: 'again', due_on: '2025-09-01' },
    ];
    const { output } = await run(input);
    assert.deepEqual(output.milestones.map((m) => m.name), ['earlier', 'again', 'later']);
    assert.deepEqual(codes(output), ['duplicate_milestone_id']);
  });

  const siteCases: { name: string; site?: AssessReadinessInput['project']['site_control']; readiness: string; status: string }[] = [
    { name: 'expires today → still valid', site: { type: 'option', expires_on: '2025-06-30' }, readiness: 'ready', status: 'sufficient' },
    { name: 'expired yesterday → expired', site: { type: 'option', expires_on: '2025-06-29' }, readiness: 'expired', status: 'partial' },
    { name: 'no expiry (ownership)', site: { type: 'ownership' }, readiness: 'ready', status: 'sufficient' },
    { name: 'absent → missing, insufficient', readiness: 'missing', status: 'insufficient' },
  ];
  for (const c of siteCases) {
    it(`site control ${c.name}`, async () => {
      const input = readyProject();
      if (c.site) input.project.site_control = c.site;
      else delete input.project.site_control;
      const { output, result } = await run(input);
      assert.equal(readinessOf(output, 'site_control'), c.readiness);
      assert.equal(result.evidence.status, c.status);
      if (c.readiness === 'expired') assert.deepEqual(codes(output), ['site_control_expired']);
    });
  }

  const consistencyCases: { name: string; mutate: (i: AssessReadinessInput) => void; codes: string[] }[] = [
    { name: 'application capacity ≠ project capacity', mutate: (i) => (i.project.capacity_mw = '150'), codes: ['application_capacity_mismatch', 'sld_capacity_mismatch'] },
    { name: '"120" and "120.000" are the same capacity', mutate: (i) => (i.project.capacity_mw = '120.000'), codes: [] },
    {
      name: 'study capacity ≠ application capacity',
      mutate: (i) => ((i.documents![3] as { capacity_mw?: string }).capacity_mw = '100'),
      codes: ['study_capacity_mismatch'],
    },
    { name: 'territory mismatch', mutate: (i) => (i.project.territory = 'SPP'), codes: ['territory_mismatch'] },
    { name: 'technology mismatch', mutate: (i) => (i.project.technology = 'wind'), codes: ['technology_mismatch'] },
    { name: 'queue id mismatch', mutate: (i) => (i.project.queue_id = '23INR0518'), codes: ['queue_id_mismatch'] },
    {
      name: 'no queue id at the study stage',
      mutate: (i) => {
        delete i.project.queue_id;
        delete (i.documents![0] as { queue_id?: string }).queue_id;
      },
      codes: ['queue_id_missing'],
    },
    {
      name: 'storage with no duration',
      mutate: (i) => {
        i.project.technology = 'storage';
        i.project.storage = { power_mw: '120' };
        (i.documents![0] as { technology?: string }).technology = 'storage';
      },
      codes: ['storage_duration_missing'],
    },
    {
      name: 'storage energy ≠ power × duration',
      mutate: (i) => {
        i.project.technology = 'storage';
        i.project.storage = { power_mw: '120', duration_hours: '4', energy_mwh: '400' };
        (i.documents![0] as { technology?: string }).technology = 'storage';
      },
      codes: ['storage_duration_inconsistent'],
    },
    {
      name: 'hybrid storage power above the interconnection capacity',
      mutate: (i) => {
        i.project.technology = 'hybrid';
        i.project.storage = { power_mw: '150', duration_hours: '4' };
        (i.documents![0] as { technology?: string }).technology = 'hybrid';
      },
      codes: ['storage_power_exceeds_capacity'],
    },
  ];
  for (const c of consistencyCases) {
    it(`consistency: ${c.name}`, async () => {
      const input = readyProject();
      c.mutate(input);
      const { output, result } = await run(input);
      assert.deepEqual(codes(output), c.codes);
      assert.equal(result.evidence.status, c.codes.length ? 'partial' : 'sufficient');
      if (c.codes.length) assert.equal(result.nextAction?.action, 'review_exceptions');
    });
  }

  const feeCases: { name: string; fee: AssessReadinessInput['fees'] extends (infer F)[] | undefined ? F : never; status: string; readiness: string; codes: string[] }[] = [
    { name: 'unpaid, due later → pending', fee: { fee_type: 'readiness_deposit', amount_due: '50000', amount_paid: '0', currency: 'USD', due_on: '2025-07-15' }, status: 'unpaid', readiness: 'pending', codes: ['fee_unpaid'] },
    { name: 'unpaid, due today → pending', fee: { fee_type: 'readiness_deposit', amount_due: '50000', amount_paid: '0', currency: 'USD', due_on: '2025-06-30' }, status: 'unpaid', readiness: 'pending', codes: ['fee_unpaid'] },
    { name: 'short-paid, due yesterday → overdue', fee: { fee_type: 'readiness_deposit', amount_due: '50000', amount_paid: '49999.99', currency: 'USD', due_on: '2025-06-29' }, status: 'overdue', readiness: 'overdue', codes: ['fee_overdue'] },
    { name: 'overpaid', fee: { fee_type: 'other', amount_due: '100', amount_paid: '150', currency: 'USD' }, status: 'overpaid', readiness: 'ready', codes: ['fee_overpaid'] },
    { name: 'unknown currency', fee: { fee_type: 'other', amount_due: '100', amount_paid: '100', currency: 'XYZ' }, status: 'paid', readiness: 'ready', codes: ['currency_unknown'] },
    { name: 'sub-cent USD amount', fee: { fee_type: 'other', amount_due: '100.005', amount_paid: '100.005', currency: 'USD' }, status: 'paid', readiness: 'ready', codes: ['amount_precision'] },
  ];
  for (const c of feeCases) {
    it(`fee ${c.name}`, async () => {
      const input = readyProject();
      input.fees = [...input.fees!, c.fee];
      const { output, result } = await run(input);
      assert.equal(output.fees[2]!.status, c.status);
      assert.equal(readinessOf(output, 'fees_paid'), c.readiness);
      assert.deepEqual(codes(output), c.codes);
      assert.equal(result.evidence.status, 'partial');
    });
  }

  it('reports the balance exactly (no float drift)', async () => {
    const input = readyProject();
    input.fees = [{ fee_type: 'study_deposit', amount_due: '0.30', amount_paid: '0.10', currency: 'USD', due_on: '2025-12-01' }, { fee_type: 'other', amount_due: '0.20', amount_paid: '0.20', currency: 'USD' }];
    const { output } = await run(input);
    assert.equal(output.fees[0]!.balance, '0.20');
    assert.deepEqual(output.fee_totals, [{ currency: 'USD', amount_due: '0.50', amount_paid: '0.30', balance: '0.20' }]);
  });

  it('missing fees and single-line diagram → insufficient, supply_evidence', async () => {
    const input = readyProject();
    input.fees = [];
    input.documents = input.documents!.filter((d) => d.kind !== 'single_line_diagram');
    const { result } = await run(input);
    assert.equal(result.evidence.status, 'insufficient');
    assert.deepEqual(result.evidence.missing, ['single_line_diagram', 'fees_paid']);
    assert.equal(result.nextAction?.action, 'supply_evidence');
  });

  const stageCases: { stage: 'application' | 'study' | 'agreement'; readiness: string; status: string }[] = [
    { stage: 'application', readiness: 'not_required', status: 'sufficient' },
    { stage: 'study', readiness: 'missing', status: 'partial' },
    { stage: 'agreement', readiness: 'missing', status: 'insufficient' },
  ];
  for (const c of stageCases) {
    it(`a missing facilities study at the ${c.stage} stage is ${c.readiness} (${c.status})`, async () => {
      const input = readyProject();
      input.stage = c.stage;
      input.documents = input.documents!.filter((d) => d.kind !== 'facilities_study');
      const { output, result } = await run(input);
      assert.equal(readinessOf(output, 'facilities_study'), c.readiness);
      assert.equal(result.evidence.status, c.status);
    });
  }

  it('a study in progress is pending', async () => {
    const input = readyProject();
    input.documents![4] = { kind: 'facilities_study', ref: 'dms://live-oak/fac-draft.pdf', status: 'in_progress' };
    const { output } = await run(input);
    assert.equal(readinessOf(output, 'facilities_study'), 'pending');
    assert.deepEqual(codes(output), ['study_pending']);
  });

  it('permits: expired the day before as_of, and not yet issued', async () => {
    const input = readyProject();
    input.documents!.push(
      { kind: 'permit', ref: 'dms://p/fema.pdf', permit_type: 'floodplain permit', issued_on: '2023-01-01', expires_on: '2025-06-29' },
      { kind: 'permit', ref: 'dms://p/txdot.pdf', permit_type: 'TxDOT driveway permit' },
    );
    const { output } = await run(input);
    assert.equal(readinessOf(output, 'permits'), 'expired');
    assert.deepEqual(codes(output), ['permit_expired', 'permit_pending']);
  });

  it('a declared Work Order evidence ref answers a document item', async () => {
    const input = readyProject();
    input.documents = input.documents!.filter((d) => d.kind !== 'single_line_diagram');
    const declared = [{ item: 'single_line_diagram', ref: 'dms://live-oak/sld-rev-c.pdf' }];
    const { output, result } = await run(input, declared);
    assert.equal(readinessOf(output, 'single_line_diagram'), 'ready');
    assert.equal(result.evidence.status, 'sufficient');
    assert.deepEqual(assessEvidence(input, declared), result.evidence);
    assert.equal(assessEvidence(input, []).status, 'insufficient');
  });

  it('refuses dates that do not exist and a zero capacity (non-retryable)', async () => {
    const badDate = readyProject();
    badDate.milestones![0]!.due_on = '2025-02-30';
    const zero = readyProject();
    zero.project.capacity_mw = '0.0';
    for (const [input, code] of [
      [badDate, 'invalid_date'],
      [zero, 'capacity_not_positive'],
    ] as const) {
      await assert.rejects(assessReadinessOperation.run(fakeCtx().ctx, input), (e: unknown) => e instanceof ToolError && e.code === code && !e.retryable);
    }
  });

  it('stops when aborted', async () => {
    const f = fakeCtx();
    f.controller.abort();
    await assert.rejects(assessReadinessOperation.run(f.ctx, readyProject()), (e: unknown) => e instanceof ToolError && e.code === 'aborted');
  });

  it('is deterministic: same input → identical output, receipts and summary', async () => {
    const input = readyProject();
    input.milestones!.push({ milestone_id: 'LATE', name: 'Late', due_on: '2025-01-01' });
    const a = await run(input);
    const b = await run(input);
    assert.equal(JSON.stringify(a.result), JSON.stringify(b.result));
    assert.equal(JSON.stringify(a.receipts), JSON.stringify(b.receipts));
  });
});

describe('energyops example work orders', () => {
  const dir = 'examples/work-orders';
  const examples = readdirSync(dir).filter((f) => f.startsWith('energyops-') && f.endsWith('.json'));
  it('has sufficient, partial and insufficient examples', () => {
    for (const c of ['sufficient', 'partial', 'insufficient']) assert.ok(examples.includes(`energyops-${c}.json`), c);
  });
  for (const file of examples) {
    it(`${file} validates and yields the status its name says`, async () => {
      const wo = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { tool: string; operation: string; inputs: AssessReadinessInput; evidence?: EvidenceRef[] };
      assert.equal(wo.tool, 'energyops');
      assert.equal(wo.operation, 'assess_readiness');
      const { result } = await run(wo.inputs, wo.evidence ?? []);
      assert.equal(result.evidence.status, file.replace(/^energyops-|\.json$/g, ''));
    });
  }
});
