/** The operator audit log: who (API key id) did what, to which target, when. */
import type { StoreTx } from '../store/store.js';
import type { AuditDraft } from '../store/types.js';

/** The caller of an operator action: the key that acted and its tenant. */
export interface Actor {
  keyId: string;
  tenantId: string;
}

export type AuditAction =
  | 'binding.cancel'
  | 'binding.retry'
  | 'binding.replay'
  | 'callback.redeliver'
  | 'callback.secret.rotate'
  | 'queue.tool.pause'
  | 'queue.tool.resume'
  | 'queue.callbacks.pause'
  | 'queue.callbacks.resume'
  | 'tool.register'
  | 'tool.retire'
  | 'tenant.create'
  | 'api_key.create'
  | 'api_key.revoke';

/** Writes one audit row in the transaction of the action it records. */
export async function audit(
  tx: StoreTx,
  actor: Actor,
  action: AuditAction,
  target: string,
  now: number,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const row: AuditDraft = { tenant_id: actor.tenantId, actor: actor.keyId, action, target, detail, at: now };
  await tx.insertAudit(row);
}
