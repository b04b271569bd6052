/** The ledger audit over an in-memory ledger: a clean one passes; each kind of tampering is named. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { ed25519PublicKeyRaw } from '../../src/proof/checkpoint-note.js';
import { signCheckpoint, type PublishedKey, type SignedCheckpoint } from '../../src/proof/checkpoint.js';
import { keyIdOf, type SigningKey } from '../../src/proof/keys.js';
import { auditLedger, type LedgerSource, type StoredLeaf } from '../../src/proof/ledger-audit.js';
import { ledgerLeafBytes } from '../../src/proof/ledger-leaf.js';
import { leafHash, MerkleFrontier, type NodeCoord } from '../../src/proof/merkle.js';

const ORIGIN = 'test.example/ledger';
const N = 37;
const CHECKPOINT_SIZES = [5, 16, 37];

function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyRaw = ed25519PublicKeyRaw(publicKey);
  return { keyId: keyIdOf(publicKeyRaw), privateKey, publicKey, publicKeyRaw, createdAt: 0 };
}

interface Ledger {
  leaves: StoredLeaf[];
  nodes: Map<string, Buffer>;
  checkpoints: SignedCheckpoint[];
  keys: PublishedKey[];
}

/** A consistent ledger of N leaves with nodes and signed checkpoints, built the way the store does. */
function buildLedger(): Ledger {
  const key = newKey();
  const frontier = new MerkleFrontier(0, []);
  const leaves: StoredLeaf[] = [];
  const nodes = new Map<string, Buffer>();
  const checkpoints: SignedCheckpoint[] = [];
  for (let seq = 0; seq < N; seq++) {
    const fields = {
      seq,
      kind: 'work_order.accepted',
      binding_id: `bnd_${seq.toString(16).padStart(32, '0')}`,
      work_order_id: `wo_${seq.toString(16).padStart(32, '0')}`,
      digest: `sha256:${seq.toString(16).padStart(64, '0')}`,
      at: new Date(Date.UTC(2026, 10, 1, 0, 0, seq)).toISOString(),
    };
    const hash = leafHash(ledgerLeafBytes(fields));
    leaves.push({ ...fields, tenant_id: 'default', leaf_hash: hash.toString('hex') });
    for (const n of frontier.append(hash)) nodes.set(`${n.level}:${n.index}`, n.hash);
    if (CHECKPOINT_SIZES.includes(frontier.size)) {
      checkpoints.push(signCheckpoint({ origin: ORIGIN, treeSize: frontier.size, rootHash: frontier.root(), timestamp: fields.at, key }));
    }
  }
  return { leaves, nodes, checkpoints, keys: [{ key_id: key.keyId, public_key: key.publicKeyRaw.toString('base64') }] };
}

function sourceOf(l: Ledger): LedgerSource {
  return {
    leaves: async (after, limit) => l.leaves.filter((x) => x.seq > after).slice(0, limit),
    nodes: async (coords: NodeCoord[]) =>
      coords.map((c) => {
        const hash = c.level === 0 ? Buffer.from(l.leaves[c.index]!.leaf_hash, 'hex') : l.nodes.get(`${c.level}:${c.index}`);
        if (!hash) throw new Error(`ledger node (${c.level}, ${c.index}) is missing`);
        return hash;
      }),
    checkpoints: async (after, limit) => l.checkpoints.filter((c) => c.tree_size > after).slice(0, limit),
    keys: async () => l.keys,
  };
}

const rehash = (leaf: StoredLeaf): StoredLeaf => ({ ...leaf, leaf_hash: leafHash(ledgerLeafBytes(leaf)).toString('hex') });

