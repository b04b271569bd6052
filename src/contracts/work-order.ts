/** The Work Order: what a client or agent asks the rail to do. */
import { Type, type Static } from 'typebox';
import { Digest, Metadata, Name, Timestamp, TenantId, WorkOrderId } from './common.js';

export const InputRef = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    digest: Digest,
    media_type: Type.String({ minLength: 1, maxLength: 200 }),
    uri: Type.Optional(Type.String({ maxLength: 2000 })),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false, description: 'An input held elsewhere, named by its digest.' },
);
export type InputRef = Static<typeof InputRef>;

export const EvidenceRef = Type.Object(
  {
    item: Type.String({ minLength: 1, maxLength: 200, description: 'Checklist item this evidence answers.' }),
    ref: Type.Optional(Type.String({ maxLength: 2000 })),
    digest: Type.Optional(Digest),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type EvidenceRef = Static<typeof EvidenceRef>;

export const Requester = Type.Object(
  {
    kind: Type.Union([Type.Literal('agent'), Type.Literal('client')]),
    id: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const ReturnRequirements = Type.Object(
  {
    callback_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
    summary: Type.Optional(Type.Boolean({ default: true })),
    attestation: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

const workOrderFields = {
  tool: Type.Optional(Name),
  operation: Type.Optional(Name),
  capability: Type.Optional(
    Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$', maxLength: 100, description: 'e.g. finance.reconcile' }),
  ),
  inputs: Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), {
    maxProperties: 1000,
    description: 'Inputs for the operation. Bounded as a whole: by the body limit, and 32 levels of nesting for any body.',
  }),
  input_refs: Type.Optional(Type.Array(InputRef, { maxItems: 1000 })),
  evidence: Type.Optional(Type.Array(EvidenceRef, { maxItems: 1000 })),
  scope: Type.Optional(Type.String({ maxLength: 500, description: 'What the work covers, in words.' })),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 9, default: 5, description: '0–9, 9 runs first.' })),
  not_before: Type.Optional(Timestamp),
  deadline: Type.Optional(Timestamp),
  requester: Type.Optional(Requester),
  return: Type.Optional(ReturnRequirements),
  idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  metadata: Type.Optional(Metadata),
};

export const WorkOrderRequest = Type.Object(workOrderFields, {
  additionalProperties: false,
  description: 'Submit either tool+operation or a capability.',
});
export type WorkOrderRequest = Static<typeof WorkOrderRequest>;

export const WorkOrder = Type.Object(
  {
    object: Type.Literal('work_order'),
    work_order_id: WorkOrderId,
    tenant_id: TenantId,
    ...workOrderFields,
    digest: Digest,
    created_at: Timestamp,
    links: Type.Object({ self: Type.String(), bindings: Type.String() }),
  },
  { additionalProperties: false },
);
export type WorkOrder = Static<typeof WorkOrder>;
