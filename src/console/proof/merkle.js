/** RFC 9162 Merkle tree hashing in the page: leaf and node hashes, and the inclusion proof fold. */
import { concat, sha256 } from './bytes.js';

/** RFC 9162 §2.1.1: SHA-256(0x00 ‖ leaf). */
export const leafHash = (leaf) => sha256(concat(Uint8Array.of(0), leaf));

/** RFC 9162 §2.1.1: SHA-256(0x01 ‖ left ‖ right). */
export const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// Halving by division, not `>>`: JS shifts work on 32 bits and a ledger may outgrow 2^31 leaves.
const half = (n) => Math.floor(n / 2);
const odd = (n) => n % 2 === 1;

/**
 * RFC 9162 §2.1.3.2: the root that `proof` leads to from `leaf` (a leaf hash) at `index` in a
 * tree of `size` leaves. Answers { root } or { reason } when the proof cannot be folded.
 */
export async function foldInclusionProof(leaf, index, size, proof) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return { reason: `leaf index ${index} is not inside a tree of ${size} leaves` };
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return { reason: 'the proof has more hashes than the tree has levels' };
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return { reason: 'the proof has fewer hashes than the tree has levels' };
  return { root: r };
}
