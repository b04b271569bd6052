/** Queues a result callback in the transaction that finalizes its binding: it is durable the moment the result is. */
import type { ResultContract } from '../contracts/result-contract.js';
import type { StoreTx } from '../store/store.js';
import type { BindingRow } from '../store/types.js';
import { callbackPayload } from './callback-payload.js';

/** The webhook-id of a binding's callback: derived from the binding id, so it never changes. */
export function webhookIdOf(bindingId: string): string {
  return `msg_${bindingId.replace(/^bnd_/, '')}`;
}

export async function enqueueCallback(tx: StoreTx, b: BindingRow, url: string, result: ResultContract, now: number): Promise<void> {
  await tx.insertCallbackDelivery({
    binding_id: b.binding_id,
    tenant_id: b.tenant_id,
    webhook_id: webhookIdOf(b.binding_id),
    url,
    state: 'pending',
    attempts: 0,
    round_attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_expires_at: null,
    payload: JSON.stringify(callbackPayload(b, result)),
    last_status: null,
    last_error: null,
    delivered_at: null,
    created_at: now,
    updated_at: now,
  });
}
