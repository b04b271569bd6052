/** After matching: each invoice's status and difference, each unmatched line's reason — one finding per open item. */
import type { Finding } from '../../../contracts/common.js';
import { openBalance, suggestMatch, type MatchState, type OpenInvoice, type UnmatchedLine } from './allocate.js';
import { isoDate } from './dates.js';
import { ZERO, formatMoney, groupDigits, type Dec } from './money.js';
import type { InvoiceStatus, ReconcileOutput } from './schemas.js';

const show = (amount: Dec, currency: string) => `${currency} ${groupDigits(formatMoney(amount, currency))}`;

export function invoiceStatus(inv: OpenInvoice): InvoiceStatus {
  if (inv.lineIds.length === 0) return 'unmatched';
  const cmp = inv.allocated.cmp(inv.amount);
  if (cmp < 0) return 'partially_paid';
  if (cmp > 0) return inv.duplicate ? 'duplicate_payment' : 'overpaid';
  return inv.lineIds.length === 1 ? 'matched' : 'paid_in_parts';
}

function invoiceFinding(inv: OpenInvoice, status: InvoiceStatus, suggested: string[]): Finding | undefined {
  const { invoice: i, amount } = inv;
  const c = i.currency;
  const base = { item: 'invoice_register', ref: i.invoice_id };
  const lines = inv.lineIds.join(', ');
  switch (status) {
    case 'unmatched':
      return {
        code: 'unmatched_invoice',
        message:
          `Invoice ${i.invoice_id} (${i.counterparty}, ${show(amount, c)}, due ${i.due_on}): no ${c} bank line quoting ` +
          `${i.reference} was booked between ${isoDate(inv.from)} and ${isoDate(inv.to)}.` +
          (suggested.length > 0 ? ` Bank line ${suggested.join(', ')} fits it by amount, currency and date but quotes no reference.` : ''),
        ...base,
      };
    case 'partially_paid':
      return {
        code: 'invoice_partially_paid',
        message: `Invoice ${i.invoice_id} (${i.counterparty}) received ${show(inv.allocated, c)} of ${show(amount, c)} (lines ${lines}); ${show(openBalance(inv), c)} remains open.`,
        ...base,
      };
    case 'overpaid':
      return {
        code: 'invoice_overpaid',
        message: `Invoice ${i.invoice_id} (${i.counterparty}) received ${show(inv.allocated, c)} against ${show(amount, c)} (lines ${lines}): overpaid by ${show(inv.allocated.minus(amount), c)}.`,
        ...base,
      };
    case 'duplicate_payment':
      return {
        code: 'duplicate_payment',
        message: `Invoice ${i.invoice_id} (${i.counterparty}) was paid again after it was settled (lines ${lines}): ${show(inv.allocated, c)} received against ${show(amount, c)}, overpayment ${show(inv.allocated.minus(amount), c)}.`,
        ...base,
      };
    default:
      return undefined;
  }
}

export interface InvoiceReview {
  invoices: ReconcileOutput['invoices'];
  differences: ReconcileOutput['differences'];
  findings: Finding[];
}

/**
 * Statuses, differences and findings per invoice, in invoice order. Without a bank export there is
 * nothing to miss a payment in, so unmatched invoices then get no finding (the missing item says it).
 * `suggested` maps invoice ids to the unreferenced lines that fit them (reviewUnmatchedLines).
 */
export function reviewInvoices(state: MatchState, bankExport: boolean, suggested: Map<string, string[]>): InvoiceReview {
  const invoices: ReconcileOutput['invoices'] = [];
  const differences: ReconcileOutput['differences'] = [];
  const findings: Finding[] = [];
  for (const inv of state.invoices) {
    const c = inv.invoice.currency;
    const status = invoiceStatus(inv);
    const over = inv.allocated.minus(inv.amount);
    invoices.push({
      invoice_id: inv.invoice.invoice_id,
      counterparty: inv.invoice.counterparty,
      currency: c,
      amount: formatMoney(inv.amount, c),
      received: formatMoney(inv.allocated, c),
      open_balance: formatMoney(openBalance(inv), c),
      overpaid: formatMoney(over.gt(0) ? over : ZERO, c),
      status,
      line_ids: inv.lineIds,
    });
    if (!over.isZero()) {
      differences.push({
        invoice_id: inv.invoice.invoice_id,
        currency: c,
        expected: formatMoney(inv.amount, c),
        received: formatMoney(inv.allocated, c),
        difference: formatMoney(over, c),
      });
    }
    const finding = invoiceFinding(inv, status, suggested.get(inv.invoice.invoice_id) ?? []);
    if (finding && (bankExport || status !== 'unmatched')) findings.push(finding);
  }
  return { invoices, differences, findings };
}

function lineFinding(u: UnmatchedLine, suggestion: string | null): Finding {
  const l = u.line;
  const what = `Bank line ${l.line_id} (${show(u.amount, l.currency)}, booked ${l.booked_on})`;
  const named = u.named.map((i) => `${i.invoice_id} (${i.currency})`).join(', ');
  const base = { item: 'bank_export', ref: l.line_id };
  switch (u.reason) {
    case 'not_a_credit':
      return { code: 'bank_line_not_a_credit', message: `${what} is money out, not a payment of an invoice.`, ...base };
    case 'currency_mismatch':
      return {
        code: 'bank_line_currency_mismatch',
        message: `${what} quotes ${named} but is in ${l.currency}; amounts are never converted, so it was not applied.`,
        ...base,
      };
    case 'outside_window':
      return {
        code: 'bank_line_outside_window',
        message: `${what} quotes ${named} but was booked outside the invoice's date window, so it was not applied.`,
        ...base,
      };
    default:
      return {
        code: 'unmatched_bank_line',
        message:
          `${what}: no invoice reference found in "${l.reference}".` +
          (suggestion ? ` Amount, currency and date fit the open invoice ${suggestion}; confirm and supply the reference.` : ''),
        ...base,
      };
  }
}

export interface LineReview {
  lines: ReconcileOutput['unmatched_bank_lines'];
  /** Invoice id → ids of unreferenced lines that fit it. */
  suggested: Map<string, string[]>;
  findings: Finding[];
}

/** Unmatched lines in matching order; suggestions look at the invoices as left after matching. */
export function reviewUnmatchedLines(state: MatchState): LineReview {
  const lines: ReconcileOutput['unmatched_bank_lines'] = [];
  const findings: Finding[] = [];
  const suggested = new Map<string, string[]>();
  for (const u of state.unmatched) {
    const suggestion = suggestMatch(state, u);
    if (suggestion) suggested.set(suggestion, [...(suggested.get(suggestion) ?? []), u.line.line_id]);
    lines.push({
      line_id: u.line.line_id,
      currency: u.line.currency,
      amount: formatMoney(u.amount, u.line.currency),
      booked_on: u.line.booked_on,
      reason: u.reason,
      suggested_invoice_id: suggestion,
    });
    findings.push(lineFinding(u, suggestion));
  }
  return { lines, suggested, findings };
}
