/** FinanceOps `reconcile`: input and output schemas. Amounts are decimal strings, never floats. */
import { Type, type Static, type TSchema } from 'typebox';

const MAX_INVOICES = 50_000;
const MAX_LINES = 100_000;

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 alphabetic code, e.g. EUR.' });
const IsoDate = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const PositiveMoney = Type.String({
  pattern: '^(?=.*[1-9])\\d{1,15}(\\.\\d{1,8})?$',
  maxLength: 30,
  description: 'Positive amount in the currency\'s major unit, e.g. "1250.00".',
});
const SignedMoney = Type.String({
  pattern: '^-?\\d{1,15}(\\.\\d{1,8})?$',
  maxLength: 30,
  description: 'Signed amount: credits (money in) positive, debits negative.',
});
const Days = Type.Integer({ minimum: 0, maximum: 366 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Invoice = Type.Object(
  {
    invoice_id: Id,
    counterparty: Type.String({ minLength: 1, maxLength: 200 }),
    amount: PositiveMoney,
    currency: Currency,
    issued_on: IsoDate,
    due_on: IsoDate,
    reference: Type.String({ minLength: 1, maxLength: 100, description: 'Payment reference the payer should quote, e.g. RF18 5390 0754 7034.' }),
  },
  { additionalProperties: false },
);
export type Invoice = Static<typeof Invoice>;

export const BankLine = Type.Object(
  {
    line_id: Id,
    amount: SignedMoney,
    currency: Currency,
    booked_on: IsoDate,
    reference: Type.String({ maxLength: 500, description: 'Remittance text as exported by the bank.' }),
    counterparty: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type BankLine = Static<typeof BankLine>;

export const StatementBalance = Type.Object(
  { currency: Currency, opening: SignedMoney, closing: SignedMoney },
  { additionalProperties: false },
);

export const Statement = Type.Object(
  {
    account_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    period_start: IsoDate,
    period_end: IsoDate,
    balances: Type.Array(StatementBalance, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false, description: 'Opening and closing balances that prove the bank export is complete.' },
);
export type Statement = Static<typeof Statement>;

export const DateWindow = Type.Object(
  {
    days_before_issue: Days,
    days_after_due: Days,
  },
  { additionalProperties: false, description: 'A line can pay an invoice when booked within [issued_on − before, due_on + after].' },
);

export const ReconcileInput = Type.Object(
  {
    window: DateWindow,
    invoices: Type.Optional(Type.Array(Invoice, { maxItems: MAX_INVOICES })),
    bank_lines: Type.Optional(Type.Array(BankLine, { maxItems: MAX_LINES })),
    statement: Type.Optional(Statement),
  },
  { additionalProperties: false, description: 'Invoices vs bank export lines. A list that is present but empty states there are none.' },
);
export type ReconcileInput = Static<typeof ReconcileInput>;

const Text = Type.String({ maxLength: 200 });
const Amount = Type.String({ maxLength: 60 });
const Code = Type.String({ maxLength: 3 });

export const InvoiceStatus = Type.Union([
  Type.Literal('matched'),
  Type.Literal('paid_in_parts'),
  Type.Literal('partially_paid'),
  Type.Literal('overpaid'),
  Type.Literal('duplicate_payment'),
  Type.Literal('unmatched'),
]);
export type InvoiceStatus = Static<typeof InvoiceStatus>;

export const UnmatchedReason = Type.Union([
  Type.Literal('no_reference'),
  Type.Literal('currency_mismatch'),
  Type.Literal('outside_window'),
  Type.Literal('not_a_credit'),
]);
export type UnmatchedReason = Static<typeof UnmatchedReason>;

export const ReconcileOutput = Type.Object(
  {
    window: DateWindow,
    invoices: Type.Array(
      Type.Object(
        {
          invoice_id: Text,
          counterparty: Text,
          currency: Code,
          amount: Amount,
          received: Amount,
          open_balance: Amount,
          overpaid: Amount,
          status: InvoiceStatus,
          line_ids: Type.Array(Text, { maxItems: MAX_LINES }),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_INVOICES },
    ),
    allocations: Type.Array(
      Type.Object({ line_id: Text, invoice_id: Text, currency: Code, amount: Amount }, { additionalProperties: false }),
      { maxItems: MAX_LINES * 2 },
    ),
    unmatched_bank_lines: Type.Array(
      Type.Object(
        {
          line_id: Text,
          currency: Code,
          amount: Amount,
          booked_on: Type.String({ maxLength: 10 }),
          reason: UnmatchedReason,
          suggested_invoice_id: Nullable(Text),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_LINES },
    ),
    differences: Type.Array(
      Type.Object(
        { invoice_id: Text, currency: Code, expected: Amount, received: Amount, difference: Amount },
        { additionalProperties: false, description: 'difference = received − expected; negative is still owed.' },
      ),
      { maxItems: MAX_INVOICES },
    ),
    totals: Type.Array(
      Type.Object(
        {
          currency: Code,
          invoices: Type.Integer({ minimum: 0 }),
          invoiced: Amount,
          lines: Type.Integer({ minimum: 0 }),
          received: Amount,
          applied: Amount,
          outstanding: Amount,
          overpaid: Amount,
          unapplied: Amount,
          paid_out: Amount,
        },
        { additionalProperties: false, description: 'received = applied + overpaid + unapplied; invoiced = applied + outstanding.' },
      ),
      { maxItems: 200 },
    ),
    counts: Type.Object(
      {
        matched: Type.Integer({ minimum: 0 }),
        paid_in_parts: Type.Integer({ minimum: 0 }),
        partially_paid: Type.Integer({ minimum: 0 }),
        overpaid: Type.Integer({ minimum: 0 }),
        duplicate_payment: Type.Integer({ minimum: 0 }),
        unmatched_invoices: Type.Integer({ minimum: 0 }),
        unmatched_bank_lines: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    statement: Nullable(
      Type.Object(
        {
          period_start: Type.String({ maxLength: 10 }),
          period_end: Type.String({ maxLength: 10 }),
          balances: Type.Array(
            Type.Object(
              { currency: Code, opening: Amount, movements: Amount, expected_closing: Amount, closing: Amount, difference: Amount },
              { additionalProperties: false },
            ),
            { maxItems: 200 },
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ReconcileOutput = Static<typeof ReconcileOutput>;
