/** /v1/exceptions: exception tickets of the tenant, open ones first. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ExceptionId } from '../../contracts/common.js';
import { RailError } from '../../contracts/errors.js';
import { ExceptionTicket } from '../../contracts/exception-ticket.js';
import { presentException } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { ListOf, PageQuery, pick } from '../schemas.js';

const tags = ['exceptions'];
const Status = Type.Union([Type.Literal('open'), Type.Literal('resolved')]);

export const exceptionRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/exceptions',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'Exception tickets, open ones first (newest first within each)',
        description: 'A ticket is resolved by replaying its binding with an input_patch; `resolved_by` then names the replay.',
        tags,
        querystring: Type.Object({
          status: Type.Optional(Status),
          cursor: Type.Optional(Type.String({ pattern: '^(open|resolved):exc_[0-9a-f]{32}$' })),
          ...PageQuery,
        }),
        response: { 200: ListOf(ExceptionTicket), ...pick(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = Math.min(q.limit ?? 50, rail.ctx.options.maxPageSize);
      const [status, exceptionId] = q.cursor ? (q.cursor.split(':') as ['open' | 'resolved', string]) : [];
      const after = status && exceptionId ? { status, exceptionId } : undefined;
      const rows = await rail.store.listExceptions(who(request).tenantId, { status: q.status, limit, after });
      const tail = rows.at(-1);
      return { object: 'list' as const, data: rows.map(presentException), next_cursor: rows.length === limit && tail ? `${tail.status}:${tail.exception_id}` : null };
    },
  );

  app.get(
    '/v1/exceptions/:exception_id',
    {
      config: { scope: 'work:read' },
      schema: { summary: 'An exception ticket', tags, params: Type.Object({ exception_id: ExceptionId }), response: { 200: ExceptionTicket, ...pick(401, 403, 404) } },
    },
    async (request) => {
      const x = await rail.store.getException(who(request).tenantId, request.params.exception_id);
      if (!x) throw new RailError('not_found', `no exception ${request.params.exception_id}`);
      return presentException(x);
    },
  );
};
