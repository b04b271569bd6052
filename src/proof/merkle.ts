/**
 * RFC 9162 Merkle tree math (the same hashing as RFC 6962): roots, inclusion and consistency
 * proofs built from stored complete subtrees, their verification, and an O(1) appender.
 *
 * Sizes and indices are plain numbers. Bitwise operators are avoided on purpose: JS `>>`/`&` work on
 * 32 bits, and a ledger may outgrow 2^31 leaves; halving by division stays exact up to 2^53.
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** A complete, aligned subtree covering leaves [index·2^level, (index+1)·2^level). Level 0 = leaf hashes. */
export interface NodeCoord {
  level: number;
  index: number;
}

/** A new complete node made by an append; the store saves it so later proofs can fetch it. */
export interface CompletedNode extends NodeCoord {
  hash: Buffer;
}

/** Returns the hashes of the given complete subtrees, in the same order. One store query per call. */
export type NodeFetcher = (coords: NodeCoord[]) => Promise<Buffer[]> | Buffer[];

/** RFC 9162 §2.1.1: SHA-256(0x00 ‖ leaf). Strings are hashed as UTF-8. */
export function leafHash(leaf: Uint8Array | string): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** RFC 9162 §2.1.1: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of no bytes. */
export function emptyRootHash(): Buffer {
  return createHash('sha256').digest();
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

// ---------------------------------------------------------------------------------------------
// Ranges: every subtree the RFC's recursion touches is a leaf range [start, end) whose start is a
// multiple of the smallest power of two ≥ its width. Its hash folds the complete subtrees given by
// the set bits of the width, largest first — exactly the RFC split at k = largest power of 2 < n.
// ---------------------------------------------------------------------------------------------

interface LeafRange {
  start: number;
  end: number;
}

/** The complete aligned subtrees on the right edge of a tree of `treeSize` leaves, largest first. */
export function frontierCoords(treeSize: number): NodeCoord[] {
  assertSize(treeSize, 'treeSize');
  return rangeCoords({ start: 0, end: treeSize });
}

function rangeCoords({ start, end }: LeafRange): NodeCoord[] {
  const coords: NodeCoord[] = [];
  let level = 0;
  while (2 ** (level + 1) <= end - start) level++;
  for (let at = start; at < end; level--) {
    const width = 2 ** level;
    if (at + width <= end) {
      coords.push({ level, index: at / width });
      at += width;
    }
  }
  return coords;
}

/** Folds a range's complete subtrees (largest first) right to left into the range's hash. */
function foldRight(hashes: Buffer[]): Buffer {
  let acc = hashes[hashes.length - 1];
  if (acc === undefined) return emptyRootHash();
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Buffer, acc);
  return acc;
}

/** Fetches every range's subtrees in one fetcher call and returns one hash per range. */
async function hashRanges(ranges: LeafRange[], fetch: NodeFetcher): Promise<Buffer[]> {
  const perRange = ranges.map(rangeCoords);
  const coords = perRange.flat();
  if (coords.length === 0) return ranges.map(() => emptyRootHash());
  const hashes = await fetch(coords);
  if (hashes.length !== coords.length) {
    throw new Error(`node fetcher returned ${hashes.length} hashes for ${coords.length} coordinates`);
  }
  let offset = 0;
  return perRange.map((c) => {
    const slice = hashes.slice(offset, offset + c.length);
    offset += c.length;
    return foldRight(slice);
  });
}

// ---------------------------------------------------------------------------------------------
// Proof generation: walk the RFC recursion top-down to list the sibling ranges, fetch once, fold.
// ---------------------------------------------------------------------------------------------

/** RFC 9162 §2.1.1 MTH(D[0:treeSize]). */
export async function rootHash(treeSize: number, fetch: NodeFetcher): Promise<Buffer> {
  assertSize(treeSize, 'treeSize');
  const [root] = await hashRanges([{ start: 0, end: treeSize }], fetch);
  return root as Buffer;
}

/** RFC 9162 §2.1.3.1 PATH(leafIndex, D[0:treeSize]), deepest sibling first. */
export async function inclusionProof(leafIndex: number, treeSize: number, fetch: NodeFetcher): Promise<Buffer[]> {
  assertSize(treeSize, 'treeSize');
  assertSize(leafIndex, 'leafIndex');
  if (leafIndex >= treeSize) throw new RangeError(`leafIndex ${leafIndex} is not below treeSize ${treeSize}`);
  const siblings: LeafRange[] = [];
  let { start, end } = { start: 0, end: treeSize };
  while (end - start > 1) {
    const mid = start + largestPowerOfTwoBelow(end - start);
    if (leafIndex < mid) {
      siblings.push({ start: mid, end });
      end = mid;
    } else {
      siblings.push({ start, end: mid });
      start = mid;
    }
  }
  return hashRanges(siblings.reverse(), fetch);
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true). Empty when m is 0 or n, which
 * the RFC leaves undefined; verifyConsistency accepts exactly those empty proofs.
 */
