/**
 * Reconciliation of invoices against a bank export. Pure: a generator that yields progress every
 * PROGRESS_EVERY bank lines so the caller can heartbeat and honour cancellation, and returns the
 * output with its findings. The matching order is documented in allocate.ts.
 */
import type { Finding } from '../../../contracts/common.js';
import type { Progress } from '../../../contracts/execution-binding.js';
import { matchLine, type MatchState } from './allocate.js';
import { reviewInvoices, reviewUnmatchedLines } from './classify.js';
import { takeInInvoices, takeInLines } from './intake.js';
import { formatMoney } from './money.js';
import type { ReconcileInput, ReconcileOutput } from './schemas.js';
import { reviewStatement } from './statement.js';
import { totalsByCurrency } from './totals.js';

export const PROGRESS_EVERY = 1_000;

export interface Reconciliation {
  output: ReconcileOutput;
  findings: Finding[];
}

export function* reconcile(input: ReconcileInput): Generator<Progress, Reconciliation> {
  const invoices = takeInInvoices(input.invoices ?? [], input.window);
  const lines = takeInLines(input.bank_lines ?? []);
  const state: MatchState = { invoices: invoices.invoices, index: invoices.index, allocations: [], unmatched: [] };

  let done = 0;
  for (const { line, day } of lines.lines) {
    matchLine(state, line, day);
    done += 1;
    if (done % PROGRESS_EVERY === 0) {
      yield { percent: Math.floor((done * 100) / lines.lines.length), message: `matched ${done} of ${lines.lines.length} bank lines` };
    }
  }

  const unmatched = reviewUnmatchedLines(state);
  const reviewed = reviewInvoices(state, input.bank_lines !== undefined, unmatched.suggested);
  const statement = input.statement ? reviewStatement(input.statement, lines.lines) : undefined;
  const count = (status: string) => reviewed.invoices.filter((i) => i.status === status).length;

  const output: ReconcileOutput = {
    window: { days_before_issue: input.window.days_before_issue, days_after_due: input.window.days_after_due },
    invoices: reviewed.invoices,
    allocations: state.allocations.map((a) => ({
      line_id: a.line_id,
      invoice_id: a.invoice_id,
      currency: a.currency,
      amount: formatMoney(a.amount, a.currency),
    })),
    unmatched_bank_lines: unmatched.lines,
    differences: reviewed.differences,
    totals: totalsByCurrency(state, lines.lines.map((l) => l.line)),
    counts: {
      matched: count('matched'),
      paid_in_parts: count('paid_in_parts'),
      partially_paid: count('partially_paid'),
      overpaid: count('overpaid'),
      duplicate_payment: count('duplicate_payment'),
      unmatched_invoices: count('unmatched'),
      unmatched_bank_lines: unmatched.lines.length,
    },
    statement: statement?.statement ?? null,
  };
  const findings = [...invoices.findings, ...lines.findings, ...unmatched.findings, ...reviewed.findings, ...(statement?.findings ?? [])];
  return { output, findings };
}
