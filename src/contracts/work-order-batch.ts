/** Bulk intake (POST /v1/work-orders/batch): many Work Orders in one request, answered item by item. */
import { Type, type Static } from 'typebox';
import { ExecutionBinding } from './execution-binding.js';
import { Problem } from './problem.js';
import { WorkOrderRequest } from './work-order.js';

/** Most Work Orders one batch may carry; the body limit bounds it too. */
export const MAX_BATCH_WORK_ORDERS = 1000;

export const WorkOrderBatchRequest = Type.Object(
  {
    work_orders: Type.Array(WorkOrderRequest, {
      minItems: 1,
      maxItems: MAX_BATCH_WORK_ORDERS,
      description: `1 to ${MAX_BATCH_WORK_ORDERS} Work Orders; each may carry its own idempotency_key.`,
    }),
  },
  {
    additionalProperties: false,
    description: 'Many Work Orders in one request. A body that breaks this schema anywhere is refused whole (400, nothing stored).',
  },
);
export type WorkOrderBatchRequest = Static<typeof WorkOrderBatchRequest>;

export const WorkOrderBatchAccepted = Type.Object(
  {
    status: Type.Union([Type.Literal(202), Type.Literal(200)], {
      description: '202: a new binding; 200: an earlier Work Order with the same idempotency_key and body.',
    }),
    ...ExecutionBinding.properties,
  },
  { additionalProperties: false, description: 'An accepted Work Order: its status and the Execution Binding, as POST /v1/work-orders answers it.' },
);
export type WorkOrderBatchAccepted = Static<typeof WorkOrderBatchAccepted>;

export const WorkOrderBatchRejected = Type.Object(
  {
    status: Type.Integer({ minimum: 400, maximum: 599, description: 'The status POST /v1/work-orders would answer for this Work Order alone.' }),
    problem: Problem,
  },
  {
    additionalProperties: false,
    description: 'A refused Work Order (unroutable, inputs that break the operation, a refused callback URL, an idempotency conflict…): nothing of it is stored. Pointers in problem.errors are relative to the Work Order.',
  },
);
export type WorkOrderBatchRejected = Static<typeof WorkOrderBatchRejected>;

export const WorkOrderBatch = Type.Object(
  {
    object: Type.Literal('work_order_batch'),
    accepted: Type.Integer({ minimum: 0 }),
    rejected: Type.Integer({ minimum: 0 }),
    items: Type.Array(Type.Union([WorkOrderBatchAccepted, WorkOrderBatchRejected]), { description: 'One per Work Order, in request order.' }),
  },
  { additionalProperties: false, description: 'The answer to a batch: the accepted Work Orders are bound, the rejected ones are not; each answers on its own.' },
);
export type WorkOrderBatch = Static<typeof WorkOrderBatch>;
