/** /v1/events: every result event of the caller's tenant, as JSON pages or Server-Sent Events. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ResultEvent } from '../../contracts/result-event.js';
import { closeEventStreams, resumeCursor, streamEvents, wantsEventStream } from '../../delivery/event-stream.js';
import { presentEvent } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { ListOf, PageQuery, pick } from '../schemas.js';

export const eventRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  // Streams never end by themselves: end them when the server closes, or close() would wait forever.
  app.addHook('preClose', async () => closeEventStreams(rail.ctx.bus));

  app.get(
    '/v1/events',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: "All of the tenant's result events, in commit order",
        description:
          'JSON pages: pass `next_cursor` back as `after` (it is present whenever the page has events, so a poller keeps its place). With `Accept: text/event-stream`: Server-Sent Events, stored ones after `Last-Event-ID` (or `after`) then live ones; each `id:` is the cursor to resume from; a comment every 15 s keeps the connection open.',
        tags: ['events'],
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0 })), ...PageQuery }),
        response: { 200: ListOf(ResultEvent), ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const tenantId = who(request).tenantId;
      if (wantsEventStream(request)) return streamEvents(rail.ctx, request, reply, { tenantId }, resumeCursor(request, request.query.after));
      const limit = Math.min(request.query.limit ?? 100, rail.ctx.options.maxPageSize);
      const rows = await rail.store.listEvents(tenantId, { after: request.query.after, limit });
      return { object: 'list' as const, data: rows.map(presentEvent), next_cursor: rows.length > 0 ? String(rows.at(-1)!.gseq) : null };
    },
  );
};
