/** Shapes a stored ledger row into the public LedgerEntry. */
import type { LedgerEntry } from '../contracts/ledger.js';
import type { LedgerRow } from '../store/types.js';

export function presentLedgerRow(r: LedgerRow): LedgerEntry {
  return {
    object: 'ledger_entry',
    leaf: { seq: r.seq, kind: r.kind, binding_id: r.binding_id, work_order_id: r.work_order_id, digest: r.digest, at: r.at },
    leaf_hash: r.leaf_hash,
  };
}
