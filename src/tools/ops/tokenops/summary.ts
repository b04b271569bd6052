/** What an operator reads about a settlement, and what should happen next. */
import type { EvidenceReview, NextAction } from '../../../contracts/common.js';
import { settleChecklist } from './evidence.js';
import { groupDigits } from './money.js';
import type { SettleOutput } from './schemas.js';
import { findingsSentence, supplyMissing } from '../../evidence.js';

/** Findings that mean the inputs themselves are wrong, not that something needs a judgement. */
const REPAIR_CODES = new Set([
  'unknown_currency',
  'amount_precision_exceeds_currency',
  'invalid_entry_amount',
  'duplicate_usage_line',
  'duplicate_usage_receipt',
  'duplicate_manifest_file',
  'evidence_declared_not_in_inputs',
]);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function summarize(output: SettleOutput, evidence: EvidenceReview): string {
  const parts: string[] = [];
  const p = output.payment;
  const c = output.credits;
  if (p) {
    parts.push(
      `Payment ${p.payment_id} of ${p.currency} ${groupDigits(p.amount)} settled ${p.settled_at} for request ${p.request_id}` +
        (c.requested === null ? '.' : ` (${groupDigits(c.requested)} credits requested).`),
    );
  } else {
    parts.push('No settlement reference: the funding is not backed by a settled payment.');
  }
  let credits = `Credits: ${groupDigits(c.funded)} funded, ${groupDigits(c.debited)} debited, ${groupDigits(c.remaining)} remaining`;
  if (c.adjusted !== '0') credits += `, ${groupDigits(c.adjusted)} adjusted`;
  parts.push(`${credits}.`);
  if (output.ledger.refused.length > 0) {
    parts.push(`${plural(output.ledger.refused.length, 'entry', 'entries')} refused as overdraft (${groupDigits(c.refused)} credits not applied).`);
  }
  if (c.metered !== null) parts.push(`Metered usage: ${groupDigits(c.metered)} credits across ${plural(output.usage_by_meter.length, 'meter')}.`);
  const findings = findingsSentence(evidence.exceptions, plural);
  if (findings) parts.push(findings);
  if (evidence.missing.length > 0) parts.push(`Missing: ${evidence.missing.join(', ')}.`);
  parts.push(`Next: ${nextAction(evidence).detail}`);
  return parts.join(' ');
}

export function nextAction(evidence: EvidenceReview): { action: NextAction; detail: string } {
  if (evidence.status === 'insufficient') return supplyMissing(settleChecklist, evidence);
  if (evidence.exceptions.some((e) => REPAIR_CODES.has(e.code))) {
    return { action: 'repair_inputs', detail: 'correct the inputs named in the findings and replay.' };
  }
  if (evidence.exceptions.length > 0) {
    return { action: 'review_exceptions', detail: 'a person should review the findings before the settlement is accepted.' };
  }
  if (evidence.missing.length > 0) {
    return { action: 'supply_evidence', detail: `supply ${evidence.missing.join(', ')} to complete the settlement evidence.` };
  }
  return { action: 'none', detail: 'nothing; the settlement is fully evidenced and balanced.' };
}
