/**
 * The verification bundle of a finished binding: its result contract, receipts, attestation,
 * ledger leaf with an inclusion proof against a signed checkpoint, and the public keys that signed.
 * Everything `bindrail verify` needs, offline.
 */
import type { Bundle } from '../contracts/bundle.js';
import { checkpointObject } from '../proof/checkpoint.js';
import { inclusionProof } from '../proof/merkle.js';
import type { ResultRow } from '../store/types.js';
import { checkpointCovering, type CheckpointDeps } from './checkpointer.js';

/**
 * Assembles the bundle of a stored result. The proof is against the latest checkpoint when it
 * covers the leaf; otherwise a checkpoint of the current tree is signed now, so a bundle is
 * available as soon as the result is.
 */
export async function assembleBundle(deps: CheckpointDeps, result: ResultRow): Promise<Bundle> {
  const { store } = deps;
  const body = result.body;
  const seq = body.ledger.seq;
  const [leaf, stored, attestation, checkpoint] = await Promise.all([
    store.getLedgerEntry(seq),
    store.listReceipts(result.tenant_id, result.binding_id),
    store.getAttestation(result.tenant_id, result.binding_id),
    checkpointCovering(deps, seq),
  ]);
  if (!leaf) throw new Error(`ledger leaf ${seq} of ${result.binding_id} is missing`);
  const proof = await inclusionProof(seq, checkpoint.tree_size, (coords) => store.ledgerNodes(coords));
  const signers = new Set([checkpoint.key_id, ...(attestation ? [attestation.key_id] : [])]);
  const keys = (await store.listSigningKeys()).filter((k) => signers.has(k.key_id));
  // The result's order; receipts it does not name stay out (the verifier would flag them).
  const receipts = body.receipts.flatMap((ref) => stored.filter((r) => r.receipt_id === ref.receipt_id));
  return {
    object: 'bundle',
    version: 1,
    binding_id: result.binding_id,
    result_contract: body,
    receipts,
    attestation: attestation ? { envelope: attestation.envelope, digest: attestation.digest, key_id: attestation.key_id } : null,
    ledger: {
      entry: {
        object: 'ledger_entry',
        leaf: { seq: leaf.seq, kind: leaf.kind, binding_id: leaf.binding_id, work_order_id: leaf.work_order_id, digest: leaf.digest, at: leaf.at },
        leaf_hash: leaf.leaf_hash,
      },
      inclusion_proof: proof.map((h) => h.toString('hex')),
      tree_size: checkpoint.tree_size,
    },
    checkpoint: checkpointObject(checkpoint),
    public_keys: keys.map((k) => ({ key_id: k.key_id, algorithm: k.algorithm, public_key: k.public_key })),
  };
}
