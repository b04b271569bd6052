/** /v1/work-orders: intake (one Work Order or a batch), preflight and the accepted Work Order. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RailError } from '../../contracts/errors.js';
import { ExecutionBinding } from '../../contracts/execution-binding.js';
import { MAX_BATCH_WORK_ORDERS, WorkOrderBatch, WorkOrderBatchRequest } from '../../contracts/work-order-batch.js';
import { WorkOrder, WorkOrderRequest } from '../../contracts/work-order.js';
import type { Accepted } from '../../rail/intake.js';
import { preflight } from '../../rail/preflight.js';
import { presentBinding, presentWorkOrder } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { problemOf } from '../problems.js';
import { pick } from '../schemas.js';

/** What POST /v1/work-orders answers for an accepted Work Order: 202 when new, 200 for a repeat of an idempotency key. */
const answerOf = (a: Accepted) => ({ status: a.created ? (202 as const) : (200 as const), binding: presentBinding(a.binding) });

export const workOrderRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.post(
    '/v1/work-orders',
    {
      config: { scope: 'work:submit' },
      schema: {
        summary: 'Submit a Work Order',
        description:
          'Validates, routes and binds a Work Order in one transaction. Same Idempotency-Key + same body → the same binding (200); same key + another body → 409.',
        tags: ['work orders'],
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
        body: WorkOrderRequest,
        response: { 200: ExecutionBinding, 202: ExecutionBinding, ...pick(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const p = who(request);
      const { status, binding } = answerOf(await rail.submit(p.tenantId, request.body, { idempotencyKey: request.headers['idempotency-key'] }));
      return reply.code(status).header('location', binding.links.self).send(binding);
    },
  );

  app.post(
    '/v1/work-orders/batch',
    {
      config: { scope: 'work:submit' },
      schema: {
        summary: 'Submit many Work Orders',
        description:
          `1 to ${MAX_BATCH_WORK_ORDERS} Work Orders in one request; the accepted ones share group commits. A body that breaks the schema is refused whole (400, nothing stored). ` +
          'Otherwise the answer is 200 with one item per Work Order, in order: the status and Execution Binding POST /v1/work-orders would answer, or the status and problem it would refuse with. ' +
          'Each Work Order may carry its own idempotency_key; an Idempotency-Key header is refused (400).',
        tags: ['work orders'],
        body: WorkOrderBatchRequest,
        response: { 200: WorkOrderBatch, ...pick(400, 401, 403) },
      },
    },
    async (request) => {
      if (request.headers['idempotency-key'] !== undefined) {
        throw new RailError('validation_failed', 'an Idempotency-Key header does not apply to a batch: give each Work Order its own idempotency_key', [
          { pointer: '/headers/idempotency-key', detail: 'is not accepted here; use /work_orders/<i>/idempotency_key' },
        ]);
      }
      const outcomes = await rail.submitMany(who(request).tenantId, request.body.work_orders);
      const items = outcomes.map((o): WorkOrderBatch['items'][number] => {
        if (o.ok) {
          const { status, binding } = answerOf(o.value);
          return { status, ...binding };
        }
        if (!(o.error instanceof RailError)) request.log.error({ err: o.error }, 'a batch item failed');
        const problem = problemOf(o.error, request.url);
        return { status: problem.status, problem };
      });
      const accepted = outcomes.filter((o) => o.ok).length;
      return { object: 'work_order_batch' as const, accepted, rejected: items.length - accepted, items };
    },
  );

  app.post(
    '/v1/work-orders/preflight',
    {
      config: { scope: 'work:submit' },
      schema: {
        summary: 'Check a Work Order without submitting it',
        description: 'Runs intake validation, routing and the evidence checklist; stores nothing. Answers 200 whether or not a submit would be accepted.',
        tags: ['work orders'],
        body: WorkOrderRequest,
        response: { 200: Type.Object({ object: Type.Literal('preflight'), would_accept: Type.Boolean() }, { additionalProperties: true }), ...pick(400, 401, 403) },
      },
    },
    async (request) => preflight(rail.ctx, request.body),
  );

  app.get(
    '/v1/work-orders/:work_order_id',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'Get a Work Order as accepted',
        tags: ['work orders'],
        params: Type.Object({ work_order_id: Type.String({ pattern: '^wo_[0-9a-f]{32}$' }) }),
        response: { 200: WorkOrder, ...pick(401, 403, 404) },
      },
    },
    async (request) => presentWorkOrder(await rail.workOrder(who(request).tenantId, request.params.work_order_id)),
  );
};
