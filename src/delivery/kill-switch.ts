/** The callback kill switch: while it is on, no callback is sent (deliveries stay pending). */
import { audit, type Actor } from '../rail/audit.js';
import type { StoreReader, Store } from '../store/store.js';

export const CALLBACKS_PAUSED = 'callbacks_paused';

export async function callbacksPaused(store: StoreReader): Promise<boolean> {
  return (await store.getSwitch(CALLBACKS_PAUSED)) === 'true';
}

export async function setCallbacksPaused(store: Store, paused: boolean, actor: Actor, now: number): Promise<void> {
  await store.write(async (tx) => {
    await tx.setSwitch(CALLBACKS_PAUSED, String(paused), now);
    await audit(tx, actor, paused ? 'queue.callbacks.pause' : 'queue.callbacks.resume', 'callbacks', now);
  });
}
