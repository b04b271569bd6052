/** Totals per currency, never summed across currencies. */
import type { MatchState } from './allocate.js';
import { Dec, ZERO, formatMoney } from './money.js';
import type { BankLine, ReconcileOutput } from './schemas.js';

interface Sums {
  invoices: number;
  invoiced: Dec;
  lines: number;
  received: Dec;
  applied: Dec;
  outstanding: Dec;
  overpaid: Dec;
  unapplied: Dec;
  paidOut: Dec;
}

const empty = (): Sums => ({
  invoices: 0, invoiced: ZERO, lines: 0, received: ZERO, applied: ZERO, outstanding: ZERO, overpaid: ZERO, unapplied: ZERO, paidOut: ZERO,
});

/**
 * received = applied + overpaid + unapplied (every credit line is either spread over invoices or
 * unmatched) and invoiced = applied + outstanding; the tests hold the tool to both.
 */
export function totalsByCurrency(state: MatchState, lines: BankLine[]): ReconcileOutput['totals'] {
  const sums = new Map<string, Sums>();
  const of = (currency: string) => {
    let s = sums.get(currency);
    if (!s) sums.set(currency, (s = empty()));
    return s;
  };
  for (const inv of state.invoices) {
    const s = of(inv.invoice.currency);
    const diff = inv.allocated.minus(inv.amount);
    s.invoices += 1;
    s.invoiced = s.invoiced.plus(inv.amount);
    s.applied = s.applied.plus(Dec.min(inv.allocated, inv.amount));
    if (diff.lt(0)) s.outstanding = s.outstanding.minus(diff);
    if (diff.gt(0)) s.overpaid = s.overpaid.plus(diff);
  }
  for (const line of lines) {
    const s = of(line.currency);
    const amount = new Dec(line.amount);
    s.lines += 1;
    if (amount.gt(0)) s.received = s.received.plus(amount);
    else s.paidOut = s.paidOut.minus(amount);
  }
  for (const u of state.unmatched) {
    if (u.amount.gt(0)) of(u.line.currency).unapplied = of(u.line.currency).unapplied.plus(u.amount);
  }
  return [...sums.keys()].sort().map((currency) => {
    const s = sums.get(currency) ?? empty();
    const m = (d: Dec) => formatMoney(d, currency);
    return {
      currency,
      invoices: s.invoices,
      invoiced: m(s.invoiced),
      lines: s.lines,
      received: m(s.received),
      applied: m(s.applied),
      outstanding: m(s.outstanding),
      overpaid: m(s.overpaid),
      unapplied: m(s.unapplied),
      paid_out: m(s.paidOut),
    };
  });
}
