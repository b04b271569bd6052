/** /healthz: the process is up and its store answers. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Rail } from '../../rail/rail.js';

export const healthRoutes = (rail: Rail, version: string): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/healthz',
    {
      config: { scope: 'public' },
      schema: {
        summary: 'Liveness and store health',
        tags: ['meta'],
        response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), store: Type.String(), ledger_size: Type.Integer() }) },
      },
    },
    async () => ({ status: 'ok' as const, version, store: rail.store.dialect, ledger_size: await rail.store.ledgerSize() }),
  );
};
