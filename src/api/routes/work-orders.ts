/** /v1/work-orders: intake, preflight and the accepted Work Order. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ExecutionBinding } from '../../contracts/execution-binding.js';
import { WorkOrder, WorkOrderRequest } from '../../contracts/work-order.js';
import { preflight } from '../../rail/preflight.js';
import { presentBinding, presentWorkOrder } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { pick } from '../schemas.js';

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
      const accepted = await rail.submit(p.tenantId, request.body, { idempotencyKey: request.headers['idempotency-key'] });
      const binding = presentBinding(accepted.binding);
      return reply.code(accepted.created ? 202 : 200).header('location', binding.links.self).send(binding);
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
