/** Metered usage priced in credits, and the usage receipts that claim to account for it. */
import type { Finding } from '../../../contracts/common.js';
import { Dec, ZERO, formatCredits } from './money.js';
import type { SettleOutput, UsageLine, UsageReceiptRef } from './schemas.js';

interface MeterTotal {
  lines: number;
  quantity: Dec;
  credits: Dec;
}

export interface UsageState {
  seen: Set<string>;
  total: Dec;
  byMeter: Map<string, MeterTotal>;
  /** Credits of lines that name a usage receipt, per receipt id. */
  byReceipt: Map<string, Dec>;
  findings: Finding[];
}

export function openUsage(): UsageState {
  return { seen: new Set(), total: ZERO, byMeter: new Map(), byReceipt: new Map(), findings: [] };
}

/** Prices one line at quantity × unit price; a repeated line id is counted once. */
export function meterLine(state: UsageState, line: UsageLine): void {
  if (state.seen.has(line.line_id)) {
    state.findings.push({
      code: 'duplicate_usage_line',
      message: `Usage line ${line.line_id} appears more than once; it was counted once.`,
      item: 'metered_usage',
      ref: line.line_id,
    });
    return;
  }
  state.seen.add(line.line_id);
  const quantity = new Dec(line.quantity);
  const credits = quantity.times(line.unit_price_credits);
  state.total = state.total.plus(credits);
  const meter = state.byMeter.get(line.meter) ?? { lines: 0, quantity: ZERO, credits: ZERO };
  state.byMeter.set(line.meter, { lines: meter.lines + 1, quantity: meter.quantity.plus(quantity), credits: meter.credits.plus(credits) });
  if (line.usage_receipt_id !== undefined) {
    state.byReceipt.set(line.usage_receipt_id, (state.byReceipt.get(line.usage_receipt_id) ?? ZERO).plus(credits));
  }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function meterTotals(state: UsageState): SettleOutput['usage_by_meter'] {
  return [...state.byMeter.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([meter, t]) => ({ meter, lines: t.lines, quantity: formatCredits(t.quantity), credits: formatCredits(t.credits) }));
}

export interface ReceiptReview {
  receipts: SettleOutput['usage_receipts'];
  receipted: Dec;
  findings: Finding[];
}

/**
 * Compares usage receipts with the metered lines. Per receipt only when lines name receipts
 * (otherwise there is nothing to attribute); the grand total is always compared.
 */
export function reviewReceipts(state: UsageState | undefined, receipts: UsageReceiptRef[]): ReceiptReview {
  const findings: Finding[] = [];
  const unique = new Map<string, UsageReceiptRef>();
  for (const r of receipts) {
    if (unique.has(r.receipt_id)) {
      findings.push({
        code: 'duplicate_usage_receipt',
        message: `Usage receipt ${r.receipt_id} is listed more than once; it was counted once.`,
        item: 'usage_receipts',
        ref: r.receipt_id,
      });
    } else unique.set(r.receipt_id, r);
  }
  const attributed = state !== undefined && state.byReceipt.size > 0;
  const rows: SettleOutput['usage_receipts'] = [];
  let receipted = ZERO;
  for (const r of [...unique.values()].sort((a, b) => byText(a.receipt_id, b.receipt_id))) {
    const total = new Dec(r.total_credits);
    receipted = receipted.plus(total);
    const metered = attributed ? (state.byReceipt.get(r.receipt_id) ?? ZERO) : undefined;
    const difference = metered === undefined ? undefined : total.minus(metered);
    if (difference !== undefined && !difference.isZero()) {
      findings.push({
        code: 'usage_receipt_mismatch',
        message: `Usage receipt ${r.receipt_id} totals ${formatCredits(total)} credits; its metered lines total ${formatCredits(metered ?? ZERO)} (difference ${formatCredits(difference)}).`,
        item: 'usage_receipts',
        ref: r.receipt_id,
      });
    }
    rows.push({
      receipt_id: r.receipt_id,
      total_credits: formatCredits(total),
      metered_credits: metered === undefined ? null : formatCredits(metered),
      difference: difference === undefined ? null : formatCredits(difference),
    });
  }
  if (state !== undefined) {
    for (const id of [...state.byReceipt.keys()].sort(byText)) {
      if (!unique.has(id)) {
        findings.push({
          code: 'usage_line_unknown_receipt',
          message: `Metered lines name usage receipt ${id} (${formatCredits(state.byReceipt.get(id) ?? ZERO)} credits), which is not among the usage receipts supplied.`,
          item: 'metered_usage',
          ref: id,
        });
      }
    }
    if (!receipted.eq(state.total)) {
      findings.push({
        code: 'usage_receipt_total_mismatch',
        message: `Usage receipts total ${formatCredits(receipted)} credits but metered usage totals ${formatCredits(state.total)} (difference ${formatCredits(receipted.minus(state.total))}).`,
        item: 'usage_receipts',
      });
    }
  }
  return { receipts: rows, receipted, findings };
}
