/**
 * A small RFC 9162 Merkle Tree Hash, kept here so a packet root depends on nothing but SHA-256.
 * (The ledger's full Merkle library with proofs lives in src/proof/merkle.ts.)
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** RFC 9162 §2.1.1: interior node hash = SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtreeRoot(leaves: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 1) return leaves[start]!;
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** Merkle Tree Hash of the ordered leaf data, hex. The empty tree's root is SHA-256 of nothing. */
export function merkleRootHex(leafData: readonly Uint8Array[]): string {
  if (leafData.length === 0) return createHash('sha256').digest('hex');
  const leaves = leafData.map(leafHash);
  return subtreeRoot(leaves, 0, leaves.length).toString('hex');
}
