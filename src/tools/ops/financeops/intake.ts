/**
 * Reads invoices and bank lines into matching order, with the problems of the data itself:
 * unknown currencies, too many decimals, repeated bank lines, shared references.
 * Contradictions no reconciliation can get past (a reused invoice id, due before issued) stop the run.
 */
import type { Finding } from '../../../contracts/common.js';
import { ToolError } from '../../sdk.js';
import type { OpenInvoice } from './allocate.js';
import { dayNumber } from './dates.js';
import { Dec, ZERO, exceedsMinorUnits, minorUnits } from './money.js';
import { indexReferences, type ReferenceIndex } from './references.js';
import type { BankLine, Invoice } from './schemas.js';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface Window {
  days_before_issue: number;
  days_after_due: number;
}

function currencyFinding(
  unknown: Set<string>,
  item: 'invoice_register' | 'bank_export',
  currency: string,
  amount: string,
  id: string,
): Finding | undefined {
  if (minorUnits(currency) === undefined) {
    if (unknown.has(`${item}:${currency}`)) return undefined;
    unknown.add(`${item}:${currency}`);
    return {
      code: 'unknown_currency',
      message: `${currency} is not a currency this tool knows (first seen on ${id}); its amounts are matched by exact code but their precision is not checked.`,
      item,
      ref: currency,
    };
  }
  if (exceedsMinorUnits(new Dec(amount), currency)) {
    return {
      code: 'amount_precision_exceeds_currency',
      message: `${id}: ${currency} ${amount} has more decimal places than ${currency} allows (${minorUnits(currency)}).`,
      item,
      ref: id,
    };
  }
  return undefined;
}

export interface InvoiceIntake {
  invoices: OpenInvoice[];
  index: ReferenceIndex;
  findings: Finding[];
}

/** Invoices in (issued_on, invoice_id) order, each with its inclusive date window as day numbers. */
export function takeInInvoices(invoices: Invoice[], window: Window): InvoiceIntake {
  const findings: Finding[] = [];
  const unknown = new Set<string>();
  const ids = new Set<string>();
  for (const inv of invoices) {
    if (ids.has(inv.invoice_id)) {
      throw new ToolError('duplicate_invoice_id', `Invoice id ${inv.invoice_id} is used for more than one invoice; ids must be unique to reconcile.`, false);
    }
    ids.add(inv.invoice_id);
    const f = currencyFinding(unknown, 'invoice_register', inv.currency, inv.amount, inv.invoice_id);
    if (f) findings.push(f);
  }
  const open: OpenInvoice[] = invoices
    .map((invoice) => {
      const issued = dayNumber(invoice.issued_on, `invoice ${invoice.invoice_id} issued_on`);
      const due = dayNumber(invoice.due_on, `invoice ${invoice.invoice_id} due_on`);
      if (due < issued) {
        throw new ToolError('invoice_dates_inverted', `Invoice ${invoice.invoice_id} is due (${invoice.due_on}) before it was issued (${invoice.issued_on}).`, false);
      }
      return {
        invoice,
        amount: new Dec(invoice.amount),
        from: issued - window.days_before_issue,
        to: due + window.days_after_due,
        allocated: ZERO,
        lineIds: [],
        duplicate: false,
      };
    })
    .sort((a, b) => byText(a.invoice.issued_on, b.invoice.issued_on) || byText(a.invoice.invoice_id, b.invoice.invoice_id));

  const index = indexReferences(open.map((o) => o.invoice));
  for (const [key, list] of [...index.byKey.entries()].sort(([a], [b]) => byText(a, b))) {
    if (list.length < 2) continue;
    const named = list.map((i) => (open[i] as OpenInvoice).invoice.invoice_id).join(', ');
    findings.push({
      code: 'duplicate_invoice_reference',
      message: `Invoices ${named} share the reference ${key}; a payment quoting it is spread over them in invoice order.`,
      item: 'invoice_register',
      ref: key,
    });
  }
  return { invoices: open, index, findings };
}

export interface LineIntake {
  lines: { line: BankLine; day: number }[];
  findings: Finding[];
}

/** Bank lines in (booked_on, line_id) order; a repeated line id (an overlapping export) is kept once. */
export function takeInLines(lines: BankLine[]): LineIntake {
  const findings: Finding[] = [];
  const unknown = new Set<string>();
  const seen = new Set<string>();
  const kept: { line: BankLine; day: number }[] = [];
  for (const line of lines) {
    if (seen.has(line.line_id)) {
      findings.push({
        code: 'duplicate_bank_line',
        message: `Bank line ${line.line_id} appears more than once in the export; it was counted once.`,
        item: 'bank_export',
        ref: line.line_id,
      });
      continue;
    }
    seen.add(line.line_id);
    const f = currencyFinding(unknown, 'bank_export', line.currency, line.amount, line.line_id);
    if (f) findings.push(f);
    kept.push({ line, day: dayNumber(line.booked_on, `bank line ${line.line_id} booked_on`) });
  }
  kept.sort((a, b) => a.day - b.day || byText(a.line.line_id, b.line.line_id));
  return { lines: kept, findings };
}
