/** /v1/tools: the registered operating tools and their manifests; remote tools are registered and retired here. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RailError } from '../../contracts/errors.js';
import type { Rail } from '../../rail/rail.js';
import { toolManifest } from '../../tools/manifest.js';
import { RemoteToolManifest, TOOL_NAME_RE } from '../../tools/remote.js';
import { who } from '../auth.js';
import { pick } from '../schemas.js';

const Manifest = Type.Object({ object: Type.Literal('tool'), name: Type.String(), version: Type.String() }, { additionalProperties: true });

export const toolRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/tools',
    { config: { scope: 'work:read' }, schema: { summary: 'List operating tools', tags: ['tools'], response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(Manifest) }), ...pick(401, 403) } } },
    async () => ({ object: 'list' as const, data: rail.ctx.registry.list().map(toolManifest) }),
  );

  app.get(
    '/v1/tools/:name',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: "A tool's manifest: operations, capabilities, schemas, evidence checklist",
        tags: ['tools'],
        params: Type.Object({ name: Type.String({ maxLength: 64 }) }),
        response: { 200: Manifest, ...pick(401, 403, 404) },
      },
    },
    async (request) => {
      const tool = rail.ctx.registry.get(request.params.name);
      if (!tool) throw new RailError('not_found', `no tool ${request.params.name}`);
      return toolManifest(tool);
    },
  );

  const ToolName = Type.Object({ name: Type.String({ pattern: TOOL_NAME_RE.source }) });

  app.put(
    '/v1/tools/:name',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Register (or replace) a remote tool',
        description:
          'A tool that runs outside the rail, in any language: its workers claim work with POST /v1/tool-tasks/claim. Every schema must compile; the name of an in-process tool is refused (409). Other processes sharing the store pick the change up within seconds.',
        tags: ['tools'],
        params: ToolName,
        body: RemoteToolManifest,
        response: { 200: Manifest, 201: Manifest, ...pick(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const { created } = await rail.remoteTools.register(name, request.body, who(request));
      return reply.code(created ? 201 : 200).header('location', `/v1/tools/${name}`).send(toolManifest(rail.ctx.registry.get(name)!));
    },
  );

  app.delete(
    '/v1/tools/:name',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Retire a remote tool',
        description: 'New work can no longer route to it; work already queued for it waits until it is registered again, or is cancelled.',
        tags: ['tools'],
        params: ToolName,
        response: { 204: Type.Null({ description: 'Retired.' }), ...pick(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await rail.remoteTools.retire(request.params.name, who(request));
      return reply.code(204).send(null);
    },
  );
};
