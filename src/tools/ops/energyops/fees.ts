/** Fees and deposits: balance per fee, overdue after its due date, totals per currency. */
import { dayNumber } from './dates.js';
import { issue, type Issue } from './issue.js';
import { Dec, formatMoney, groupDigits, minorUnits } from './money.js';
import type { ChecklistLine, Fee, FeeLine } from './schemas.js';

export interface FeeReview {
  line: ChecklistLine;
  fees: FeeLine[];
  totals: { currency: string; amount_due: string; amount_paid: string; balance: string }[];
  issues: Issue[];
}

const money = (amount: Dec, currency: string) => `${currency} ${groupDigits(formatMoney(amount, currency))}`;

function feeName(fee: Fee): string {
  return fee.description ?? fee.fee_type.replace(/_/g, ' ');
}

export function reviewFees(fees: readonly Fee[], asOf: string): FeeReview {
  const asOfDay = dayNumber(asOf, 'as_of');
  const issues: Issue[] = [];
  const totals = new Map<string, { due: Dec; paid: Dec }>();
  const lines: FeeLine[] = fees.map((fee, i) => {
    const where = { item: 'fees_paid', ...(fee.ref === undefined ? {} : { ref: fee.ref }) };
    const due = new Dec(fee.amount_due);
    const paid = new Dec(fee.amount_paid);
    const balance = due.minus(paid);
    const minor = minorUnits(fee.currency);
    if (minor === undefined) {
      issues.push(issue('currency_unknown', `currency ${fee.currency} is not in the tool's ISO 4217 table`, `Confirm the currency of the ${feeName(fee)}.`, where));
    } else if (due.decimalPlaces() > minor || paid.decimalPlaces() > minor) {
      issues.push(issue('amount_precision', `${feeName(fee)} amounts have more than ${minor} decimal places for ${fee.currency}`, `Correct the ${feeName(fee)} amounts.`, where));
    }
    let status: FeeLine['status'] = 'paid';
    if (balance.lt(0)) {
      status = 'overpaid';
      issues.push(issue('fee_overpaid', `${feeName(fee)} overpaid by ${money(balance.negated(), fee.currency)}`, `Confirm the ${feeName(fee)} overpayment or request a refund.`, where));
    } else if (balance.gt(0)) {
      const overdue = fee.due_on !== undefined && dayNumber(fee.due_on, `fees[${i}].due_on`) < asOfDay;
      status = overdue ? 'overdue' : 'unpaid';
      const when = fee.due_on === undefined ? '' : overdue ? `, was due ${fee.due_on}` : `, due ${fee.due_on}`;
      issues.push(
        issue(overdue ? 'fee_overdue' : 'fee_unpaid', `${feeName(fee)} balance ${money(balance, fee.currency)} unpaid${when}`, `Pay the ${feeName(fee)} balance of ${money(balance, fee.currency)}${when}.`, where),
      );
    }
    const total = totals.get(fee.currency) ?? { due: new Dec(0), paid: new Dec(0) };
    totals.set(fee.currency, { due: total.due.plus(due), paid: total.paid.plus(paid) });
    return {
      fee_type: fee.fee_type,
      description: fee.description ?? null,
      currency: fee.currency,
      amount_due: formatMoney(due, fee.currency),
      amount_paid: formatMoney(paid, fee.currency),
      balance: formatMoney(balance, fee.currency),
      due_on: fee.due_on ?? null,
      status,
    };
  });
  const refs = fees.flatMap((f) => (f.ref === undefined ? [] : [f.ref])).sort();
  const count = (s: FeeLine['status']) => lines.filter((l) => l.status === s).length;
  let line: ChecklistLine;
  if (fees.length === 0) line = { item: 'fees_paid', required: true, readiness: 'missing', detail: 'no fees or deposits supplied', refs };
  else if (count('overdue') > 0) line = { item: 'fees_paid', required: true, readiness: 'overdue', detail: `${count('overdue')} of ${fees.length} fee(s) overdue`, refs };
  else if (count('unpaid') > 0) line = { item: 'fees_paid', required: true, readiness: 'pending', detail: `${count('unpaid')} of ${fees.length} fee(s) unpaid, not yet due`, refs };
  else line = { item: 'fees_paid', required: true, readiness: 'ready', detail: `${fees.length} fee(s) paid`, refs };
  return {
    line,
    fees: lines,
    totals: [...totals]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, t]) => ({
        currency,
        amount_due: formatMoney(t.due, currency),
        amount_paid: formatMoney(t.paid, currency),
        balance: formatMoney(t.due.minus(t.paid), currency),
      })),
    issues,
  };
}
