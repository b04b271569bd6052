import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  consistencyProof,
  emptyRootHash,
  frontierCoords,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  nodeHash,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type NodeCoord,
  type NodeFetcher,
} from '../../src/proof/merkle.js';
import {
  CONSISTENCY_PROOFS,
  INCLUSION_PROOFS,
  LEAF_INPUTS_HEX,
  NODE_HASHES_HEX,
  ROOT_HASHES_HEX,
} from './vectors/rfc6962.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const toHex = (bs: Buffer[]): string[] => bs.map((b) => b.toString('hex'));
const key = ({ level, index }: NodeCoord): string => `${level}/${index}`;

/** Complete nodes as the store keeps them: leaf hashes plus whatever MerkleFrontier.append reports. */
function buildStore(leaves: Buffer[]): { nodes: Map<string, Buffer>; roots: Buffer[] } {
  const nodes = new Map<string, Buffer>();
  const frontier = new MerkleFrontier(0, []);
  const roots = [frontier.root()];
  leaves.forEach((leaf, index) => {
    nodes.set(key({ level: 0, index }), leaf);
    for (const node of frontier.append(leaf)) {
      assert.ok(!nodes.has(key(node)), `node ${key(node)} reported twice`);
      nodes.set(key(node), node.hash);
    }
    roots.push(frontier.root());
  });
  return { nodes, roots };
}

interface FetchStats {
  calls: number;
  coords: NodeCoord[];
}

/** A fetcher over the stored nodes that refuses any node reaching past leaf `limit`. */
function fetcher(nodes: Map<string, Buffer>, limit: number, stats?: FetchStats): NodeFetcher {
  return (coords) => {
    if (stats) {
      stats.calls += 1;
      stats.coords.push(...coords);
    }
    return coords.map((c) => {
      assert.ok((c.index + 1) * 2 ** c.level <= limit, `node ${key(c)} lies beyond tree size ${limit}`);
      const hash = nodes.get(key(c));
      assert.ok(hash, `node ${key(c)} was never stored`);
      return hash;
    });
  };
}

// Reference: the RFC 9162 §2.1 definitions, recursively over the leaf hash array.
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function refRoot(d: Buffer[]): Buffer {
  if (d.length === 0) return emptyRootHash();
  if (d.length === 1) return d[0] as Buffer;
  const k = largestPowerOfTwoBelow(d.length);
  return nodeHash(refRoot(d.slice(0, k)), refRoot(d.slice(k)));
}
function refPath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = largestPowerOfTwoBelow(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), refRoot(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), refRoot(d.slice(0, k))];
}
function refSubproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [refRoot(d)];
  const k = largestPowerOfTwoBelow(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refRoot(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refRoot(d.slice(0, k))];
}

function flipBit(b: Buffer, bit: number): Buffer {
  const out = Buffer.from(b);
  const at = Math.floor(bit / 8) % out.length;
  out[at] = (out[at] ?? 0) ^ (1 << bit % 8);
  return out;
}

const VECTOR_LEAVES = LEAF_INPUTS_HEX.map((h) => leafHash(hex(h)));
const VECTOR_STORE = buildStore(VECTOR_LEAVES);

const MAX_SIZE = 10_000;
const BIG_LEAVES = Array.from({ length: MAX_SIZE }, (_, i) => leafHash(`leaf ${i}`));
const BIG_STORE = buildStore(BIG_LEAVES);

// Derived by modulo rather than fc.chain: chained arbitraries shrink poorly, so a failure would take minutes.
const sizeAndIndex = fc
  .tuple(fc.integer({ min: 1, max: MAX_SIZE }), fc.nat(), fc.nat(255), fc.nat())
  .map(([n, i, bit, pick]) => [n, i % n, bit, pick] as const);
// Bounded shrinking keeps a failing run short; a time-out counts as a failure.
const PROPERTY_LIMITS = { interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true };

