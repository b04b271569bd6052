/** Exception tickets: what a person or agent must look at when work cannot finish by itself. */
import { Type, type Static } from 'typebox';
import { BindingId, ExceptionId, NextAction, TenantId, Timestamp, WorkOrderId } from './common.js';

export const ExceptionTicket = Type.Object(
  {
    object: Type.Literal('exception_ticket'),
    exception_id: ExceptionId,
    tenant_id: TenantId,
    binding_id: BindingId,
    work_order_id: WorkOrderId,
    code: Type.String({ description: 'A code of the error catalogue, e.g. retry_exhausted, tool_output_invalid.' }),
    message: Type.String(),
    attempts: Type.Integer({ minimum: 0 }),
    next_action: NextAction,
    status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
    resolved_by: Type.Union([BindingId, Type.Null()], { description: 'The replay that repaired it.' }),
    created_at: Timestamp,
    resolved_at: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
);
export type ExceptionTicket = Static<typeof ExceptionTicket>;