export async function consistencyProof(m: number, n: number, fetch: NodeFetcher): Promise<Buffer[]> {
  assertSize(m, 'm');
  assertSize(n, 'n');
  if (m > n) throw new RangeError(`old size ${m} exceeds new size ${n}`);
  if (m === 0 || m === n) return [];
  const parts: LeafRange[] = [];
  let { start, end } = { start: 0, end: n };
  let oldSize = m; // the old tree's leaves inside the current range
  let wholeOldTree = true; // the SUBPROOF flag b: the old tree's root is known to the verifier
  for (;;) {
    if (start + oldSize === end) {
      if (!wholeOldTree) parts.push({ start, end });
      break;
    }
    const k = largestPowerOfTwoBelow(end - start);
    if (oldSize <= k) {
      parts.push({ start: start + k, end });
      end = start + k;
    } else {
      parts.push({ start, end: start + k });
      start += k;
      oldSize -= k;
      wholeOldTree = false;
    }
  }
  return hashRanges(parts.reverse(), fetch);
}

// ---------------------------------------------------------------------------------------------
// Verification: never throws; any malformed input is simply not a valid proof.
// ---------------------------------------------------------------------------------------------

/** RFC 9162 §2.1.3.2: does `proof` place `leaf` at `leafIndex` in the tree of `treeSize` with `root`? */
export function verifyInclusion(
  leaf: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: is the tree of size `n` with `newRoot` an append-only extension of size `m`
 * with `oldRoot`? Outside the RFC's 0 < m < n: m = n needs an empty proof and equal roots; m = 0
 * needs an empty proof and `oldRoot` = the empty-tree hash.
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!isSize(m) || !isSize(n) || m > n) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !proof.every(isHash)) return false;
  if (m === 0) {
    return proof.length === 0 && sameBytes(oldRoot, emptyRootHash()) && (n > 0 || sameBytes(newRoot, oldRoot));
  }
  if (m === n) return proof.length === 0 && sameBytes(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameBytes(fr, oldRoot) && sameBytes(sr, newRoot);
}

// ---------------------------------------------------------------------------------------------
// Appender: the right-edge frontier is all an append needs, so appends cost O(1) amortised hashes.
// ---------------------------------------------------------------------------------------------

/** The right edge of a growing tree: one complete-subtree hash per set bit of its size, largest first. */
export class MerkleFrontier {
  #size: number;
  readonly #frontier: Buffer[];

  constructor(treeSize: number, frontier: readonly Buffer[]) {
    assertSize(treeSize, 'treeSize');
    const expected = frontierCoords(treeSize).length;
    if (frontier.length !== expected) {
      throw new RangeError(`a tree of ${treeSize} leaves has ${expected} frontier hashes, got ${frontier.length}`);
    }
    if (!frontier.every(isHash)) throw new RangeError(`frontier hashes must be ${HASH_SIZE} bytes`);
    this.#size = treeSize;
    this.#frontier = frontier.map((h) => Buffer.from(h));
  }

  /** Reads the frontier of a stored tree with one fetcher call. */
  static async load(treeSize: number, fetch: NodeFetcher): Promise<MerkleFrontier> {
    const coords = frontierCoords(treeSize);
    const hashes = coords.length === 0 ? [] : await fetch(coords);
    return new MerkleFrontier(treeSize, hashes);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash; returns every complete node of level ≥ 1 this append completed, lowest first. */
  append(leaf: Buffer): CompletedNode[] {
    if (!isHash(leaf)) throw new RangeError(`leaf hash must be ${HASH_SIZE} bytes`);
    const completed: CompletedNode[] = [];
    let hash: Buffer = Buffer.from(leaf);
    let index = this.#size;
    // Each trailing set bit of the old size is a frontier subtree the new node now pairs with.
    for (let bits = this.#size, level = 0; isOdd(bits); bits = half(bits), level++) {
      hash = nodeHash(this.#frontier.pop() as Buffer, hash);
      index = half(index);
      completed.push({ level: level + 1, index, hash });
    }
    this.#frontier.push(hash);
    this.#size += 1;
    return completed;
  }

  /** MTH of the current tree. */
  root(): Buffer {
    return foldRight(this.#frontier);
  }

  /** Copies of the frontier hashes, largest subtree first (matching frontierCoords(size)). */
  frontierHashes(): Buffer[] {
    return this.#frontier.map((h) => Buffer.from(h));
  }
}

// ---------------------------------------------------------------------------------------------
// Integer arithmetic without 32-bit bitwise operators.
// ---------------------------------------------------------------------------------------------

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function assertSize(n: number, name: string): void {
  if (!isSize(n)) throw new RangeError(`${name} must be a non-negative safe integer, got ${n}`);
}

function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && largestPowerOfTwoAtMost(n) === n;
}

function largestPowerOfTwoAtMost(n: number): number {
  if (n < 1) return 0;
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** RFC 9162's k for a split of n > 1 leaves: the largest power of two strictly below n. */
function largestPowerOfTwoBelow(n: number): number {
  return largestPowerOfTwoAtMost(n - 1);
}
