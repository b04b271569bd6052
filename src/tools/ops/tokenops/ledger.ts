/**
 * The credit ledger, posted entry by entry in the order given: funding raises the balance,
 * debits and negative adjustments lower it, and nothing may take it below zero.
 */
import type { Finding } from '../../../contracts/common.js';
import { Dec, ZERO, formatCredits } from './money.js';
import type { LedgerEntry, SettleOutput } from './schemas.js';

export interface LedgerState {
  /** The payment that backs funding, when a settlement reference was supplied. */
  readonly paymentId: string | undefined;
  seen: Map<string, LedgerEntry>;
  entries: number;
  applied: number;
  funded: Dec;
  adjusted: Dec;
  debited: Dec;
  refused: Dec;
  /** Debits that were posted (applied or refused): what the ledger says was consumed. */
  debitsPosted: Dec;
  refusedEntries: SettleOutput['ledger']['refused'];
  duplicates: string[];
  invalid: string[];
  findings: Finding[];
}

export function openLedger(paymentId: string | undefined): LedgerState {
  return {
    paymentId,
    seen: new Map(),
    entries: 0,
    applied: 0,
    funded: ZERO,
    adjusted: ZERO,
    debited: ZERO,
    refused: ZERO,
    debitsPosted: ZERO,
    refusedEntries: [],
    duplicates: [],
    invalid: [],
    findings: [],
  };
}

export function balance(state: LedgerState): Dec {
  return state.funded.plus(state.adjusted).minus(state.debited);
}

function sameEntry(a: LedgerEntry, b: LedgerEntry): boolean {
  return a.kind === b.kind && new Dec(a.credits).eq(b.credits) && a.payment_id === b.payment_id;
}

/** Posts one entry. A repeated entry id is never applied twice: a replayed debit must not charge again. */
export function postEntry(state: LedgerState, entry: LedgerEntry): void {
  state.entries += 1;
  const first = state.seen.get(entry.entry_id);
  if (first) {
    state.duplicates.push(entry.entry_id);
    state.findings.push({
      code: 'duplicate_ledger_entry',
      message: sameEntry(first, entry)
        ? `Ledger entry ${entry.entry_id} appears more than once; only the first posting was applied.`
        : `Ledger entry id ${entry.entry_id} is reused for a different ${entry.kind} of ${entry.credits} credits; only the first posting was applied.`,
      item: 'credit_ledger',
      ref: entry.entry_id,
    });
    return;
  }
  state.seen.set(entry.entry_id, entry);

  const credits = new Dec(entry.credits);
  const signOk = entry.kind === 'adjust' ? !credits.isZero() : credits.gt(0);
  if (!signOk) {
    state.invalid.push(entry.entry_id);
    state.findings.push({
      code: 'invalid_entry_amount',
      message:
        entry.kind === 'adjust'
          ? `Adjustment ${entry.entry_id} is zero credits; it was not applied.`
          : `${entry.kind === 'fund' ? 'Funding' : 'Debit'} ${entry.entry_id} must be a positive number of credits, got ${entry.credits}; it was not applied.`,
      item: 'credit_ledger',
      ref: entry.entry_id,
    });
    return;
  }

  if (entry.kind === 'fund') {
    if (state.paymentId !== undefined && entry.payment_id !== undefined && entry.payment_id !== state.paymentId) {
      state.findings.push({
        code: 'fund_entry_unbacked',
        message: `Funding ${entry.entry_id} (${formatCredits(credits)} credits) names payment ${entry.payment_id}, not the settled payment ${state.paymentId}.`,
        item: 'credit_ledger',
        ref: entry.entry_id,
      });
    }
    state.funded = state.funded.plus(credits);
    state.applied += 1;
    return;
  }

  const take = entry.kind === 'debit' ? credits : credits.neg();
  if (entry.kind === 'debit') state.debitsPosted = state.debitsPosted.plus(credits);
  if (take.gt(0)) {
    const available = balance(state);
    if (take.gt(available)) {
      // The whole entry is refused, not the part that would overdraw: a debit is one charge.
      state.refused = state.refused.plus(take);
      state.refusedEntries.push({
        entry_id: entry.entry_id,
        kind: entry.kind,
        credits: formatCredits(take),
        available: formatCredits(available),
      });
      state.findings.push({
        code: 'overdraft_refused',
        message: `${entry.kind === 'debit' ? 'Debit' : 'Negative adjustment'} ${entry.entry_id} of ${formatCredits(take)} credits exceeds the ${formatCredits(available)} credits available; it was refused and not applied.`,
        item: 'credit_ledger',
        ref: entry.entry_id,
      });
      return;
    }
  }
  if (entry.kind === 'debit') state.debited = state.debited.plus(credits);
  else state.adjusted = state.adjusted.plus(credits);
  state.applied += 1;
}
