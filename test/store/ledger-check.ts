/** Recomputes a store's whole ledger from its leaves and checks every stored hash and proof against it. */
import assert from 'node:assert/strict';
import { ledgerLeafBytes } from '../../src/proof/ledger-leaf.js';
import { consistencyProof, inclusionProof, leafHash, nodeHash, rootHash, verifyConsistency, verifyInclusion } from '../../src/proof/merkle.js';
import type { StoreReader } from '../../src/store/store.js';

/** RFC 9162 §2.1.1 MTH, straight from the definition (no stored nodes). */
export function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/**
 * Asserts the ledger is seqs 0..n-1 without gaps, every leaf hash is the hash of its own fields,
 * the root made from stored subtree nodes equals the one recomputed from the leaves, and inclusion
 * (every leaf, or every `step`-th) and consistency proofs verify. Returns the tree size.
 */
export async function checkLedger(store: StoreReader, opts: { step?: number } = {}): Promise<number> {
  const n = await store.ledgerSize();
  const leaves: Buffer[] = [];
  for (let seq = 0; seq < n; seq++) {
    const e = await store.getLedgerEntry(seq);
    assert.ok(e, `ledger entry ${seq} of ${n} is missing`);
    assert.equal(e.seq, seq);
    const h = leafHash(ledgerLeafBytes(e));
    assert.equal(e.leaf_hash, h.toString('hex'), `leaf ${seq} hash`);
    leaves.push(h);
  }
  assert.equal(await store.getLedgerEntry(n), undefined, 'nothing past the tree size');
  if (n === 0) return 0;
  const fetch = (coords: { level: number; index: number }[]) => store.ledgerNodes(coords);
  const root = await rootHash(n, fetch);
  assert.equal(root.toString('hex'), referenceRoot(leaves).toString('hex'), 'root from stored nodes');
  const step = opts.step ?? 1;
  for (let i = 0; i < n; i += step) {
    const proof = await inclusionProof(i, n, fetch);
    assert.ok(verifyInclusion(leaves[i]!, i, n, proof, root), `inclusion of leaf ${i} in ${n}`);
  }
  for (let m = 1; m < n; m += step) {
    const proof = await consistencyProof(m, n, fetch);
    assert.ok(verifyConsistency(m, n, proof, referenceRoot(leaves.slice(0, m)), root), `consistency ${m} → ${n}`);
  }
  return n;
}
