/** FinanceOps evidence checklist and its review; preflight and run share it. */
import type { EvidenceReview, Finding } from '../../../contracts/common.js';
import type { EvidenceRef } from '../../../contracts/work-order.js';
import { declaredButAbsent } from '../../evidence.js';
import { reviewChecklist, type EvidenceItemSpec } from '../../sdk.js';
import type { ReconcileInput } from './schemas.js';

export const reconcileChecklist: EvidenceItemSpec[] = [
  { item: 'invoice_register', description: 'Invoices: id, counterparty, amount, currency, issued_on, due_on, reference.', required: true },
  { item: 'bank_export', description: 'Bank export lines: id, amount, currency, booked_on, remittance text.', required: true },
  {
    item: 'statement_balances',
    description: 'Statement period with opening and closing balance per currency, proving the export is complete.',
    required: false,
  },
];

/**
 * Which checklist items the inputs carry. The tool can only check what it can read, so an item
 * counts as supplied when its data is in the inputs; a present-but-empty list states there are none.
 */
function supplied(input: ReconcileInput): Record<string, boolean> {
  return {
    invoice_register: input.invoices !== undefined,
    bank_export: input.bank_lines !== undefined,
    statement_balances: input.statement !== undefined,
  };
}

/** Evidence review of the inputs alone; `run` adds the findings of the reconciliation itself. */
export function assessEvidence(input: ReconcileInput, declared: EvidenceRef[], findings: Finding[] = []): EvidenceReview {
  const has = supplied(input);
  return reviewChecklist(reconcileChecklist, (item) => has[item] === true, [...declaredButAbsent(reconcileChecklist, has, declared), ...findings]);
}
