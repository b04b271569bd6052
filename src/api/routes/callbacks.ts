/** Result callbacks: a binding's delivery log, manual redelivery, and the tenant's signing secret. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CallbackDelivery, CallbackSecret } from '../../contracts/callback-delivery.js';
import { presentCallback } from '../../delivery/present-callback.js';
import { redeliverCallback } from '../../delivery/redeliver.js';
import { ensureWebhookSecret, rotateWebhookSecret } from '../../delivery/webhook-secrets.js';
import { iso } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import type { WebhookSecretRow } from '../../store/types.js';
import { who } from '../auth.js';
import { BindingParams, pick } from '../schemas.js';

const tags = ['callbacks'];

function presentSecret(row: WebhookSecretRow, now: number): CallbackSecret {
  const overlap = row.previous_expires_at !== null && row.previous_expires_at > now;
  return {
    object: 'callback_secret',
    tenant_id: row.tenant_id,
    secret: row.secret,
    scheme: 'standard-webhooks-v1',
    created_at: iso(row.created_at),
    rotated_at: row.rotated_at === null ? null : iso(row.rotated_at),
    previous_valid_until: overlap ? iso(row.previous_expires_at!) : null,
  };
}

export const callbackRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  async function delivery(tenantId: string, bindingId: string) {
    const b = await rail.binding(tenantId, bindingId);
    const [cmd, d, attempts] = await Promise.all([
      rail.store.getCommand(tenantId, bindingId),
      rail.store.getCallbackDelivery(tenantId, bindingId),
      rail.store.listCallbackAttempts(tenantId, bindingId),
    ]);
    return presentCallback(b, cmd?.body.return.callback_url ?? null, d, attempts);
  }

  app.get(
    '/v1/bindings/:binding_id/callback',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'The callback of a binding: delivery state and every try',
        description: 'Each try with its HTTP status, latency and error. `state` is none when the Work Order asked for no callback.',
        tags,
        params: BindingParams,
        response: { 200: CallbackDelivery, ...pick(401, 403, 404) },
      },
    },
    async (request) => delivery(who(request).tenantId, request.params.binding_id),
  );

  app.post(
    '/v1/bindings/:binding_id/callback/redeliver',
    {
      config: { scope: 'work:operate' },
      schema: {
        summary: 'Send a callback again',
        description: 'A delivered or failed callback is queued again, due now, with the same webhook-id and the full backoff schedule. 409 while the binding has not finished.',
        tags,
        params: BindingParams,
        response: { 202: CallbackDelivery, ...pick(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = who(request);
      await redeliverCallback(rail.ctx, p, request.params.binding_id);
      return reply.code(202).send(await delivery(p.tenantId, request.params.binding_id));
    },
  );

  app.get(
    '/v1/callbacks/secret',
    {
      config: { scope: 'work:operate' },
      schema: {
        summary: "The tenant's callback signing secret",
        description: 'Standard Webhooks: verify `webhook-signature` (v1, HMAC-SHA256 of "webhook-id.webhook-timestamp.body") with this secret. Created on first use.',
        tags,
        response: { 200: CallbackSecret, ...pick(401, 403) },
      },
    },
    async (request) => presentSecret(await ensureWebhookSecret(rail.store, who(request).tenantId, rail.ctx.now()), rail.ctx.now()),
  );

  app.post(
    '/v1/callbacks/secret/rotate',
    {
      config: { scope: 'work:operate' },
      schema: {
        summary: "Rotate the tenant's callback signing secret",
        description: 'Answers the new secret. For 24 h both the new and the previous secret sign every callback (two v1 signatures), so receivers can switch without missing one.',
        tags,
        response: { 200: CallbackSecret, ...pick(401, 403) },
      },
    },
    async (request) => presentSecret(await rotateWebhookSecret(rail.store, who(request), rail.ctx.now()), rail.ctx.now()),
  );
};
