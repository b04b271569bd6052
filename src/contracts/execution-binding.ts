/** The Execution Binding: the one record that connects a Work Order to everything it produced. */
import { Type, type Static } from 'typebox';
import { BindingId, BindingState, CommandId, Name, TenantId, Timestamp, ToolRef, WorkOrderId } from './common.js';

export const Routing = Type.Object(
  {
    rule: Type.Union([Type.Literal('explicit'), Type.Literal('capability')]),
    reason: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type Routing = Static<typeof Routing>;

export const Progress = Type.Object(
  {
    percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    message: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type Progress = Static<typeof Progress>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const BindingLinks = Type.Object(
  {
    self: Type.String(),
    work_order: Type.String(),
    command: Type.String(),
    result: Type.String(),
    events: Type.String(),
    receipts: Type.String(),
    callback: Type.String(),
    ledger: Type.String(),
    attestation: Type.String(),
    bundle: Type.String(),
  },
  { additionalProperties: false, description: 'Server-relative paths.' },
);

export const ExecutionBinding = Type.Object(
  {
    object: Type.Literal('execution_binding'),
    binding_id: BindingId,
    work_order_id: WorkOrderId,
    tenant_id: TenantId,
    tool: ToolRef,
    operation: Name,
    routing: Routing,
    command_id: CommandId,
    state: BindingState,
    attempt: Type.Integer({ minimum: 0, description: 'Attempts started so far.' }),
    max_attempts: Type.Integer({ minimum: 1 }),
    priority: Type.Integer({ minimum: 0, maximum: 9 }),
    task: Type.Object(
      {
        attempt: Type.Integer({ minimum: 0 }),
        token_id: Nullable(Type.String({ description: 'Public id of the current task token; the token itself is never stored.' })),
      },
      { additionalProperties: false },
    ),
    progress: Nullable(Progress),
    lease_expires_at: Nullable(Timestamp),
    heartbeat_at: Nullable(Timestamp),
    next_retry_at: Nullable(Timestamp),
    replay_of: Nullable(BindingId),
    cancel_requested: Type.Boolean(),
    last_error: Nullable(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
    created_at: Timestamp,
    updated_at: Timestamp,
    links: BindingLinks,
  },
  { additionalProperties: false },
);
export type ExecutionBinding = Static<typeof ExecutionBinding>;

export { Nullable };
