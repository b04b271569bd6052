/** Assembles the readiness statement: checklist lines, milestones, fees, findings and next steps. */
import type { EvidenceRef } from '../../../contracts/work-order.js';
import { ToolError } from '../../sdk.js';
import { ITEM_LABELS, permitsItem, presenceItem, siteControlItem, studyItem, type ItemResult } from './checklist-items.js';
import { consistencyIssues } from './consistency.js';
import { dayNumber } from './dates.js';
import { reviewFees } from './fees.js';
import { reviewMilestones } from './milestones.js';
import { Dec } from './money.js';
import type { AssessReadinessInput, AssessReadinessOutput, PacketDocument, StudyKind } from './schemas.js';

/** Items a declared Work Order evidence ref can answer on its own (no structured data needed). */
const DOCUMENT_ITEMS = new Set(['interconnection_application', 'single_line_diagram', 'feasibility_study', 'system_impact_study', 'facilities_study', 'permits']);
const STUDY_KINDS: StudyKind[] = ['feasibility_study', 'system_impact_study', 'facilities_study'];

function declaredRefs(declared: readonly EvidenceRef[], item: string): string[] {
  return declared.filter((d) => d.item === item && DOCUMENT_ITEMS.has(item)).map((d) => d.ref ?? d.digest ?? `declared:${item}`);
}

/** Every date must exist on the calendar before anything is compared to as_of. */
function checkDates(input: AssessReadinessInput): void {
  dayNumber(input.as_of, 'as_of');
  if (input.project.site_control?.expires_on !== undefined) dayNumber(input.project.site_control.expires_on, 'project.site_control.expires_on');
  for (const [i, d] of (input.documents ?? []).entries()) {
    for (const key of ['submitted_on', 'dated_on', 'completed_on', 'issued_on', 'expires_on'] as const) {
      const value = (d as Partial<Record<typeof key, string>>)[key];
      if (value !== undefined) dayNumber(value, `documents[${i}].${key}`);
    }
  }
  for (const [i, f] of (input.fees ?? []).entries()) {
    if (f.due_on !== undefined) dayNumber(f.due_on, `fees[${i}].due_on`);
    if (f.paid_on !== undefined) dayNumber(f.paid_on, `fees[${i}].paid_on`);
  }
}

/** The readiness statement for one project as of `input.as_of`. Pure. */
export function assessReadiness(input: AssessReadinessInput, declared: readonly EvidenceRef[] = []): AssessReadinessOutput {
  if (new Dec(input.project.capacity_mw).lte(0)) {
    throw new ToolError('capacity_not_positive', `project.capacity_mw must be above 0, got ${input.project.capacity_mw}`, false);
  }
  checkDates(input);
  const stage = input.stage ?? 'application';
  const docs: PacketDocument[] = input.documents ?? [];
  const refsOf = (kind: string) => [...docs.filter((d) => d.kind === kind).map((d) => d.ref), ...declaredRefs(declared, kind)];

  const fees = reviewFees(input.fees ?? [], input.as_of);
  const milestones = reviewMilestones(input.milestones ?? [], input.as_of);
  const items: ItemResult[] = [
    presenceItem('interconnection_application', refsOf('interconnection_application')),
    siteControlItem(input.project.site_control, input.as_of),
    presenceItem('single_line_diagram', refsOf('single_line_diagram')),
    ...STUDY_KINDS.map((kind) =>
      studyItem(
        kind,
        docs.filter((d): d is Extract<PacketDocument, { kind: StudyKind }> => d.kind === kind),
        declaredRefs(declared, kind),
        stage,
      ),
    ),
    permitsItem(
      docs.filter((d): d is Extract<PacketDocument, { kind: 'permit' }> => d.kind === 'permit'),
      declaredRefs(declared, 'permits'),
      input.as_of,
    ),
    { line: fees.line, issues: fees.issues },
    { line: milestones.line, issues: milestones.issues },
  ];
  const checklist = items.map((i) => i.line);
  const issues = [...items.flatMap((i) => i.issues), ...consistencyIssues(input, docs)];

  const missing = checklist.filter((l) => l.readiness === 'missing');
  const missingSteps = [...missing.filter((l) => l.required), ...missing.filter((l) => !l.required)].map(
    (l) => `Supply the ${ITEM_LABELS[l.item] ?? l.item}${l.required ? '' : ' (optional at this stage)'}.`,
  );
  const ready = checklist.every((l) => l.readiness === 'ready' || l.readiness === 'not_required') && issues.length === 0;

  return {
    project: {
      name: input.project.name,
      territory: input.project.territory,
      technology: input.project.technology,
      capacity_mw: input.project.capacity_mw,
      queue_id: input.project.queue_id ?? null,
      application_id: input.project.application_id ?? null,
    },
    as_of: input.as_of,
    stage,
    overall: ready ? 'ready' : 'not_ready',
    checklist,
    milestones: milestones.milestones,
    overdue_milestones: milestones.overdue,
    fees: fees.fees,
    fee_totals: fees.totals,
    findings: issues.map((i) => i.finding),
    next_steps: [...new Set([...missingSteps, ...issues.map((i) => i.step)])],
  };
}
