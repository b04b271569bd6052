/** /v1/me: who the calling key is, so a client (the console) offers only the actions it may take. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SCOPES } from '../../rail/api-keys.js';
import { who } from '../auth.js';
import { pick } from '../schemas.js';

const Principal = Type.Object(
  {
    object: Type.Literal('principal'),
    key_id: Type.String(),
    tenant_id: Type.String(),
    scopes: Type.Array(Type.Unsafe<string>({ type: 'string', enum: [...SCOPES] })),
    tools: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'tool:execute limited to these tools; null = any.' }),
  },
  { additionalProperties: false },
);

export const meRoutes = (): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/me',
    {
      config: { scope: 'authenticated' },
      schema: {
        summary: 'The calling API key: its tenant, scopes and tools',
        description: 'Any valid key may ask. The key value itself is never returned.',
        tags: ['meta'],
        response: { 200: Principal, ...pick(401) },
      },
    },
    async (request) => {
      const p = who(request);
      return { object: 'principal' as const, key_id: p.keyId, tenant_id: p.tenantId, scopes: [...p.scopes], tools: p.tools === null ? null : [...p.tools] };
    },
  );
};