test('a clean ledger passes: leaves, nodes, checkpoint roots, signatures and consistency', async () => {
  const ledger = buildLedger();
  for (const batchSize of [1, 4, 10_000]) {
    const progress: number[] = [];
    const report = await auditLedger(sourceOf(ledger), { batchSize, onProgress: (n) => progress.push(n) });
    assert.equal(report.ok, true, report.failed);
    assert.equal(report.tree_size, N);
    assert.equal(report.nodes, ledger.nodes.size);
    assert.equal(report.checkpoints, 3);
    assert.equal(report.consistency_proofs, 2);
    assert.equal(report.root_hash, ledger.checkpoints.at(-1)!.root_hash);
    assert.equal(progress.at(-1), N);
  }
});

test('a leaf whose fields changed is named by seq', async () => {
  const ledger = buildLedger();
  ledger.leaves[9] = { ...ledger.leaves[9]!, digest: `sha256:${'ab'.repeat(32)}` };
  const report = await auditLedger(sourceOf(ledger), { batchSize: 8 });
  assert.equal(report.ok, false);
  assert.equal(report.failed, 'ledger_leaves seq 9: stored leaf hash does not match its fields');
});

test('a leaf rewritten together with its hash is caught by the stored node above it', async () => {
  const ledger = buildLedger();
  ledger.leaves[9] = rehash({ ...ledger.leaves[9]!, digest: `sha256:${'ab'.repeat(32)}` });
  const report = await auditLedger(sourceOf(ledger));
  assert.equal(report.failed, 'ledger_nodes level 1 idx 4: stored hash does not match the leaves under it');
});

test('the last leaf, under no stored node, rewritten with its hash: the checkpoint root names it', async () => {
  const ledger = buildLedger();
  ledger.leaves[36] = rehash({ ...ledger.leaves[36]!, kind: 'binding.finalized' });
  const report = await auditLedger(sourceOf(ledger));
  assert.equal(report.failed, 'checkpoints tree_size 37: its signed root does not match the ledger recomputed from its leaves');
});

test('gaps, tampered and missing nodes, bad checkpoints and unknown keys are each named', async () => {
  const cases: [string, (l: Ledger) => void, string][] = [
    ['gap', (l) => l.leaves.splice(20, 1), 'ledger_leaves seq 21: expected seq 20 (the seqs have a gap or repeat)'],
    ['node', (l) => l.nodes.set('2:3', Buffer.alloc(32)), 'ledger_nodes level 2 idx 3: stored hash does not match the leaves under it'],
    ['missing node', (l) => l.nodes.delete('3:1'), 'ledger_nodes: ledger node (3, 1) is missing'],
    ['checkpoint root', (l) => (l.checkpoints[1] = { ...l.checkpoints[1]!, root_hash: '00'.repeat(32) }), 'checkpoints tree_size 16: root_hash does not match its signed note'],
    [
      'checkpoint beyond the ledger',
      (l) => l.leaves.splice(30),
      'checkpoints tree_size 37: larger than the ledger\'s 30 leaves',
    ],
    ['unknown key', (l) => (l.keys = []), `checkpoints tree_size 5: signed by key`],
  ];
  for (const [name, tamper, failed] of cases) {
    const ledger = buildLedger();
    tamper(ledger);
    const report = await auditLedger(sourceOf(ledger), { batchSize: 7 });
    assert.equal(report.ok, false, name);
    assert.ok(report.failed?.startsWith(failed), `${name}: ${report.failed}`);
  }
});

test('a further check of each batch (--deep) stops the audit with its own message', async () => {
  const ledger = buildLedger();
  const report = await auditLedger(sourceOf(ledger), {
    batchSize: 10,
    onBatch: async (leaves) => (leaves.some((l) => l.seq === 12) ? 'results binding x: output_digest does not match its machine_output' : undefined),
  });
  assert.equal(report.failed, 'results binding x: output_digest does not match its machine_output');
});

test('an empty ledger passes', async () => {
  const report = await auditLedger(sourceOf({ leaves: [], nodes: new Map(), checkpoints: [], keys: [] }));
  assert.deepEqual({ ok: report.ok, tree_size: report.tree_size }, { ok: true, tree_size: 0 });
});
