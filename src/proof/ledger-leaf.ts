/** The ledger leaf: the exact bytes the Merkle tree hashes for one ledger entry. */
import { canonicalize } from './canonical.js';

export interface LeafFields {
  seq: number;
  kind: string;
  binding_id: string;
  work_order_id: string;
  digest: string;
  at: string;
}

/** RFC 8785 canonical JSON of {seq, kind, binding_id, work_order_id, digest, at}; nothing else enters the leaf. */
export function ledgerLeafBytes(f: LeafFields): Buffer {
  return Buffer.from(
    canonicalize({ seq: f.seq, kind: f.kind, binding_id: f.binding_id, work_order_id: f.work_order_id, digest: f.digest, at: f.at }),
  );
}
