/**
 * The payout schedule: pro rata gross by largest remainder, withholding per holder, and the
 * disposition of each amount. Pure; every total is asserted to reconcile exactly.
 */
import type { Finding } from '../../../contracts/common.js';
import { ToolError } from '../../sdk.js';
import { allocateLargestRemainder } from './allocate.js';
import { decimalPlaces, Dec, fromScaled, minorUnits, toScaled } from './money.js';
import type { ComputePayoutsInput, ComputePayoutsOutput, Holder, PayoutLine, PayoutTotals } from './schemas.js';

export const ROUNDING_RULE =
  "Gross is pro rata by units in the currency's minor unit by largest remainder: each holder gets floor(amount × units / total_units), " +
  'the leftover minor units go one each to the largest remainders, ties to the smaller holder_id (code-unit order). ' +
  'Withholding = gross × rate rounded half up to the minor unit, per holder; net = gross − withheld. ' +
  'Net below minimum_payout is carried for the holder to the next distribution; amounts of holders with exceptions are held. Nothing is dropped or reallocated.';

export interface DistributionTerms {
  minor: number;
  amountMinor: bigint;
  /** Net amounts strictly below this (minor units) are carried. */
  minimumMinor: bigint;
  unitScale: number;
  totalUnits: bigint;
  gross: Map<string, bigint>;
}

export type Preparation = { computable: true; terms: DistributionTerms } | { computable: false; findings: Finding[] };

/** Default withholding when a holder has no explicit rate; undefined = cannot be determined. */
function effectiveRate(holder: Holder): string | undefined {
  if (holder.withholding_rate !== undefined) return holder.withholding_rate;
  return holder.tax_status === 'domestic' || holder.tax_status === 'exempt' ? '0' : undefined;
}

/** Decimal places that matter: "12.500" → 1, so "12.500" and "12.5" scale alike. */
function significantDecimals(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.slice(dot + 1).replace(/0+$/, '').length;
}

/** Validates the terms and allocates gross to every positive holding. */
export function prepareDistribution(input: ComputePayoutsInput): Preparation {
  const seen = new Set<string>();
  for (const h of input.holders) {
    if (seen.has(h.holder_id)) throw new ToolError('duplicate_holder_id', `holder_id ${h.holder_id} appears more than once in the register`, false);
    seen.add(h.holder_id);
  }
  const minor = minorUnits(input.currency);
  if (minor === undefined) {
    return { computable: false, findings: [{ code: 'currency_unknown', message: `currency ${input.currency} is not in the tool's ISO 4217 table; its minor unit is not guessed`, item: 'currency' }] };
  }
  const amountMinor = toScaled(input.amount, minor);
  if (amountMinor === undefined) {
    return {
      computable: false,
      findings: [{ code: 'amount_precision', message: `amount ${input.amount} has more decimal places than ${input.currency} allows (${minor})`, item: 'amount' }],
    };
  }
  if (amountMinor === 0n) throw new ToolError('amount_not_positive', 'the distribution amount is zero', false);
  // net < minimum ⇔ net < ceil(minimum) in minor units, so a finer minimum needs no guess.
  const minimumMinor = BigInt(new Dec(input.minimum_payout ?? '0').times(new Dec(10).pow(minor)).ceil().toFixed(0));
  const unitScale = Math.max(...input.holders.map((h) => significantDecimals(h.units)));
  const weights = input.holders.flatMap((h) => {
    const weight = toScaled(h.units, unitScale)!;
    return weight > 0n ? [{ id: h.holder_id, weight }] : [];
  });
  if (weights.length === 0) throw new ToolError('no_positive_units', 'no holder has positive units on the record date', false);
  const totalUnits = weights.reduce((s, w) => s + w.weight, 0n);
  return { computable: true, terms: { minor, amountMinor, minimumMinor, unitScale, totalUnits, gross: allocateLargestRemainder(amountMinor, weights) } };
}

export interface HolderPayout {
  line: PayoutLine;
  grossMinor: bigint;
  withheldMinor: bigint;
  netMinor: bigint;
  findings: Finding[];
}

