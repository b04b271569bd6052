/** What an operator reads about a reconciliation, and what should happen next. */
import type { EvidenceReview, NextAction } from '../../../contracts/common.js';
import { reconcileChecklist } from './evidence.js';
import { groupDigits } from './money.js';
import type { ReconcileOutput } from './schemas.js';
import { findingsSentence, supplyMissing } from '../../evidence.js';

/** Findings that mean the inputs themselves are wrong, not that an open item needs a judgement. */
const REPAIR_CODES = new Set([
  'unknown_currency',
  'amount_precision_exceeds_currency',
  'duplicate_invoice_reference',
  'duplicate_statement_balance',
  'evidence_declared_not_in_inputs',
]);

const isZero = (amount: string) => /^-?0(\.0+)?$/.test(amount);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function summarize(output: ReconcileOutput, evidence: EvidenceReview): string {
  const parts: string[] = [];
  const lines = output.totals.reduce((n, t) => n + t.lines, 0);
  const window = `window ${output.window.days_before_issue} days before issue to ${output.window.days_after_due} days after due`;
  parts.push(
    evidence.missing.includes('bank_export')
      ? `Reviewed ${plural(output.invoices.length, 'invoice')}; no bank export was supplied, so nothing could be matched (${window}).`
      : `Reconciled ${plural(output.invoices.length, 'invoice')} against ${plural(lines, 'bank line')} (${window}).`,
  );
  for (const t of output.totals) {
    const g = groupDigits;
    let line = `${t.currency}: invoiced ${g(t.invoiced)}, received ${g(t.received)}, applied ${g(t.applied)}, outstanding ${g(t.outstanding)}`;
    if (!isZero(t.overpaid)) line += `, overpaid ${g(t.overpaid)}`;
    if (!isZero(t.unapplied)) line += `, unapplied ${g(t.unapplied)}`;
    parts.push(`${line}.`);
  }
  const c = output.counts;
  const statuses = [
    `${c.matched} matched`,
    c.paid_in_parts ? `${c.paid_in_parts} paid in parts` : '',
    c.partially_paid ? `${c.partially_paid} partially paid` : '',
    c.overpaid ? `${c.overpaid} overpaid` : '',
    c.duplicate_payment ? plural(c.duplicate_payment, 'duplicate payment') : '',
    `${plural(c.unmatched_invoices, 'unmatched invoice')}`,
    `${plural(c.unmatched_bank_lines, 'unmatched bank line')}`,
  ].filter((s) => s !== '');
  parts.push(`${statuses.join(', ')}.`);
  if (output.statement) {
    const off = output.statement.balances.filter((b) => !isZero(b.difference));
    parts.push(off.length === 0 ? 'Statement balances tie out.' : `Statement balances do not tie out in ${off.map((b) => b.currency).join(', ')}.`);
  }
  const findings = findingsSentence(evidence.exceptions, plural);
  if (findings) parts.push(findings);
  if (evidence.missing.length > 0) parts.push(`Missing: ${evidence.missing.join(', ')}.`);
  parts.push(`Next: ${nextAction(evidence).detail}`);
  return parts.join(' ');
}

export function nextAction(evidence: EvidenceReview): { action: NextAction; detail: string } {
  if (evidence.status === 'insufficient') return supplyMissing(reconcileChecklist, evidence);
  if (evidence.exceptions.some((e) => REPAIR_CODES.has(e.code))) {
    return { action: 'repair_inputs', detail: 'correct the inputs named in the findings and replay.' };
  }
  if (evidence.exceptions.length > 0) {
    return { action: 'review_exceptions', detail: 'a person should work through the open items, one finding each.' };
  }
  if (evidence.missing.length > 0) {
    return { action: 'supply_evidence', detail: `supply ${evidence.missing.join(', ')} to prove the bank export is complete.` };
  }
  return { action: 'none', detail: 'nothing; every invoice and bank line is reconciled.' };
}