test('RFC 6962 vectors: leaf hashes and every complete node the appender reports', () => {
  const expected = new Map<string, string>();
  NODE_HASHES_HEX.forEach((level, l) => level.forEach((h, i) => expected.set(`${l}/${i}`, h)));
  const got = new Map([...VECTOR_STORE.nodes].map(([k, v]) => [k, v.toString('hex')]));
  assert.deepEqual(got, expected);
});

test('RFC 6962 vectors: roots of sizes 0..8 from the fetcher, the appender and the reference', async () => {
  for (let size = 0; size <= 8; size++) {
    const want = ROOT_HASHES_HEX[size];
    assert.equal((await rootHash(size, fetcher(VECTOR_STORE.nodes, size))).toString('hex'), want, `size ${size}`);
    assert.equal(VECTOR_STORE.roots[size]?.toString('hex'), want);
    assert.equal(refRoot(VECTOR_LEAVES.slice(0, size)).toString('hex'), want);
  }
});

test('RFC 6962 vectors: published inclusion proofs are generated exactly and verify', async () => {
  for (const { leafIndex, treeSize, proofHex } of INCLUSION_PROOFS) {
    const proof = await inclusionProof(leafIndex, treeSize, fetcher(VECTOR_STORE.nodes, treeSize));
    assert.deepEqual(toHex(proof), proofHex, `${leafIndex}@${treeSize}`);
    const root = hex(ROOT_HASHES_HEX[treeSize] as string);
    assert.ok(verifyInclusion(VECTOR_LEAVES[leafIndex] as Buffer, leafIndex, treeSize, proof, root));
  }
});

test('RFC 6962 vectors: published consistency proofs are generated exactly and verify', async () => {
  for (const { m, n, proofHex } of CONSISTENCY_PROOFS) {
    const proof = await consistencyProof(m, n, fetcher(VECTOR_STORE.nodes, n));
    assert.deepEqual(toHex(proof), proofHex, `${m}→${n}`);
    const [oldRoot, newRoot] = [hex(ROOT_HASHES_HEX[m] as string), hex(ROOT_HASHES_HEX[n] as string)];
    assert.ok(verifyConsistency(m, n, proof, oldRoot, newRoot));
  }
});

// The corruptions transparency-dev/merkle proof/verify_test.go applies to each known-good proof.
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
const EMPTY = emptyRootHash();

test('RFC 6962 vectors: corrupted inclusion proofs are rejected', () => {
  for (const { leafIndex: i, treeSize: n, proofHex } of INCLUSION_PROOFS.filter((v) => v.treeSize > 1)) {
    const proof = proofHex.map(hex);
    const root = hex(ROOT_HASHES_HEX[n] as string);
    const leaf = VECTOR_LEAVES[i] as Buffer;
    const probes: [number, number, Buffer, Buffer, Buffer[]][] = [
      [i - 1, n, root, leaf, proof],
      [i + 1, n, root, leaf, proof],
      [i ^ 2, n, root, leaf, proof],
      [i, n * 2, root, leaf, proof],
      [i, Math.floor(n / 2), root, leaf, proof],
      [i, n, root, Buffer.from('WrongLeaf'), proof],
      [i, n, EMPTY, leaf, proof],
      [i, n, SOME_HASH, leaf, proof],
      [i, n, root, leaf, [...proof, Buffer.alloc(0)]],
      [i, n, root, leaf, [...proof, root]],
      [i, n, root, leaf, [Buffer.alloc(0), ...proof]],
      [i, n, root, leaf, [root, ...proof]],
      [i, n, root, leaf, proof.slice(0, -1)],
      ...proof.map((_, k): [number, number, Buffer, Buffer, Buffer[]] => [
        i, n, root, leaf, proof.map((p, j) => (j === k ? flipBit(p, 3) : p)),
      ]),
    ];
    if (proof.length > 1) probes.push([i, n, root, leaf, [proof[0] as Buffer, SOME_HASH, ...proof.slice(1)]]);
    for (const [pi, pn, proot, pleaf, pproof] of probes) {
      assert.equal(verifyInclusion(pleaf, pi, pn, pproof, proot), false, `${pi}@${pn}`);
    }
  }
});

