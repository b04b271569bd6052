/**
 * Is the bank export complete? Per currency, opening balance + every line booked = closing balance.
 * A gap means lines are missing from (or extra in) the export, so the reconciliation cannot be trusted.
 */
import type { Finding } from '../../../contracts/common.js';
import { ToolError } from '../../sdk.js';
import { dayNumber } from './dates.js';
import { Dec, ZERO, formatMoney, groupDigits } from './money.js';
import type { BankLine, ReconcileOutput, Statement } from './schemas.js';

export interface StatementReview {
  statement: ReconcileOutput['statement'];
  findings: Finding[];
}

/** `lines` are the export's lines, each once, with their booking day numbers. */
export function reviewStatement(statement: Statement, lines: { line: BankLine; day: number }[]): StatementReview {
  const start = dayNumber(statement.period_start, 'statement period_start');
  const end = dayNumber(statement.period_end, 'statement period_end');
  if (end < start) {
    throw new ToolError('statement_period_inverted', `The statement period ends (${statement.period_end}) before it starts (${statement.period_start}).`, false);
  }
  const findings: Finding[] = [];
  const movements = new Map<string, Dec>();
  for (const { line, day } of lines) {
    movements.set(line.currency, (movements.get(line.currency) ?? ZERO).plus(line.amount));
    if (day < start || day > end) {
      findings.push({
        code: 'bank_line_outside_statement_period',
        message: `Bank line ${line.line_id} is booked on ${line.booked_on}, outside the statement period ${statement.period_start} – ${statement.period_end}.`,
        item: 'bank_export',
        ref: line.line_id,
      });
    }
  }

  const balances: NonNullable<ReconcileOutput['statement']>['balances'] = [];
  const seen = new Set<string>();
  for (const b of [...statement.balances].sort((x, y) => (x.currency < y.currency ? -1 : x.currency > y.currency ? 1 : 0))) {
    if (seen.has(b.currency)) {
      findings.push({
        code: 'duplicate_statement_balance',
        message: `The statement gives more than one ${b.currency} balance; the first was used.`,
        item: 'statement_balances',
        ref: b.currency,
      });
      continue;
    }
    seen.add(b.currency);
    const opening = new Dec(b.opening);
    const moved = movements.get(b.currency) ?? ZERO;
    const expected = opening.plus(moved);
    const closing = new Dec(b.closing);
    const difference = closing.minus(expected);
    const money = (d: Dec) => formatMoney(d, b.currency);
    if (!difference.isZero()) {
      findings.push({
        code: 'statement_balance_mismatch',
        message:
          `${b.currency}: opening ${groupDigits(money(opening))} + lines ${groupDigits(money(moved))} = ${groupDigits(money(expected))}, ` +
          `but the statement closes at ${groupDigits(money(closing))} (difference ${groupDigits(money(difference))}); the export looks incomplete.`,
        item: 'statement_balances',
        ref: b.currency,
      });
    }
    balances.push({
      currency: b.currency,
      opening: money(opening),
      movements: money(moved),
      expected_closing: money(expected),
      closing: money(closing),
      difference: money(difference),
    });
  }
  for (const currency of [...movements.keys()].sort()) {
    if (!seen.has(currency)) {
      findings.push({
        code: 'statement_balance_missing',
        message: `The export has ${currency} lines but the statement gives no ${currency} balance, so they cannot be proven complete.`,
        item: 'statement_balances',
        ref: currency,
      });
    }
  }
  return { statement: { period_start: statement.period_start, period_end: statement.period_end, balances }, findings };
}
