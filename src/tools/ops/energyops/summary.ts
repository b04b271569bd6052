/** The operator-facing sentences and next action for a readiness statement. */
import type { EvidenceReview, NextAction } from '../../../contracts/common.js';
import { Dec, groupDigits } from './money.js';
import type { AssessReadinessOutput } from './schemas.js';

function listSome(items: readonly string[], max = 4): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

export function readinessSummary(s: AssessReadinessOutput, evidence: EvidenceReview): string {
  const id = s.project.queue_id ?? s.project.application_id ?? 'no queue id';
  const parts = [`${s.project.name} (${s.project.territory} ${id}, ${s.project.technology} ${s.project.capacity_mw} MW), ${s.stage} stage, as of ${s.as_of}: ${s.overall === 'ready' ? 'READY' : 'NOT READY'}.`];
  const relevant = s.checklist.filter((l) => l.readiness !== 'not_required');
  const ready = relevant.filter((l) => l.readiness === 'ready').length;
  parts.push(`${ready} of ${relevant.length} checklist items ready.`);
  for (const state of ['missing', 'expired', 'overdue', 'pending'] as const) {
    const items = s.checklist.filter((l) => l.readiness === state).map((l) => l.item);
    if (items.length > 0) parts.push(`${state[0]!.toUpperCase()}${state.slice(1)}: ${items.join(', ')}.`);
  }
  if (s.overdue_milestones.length > 0) {
    const overdue = s.milestones.filter((m) => m.status === 'overdue').map((m) => `${m.milestone_id} by ${m.days_overdue} day(s)`);
    parts.push(`${overdue.length} overdue milestone(s): ${listSome(overdue)}.`);
  }
  for (const t of s.fee_totals) {
    const balance = new Dec(t.balance);
    const tail = balance.isZero() ? 'fully paid' : balance.lt(0) ? `overpaid by ${groupDigits(t.balance.slice(1))}` : `balance ${groupDigits(t.balance)} outstanding`;
    parts.push(`Fees ${t.currency} ${groupDigits(t.amount_due)} due, ${groupDigits(t.amount_paid)} paid, ${tail}.`);
  }
  if (s.findings.length > 0) parts.push(`${s.findings.length} finding(s): ${listSome([...new Set(s.findings.map((f) => f.code))])}.`);
  parts.push(`Evidence ${evidence.status}.`);
  if (s.next_steps.length > 0) parts.push(`Next: ${s.next_steps[0]}`);
  return parts.join(' ');
}

export function readinessNextAction(s: AssessReadinessOutput, evidence: EvidenceReview): { action: NextAction; detail: string } {
  if (evidence.status === 'insufficient') return { action: 'supply_evidence', detail: `Supply: ${evidence.missing.join(', ')}.` };
  if (s.findings.length > 0) return { action: 'review_exceptions', detail: s.next_steps.slice(0, 5).join(' ') };
  if (evidence.missing.length > 0) return { action: 'supply_evidence', detail: `Supply: ${evidence.missing.join(', ')}.` };
  return { action: 'none', detail: `Every checklist item is ready as of ${s.as_of} with no findings.` };
}