test('RFC 6962 vectors: corrupted consistency proofs are rejected', () => {
  for (const { m, n, proofHex } of CONSISTENCY_PROOFS.filter((v) => v.proofHex.length > 0)) {
    const proof = proofHex.map(hex);
    const [r1, r2] = [hex(ROOT_HASHES_HEX[m] as string), hex(ROOT_HASHES_HEX[n] as string)];
    const wrong = Buffer.from('WrongRoot');
    const probes: [number, number, Buffer, Buffer, Buffer[]][] = [
      [m - 1, n, r1, r2, proof],
      [m + 1, n, r1, r2, proof],
      [m ^ 2, n, r1, r2, proof],
      [m, n * 2, r1, r2, proof],
      [m, Math.floor(n / 2), r1, r2, proof],
      [m, n, wrong, r2, proof],
      [m, n, r1, wrong, proof],
      [m, n, r2, r1, proof],
      [m, n, r1, r2, []],
      [m, n, r1, r2, [...proof, Buffer.alloc(0)]],
      [m, n, r1, r2, [...proof, r1]],
      [m, n, r1, r2, [...proof, r2]],
      [m, n, r1, r2, [Buffer.alloc(0), ...proof]],
      [m, n, r1, r2, [r1, ...proof]],
      [m, n, r1, r2, [r2, ...proof]],
      [m, n, r1, r2, [proof[0] as Buffer, ...proof]],
      [m, n, r1, r2, proof.slice(0, -1)],
      ...proof.map((_, k): [number, number, Buffer, Buffer, Buffer[]] => [
        m, n, r1, r2, proof.map((p, j) => (j === k ? flipBit(p, 4) : p)),
      ]),
    ];
    for (const [pm, pn, pr1, pr2, pproof] of probes) {
      assert.equal(verifyConsistency(pm, pn, pproof, pr1, pr2), false, `${pm}→${pn}`);
    }
  }
});

test('verifyInclusion rejects impossible positions and wrong-length hashes without throwing', () => {
  const h = leafHash('data');
  assert.ok(verifyInclusion(h, 0, 1, [], h));
  assert.equal(verifyInclusion(h, 0, 1, [], Buffer.alloc(0)), false);
  assert.equal(verifyInclusion(Buffer.alloc(0), 0, 1, [], h), false);
  for (const [index, size] of [[0, 0], [1, 0], [2, 1], [1, 1]] as const) {
    assert.equal(verifyInclusion(SOME_HASH, index, size, [], EMPTY), false);
    assert.equal(verifyInclusion(SOME_HASH, index, size, [], SOME_HASH), false);
  }
  for (const bad of [-1, 0.5, Number.NaN, Infinity, 2 ** 53]) {
    assert.equal(verifyInclusion(h, bad, 1, [], h), false);
    assert.equal(verifyInclusion(h, 0, bad, [], h), false);
  }
});

test('verifyConsistency: trivial sizes, time travel and empty proofs', () => {
  const [r1, r2] = [leafHash('one'), leafHash('two')];
  assert.ok(verifyConsistency(0, 0, [], EMPTY, EMPTY));
  assert.ok(verifyConsistency(0, 5, [], EMPTY, r2));
  assert.ok(verifyConsistency(3, 3, [], r1, r1));
  assert.equal(verifyConsistency(0, 0, [], EMPTY, r2), false);
  assert.equal(verifyConsistency(0, 1, [], r1, r2), false, 'size 0 has only the empty-tree root');
  assert.equal(verifyConsistency(1, 1, [], r1, r2), false);
  assert.equal(verifyConsistency(1, 0, [], r1, r2), false);
  assert.equal(verifyConsistency(2, 1, [], r1, r2), false);
  assert.equal(verifyConsistency(1, 2, [], r1, r2), false);
  assert.equal(verifyConsistency(0, 0, [EMPTY], EMPTY, EMPTY), false);
  assert.equal(verifyConsistency(0, 1, [EMPTY], EMPTY, EMPTY), false);
  assert.equal(verifyConsistency(1, 1, [EMPTY], EMPTY, EMPTY), false);
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) assert.equal(verifyConsistency(bad, 4, [r1], r1, r2), false);
});

