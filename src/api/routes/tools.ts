/** /v1/tools: the registered operating tools and their manifests. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RailError } from '../../contracts/errors.js';
import type { Rail } from '../../rail/rail.js';
import { toolManifest } from '../../tools/manifest.js';
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
};
