/** The operator-facing sentences and next action for a payout schedule. */
import type { EvidenceReview, NextAction } from '../../../contracts/common.js';
import { groupDigits } from './money.js';
import type { ComputePayoutsOutput } from './schemas.js';

function listSome(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

const holdersWith = (s: ComputePayoutsOutput, code: string) => s.findings.filter((f) => f.code === code).map((f) => f.item ?? '?');

export function payoutSummary(s: ComputePayoutsOutput, evidence: EvidenceReview): string {
  const d = s.distribution;
  const m = (text: string) => `${d.currency} ${groupDigits(text)}`;
  const title = d.name ?? 'Distribution';
  if (s.totals === null) {
    return `${title} of ${d.currency} ${d.amount} (record date ${d.record_date}) was not computed: ${s.findings.map((f) => f.message).join('; ')}. Evidence ${evidence.status}.`;
  }
  const t = s.totals;
  const parts = [
    `${title} of ${m(d.amount)} (record date ${d.record_date}) across ${d.holder_count} holders, ${groupDigits(d.total_units)} units: gross ${m(t.gross)}, withheld ${m(t.withheld)}, net ${m(t.net)}.`,
    `Paying ${t.holders_paid} holder(s) ${m(t.paid_now)} now.`,
  ];
  if (t.holders_held > 0) parts.push(`Holding ${m(t.held)} for ${t.holders_held} holder(s) with exceptions.`);
  if (t.holders_carried > 0) parts.push(`Carrying ${m(t.carried)} for ${t.holders_carried} holder(s) below the ${m(d.minimum_payout)} minimum.`);
  parts.push('Totals reconcile exactly (gross = amount; net + withheld = gross).');
  const missingDetails = holdersWith(s, 'payout_details_missing');
  if (missingDetails.length > 0) parts.push(`Missing payout details: ${listSome(missingDetails)}.`);
  const undetermined = holdersWith(s, 'tax_withholding_undetermined');
  if (undetermined.length > 0) parts.push(`Withholding rate undetermined: ${listSome(undetermined)}.`);
  const negative = holdersWith(s, 'units_negative');
  if (negative.length > 0) parts.push(`Negative units excluded: ${listSome(negative)}.`);
  parts.push(`Evidence ${evidence.status}.`);
  return parts.join(' ');
}

export function payoutNextAction(s: ComputePayoutsOutput): { action: NextAction; detail: string } {
  if (!s.computed) return { action: 'repair_inputs', detail: s.findings.map((f) => f.message).join('; ') };
  const negative = holdersWith(s, 'units_negative');
  if (negative.length > 0) return { action: 'repair_inputs', detail: `Correct the negative unit balances in the register for ${listSome(negative)}, then replay.` };
  const missing = [...new Set([...holdersWith(s, 'payout_details_missing'), ...holdersWith(s, 'tax_withholding_undetermined')])].sort();
  if (missing.length > 0) {
    return { action: 'supply_evidence', detail: `Collect payout details or withholding rates for ${listSome(missing, 10)}; their amounts are held, not dropped.` };
  }
  return { action: 'none', detail: 'Schedule is complete; release the payments.' };
}
