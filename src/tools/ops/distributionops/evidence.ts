/** DistributionOps evidence: the checklist, and the review shared by preflight and run. */
import type { EvidenceReview, Finding } from '../../../contracts/common.js';
import type { EvidenceRef } from '../../../contracts/work-order.js';
import { reviewChecklist, type EvidenceItemSpec } from '../../sdk.js';
import { computePayouts } from './schedule.js';
import type { ComputePayoutsInput, ComputePayoutsOutput } from './schemas.js';

export const DISTRIBUTION_EVIDENCE_CHECKLIST: EvidenceItemSpec[] = [
  { item: 'holder_register', description: 'The holder register snapshot as of record_date, with units per holder (inputs.holders).', required: true },
  {
    item: 'distribution_terms',
    description: "Amount, record date and a currency whose ISO 4217 minor unit the tool knows; the amount must fit that minor unit.",
    required: true,
  },
  { item: 'payout_details', description: 'Payout method and account reference for every holder with an amount due.', required: false },
  { item: 'withholding_rates', description: 'A withholding rate for every foreign or unknown-tax-status holder with an amount due.', required: false },
];

/** Leaves room under the result contract's 10,000-exception cap. */
const MAX_EXCEPTIONS = 1000;

function capExceptions(findings: readonly Finding[]): Finding[] {
  if (findings.length <= MAX_EXCEPTIONS) return [...findings];
  return [...findings.slice(0, MAX_EXCEPTIONS), { code: 'exceptions_truncated', message: `${findings.length - MAX_EXCEPTIONS} more findings are listed in output.findings` }];
}

/** Not computable → insufficient; any holder exception → partial; otherwise sufficient. */
export function reviewSchedule(schedule: ComputePayoutsOutput): EvidenceReview {
  const codes = new Set(schedule.findings.map((f) => f.code));
  const present: Record<string, boolean> = {
    holder_register: schedule.distribution.holder_count > 0,
    distribution_terms: schedule.computed,
    payout_details: !codes.has('payout_details_missing'),
    withholding_rates: !codes.has('tax_withholding_undetermined'),
  };
  return reviewChecklist(DISTRIBUTION_EVIDENCE_CHECKLIST, (item) => present[item] ?? false, capExceptions(schedule.findings));
}

export function assessEvidence(input: ComputePayoutsInput, _declared: EvidenceRef[]): EvidenceReview {
  return reviewSchedule(computePayouts(input));
}
