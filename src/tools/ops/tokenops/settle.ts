/**
 * Settlement of agent-paid usage: credits funded by the payment, debited by consumption, and what
 * remains. Pure: a generator that yields progress every PROGRESS_EVERY items so the caller can
 * heartbeat and honour cancellation, and returns the output with its findings.
 */
import type { Finding } from '../../../contracts/common.js';
import type { Progress } from '../../../contracts/execution-binding.js';
import { balance, openLedger, postEntry } from './ledger.js';
import { reviewManifest } from './manifest.js';
import { Dec, formatCredits } from './money.js';
import { reviewPayment } from './payment.js';
import type { SettleInput, SettleOutput } from './schemas.js';
import { meterLine, meterTotals, openUsage, reviewReceipts, type UsageState } from './usage.js';

export const PROGRESS_EVERY = 1_000;

export interface Settlement {
  output: SettleOutput;
  findings: Finding[];
}

export function* settle(input: SettleInput): Generator<Progress, Settlement> {
  const ledger = input.ledger ?? [];
  const usage = input.usage ?? [];
  const total = ledger.length + usage.length;
  let done = 0;
  const progress = (message: string): Progress => ({ percent: total === 0 ? 100 : Math.floor((done * 100) / total), message });

  const payment = reviewPayment(input.settlement, input.payment_request);

  const state = openLedger(input.settlement?.payment_id);
  for (const entry of ledger) {
    postEntry(state, entry);
    done += 1;
    if (done % PROGRESS_EVERY === 0) yield progress(`posted ${done} of ${ledger.length} ledger entries`);
  }

  let metered: UsageState | undefined;
  if (input.usage !== undefined) {
    metered = openUsage();
    for (const line of usage) {
      meterLine(metered, line);
      done += 1;
      if (done % PROGRESS_EVERY === 0) yield progress(`metered ${done - ledger.length} of ${usage.length} usage lines`);
    }
  }

  const findings: Finding[] = [...payment.findings, ...state.findings];
  const requested = input.payment_request ? new Dec(input.payment_request.credits_requested) : undefined;
  if (requested !== undefined && input.ledger !== undefined && !state.funded.eq(requested)) {
    findings.push({
      code: 'funded_credits_mismatch',
      message: `The ledger funds ${formatCredits(state.funded)} credits but request ${input.payment_request?.request_id} sold ${formatCredits(requested)} (difference ${formatCredits(state.funded.minus(requested))}).`,
      item: 'credit_ledger',
    });
  }
  if (metered !== undefined) {
    findings.push(...metered.findings);
    // Compared with debits as posted, refused ones included: whether the ledger recorded what the
    // meters measured is a bookkeeping question; the overdraft has its own finding.
    if (input.ledger !== undefined && !metered.total.eq(state.debitsPosted)) {
      findings.push({
        code: 'metered_debit_mismatch',
        message: `Metered usage totals ${formatCredits(metered.total)} credits but the ledger debits ${formatCredits(state.debitsPosted)} (difference ${formatCredits(metered.total.minus(state.debitsPosted))}).`,
        item: 'metered_usage',
      });
    }
  }
  const receipts = input.usage_receipts !== undefined ? reviewReceipts(metered, input.usage_receipts) : undefined;
  if (receipts) findings.push(...receipts.findings);
  const manifest = reviewManifest(input.file_manifest);
  findings.push(...manifest.findings);

  const output: SettleOutput = {
    payment: payment.payment,
    credits: {
      requested: requested === undefined ? null : formatCredits(requested),
      funded: formatCredits(state.funded),
      adjusted: formatCredits(state.adjusted),
      debited: formatCredits(state.debited),
      refused: formatCredits(state.refused),
      remaining: formatCredits(balance(state)),
      metered: metered === undefined ? null : formatCredits(metered.total),
      receipted: receipts === undefined ? null : formatCredits(receipts.receipted),
    },
    ledger: {
      entries: state.entries,
      applied: state.applied,
      refused: state.refusedEntries,
      duplicates: state.duplicates,
      invalid: state.invalid,
    },
    usage_by_meter: metered === undefined ? [] : meterTotals(metered),
    usage_receipts: receipts?.receipts ?? [],
    files: manifest.files,
    manifest_digest: manifest.digest,
  };
  return { output, findings };
}
