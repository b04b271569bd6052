/**
 * Applying bank lines to invoices. Deterministic matching order:
 *
 * 1. Invoices are taken in (issued_on, invoice_id) order, bank lines in (booked_on, line_id) order
 *    (the caller sorts both); lines are applied one at a time in that order.
 * 2. A line with amount ≤ 0 is money out, never a payment of an invoice → unmatched `not_a_credit`.
 * 3. The invoices a line can pay are those whose reference or invoice id appears in its remittance
 *    text (references.ts). None → `no_reference`. Of those, only invoices in the line's currency
 *    (no implicit conversion: an EUR line never pays a USD invoice); none left → `currency_mismatch`.
 *    Of those, only invoices whose window [issued_on − days_before_issue, due_on + days_after_due]
 *    holds booked_on; none left → `outside_window`.
 * 4. The line is spread over the remaining invoices in invoice order, each taking up to its open
 *    balance. What is left over is an overpayment: booked on the first of them that was already
 *    paid in full before this line (a duplicate payment of it), otherwise on the last of them.
 *
 * Amount-only guesses never apply money: they are only offered as a suggestion (suggestMatch).
 */
import { Dec, ZERO } from './money.js';
import { findReferences, type ReferenceIndex } from './references.js';
import type { BankLine, Invoice, UnmatchedReason } from './schemas.js';

export interface OpenInvoice {
  invoice: Invoice;
  amount: Dec;
  /** Inclusive day numbers of the date window. */
  from: number;
  to: number;
  allocated: Dec;
  lineIds: string[];
  /** A line arrived after the invoice was already paid in full. */
  duplicate: boolean;
}

export interface Allocation {
  line_id: string;
  invoice_id: string;
  currency: string;
  amount: Dec;
}

export interface UnmatchedLine {
  line: BankLine;
  /** Booking day number. */
  day: number;
  amount: Dec;
  reason: UnmatchedReason;
  /** Invoices the remittance names but the line cannot pay (other currency, outside window). */
  named: Invoice[];
}

export interface MatchState {
  invoices: OpenInvoice[];
  index: ReferenceIndex;
  allocations: Allocation[];
  unmatched: UnmatchedLine[];
}

export function openBalance(inv: OpenInvoice): Dec {
  const open = inv.amount.minus(inv.allocated);
  return open.gt(0) ? open : ZERO;
}

/** Applies one bank line (booked on day `day`) following the order documented above. */
export function matchLine(state: MatchState, line: BankLine, day: number): void {
  const amount = new Dec(line.amount);
  const unmatched = (reason: UnmatchedReason, named: OpenInvoice[] = []) =>
    state.unmatched.push({ line, day, amount, reason, named: named.map((inv) => inv.invoice) });
  if (amount.lte(0)) return void unmatched('not_a_credit');

  const named = findReferences(state.index, line.reference).map((i) => state.invoices[i] as OpenInvoice);
  if (named.length === 0) return void unmatched('no_reference');
  const sameCurrency = named.filter((inv) => inv.invoice.currency === line.currency);
  if (sameCurrency.length === 0) return void unmatched('currency_mismatch', named);
  const payable = sameCurrency.filter((inv) => day >= inv.from && day <= inv.to);
  if (payable.length === 0) return void unmatched('outside_window', sameCurrency);

  const settled = payable.map((inv) => openBalance(inv).isZero());
  let left = amount;
  const takes = payable.map((inv) => {
    const take = Dec.min(left, openBalance(inv));
    left = left.minus(take);
    return take;
  });
  if (left.gt(0)) {
    const firstSettled = settled.indexOf(true);
    const target = firstSettled >= 0 ? firstSettled : payable.length - 1;
    takes[target] = (takes[target] as Dec).plus(left);
    if (firstSettled >= 0) (payable[target] as OpenInvoice).duplicate = true;
  }
  payable.forEach((inv, i) => {
    const take = takes[i] as Dec;
    if (take.isZero()) return;
    inv.allocated = inv.allocated.plus(take);
    inv.lineIds.push(line.line_id);
    state.allocations.push({ line_id: line.line_id, invoice_id: inv.invoice.invoice_id, currency: line.currency, amount: take });
  });
}

/**
 * For a line without a usable reference: the one open invoice in its currency and window whose
 * open balance equals the line amount exactly, if there is exactly one. A hint for a person only.
 */
export function suggestMatch(state: MatchState, item: UnmatchedLine): string | null {
  if (item.reason !== 'no_reference') return null;
  const fits = state.invoices.filter(
    (inv) => inv.invoice.currency === item.line.currency && item.day >= inv.from && item.day <= inv.to && openBalance(inv).eq(item.amount),
  );
  return fits.length === 1 ? (fits[0] as OpenInvoice).invoice.invoice_id : null;
}