test('generators reject impossible arguments', async () => {
  const f = fetcher(VECTOR_STORE.nodes, 8);
  await assert.rejects(inclusionProof(8, 8, f), RangeError);
  await assert.rejects(inclusionProof(0, 0, f), RangeError);
  await assert.rejects(consistencyProof(5, 4, f), RangeError);
  await assert.rejects(rootHash(-1, f), RangeError);
  await assert.rejects(rootHash(3, () => []), /returned 0 hashes/);
  assert.throws(() => new MerkleFrontier(3, [EMPTY]), RangeError);
  assert.throws(() => new MerkleFrontier(1, [Buffer.alloc(31)]), RangeError);
  assert.throws(() => new MerkleFrontier(0, []).append(Buffer.alloc(0)), RangeError);
});

test('frontierCoords lists one aligned complete subtree per set bit, largest first', () => {
  assert.deepEqual(frontierCoords(0), []);
  assert.deepEqual(frontierCoords(8), [{ level: 3, index: 0 }]);
  assert.deepEqual(frontierCoords(13), [
    { level: 3, index: 0 },
    { level: 2, index: 2 },
    { level: 0, index: 12 },
  ]);
  // 2^40 + 3: beyond 32-bit arithmetic.
  assert.deepEqual(frontierCoords(2 ** 40 + 3), [
    { level: 40, index: 0 },
    { level: 1, index: 2 ** 39 },
    { level: 0, index: 2 ** 40 + 2 },
  ]);
});

test('every size up to 64: all inclusion and consistency proofs match the RFC recursion and verify', async () => {
  for (let n = 0; n <= 64; n++) {
    const f = fetcher(BIG_STORE.nodes, n);
    const leaves = BIG_LEAVES.slice(0, n);
    const root = BIG_STORE.roots[n] as Buffer;
    assert.deepEqual(await rootHash(n, f), refRoot(leaves));
    for (let i = 0; i < n; i++) {
      const proof = await inclusionProof(i, n, f);
      assert.deepEqual(proof, refPath(i, leaves), `${i}@${n}`);
      assert.ok(verifyInclusion(leaves[i] as Buffer, i, n, proof, root), `${i}@${n}`);
    }
    for (let m = 0; m <= n; m++) {
      const proof = await consistencyProof(m, n, f);
      const want = m === 0 || m === n ? [] : refSubproof(m, leaves, true);
      assert.deepEqual(proof, want, `${m}→${n}`);
      assert.ok(verifyConsistency(m, n, proof, BIG_STORE.roots[m] as Buffer, root), `${m}→${n}`);
    }
  }
});

test('the appender root equals the fetched root at every size up to 10,000', async () => {
  for (let n = 0; n <= MAX_SIZE; n++) {
    assert.deepEqual(await rootHash(n, fetcher(BIG_STORE.nodes, n)), BIG_STORE.roots[n], `size ${n}`);
  }
});

test('property: MerkleFrontier.load resumes a stored tree and reports the same nodes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: MAX_SIZE }), fc.integer({ min: 1, max: 300 }), async (n, more) => {
      const frontier = await MerkleFrontier.load(n, fetcher(BIG_STORE.nodes, n));
      assert.equal(frontier.size, n, 'loaded size');
      assert.deepEqual(frontier.root(), BIG_STORE.roots[n]);
      for (let i = n; i < Math.min(n + more, MAX_SIZE); i++) {
        for (const node of frontier.append(BIG_LEAVES[i] as Buffer)) {
          assert.deepEqual(node.hash, BIG_STORE.nodes.get(key(node)));
        }
        assert.deepEqual(frontier.root(), BIG_STORE.roots[i + 1]);
      }
      const copy = new MerkleFrontier(frontier.size, frontier.frontierHashes());
      assert.deepEqual(copy.root(), frontier.root());
    }),
    { numRuns: 100, ...PROPERTY_LIMITS },
  );
});


