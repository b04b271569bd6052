/** DistributionOps input and output schemas: a holder register snapshot and its payout schedule. */
import { Type, type Static } from 'typebox';
import { Finding } from '../../../contracts/common.js';

const MAX_HOLDERS = 100_000;

export const IsoDate = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', description: 'YYYY-MM-DD.' });
export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. USD, JPY, BHD.' });
export const MoneyAmount = Type.String({ pattern: '^\\d{1,18}(\\.\\d{1,6})?$', maxLength: 25, description: 'Non-negative amount, decimal string.' });
/** Negative units are admitted so a bad register row can be reported, not rejected wholesale. */
export const Units = Type.String({ pattern: '^-?\\d{1,18}(\\.\\d{1,18})?$', maxLength: 38, description: 'Units held on the record date, decimal string.' });
export const Rate = Type.String({ pattern: '^(0(\\.\\d{1,10})?|1(\\.0{1,10})?)$', description: 'Withholding rate 0..1, e.g. "0.30".' });
export const HolderId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' });

export const TaxStatus = Type.Union(
  [Type.Literal('domestic'), Type.Literal('foreign'), Type.Literal('exempt'), Type.Literal('unknown')],
  { description: 'Without withholding_rate: domestic and exempt withhold 0; foreign and unknown hold the payment until a rate is determined.' },
);

export const PayoutDetails = Type.Object(
  {
    method: Type.Union([Type.Literal('ach'), Type.Literal('wire'), Type.Literal('sepa'), Type.Literal('check'), Type.Literal('internal_transfer')]),
    account_ref: Type.String({ minLength: 1, maxLength: 200, description: 'A reference to the account on file, never the number itself.' }),
  },
  { additionalProperties: false },
);

export const Holder = Type.Object(
  {
    holder_id: HolderId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    units: Units,
    tax_status: TaxStatus,
    withholding_rate: Type.Optional(Rate),
    payout_details: Type.Optional(PayoutDetails),
  },
  { additionalProperties: false },
);
export type Holder = Static<typeof Holder>;

export const ComputePayoutsInput = Type.Object(
  {
    distribution_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    record_date: IsoDate,
    amount: MoneyAmount,
    currency: CurrencyCode,
    minimum_payout: Type.Optional(MoneyAmount),
    holders: Type.Array(Holder, { minItems: 1, maxItems: MAX_HOLDERS, description: 'The holder register snapshot as of record_date.' }),
  },
  { additionalProperties: false },
);
export type ComputePayoutsInput = Static<typeof ComputePayoutsInput>;

export const Disposition = Type.Union(
  [
    Type.Literal('pay'),
    Type.Literal('carried_below_minimum'),
    Type.Literal('held_missing_payout_details'),
    Type.Literal('held_tax_undetermined'),
    Type.Literal('nothing_due'),
    Type.Literal('excluded_negative_units'),
  ],
  {
    description:
      'pay: paid now. carried_below_minimum: net below minimum_payout, kept for the holder and added to the next distribution. held_*: kept for the holder until the exception is resolved. Nothing is dropped or reallocated.',
  },
);
export type Disposition = Static<typeof Disposition>;

const Money = Type.String({ maxLength: 40 });

export const PayoutLine = Type.Object(
  {
    holder_id: Type.String({ maxLength: 64 }),
    name: Type.String({ maxLength: 200 }),
    units: Type.String({ maxLength: 40 }),
    gross: Money,
    withholding_rate: Type.String({ maxLength: 20 }),
    withheld: Money,
    net: Money,
    disposition: Disposition,
    payout_method: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
    account_ref: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type PayoutLine = Static<typeof PayoutLine>;

export const PayoutTotals = Type.Object(
  {
    gross: Money,
    withheld: Money,
    net: Money,
    paid_now: Money,
    carried: Money,
    held: Money,
    holders_paid: Type.Integer({ minimum: 0 }),
    holders_carried: Type.Integer({ minimum: 0 }),
    holders_held: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, description: 'gross = amount; net + withheld = gross; paid_now + carried + held = net. Exactly.' },
);
export type PayoutTotals = Static<typeof PayoutTotals>;

export const ComputePayoutsOutput = Type.Object(
  {
    distribution: Type.Object(
      {
        name: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
        record_date: IsoDate,
        currency: Type.String({ maxLength: 3 }),
        minor_units: Type.Union([Type.Integer({ minimum: 0, maximum: 4 }), Type.Null()]),
        amount: Money,
        minimum_payout: Money,
        total_units: Type.String({ maxLength: 60 }),
        holder_count: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    computed: Type.Boolean({ description: 'false when the amount cannot be allocated (unknown currency, amount finer than the minor unit).' }),
    rounding: Type.String({ maxLength: 500 }),
    payouts: Type.Array(PayoutLine, { maxItems: MAX_HOLDERS }),
    totals: Type.Union([PayoutTotals, Type.Null()]),
    findings: Type.Array(Finding, { maxItems: MAX_HOLDERS + 10 }),
  },
  { additionalProperties: false },
);
export type ComputePayoutsOutput = Static<typeof ComputePayoutsOutput>;
