/** TokenOps `settle`: input and output schemas. Money, credits and quantities are decimal strings. */
import { Type, type Static, type TSchema } from 'typebox';

const MAX_LEDGER = 100_000;
const MAX_USAGE = 100_000;

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 alphabetic code, e.g. USD.' });
const PositiveMoney = Type.String({
  pattern: '^(?=.*[1-9])\\d{1,15}(\\.\\d{1,8})?$',
  maxLength: 30,
  description: 'Positive amount in the currency\'s major unit, e.g. "25.00".',
});
const SignedCredits = Type.String({
  pattern: '^-?\\d{1,15}(\\.\\d{1,12})?$',
  maxLength: 30,
  description: 'Credits as a decimal string. fund and debit must be positive; adjust is signed.',
});
const PositiveCredits = Type.String({ pattern: '^(?=.*[1-9])\\d{1,15}(\\.\\d{1,12})?$', maxLength: 30 });
const NonNegativeDecimal = Type.String({ pattern: '^\\d{1,15}(\\.\\d{1,12})?$', maxLength: 30 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const SettlementReference = Type.Object(
  {
    payment_id: Id,
    request_id: Type.String({ minLength: 1, maxLength: 200, description: 'The payment request this payment answers.' }),
    amount: PositiveMoney,
    currency: Currency,
    settled_at: Type.String({ format: 'date-time', maxLength: 40 }),
    method: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'card, bank_transfer, …' })),
  },
  { additionalProperties: false, description: 'The settled payment that funds the credits.' },
);

export const PaymentRequest = Type.Object(
  {
    request_id: Id,
    amount: PositiveMoney,
    currency: Currency,
    credits_requested: PositiveCredits,
  },
  { additionalProperties: false, description: 'What the agent was asked to pay, and for how many credits.' },
);

export const LedgerEntryKind = Type.Union([Type.Literal('fund'), Type.Literal('debit'), Type.Literal('adjust')]);

export const LedgerEntry = Type.Object(
  {
    entry_id: Id,
    kind: LedgerEntryKind,
    credits: SignedCredits,
    payment_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'fund entries: the payment behind them.' })),
    memo: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const UsageLine = Type.Object(
  {
    line_id: Id,
    meter: Type.String({ minLength: 1, maxLength: 100, description: 'e.g. llm.output_tokens' }),
    quantity: NonNegativeDecimal,
    unit_price_credits: NonNegativeDecimal,
    usage_receipt_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const UsageReceiptRef = Type.Object(
  { receipt_id: Id, total_credits: NonNegativeDecimal },
  { additionalProperties: false, description: 'A usage receipt already issued for consumption.' },
);

export const ManifestFile = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 500 }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { additionalProperties: false },
);

export const SettleInput = Type.Object(
  {
    settlement: Type.Optional(SettlementReference),
    payment_request: Type.Optional(PaymentRequest),
    ledger: Type.Optional(
      Type.Array(LedgerEntry, {
        maxItems: MAX_LEDGER,
        description: 'Credit ledger in posting order; entries are applied in this order.',
      }),
    ),
    usage: Type.Optional(Type.Array(UsageLine, { maxItems: MAX_USAGE, description: 'Metered usage lines.' })),
    usage_receipts: Type.Optional(Type.Array(UsageReceiptRef, { maxItems: 10_000 })),
    file_manifest: Type.Optional(Type.Array(ManifestFile, { maxItems: 10_000 })),
  },
  {
    additionalProperties: false,
    description: 'Settlement evidence for agent-paid usage. A list that is present but empty states there are none.',
  },
);
export type SettleInput = Static<typeof SettleInput>;
export type LedgerEntry = Static<typeof LedgerEntry>;
export type UsageLine = Static<typeof UsageLine>;
export type UsageReceiptRef = Static<typeof UsageReceiptRef>;
export type ManifestFile = Static<typeof ManifestFile>;
export type SettlementReference = Static<typeof SettlementReference>;
export type PaymentRequest = Static<typeof PaymentRequest>;

const Text = Type.String({ maxLength: 200 });
const Amount = Type.String({ maxLength: 80 });

export const RefusedEntry = Type.Object(
  { entry_id: Text, kind: LedgerEntryKind, credits: Amount, available: Amount },
  { additionalProperties: false },
);

export const SettleOutput = Type.Object(
  {
    payment: Nullable(
      Type.Object(
        {
          payment_id: Text,
          request_id: Text,
          currency: Type.String({ maxLength: 3 }),
          amount: Amount,
          requested_amount: Nullable(Amount),
          settled_at: Type.String({ maxLength: 40 }),
        },
        { additionalProperties: false },
      ),
    ),
    credits: Type.Object(
      {
        requested: Nullable(Amount),
        funded: Amount,
        adjusted: Amount,
        debited: Amount,
        refused: Amount,
        remaining: Amount,
        metered: Nullable(Amount),
        receipted: Nullable(Amount),
      },
      { additionalProperties: false, description: 'remaining = funded + adjusted − debited, never negative.' },
    ),
    ledger: Type.Object(
      {
        entries: Type.Integer({ minimum: 0 }),
        applied: Type.Integer({ minimum: 0 }),
        refused: Type.Array(RefusedEntry, { maxItems: MAX_LEDGER }),
        duplicates: Type.Array(Text, { maxItems: MAX_LEDGER }),
        invalid: Type.Array(Text, { maxItems: MAX_LEDGER }),
      },
      { additionalProperties: false },
    ),
    usage_by_meter: Type.Array(
      Type.Object({ meter: Text, lines: Type.Integer({ minimum: 0 }), quantity: Amount, credits: Amount }, { additionalProperties: false }),
      { maxItems: MAX_USAGE },
    ),
    usage_receipts: Type.Array(
      Type.Object(
        { receipt_id: Text, total_credits: Amount, metered_credits: Nullable(Amount), difference: Nullable(Amount) },
        { additionalProperties: false },
      ),
      { maxItems: 10_000 },
    ),
    files: Type.Array(ManifestFile, { maxItems: 10_000 }),
    manifest_digest: Nullable(Type.String({ pattern: '^sha256:[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);
export type SettleOutput = Static<typeof SettleOutput>;
