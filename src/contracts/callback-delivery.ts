/** Result callbacks (Standard Webhooks): a binding's delivery state with every try, and the tenant's signing secret. */
import { Type, type Static } from 'typebox';
import { BindingId, TenantId, Timestamp } from './common.js';
import { CallbackState } from './result-contract.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CallbackAttempt = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    started_at: Timestamp,
    status_code: Nullable(Type.Integer({ description: 'The receiver\'s HTTP status; null when no answer came.' })),
    latency_ms: Type.Integer({ minimum: 0 }),
    error: Nullable(Type.String({ description: 'What went wrong: HTTP 500, ECONNREFUSED, no answer within N ms, callback_url_refused: …' })),
    outcome: Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('failed')]),
  },
  { additionalProperties: false },
);

export const CallbackDelivery = Type.Object(
  {
    object: Type.Literal('callback_delivery'),
    binding_id: BindingId,
    webhook_id: Nullable(Type.String({ description: 'Standard Webhooks webhook-id: the same on every try; de-duplicate by it.' })),
    url: Nullable(Type.String()),
    state: CallbackState,
    attempts: Type.Integer({ minimum: 0 }),
    next_attempt_at: Nullable(Timestamp),
    last_status_code: Nullable(Type.Integer()),
    last_error: Nullable(Type.String()),
    delivered_at: Nullable(Timestamp),
    created_at: Nullable(Timestamp),
    updated_at: Nullable(Timestamp),
    attempt_log: Type.Array(CallbackAttempt, { description: 'Every try, oldest first.' }),
    links: Type.Object({ self: Type.String(), redeliver: Type.String(), result: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type CallbackDelivery = Static<typeof CallbackDelivery>;

export const CallbackSecret = Type.Object(
  {
    object: Type.Literal('callback_secret'),
    tenant_id: TenantId,
    secret: Type.String({ pattern: '^whsec_', description: 'Standard Webhooks secret: whsec_ + base64 key.' }),
    scheme: Type.Literal('standard-webhooks-v1'),
    created_at: Timestamp,
    rotated_at: Nullable(Timestamp),
    previous_valid_until: Nullable(Timestamp),
  },
  { additionalProperties: false },
);
export type CallbackSecret = Static<typeof CallbackSecret>;
