/** Shapes a binding's callback delivery and its tries into the public CallbackDelivery object. Pure. */
import type { CallbackDelivery } from '../contracts/callback-delivery.js';
import { iso } from '../rail/present.js';
import type { BindingRow, CallbackAttemptRow, CallbackDeliveryRow } from '../store/types.js';
import { webhookIdOf } from './enqueue.js';

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/**
 * `url` is the command's callback_url (null: none asked). Before the binding finishes there is
 * no delivery row yet: the callback is `pending` with no tries.
 */
export function presentCallback(
  b: BindingRow,
  url: string | null,
  d: CallbackDeliveryRow | undefined,
  attempts: CallbackAttemptRow[],
): CallbackDelivery {
  const self = `/v1/bindings/${b.binding_id}/callback`;
  return {
    object: 'callback_delivery',
    binding_id: b.binding_id,
    webhook_id: url ? webhookIdOf(b.binding_id) : null,
    url,
    state: d ? d.state : url ? 'pending' : 'none',
    attempts: d?.attempts ?? 0,
    next_attempt_at: d && d.state === 'pending' ? isoOrNull(d.next_attempt_at) : null,
    last_status_code: d?.last_status ?? null,
    last_error: d?.last_error ?? null,
    delivered_at: isoOrNull(d?.delivered_at ?? null),
    created_at: isoOrNull(d?.created_at ?? null),
    updated_at: isoOrNull(d?.updated_at ?? null),
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      started_at: iso(a.started_at),
      status_code: a.status_code,
      latency_ms: a.latency_ms,
      error: a.error,
      outcome: a.outcome,
    })),
    links: { self, redeliver: `${self}/redeliver`, result: `/v1/bindings/${b.binding_id}/result` },
  };
}
