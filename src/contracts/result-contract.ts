/** The Result Contract: everything a finished binding returns, each part checkable later. */
import { Type, type Static } from 'typebox';
import { BindingId, Digest, EvidenceReview, NextAction, TerminalState, Timestamp } from './common.js';
import { ExceptionTicket } from './exception-ticket.js';
import { ReceiptRef } from './receipt.js';

export const CallbackState = Type.Union([
  Type.Literal('none'),
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
]);
export type CallbackState = Static<typeof CallbackState>;

export const ResultContract = Type.Object(
  {
    object: Type.Literal('result_contract'),
    binding_id: BindingId,
    status: TerminalState,
    machine_output: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    output_digest: Type.Union([Digest, Type.Null()]),
    human_summary: Type.String(),
    evidence: EvidenceReview,
    receipts: Type.Array(ReceiptRef),
    callback: Type.Object(
      { state: CallbackState, attempts: Type.Integer({ minimum: 0 }), path: Type.String() },
      { additionalProperties: false },
    ),
    ledger: Type.Object(
      { seq: Type.Integer({ minimum: 0 }), leaf_hash: Type.String({ pattern: '^[0-9a-f]{64}$' }), path: Type.String() },
      { additionalProperties: false },
    ),
    attestation: Type.Union([
      Type.Object(
        { path: Type.String(), digest: Digest, key_id: Type.String() },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    exception: Type.Union([ExceptionTicket, Type.Null()]),
    next_action: NextAction,
    next_action_detail: Type.String(),
    replay: Type.Union([
      Type.Object(
        { of: BindingId, deterministic: Type.Union([Type.Boolean(), Type.Null()]) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    issued_at: Timestamp,
  },
  { additionalProperties: false },
);
export type ResultContract = Static<typeof ResultContract>;

/** The fields of a result that are hashed into the ledger and signed: the result "core". */
export type ResultCore = Pick<
  ResultContract,
  'binding_id' | 'status' | 'output_digest' | 'human_summary' | 'evidence' | 'receipts' | 'exception' | 'next_action' | 'replay'
>;

/** 202 body of GET …/result while the binding is not final. */
export const ResultPending = Type.Object(
  {
    object: Type.Literal('result_pending'),
    binding_id: BindingId,
    state: Type.String(),
    attempt: Type.Integer(),
    retry_after_ms: Type.Integer(),
  },
  { additionalProperties: false },
);
