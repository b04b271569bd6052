/** GET /v1/bindings/{id}/bundle: one result and all of its proof, for `bindrail verify` offline. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Bundle } from '../../contracts/bundle.js';
import { ResultPending } from '../../contracts/result-contract.js';
import { assembleBundle } from '../../rail/bundle.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { BindingParams, pick } from '../schemas.js';

export const bundleRoutes = (rail: Rail, origin: string): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/bindings/:binding_id/bundle',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'The verification bundle of a result (202 until the binding is final)',
        description:
          'Self-contained JSON: the result contract, its receipts, the DSSE attestation, the ledger leaf with an RFC 9162 inclusion proof against the signed checkpoint in the bundle, and the public keys that signed. When no checkpoint covers the leaf yet, one is signed on the spot. Check it offline with `bindrail verify bundle.json`.',
        tags: ['bindings'],
        params: BindingParams,
        response: { 200: Bundle, 202: ResultPending, ...pick(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const tenant = who(request).tenantId;
      const result = await rail.store.getResult(tenant, request.params.binding_id);
      if (result) return assembleBundle({ store: rail.store, key: rail.ctx.key, origin, now: rail.ctx.now }, result);
      const b = await rail.binding(tenant, request.params.binding_id);
      return reply
        .code(202)
        .header('retry-after', '1')
        .send({ object: 'result_pending' as const, binding_id: b.binding_id, state: b.state, attempt: b.attempt, retry_after_ms: 1000 });
    },
  );
};
