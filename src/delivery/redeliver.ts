/** Manual redelivery: a delivered or failed callback is queued again, due now, with the same webhook-id. */
import { RailError } from '../contracts/errors.js';
import { audit, type Actor } from '../rail/audit.js';
import type { RailContext } from '../rail/context.js';
import type { CallbackDeliveryRow } from '../store/types.js';

export async function redeliverCallback(ctx: RailContext, actor: Actor, bindingId: string): Promise<CallbackDeliveryRow> {
  const { store } = ctx;
  const b = await store.getBinding(actor.tenantId, bindingId);
  if (!b) throw new RailError('not_found', `no binding ${bindingId}`);
  const cmd = await store.getCommand(actor.tenantId, bindingId);
  if (!cmd?.body.return.callback_url) throw new RailError('not_found', `binding ${bindingId} asked for no callback (return.callback_url)`);
  const now = ctx.now();
  await store.write(async (tx) => {
    const d = await tx.lockCallbackDelivery(bindingId);
    if (!d) throw new RailError('invalid_state', `binding ${bindingId} is ${b.state}; its callback is sent when it finishes`);
    // A try in flight keeps its lease; its outcome then counts as the first try of this round.
    await tx.updateCallbackDelivery(bindingId, { state: 'pending', round_attempts: 0, next_attempt_at: now, updated_at: now });
    await tx.setResultCallback(bindingId, { state: 'pending', attempts: d.attempts });
    await audit(tx, actor, 'callback.redeliver', bindingId, now, { previous_state: d.state, webhook_id: d.webhook_id });
  });
  return (await store.getCallbackDelivery(actor.tenantId, bindingId))!;
}
