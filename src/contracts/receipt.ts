/** Receipts: content-addressed JSON documents a run leaves behind. */
import { Type, type Static } from 'typebox';
import { BindingId, Digest, ReceiptId, TenantId, Timestamp, WorkOrderId } from './common.js';

export const ReceiptKind = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'usage (always), or a tool-specific kind: settlement, reconciliation_statement, readiness_statement, payout_schedule, packet_manifest…',
});

export const Receipt = Type.Object(
  {
    object: Type.Literal('receipt'),
    receipt_id: ReceiptId,
    kind: ReceiptKind,
    binding_id: BindingId,
    work_order_id: WorkOrderId,
    tenant_id: TenantId,
    issued_at: Timestamp,
    body: Type.Record(Type.String(), Type.Unknown()),
    digest: Type.Unsafe<string>({
      ...Digest,
      description: 'sha256 of the RFC 8785 canonical JSON of this receipt without the digest field.',
    }),
  },
  { additionalProperties: false },
);
export type Receipt = Static<typeof Receipt>;

export const ReceiptRef = Type.Object(
  { receipt_id: ReceiptId, kind: ReceiptKind, digest: Digest, path: Type.String() },
  { additionalProperties: false },
);
export type ReceiptRef = Static<typeof ReceiptRef>;

/** The usage receipt every run gets. Durations in milliseconds. */
export const UsageReceiptBody = Type.Object(
  {
    tool: Type.String(),
    tool_version: Type.String(),
    operation: Type.String(),
    attempts: Type.Integer({ minimum: 0 }),
    queue_wait_ms: Type.Integer({ minimum: 0 }),
    run_ms: Type.Integer({ minimum: 0 }),
    output_bytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type UsageReceiptBody = Static<typeof UsageReceiptBody>;