test('property: inclusion proofs verify, and any flipped bit in proof, leaf or root fails', async () => {
  await fc.assert(
    fc.asyncProperty(sizeAndIndex, async ([n, i, bit, pick]) => {
      const proof = await inclusionProof(i, n, fetcher(BIG_STORE.nodes, n));
      const leaf = BIG_LEAVES[i] as Buffer;
      const root = BIG_STORE.roots[n] as Buffer;
      assert.ok(verifyInclusion(leaf, i, n, proof, root), 'valid inclusion proof rejected');
      assert.equal(verifyInclusion(flipBit(leaf, bit), i, n, proof, root), false);
      assert.equal(verifyInclusion(leaf, i, n, proof, flipBit(root, bit)), false);
      if (proof.length > 0) {
        const k = pick % proof.length;
        const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
        assert.equal(verifyInclusion(leaf, i, n, bad, root), false);
      }
    }),
    { numRuns: 200, ...PROPERTY_LIMITS },
  );
});

test('property: consistency proofs verify, and any flipped bit in proof or roots fails', async () => {
  await fc.assert(
    fc.asyncProperty(sizeAndIndex, async ([n, m, bit, pick]) => {
      const proof = await consistencyProof(m, n, fetcher(BIG_STORE.nodes, n));
      const [r1, r2] = [BIG_STORE.roots[m] as Buffer, BIG_STORE.roots[n] as Buffer];
      assert.ok(verifyConsistency(m, n, proof, r1, r2), 'valid consistency proof rejected');
      assert.equal(verifyConsistency(m, n, proof, flipBit(r1, bit), r2), false);
      // A size-0 old tree is consistent with every new root, so only m > 0 binds r2.
      if (m > 0) assert.equal(verifyConsistency(m, n, proof, r1, flipBit(r2, bit)), false);
      if (proof.length > 0) {
        const k = pick % proof.length;
        const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
        assert.equal(verifyConsistency(m, n, bad, r1, r2), false);
      }
    }),
    { numRuns: 200, ...PROPERTY_LIMITS },
  );
});

test('property: proofs up to 2,000 leaves equal the RFC recursion exactly', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 2_000 }), fc.nat(), async (n, pick) => {
      const i = pick % n;
      const leaves = BIG_LEAVES.slice(0, n);
      const f = fetcher(BIG_STORE.nodes, n);
      assert.deepEqual(await inclusionProof(i, n, f), refPath(i, leaves));
      assert.deepEqual(await consistencyProof(i + 1, n, f), i + 1 === n ? [] : refSubproof(i + 1, leaves, true));
    }),
    { numRuns: 100, ...PROPERTY_LIMITS },
  );
});

test('property: each proof or root is one fetcher call for O(log n) distinct coordinates', async () => {
  await fc.assert(
    fc.asyncProperty(sizeAndIndex, async ([n, i]) => {
      const log = Math.ceil(Math.log2(n));
      const measure = async (run: (f: NodeFetcher) => Promise<unknown>): Promise<FetchStats> => {
        const stats: FetchStats = { calls: 0, coords: [] };
        await run(fetcher(BIG_STORE.nodes, n, stats));
        assert.ok(stats.calls <= 1, `${stats.calls} fetcher calls`);
        assert.equal(new Set(stats.coords.map(key)).size, stats.coords.length, 'duplicate coordinates');
        return stats;
      };
      const within = (stats: FetchStats, bound: number, what: string): void =>
        assert.ok(stats.coords.length <= bound, `${what}: ${stats.coords.length} coordinates for n=${n}`);
      within(await measure((f) => rootHash(n, f)), log + 1, 'rootHash');
      within(await measure((f) => inclusionProof(i, n, f)), 2 * log, 'inclusionProof');
      within(await measure((f) => consistencyProof(i, n, f)), 2 * (log + 1), 'consistencyProof');
      within(await measure((f) => MerkleFrontier.load(n, f)), log + 1, 'MerkleFrontier.load');
    }),
    { numRuns: 200, ...PROPERTY_LIMITS },
  );
});
