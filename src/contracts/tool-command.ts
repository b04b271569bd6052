/** The Tool Execution Command: the envelope that carries a Work Order's inputs into a tool. */
import { Type, type Static } from 'typebox';
import { BindingId, CommandId, Digest, Name, TenantId, Timestamp, ToolRef, WorkOrderId } from './common.js';
import { EvidenceRef, InputRef } from './work-order.js';

export const ToolCommand = Type.Object(
  {
    object: Type.Literal('tool_command'),
    command_id: CommandId,
    binding_id: BindingId,
    work_order_id: WorkOrderId,
    tenant_id: TenantId,
    tool: ToolRef,
    operation: Name,
    inputs: Type.Record(Type.String(), Type.Unknown()),
    inputs_digest: Digest,
    input_refs: Type.Array(InputRef),
    evidence: Type.Array(EvidenceRef),
    return: Type.Object(
      {
        callback_url: Type.Union([Type.String(), Type.Null()]),
        summary: Type.Boolean(),
        attestation: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    deadline: Type.Union([Timestamp, Type.Null()]),
    idempotency_key: Type.String({ description: 'Equal to command_id: the tool de-duplicates side effects on it.' }),
    digest: Digest,
    created_at: Timestamp,
  },
  { additionalProperties: false },
);
export type ToolCommand = Static<typeof ToolCommand>;
