/** The queue monitor (GET /v1/queue), its stuck alerts, and the operator audit log. */
import { Type, type Static } from 'typebox';
import { BindingId, BindingState, TenantId, Timestamp } from './common.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const StuckReason = Type.Union([
  Type.Literal('lease_expired_repeatedly'),
  Type.Literal('callback_delivery_failed'),
  Type.Literal('retry_exhausted'),
  Type.Literal('exception_open'),
  Type.Literal('queued_too_long'),
  Type.Literal('retry_waiting_long'),
]);
export type StuckReason = Static<typeof StuckReason>;

export const MoveOnCommand = Type.Object(
  {
    action: Type.Union([
      Type.Literal('retry'),
      Type.Literal('replay'),
      Type.Literal('redeliver_callback'),
      Type.Literal('cancel'),
      Type.Literal('resume_tool'),
    ]),
    method: Type.Literal('POST'),
    path: Type.String(),
  },
  { additionalProperties: false, description: 'The API call that moves the binding on.' },
);
export type MoveOnCommand = Static<typeof MoveOnCommand>;

export const StuckAlert = Type.Object(
  {
    binding_id: BindingId,
    tool: Type.String(),
    state: BindingState,
    reason: StuckReason,
    detail: Type.String(),
    since: Timestamp,
    duration_ms: Type.Integer({ minimum: 0 }),
    command: MoveOnCommand,
  },
  { additionalProperties: false },
);
export type StuckAlert = Static<typeof StuckAlert>;

const LoopClock = Nullable(
  Type.Object(
    { last_run_at: Nullable(Timestamp), next_run_at: Nullable(Timestamp) },
    { additionalProperties: false, description: 'null when this process does not run the loop (--role api).' },
  ),
);

const StateCounts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'state → count' });

export const QueueMonitor = Type.Object(
  {
    object: Type.Literal('queue_monitor'),
    tenant_id: TenantId,
    at: Timestamp,
    counts: Type.Object(
      {
        by_state: StateCounts,
        by_tool: Type.Array(Type.Object({ tool: Type.String(), paused: Type.Boolean(), total: Type.Integer(), states: StateCounts }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    oldest_queued: Nullable(Type.Object({ binding_id: BindingId, age_ms: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    lease_holders: Type.Array(Type.Object({ owner: Type.String(), leased: Type.Integer() }, { additionalProperties: false })),
    paused_tools: Type.Array(Type.String()),
    reaper: LoopClock,
    callbacks: Type.Object(
      {
        paused: Type.Boolean({ description: 'The kill switch: nothing is sent while true.' }),
        dispatcher: LoopClock,
        by_state: StateCounts,
      },
      { additionalProperties: false },
    ),
    throughput: Type.Object(
      {
        window_ms: Type.Integer(),
        completed: Type.Integer({ description: 'Bindings that finished in the window.' }),
        by_state: StateCounts,
        per_minute: Type.Number(),
      },
      { additionalProperties: false },
    ),
    thresholds: Type.Object({ queued_too_long_ms: Type.Integer(), retry_waiting_long_ms: Type.Integer() }, { additionalProperties: false }),
    stuck: Type.Array(StuckAlert),
  },
  { additionalProperties: false },
);
export type QueueMonitor = Static<typeof QueueMonitor>;

export const AuditEvent = Type.Object(
  {
    object: Type.Literal('audit_event'),
    audit_id: Type.Integer({ minimum: 1 }),
    tenant_id: TenantId,
    actor_key_id: Type.String({ description: 'The API key that acted.' }),
    action: Type.String({ description: 'binding.cancel, binding.retry, binding.replay, callback.redeliver, callback.secret.rotate, queue.tool.pause|resume, queue.callbacks.pause|resume' }),
    target: Type.String({ description: 'A binding id, a tool name, "callbacks", or a tenant id.' }),
    detail: Type.Record(Type.String(), Type.Unknown()),
    at: Timestamp,
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEvent>;
