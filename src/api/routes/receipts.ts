/** /v1/receipts: content-addressed receipt documents. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Receipt } from '../../contracts/receipt.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { pick } from '../schemas.js';

export const receiptRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/receipts/:receipt_id',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'Get a receipt',
        description: 'digest = sha256 of the RFC 8785 canonical JSON of the receipt without its digest field.',
        tags: ['receipts'],
        params: Type.Object({ receipt_id: Type.String({ pattern: '^rcp_[0-9a-f]{32}$' }) }),
        response: { 200: Receipt, ...pick(401, 403, 404) },
      },
    },
    async (request) => rail.receipt(who(request).tenantId, request.params.receipt_id),
  );
};
