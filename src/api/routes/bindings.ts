/** /v1/bindings: the Execution Binding and everything hanging off it. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DsseEnvelope } from '../../contracts/attestation.js';
import { BindingState } from '../../contracts/common.js';
import { RailError } from '../../contracts/errors.js';
import { ExecutionBinding } from '../../contracts/execution-binding.js';
import { LedgerEntry } from '../../contracts/ledger.js';
import { Receipt } from '../../contracts/receipt.js';
import { ResultContract, ResultPending } from '../../contracts/result-contract.js';
import { ResultEvent } from '../../contracts/result-event.js';
import { ToolCommand } from '../../contracts/tool-command.js';
import { resumeCursor, streamEvents, wantsEventStream } from '../../delivery/event-stream.js';
import { presentBinding, presentEvent } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { presentLedgerRow } from '../ledger-present.js';
import { BindingParams, ListOf, PageQuery, pick } from '../schemas.js';

const tags = ['bindings'];

export const bindingRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/bindings',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'List bindings, newest first',
        tags,
        querystring: Type.Object({
          state: Type.Optional(BindingState),
          tool: Type.Optional(Type.String({ maxLength: 64 })),
          work_order_id: Type.Optional(Type.String({ pattern: '^wo_[0-9a-f]{32}$' })),
          cursor: Type.Optional(Type.String({ pattern: '^bnd_[0-9a-f]{32}$' })),
          ...PageQuery,
        }),
        response: { 200: ListOf(ExecutionBinding), ...pick(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const rows = await rail.listBindings(who(request).tenantId, { ...q, limit });
      return { object: 'list' as const, data: rows.map(presentBinding), next_cursor: rows.length === limit ? rows.at(-1)!.binding_id : null };
    },
  );

  app.get(
    '/v1/bindings/:binding_id',
    { config: { scope: 'work:read' }, schema: { summary: 'Get an Execution Binding', tags, params: BindingParams, response: { 200: ExecutionBinding, ...pick(401, 403, 404) } } },
    async (request) => presentBinding(await rail.binding(who(request).tenantId, request.params.binding_id)),
  );

  app.get(
    '/v1/bindings/:binding_id/command',
    { config: { scope: 'work:read' }, schema: { summary: 'The Tool Execution Command sent to the tool', tags, params: BindingParams, response: { 200: ToolCommand, ...pick(401, 403, 404) } } },
    async (request) => (await rail.command(who(request).tenantId, request.params.binding_id)).body,
  );

  app.get(
    '/v1/bindings/:binding_id/result',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'The Result Contract (202 with the current state until it is final)',
        tags,
        params: BindingParams,
        response: { 200: ResultContract, 202: ResultPending, ...pick(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const tenant = who(request).tenantId;
      const result = await rail.store.getResult(tenant, request.params.binding_id);
      if (result) return result.body;
      const b = await rail.binding(tenant, request.params.binding_id);
      const retryAfterMs = b.state === 'retry_wait' && b.next_retry_at ? Math.max(500, b.next_retry_at - rail.ctx.now()) : 500;
      return reply
        .code(202)
        .header('retry-after', String(Math.ceil(retryAfterMs / 1000)))
        .send({ object: 'result_pending' as const, binding_id: b.binding_id, state: b.state, attempt: b.attempt, retry_after_ms: retryAfterMs });
    },
  );

  app.get(
    '/v1/bindings/:binding_id/events',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'Result events of a binding, in order',
        description:
          'JSON pages; `after` is the per-binding seq to continue from. With `Accept: text/event-stream`: Server-Sent Events, stored ones after `Last-Event-ID` (or `after`) then live ones; each `id:` is the seq to resume from.',
        tags,
        params: BindingParams,
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0 })), ...PageQuery }),
        response: { 200: ListOf(ResultEvent), ...pick(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const tenant = who(request).tenantId;
      await rail.binding(tenant, request.params.binding_id);
      if (wantsEventStream(request)) {
        const scope = { tenantId: tenant, bindingId: request.params.binding_id };
        return streamEvents(rail.ctx, request, reply, scope, resumeCursor(request, request.query.after));
      }
      const limit = request.query.limit ?? 100;
      const rows = await rail.store.listEvents(tenant, { bindingId: request.params.binding_id, after: request.query.after, limit });
      return { object: 'list' as const, data: rows.map(presentEvent), next_cursor: rows.length === limit ? String(rows.at(-1)!.seq) : null };
    },
  );

  app.get(
    '/v1/bindings/:binding_id/receipts',
    { config: { scope: 'work:read' }, schema: { summary: 'Receipts of a binding', tags, params: BindingParams, response: { 200: ListOf(Receipt), ...pick(401, 403, 404) } } },
    async (request) => {
      const tenant = who(request).tenantId;
      await rail.binding(tenant, request.params.binding_id);
      return { object: 'list' as const, data: await rail.store.listReceipts(tenant, request.params.binding_id), next_cursor: null };
    },
  );

  app.get(
    '/v1/bindings/:binding_id/attestation',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'The signed attestation (in-toto Statement in a DSSE envelope)',
        tags,
        params: BindingParams,
        response: {
          200: Type.Object({ object: Type.Literal('attestation'), binding_id: Type.String(), key_id: Type.String(), digest: Type.String(), envelope: DsseEnvelope }),
          ...pick(401, 403, 404),
        },
      },
    },
    async (request) => {
      const a = await rail.store.getAttestation(who(request).tenantId, request.params.binding_id);
      if (!a) throw new RailError('not_found', 'no attestation for this binding (not finished yet, or attestation was not requested)');
      return { object: 'attestation' as const, binding_id: a.binding_id, key_id: a.key_id, digest: a.digest, envelope: a.envelope };
    },
  );

  app.get(
    '/v1/bindings/:binding_id/ledger',
    { config: { scope: 'work:read' }, schema: { summary: 'The ledger entries of a binding', tags, params: BindingParams, response: { 200: ListOf(LedgerEntry), ...pick(401, 403, 404) } } },
    async (request) => {
      const b = await rail.binding(who(request).tenantId, request.params.binding_id);
      const kinds = ['work_order.accepted', 'binding.replayed', 'binding.finalized'] as const;
      const rows = await Promise.all(kinds.map((k) => rail.store.findLedgerEntry(b.binding_id, k)));
      return { object: 'list' as const, data: rows.filter((r) => r !== undefined).map(presentLedgerRow), next_cursor: null };
    },
  );

  const action = (summary: string, description: string) => ({
    config: { scope: 'work:operate' as const },
    schema: { summary, description, tags, params: BindingParams, response: { 200: ExecutionBinding, 202: ExecutionBinding, ...pick(401, 403, 404, 409) } },
  });

  app.post(
    '/v1/bindings/:binding_id/cancel',
    action('Cancel a binding', 'Queued or waiting work is cancelled at once; running work is asked to stop (its next heartbeat answers 409).'),
    async (request) => presentBinding(await rail.cancel(who(request).tenantId, request.params.binding_id, who(request))),
  );

  app.post(
    '/v1/bindings/:binding_id/retry',
    action('Run a waiting retry now', 'A binding in retry_wait goes back to the queue at once.'),
    async (request) => presentBinding(await rail.retry(who(request).tenantId, request.params.binding_id, who(request))),
  );

  app.post(
    '/v1/bindings/:binding_id/replay',
    {
      config: { scope: 'work:operate' },
      schema: {
        summary: 'Replay a finished binding',
        description:
          'A new binding for the same Work Order with replay_of set; the same inputs, or the original inputs with input_patch merged in (RFC 7386). Its result says whether the output digest matched (replay.deterministic).',
        tags,
        params: BindingParams,
        body: Type.Optional(Type.Object({ input_patch: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { maxProperties: 1000 })) }, { additionalProperties: false })),
        response: { 202: ExecutionBinding, ...pick(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const b = await rail.replay(who(request).tenantId, request.params.binding_id, request.body?.input_patch, who(request));
      const binding = presentBinding(b);
      return reply.code(202).header('location', binding.links.self).send(binding);
    },
  );
};