/** One holder's line: gross from the allocation, withholding, net and what happens to it. */
export function holderPayout(holder: Holder, terms: DistributionTerms): HolderPayout {
  const item = holder.holder_id;
  const findings: Finding[] = [];
  const negative = toScaled(holder.units, terms.unitScale)! < 0n;
  if (negative) findings.push({ code: 'units_negative', message: `${holder.name} holds ${holder.units} units; the row is excluded from the allocation`, item });
  const grossMinor = terms.gross.get(holder.holder_id) ?? 0n;
  const rate = effectiveRate(holder);
  const withheldMinor = rate === undefined ? 0n : BigInt(new Dec(grossMinor.toString()).times(rate).toDecimalPlaces(0, Dec.ROUND_HALF_UP).toFixed(0));
  const netMinor = grossMinor - withheldMinor;

  let disposition: PayoutLine['disposition'];
  if (negative) disposition = 'excluded_negative_units';
  else if (grossMinor === 0n) disposition = 'nothing_due';
  else {
    const money = fromScaled(grossMinor, terms.minor);
    if (holder.payout_details === undefined) {
      findings.push({ code: 'payout_details_missing', message: `${holder.name} has no payout details; gross ${money} is held`, item });
    }
    if (rate === undefined) {
      findings.push({
        code: 'tax_withholding_undetermined',
        message: `${holder.name} is tax status ${holder.tax_status} with no withholding_rate; gross ${money} is held until a rate is set`,
        item,
      });
    }
    if (holder.payout_details === undefined) disposition = 'held_missing_payout_details';
    else if (rate === undefined) disposition = 'held_tax_undetermined';
    else if (netMinor < terms.minimumMinor) disposition = 'carried_below_minimum';
    else disposition = 'pay';
  }
  const line: PayoutLine = {
    holder_id: holder.holder_id,
    name: holder.name,
    units: holder.units,
    gross: fromScaled(grossMinor, terms.minor),
    withholding_rate: rate ?? 'undetermined',
    withheld: fromScaled(withheldMinor, terms.minor),
    net: fromScaled(netMinor, terms.minor),
    disposition,
    payout_method: holder.payout_details?.method ?? null,
    account_ref: holder.payout_details?.account_ref ?? null,
  };
  return { line, grossMinor, withheldMinor, netMinor, findings };
}

function reconcileOrThrow(condition: boolean, what: string): void {
  // An imbalance here is a defect in this tool, never a property of the input.
  if (!condition) throw new ToolError('reconciliation_failed', `payout totals do not reconcile: ${what}`, false);
}

/** Totals of the holder lines, asserted to reconcile to the amount exactly. */
export function buildTotals(payouts: readonly HolderPayout[], terms: DistributionTerms): PayoutTotals {
  let gross = 0n, withheld = 0n, net = 0n, paid = 0n, carried = 0n, held = 0n;
  let holdersPaid = 0, holdersCarried = 0, holdersHeld = 0;
  for (const p of payouts) {
    reconcileOrThrow(p.netMinor + p.withheldMinor === p.grossMinor, `net + withheld ≠ gross for ${p.line.holder_id}`);
    gross += p.grossMinor;
    withheld += p.withheldMinor;
    net += p.netMinor;
    const d = p.line.disposition;
    if (d === 'pay') {
      paid += p.netMinor;
      holdersPaid++;
    } else if (d === 'carried_below_minimum') {
      carried += p.netMinor;
      holdersCarried++;
    } else if (d === 'held_missing_payout_details' || d === 'held_tax_undetermined') {
      held += p.netMinor;
      holdersHeld++;
    }
  }
  reconcileOrThrow(gross === terms.amountMinor, `gross ${gross} ≠ amount ${terms.amountMinor}`);
  reconcileOrThrow(net + withheld === gross, 'net + withheld ≠ gross');
  reconcileOrThrow(paid + carried + held === net, 'paid + carried + held ≠ net');
  const f = (v: bigint) => fromScaled(v, terms.minor);
  return {
    gross: f(gross),
    withheld: f(withheld),
    net: f(net),
    paid_now: f(paid),
    carried: f(carried),
    held: f(held),
    holders_paid: holdersPaid,
    holders_carried: holdersCarried,
    holders_held: holdersHeld,
  };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Assembles the output from a preparation and the holder lines (any order). */
export function buildSchedule(input: ComputePayoutsInput, prep: Preparation, payouts: readonly HolderPayout[]): ComputePayoutsOutput {
  const sorted = [...payouts].sort((a, b) => compareIds(a.line.holder_id, b.line.holder_id));
  const minor = prep.computable ? prep.terms.minor : null;
  // Amounts in the currency's minor units ("100" USD → "100.00"); written as given when unknown.
  const money = (text: string) => (minor === null ? text : new Dec(text).toFixed(Math.max(minor, decimalPlaces(text))));
  return {
    distribution: {
      name: input.distribution_name ?? null,
      record_date: input.record_date,
      currency: input.currency,
      minor_units: minor,
      amount: money(input.amount),
      minimum_payout: money(input.minimum_payout ?? '0'),
      total_units: prep.computable ? fromScaled(prep.terms.totalUnits, prep.terms.unitScale) : '0',
      holder_count: input.holders.length,
    },
    computed: prep.computable,
    rounding: ROUNDING_RULE,
    payouts: sorted.map((p) => p.line),
    totals: prep.computable ? buildTotals(sorted, prep.terms) : null,
    findings: prep.computable ? sorted.flatMap((p) => p.findings) : prep.findings,
  };
}

/** The whole schedule in one pure step (preflight uses it; run does the same with heartbeats). */
export function computePayouts(input: ComputePayoutsInput): ComputePayoutsOutput {
  const prep = prepareDistribution(input);
  const payouts = prep.computable ? input.holders.map((h) => holderPayout(h, prep.terms)) : [];
  return buildSchedule(input, prep, payouts);
}
