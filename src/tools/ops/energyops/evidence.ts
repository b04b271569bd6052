/** EnergyOps evidence: the interconnection checklist, and the review shared by preflight and run. */
import type { EvidenceReview } from '../../../contracts/common.js';
import type { EvidenceRef } from '../../../contracts/work-order.js';
import { reviewChecklist, type EvidenceItemSpec } from '../../sdk.js';
import { assessReadiness } from './assess.js';
import type { AssessReadinessInput, AssessReadinessOutput } from './schemas.js';

export const ENERGY_EVIDENCE_CHECKLIST: EvidenceItemSpec[] = [
  { item: 'interconnection_application', description: 'The interconnection application (inputs.documents or a declared evidence ref).', required: true },
  { item: 'site_control', description: 'Site control (project.site_control), not expired as of as_of.', required: true },
  { item: 'single_line_diagram', description: 'The single-line diagram (inputs.documents or a declared evidence ref).', required: true },
  { item: 'feasibility_study', description: 'Feasibility study: not expected at stage application, optional at study, required at agreement.', required: false },
  { item: 'system_impact_study', description: 'System impact study: not expected at stage application, optional at study, required at agreement.', required: false },
  { item: 'facilities_study', description: 'Facilities study: not expected at stage application, optional at study, required at agreement.', required: false },
  { item: 'permits', description: 'Permits, issued and not expired as of as_of.', required: false },
  { item: 'fees_paid', description: 'Application fees and study/readiness deposits with amounts due and paid (inputs.fees).', required: true },
  { item: 'milestones', description: 'The milestone schedule with due and completed dates (inputs.milestones).', required: false },
];

/**
 * Missing required item → insufficient; a missing optional item or any finding (expired, overdue,
 * pending, inconsistent) → partial; otherwise sufficient.
 */
export function reviewReadiness(statement: AssessReadinessOutput): EvidenceReview {
  const lines = new Map(statement.checklist.map((l) => [l.item, l]));
  const checklist = statement.checklist.map((l) => ({ item: l.item, description: l.detail, required: l.required }));
  return reviewChecklist(checklist, (item) => lines.get(item)?.readiness !== 'missing', statement.findings);
}

export function assessEvidence(input: AssessReadinessInput, declared: EvidenceRef[]): EvidenceReview {
  return reviewReadiness(assessReadiness(input, declared));
}
