/** verifyBundle over a bundle built in memory: it passes as built, and every kind of tampering is named. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { Bundle } from '../../src/contracts/bundle.js';
import type { Receipt } from '../../src/contracts/receipt.js';
import { buildStatement, signStatement, type ExecutionPredicate } from '../../src/proof/attestation.js';
import { canonicalize, digestJson } from '../../src/proof/canonical.js';
import { ed25519PublicKeyRaw } from '../../src/proof/checkpoint-note.js';
import { checkpointObject, signCheckpoint } from '../../src/proof/checkpoint.js';
import { keyIdOf, type SigningKey } from '../../src/proof/keys.js';
import { ledgerLeafBytes } from '../../src/proof/ledger-leaf.js';
import { inclusionProof, leafHash, MerkleFrontier, type NodeCoord } from '../../src/proof/merkle.js';
import { resultCoreOf } from '../../src/proof/result-core.js';
import { BUNDLE_CHECKS, verifyBundle } from '../../src/proof/verify-bundle.js';
import { resultContract, resultCore, type ResultParts } from '../../src/rail/result-contract.js';

function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyRaw = ed25519PublicKeyRaw(publicKey);
  return { keyId: keyIdOf(publicKeyRaw), privateKey, publicKey, publicKeyRaw, createdAt: 0 };
}

const KEY = newKey();
const BINDING = 'bnd_0190a1b2c3d4e5f60718293a4b5c6d7e';
const WORK_ORDER = 'wo_0190a1b2c3d4e5f60718293a4b5c6d7e';
const AT = '2026-11-01T10:00:00.000Z';

function receipt(kind: string, id: string, body: Record<string, unknown>): Receipt {
  const doc = { object: 'receipt' as const, receipt_id: id, kind, binding_id: BINDING, work_order_id: WORK_ORDER, tenant_id: 'default', issued_at: AT, body };
  return { ...doc, digest: digestJson(doc) };
}

async function buildBundle(opts: { attestation?: boolean; predicate?: Partial<ExecutionPredicate> } = {}): Promise<Bundle> {
  const receipts = [
    receipt('usage', 'rcp_0190a1b2c3d4e5f60718293a4b5c6d70', { tool: 'packetops', tool_version: '1.0.0', operation: 'verify_packet', attempts: 1, queue_wait_ms: 3, run_ms: 5, output_bytes: 20 }),
    receipt('packet_manifest', 'rcp_0190a1b2c3d4e5f60718293a4b5c6d71', { files: 1, root: 'abc' }),
  ];
  const output = { verdict: 'ready', files: 1 };
  const parts: ResultParts = {
    bindingId: BINDING,
    status: 'succeeded',
    output,
    outputDigest: digestJson(output),
    summary: 'One file, all present.',
    evidence: { status: 'sufficient', missing: [], exceptions: [] },
    receipts: receipts.map((r) => ({ receipt_id: r.receipt_id, kind: r.kind, digest: r.digest, path: `/v1/receipts/${r.receipt_id}` })),
    exception: null,
    nextAction: 'none',
    nextActionDetail: 'Nothing to do.',
    replay: null,
  };
  const coreDigest = digestJson(resultCore(parts));

  // A ledger of 6 leaves; ours is seq 3.
  const frontier = new MerkleFrontier(0, []);
  const nodes = new Map<string, Buffer>();
  const leaves: Buffer[] = [];
  const leafOf = (seq: number) =>
    seq === 3
      ? { seq, kind: 'binding.finalized' as const, binding_id: BINDING, work_order_id: WORK_ORDER, digest: coreDigest, at: AT }
      : { seq, kind: 'work_order.accepted' as const, binding_id: BINDING.replace('7e', `${seq}0`), work_order_id: WORK_ORDER, digest: `sha256:${String(seq).repeat(64)}`, at: AT };
  for (let seq = 0; seq < 6; seq++) {
    const h = leafHash(ledgerLeafBytes(leafOf(seq)));
    leaves.push(h);
    for (const n of frontier.append(h)) nodes.set(`${n.level}:${n.index}`, n.hash);
  }
  const fetch = (coords: NodeCoord[]) => coords.map((c) => (c.level === 0 ? leaves[c.index]! : nodes.get(`${c.level}:${c.index}`)!));
  const proof = await inclusionProof(3, 6, fetch);
  const cp = signCheckpoint({ origin: 'test.example/ledger', treeSize: 6, rootHash: frontier.root(), timestamp: AT, key: KEY });
  const leafHashHex = leaves[3]!.toString('hex');

  let attestation: Bundle['attestation'] = null;
  if (opts.attestation !== false) {
    const statement = buildStatement({
      outputDigest: parts.outputDigest,
      coreDigest,
      predicate: {
        binding_id: BINDING,
        work_order_id: WORK_ORDER,
        tenant_id: 'default',
        command_id: 'cmd_0190a1b2c3d4e5f60718293a4b5c6d7e',
        command_digest: `sha256:${'c'.repeat(64)}`,
        input_digests: [],
        tool: { name: 'packetops', version: '1.0.0' },
        operation: 'verify_packet',
        attempt: 1,
        status: 'succeeded',
        timings: { created_at: AT, started_at: AT, finished_at: AT },
        ledger: { seq: 3, leaf_hash: leafHashHex },
        replay_of: null,
        ...opts.predicate,
      },
    });
    const signed = signStatement(statement, KEY);
    attestation = { envelope: signed.envelope, digest: signed.digest, key_id: KEY.keyId };
  }
  const result = resultContract(parts, {
    ledger: { seq: 3, leaf_hash: leafHashHex },
    attestation: attestation && { digest: attestation.digest, key_id: KEY.keyId },
    callbackState: 'none',
    issuedAt: AT,
  });
  const bundle: Bundle = {
    object: 'bundle',
    version: 1,
    binding_id: BINDING,
    result_contract: result,
    receipts,
    attestation,
    ledger: { entry: { object: 'ledger_entry', leaf: leafOf(3), leaf_hash: leafHashHex }, inclusion_proof: proof.map((h) => h.toString('hex')), tree_size: 6 },
    checkpoint: checkpointObject(cp),
    public_keys: [{ key_id: KEY.keyId, algorithm: 'ed25519', public_key: KEY.publicKeyRaw.toString('base64') }],
  };
  // A JSON round trip: what a file holds.
  return JSON.parse(JSON.stringify(bundle)) as Bundle;
}

test('the result core read from a contract is the one the rail hashes', async () => {
  const b = await buildBundle();
  assert.equal(digestJson(resultCoreOf(b.result_contract)), b.ledger.entry.leaf.digest);
});

test('an intact bundle passes every check, in order', async () => {
  const v = verifyBundle(await buildBundle());
  assert.equal(v.ok, true, JSON.stringify(v.checks.filter((c) => !c.ok)));
  assert.equal(v.failed, undefined);
  assert.deepEqual(v.checks.map((c) => c.name), [...BUNDLE_CHECKS]);
});

test('without an attestation the attestation checks are skipped, the rest still holds', async () => {
  const v = verifyBundle(await buildBundle({ attestation: false }));
  assert.equal(v.ok, true, JSON.stringify(v.checks));
  assert.match(v.checks.find((c) => c.name === 'attestation_signature')!.detail, /skipped/);
});

const reencode = (b: Bundle, edit: (statement: any) => void) => {
  const statement = JSON.parse(Buffer.from(b.attestation!.envelope.payload, 'base64').toString());
  edit(statement);
  b.attestation!.envelope.payload = Buffer.from(canonicalize(statement)).toString('base64');
  b.attestation!.digest = digestJson(b.attestation!.envelope);
  b.result_contract.attestation!.digest = b.attestation!.digest;
};

test('each tampering fails the check that covers it, and it is the first failure', async () => {
  const cases: [string, (b: Bundle) => void, string][] = [
    ['not a bundle', (b) => delete (b as any).checkpoint, 'shape'],
    ['another binding\'s result', (b) => (b.result_contract.binding_id = 'bnd_0190a1b2c3d4e5f60718293a4b5c6d7f'), 'shape'],
    ['receipt body', (b) => ((b.receipts[1]!.body as any).files = 2), 'receipts'],
    ['receipt dropped', (b) => b.receipts.pop(), 'receipts'],
    ['receipt smuggled in', (b) => b.receipts.push({ ...b.receipts[1]!, receipt_id: 'rcp_0190a1b2c3d4e5f60718293a4b5c6d72' }), 'receipts'],
    ['machine output', (b) => ((b.result_contract.machine_output as any).verdict = 'blocked'), 'output_digest'],
    ['summary (in the result core)', (b) => (b.result_contract.human_summary = 'All good, trust me.'), 'ledger_leaf_digest'],
    ['leaf time', (b) => (b.ledger.entry.leaf.at = '2026-11-01T10:00:01.000Z'), 'leaf_hash'],
    ['result ledger ref', (b) => (b.result_contract.ledger.leaf_hash = 'ab'.repeat(32)), 'leaf_hash'],
    ['proof node', (b) => (b.ledger.inclusion_proof[0] = '00'.repeat(32)), 'inclusion_proof'],
    ['proof tree size', (b) => (b.ledger.tree_size = 7), 'inclusion_proof'],
    ['checkpoint root', (b) => (b.checkpoint.root_hash = '11'.repeat(32)), 'inclusion_proof'],
    ['checkpoint note', (b) => (b.checkpoint.note = b.checkpoint.note.replace('test.example/ledger\n6\n', 'test.example/ledger\n7\n')), 'checkpoint_signature'],
    ['checkpoint origin', (b) => (b.checkpoint.origin = 'elsewhere'), 'checkpoint_signature'],
    ['substituted key', (b) => (b.public_keys[0]!.public_key = newKey().publicKeyRaw.toString('base64')), 'checkpoint_signature'],
    ['signature', (b) => (b.attestation!.envelope.signatures[0]!.sig = Buffer.alloc(64, 1).toString('base64')), 'attestation_signature'],
    ['envelope digest', (b) => (b.attestation!.digest = `sha256:${'0'.repeat(64)}`), 'attestation_signature'],
    ['statement edited', (b) => reencode(b, (s) => (s.predicate.attempt = 2)), 'attestation_signature'],
    ['attestation dropped', (b) => (b.attestation = null), 'attestation_signature'],
  ];
  for (const [name, tamper, check] of cases) {
    const b = await buildBundle();
    tamper(b);
    const v = verifyBundle(b);
    assert.equal(v.ok, false, name);
    assert.equal(v.failed, check, `${name}: ${JSON.stringify(v.checks.filter((c) => !c.ok))}`);
  }
});

test('a checkpoint root edited in its row fails both the proof and the signature check', async () => {
  const b = await buildBundle();
  b.checkpoint.root_hash = '11'.repeat(32);
  const failed = verifyBundle(b).checks.filter((c) => !c.ok);
  assert.deepEqual(failed.map((c) => c.name), ['inclusion_proof', 'checkpoint_signature']);
  assert.match(failed[0]!.detail, /not the root in the signed note/);
  assert.match(failed[1]!.detail, /root_hash does not match its signed note/);
});

test('a validly signed statement that says something else is caught by subjects and predicate', async () => {
  const wrongTool = verifyBundle(await buildBundle({ predicate: { tool: { name: 'tokenops', version: '1.0.0' } } }));
  assert.equal(wrongTool.failed, 'attestation_predicate');
  assert.match(wrongTool.checks.find((c) => !c.ok)!.detail, /tool is/);
  const wrongLeaf = verifyBundle(await buildBundle({ predicate: { ledger: { seq: 2, leaf_hash: '00'.repeat(32) } } }));
  assert.equal(wrongLeaf.failed, 'attestation_predicate');

  // Subjects: the signer is trusted, the statement names another output.
  const b = await buildBundle();
  const statement = JSON.parse(Buffer.from(b.attestation!.envelope.payload, 'base64').toString());
  statement.subject[0].digest.sha256 = 'f'.repeat(64);
  const signed = signStatement(statement, KEY);
  b.attestation = { envelope: signed.envelope, digest: signed.digest, key_id: KEY.keyId };
  b.result_contract.attestation!.digest = signed.digest;
  assert.equal(verifyBundle(b).failed, 'attestation_subjects');
});

test('trusted keys: a bundle signed by a key the caller does not trust fails, one it trusts passes', async () => {
  const b = await buildBundle();
  const mine = { key_id: KEY.keyId, public_key: KEY.publicKeyRaw.toString('base64') };
  assert.equal(verifyBundle(b, { trustedKeys: [mine] }).ok, true);
  const stranger = newKey();
  const v = verifyBundle(b, { trustedKeys: [{ key_id: stranger.keyId, public_key: stranger.publicKeyRaw.toString('base64') }] });
  assert.equal(v.failed, 'checkpoint_signature');
  assert.match(v.checks.find((c) => c.name === 'checkpoint_signature')!.detail, /not among the trusted keys/);
  assert.equal(v.checks.find((c) => c.name === 'attestation_signature')!.ok, false);
});

test('anything that is not a bundle is a shape failure, never a throw', () => {
  for (const value of [null, 42, 'bundle', [], {}, { object: 'bundle', version: 2 }]) {
    const v = verifyBundle(value);
    assert.equal(v.failed, 'shape');
    assert.equal(v.checks.length, 1);
  }
});
