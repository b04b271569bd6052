/** TokenOps evidence checklist and its review; preflight and run share it. */
import type { EvidenceReview, Finding } from '../../../contracts/common.js';
import type { EvidenceRef } from '../../../contracts/work-order.js';
import { declaredButAbsent } from '../../evidence.js';
import { reviewChecklist, type EvidenceItemSpec } from '../../sdk.js';
import type { SettleInput } from './schemas.js';

export const settleChecklist: EvidenceItemSpec[] = [
  { item: 'settlement_reference', description: 'The settled payment: id, amount, currency, settled_at.', required: true },
  { item: 'payment_request', description: 'The payment request it answers: amount, currency, credits requested.', required: true },
  { item: 'credit_ledger', description: 'Credit ledger entries (fund, debit, adjust) in posting order.', required: true },
  { item: 'metered_usage', description: 'Metered usage lines: meter, quantity, unit price in credits.', required: false },
  { item: 'usage_receipts', description: 'Usage receipts already issued, with their credit totals.', required: false },
  { item: 'file_manifest', description: 'Names and SHA-256 of the files behind this evidence.', required: false },
];

/**
 * Which checklist items the inputs carry. The tool can only check what it can read, so an item
 * counts as supplied when its data is in the inputs; a present-but-empty list states there are none.
 */
function supplied(input: SettleInput): Record<string, boolean> {
  return {
    settlement_reference: input.settlement !== undefined,
    payment_request: input.payment_request !== undefined,
    credit_ledger: input.ledger !== undefined,
    metered_usage: input.usage !== undefined,
    usage_receipts: input.usage_receipts !== undefined,
    file_manifest: input.file_manifest !== undefined,
  };
}

/** Evidence review of the inputs alone; `run` adds the findings of the settlement itself. */
export function assessEvidence(input: SettleInput, declared: EvidenceRef[], findings: Finding[] = []): EvidenceReview {
  const has = supplied(input);
  return reviewChecklist(settleChecklist, (item) => has[item] === true, [...declaredButAbsent(settleChecklist, has, declared), ...findings]);
}
