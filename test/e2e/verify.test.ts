/**
 * Proof over a real server: the bundle of a finished result verifies in process and with
 * `bindrail verify` (offline and --online); checkpoints are signed every N leaves and chain by
 * consistency proofs; every leaf's inclusion proof meets the signed root; a key rotation leaves
 * results signed before and after it verifiable through keys.json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Compile } from 'typebox/compile';
import { Bundle, KeySet } from '../../src/contracts/bundle.js';
import { Checkpoint } from '../../src/contracts/ledger.js';
import { verifyCheckpoint } from '../../src/proof/checkpoint.js';
import { ledgerLeafBytes } from '../../src/proof/ledger-leaf.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/proof/merkle.js';
import { verifyBundle } from '../../src/proof/verify-bundle.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, whenPostgres } from '../store/pg-database.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { example, packetOrder } from '../helpers/work-orders.js';

const tmp = mkdtempSync(join(tmpdir(), 'bindrail-verify-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function finished(rail: TestRail, order: Record<string, unknown>): Promise<string> {
  const sub = await rail.api('POST', '/v1/work-orders', order);
  assert.equal(sub.status, 202, JSON.stringify(sub.body));
  await waitForResult(rail, sub.body.binding_id);
  return sub.body.binding_id;
}

async function bundleOf(rail: TestRail, bindingId: string): Promise<Bundle> {
  const r = await rail.api<Bundle>('GET', `/v1/bindings/${bindingId}/bundle`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(Compile(Bundle).Check(r.body), JSON.stringify([...Compile(Bundle).Errors(r.body)].slice(0, 3)));
  return r.body;
}

const keySet = async (rail: TestRail) => {
  const r = await rail.api('GET', '/.well-known/bindrail/keys.json', undefined, { key: null });
  assert.equal(r.status, 200);
  assert.ok(Compile(KeySet).Check(r.body), JSON.stringify([...Compile(KeySet).Errors(r.body)].slice(0, 3)));
  return r.body as KeySet;
};

describe('a rail signing a checkpoint every 4 leaves', () => {
  let rail: TestRail;
  before(async () => {
    rail = await startTestRail({ 'checkpoint-every': '4', 'checkpoint-interval-ms': '600000' });
  });
  after(() => rail.close());

  test('the bundle of a result verifies in process and with `bindrail verify`, offline and --online', { timeout: 60_000 }, async () => {
    const id = await finished(rail, example('packetops-sufficient'));
    const bundle = await bundleOf(rail, id);
    assert.equal(bundle.binding_id, id);
    assert.ok(bundle.checkpoint.tree_size > bundle.ledger.entry.leaf.seq);
    const keys = await keySet(rail);

    const v = verifyBundle(bundle, { trustedKeys: keys.keys });
    assert.equal(v.ok, true, JSON.stringify(v.checks.filter((c) => !c.ok)));

    const file = join(tmp, 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle, null, 2));
    const offline = await runCli(['verify', file]);
    assert.equal(offline.code, 0, offline.stdout + offline.stderr);
    assert.match(offline.stdout, /bundle verified/);
    const online = await runCli(['verify', file, '--online', '--url', rail.url, '--json']);
    assert.equal(online.code, 0, online.stdout + online.stderr);
    assert.equal(JSON.parse(online.stdout).ok, true);

    // The same file with one changed output value: exit 1, naming the check.
    const edited = structuredClone(bundle);
    (edited.result_contract.machine_output as Record<string, unknown>).extra = true;
    writeFileSync(file, JSON.stringify(edited));
    const bad = await runCli(['verify', file]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /verification FAILED at output_digest/);
  });

  test('checkpoints are signed every N leaves, chained by verified consistency proofs', { timeout: 60_000 }, async () => {
    for (let i = 0; i < 5; i++) await finished(rail, packetOrder(100 + i));
    const size = (await rail.api('GET', '/healthz')).body.ledger_size as number;
    assert.ok(size >= 10);
    const keys = (await keySet(rail)).keys;
    // Signing follows the commits asynchronously: wait until the count trigger has caught up.
    let checkpoints: Checkpoint[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      checkpoints = (await rail.api('GET', '/v1/ledger/checkpoints', undefined, { key: null })).body.data;
      if (size - checkpoints.at(-1)!.tree_size < 4) break;
    }
    assert.ok(checkpoints.length >= 2, `only ${checkpoints.length} checkpoints`);
    assert.ok(size - checkpoints.at(-1)!.tree_size < 4, `${size} leaves, last checkpoint at ${checkpoints.at(-1)!.tree_size}`);
    for (const cp of checkpoints) {
      assert.ok(Compile(Checkpoint).Check(cp));
      assert.ok(verifyCheckpoint(cp, keys).ok, `checkpoint ${cp.tree_size}`);
    }
    const latest: Checkpoint = (await rail.api('GET', '/v1/ledger/checkpoint', undefined, { key: null })).body;
    assert.deepEqual(latest, checkpoints.at(-1)!);

    for (let i = 1; i < checkpoints.length; i++) {
      const [a, b] = [checkpoints[i - 1]!, checkpoints[i]!];
      const r = await rail.api('GET', `/v1/ledger/proofs/consistency?from=${a.tree_size}&to=${b.tree_size}`, undefined, { key: null });
      assert.equal(r.status, 200);
      assert.equal(r.body.from_root, a.root_hash);
      assert.equal(r.body.to_root, b.root_hash);
      const proof = (r.body.proof as string[]).map((h) => Buffer.from(h, 'hex'));
      assert.ok(verifyConsistency(a.tree_size, b.tree_size, proof, Buffer.from(a.root_hash, 'hex'), Buffer.from(b.root_hash, 'hex')), `${a.tree_size} → ${b.tree_size}`);
    }

    // Every leaf up to the latest checkpoint: its entry hashes to its leaf hash, and its proof meets the signed root.
    const root = Buffer.from(latest.root_hash, 'hex');
    for (let seq = 0; seq < latest.tree_size; seq++) {
      const entry = (await rail.api('GET', `/v1/ledger/entries/${seq}`, undefined, { key: null })).body;
      const hash = leafHash(ledgerLeafBytes(entry.leaf));
      assert.equal(hash.toString('hex'), entry.leaf_hash);
      const r = await rail.api('GET', `/v1/ledger/proofs/inclusion?seq=${seq}&tree_size=${latest.tree_size}`, undefined, { key: null });
      assert.equal(r.body.root_hash, latest.root_hash);
      assert.ok(verifyInclusion(hash, seq, latest.tree_size, (r.body.proof as string[]).map((h) => Buffer.from(h, 'hex')), root), `leaf ${seq}`);
    }

    const after = (await rail.api('GET', `/v1/ledger/checkpoints?after=${checkpoints[0]!.tree_size}&limit=1`, undefined, { key: null })).body;
    assert.deepEqual(after.data, [checkpoints[1]]);
    assert.equal(after.next_cursor, String(checkpoints[1]!.tree_size));
  });

  test('the ledger routes are public and name bad query parameters', async () => {
    const bad = async (path: string, status: number, pointer?: string) => {
      const r = await rail.api('GET', path, undefined, { key: null });
      assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
      if (pointer) assert.ok(r.body.errors.some((e: { pointer: string }) => e.pointer === pointer), JSON.stringify(r.body));
    };
    const size = (await rail.api('GET', '/healthz')).body.ledger_size as number;
    await bad('/v1/ledger/proofs/inclusion?seq=3&tree_size=3', 400, '/query/seq');
    await bad(`/v1/ledger/proofs/inclusion?seq=0&tree_size=${size + 1}`, 400, '/query/tree_size');
    await bad('/v1/ledger/proofs/inclusion?seq=0', 400, '/query/tree_size');
    await bad('/v1/ledger/proofs/consistency?from=3&to=2', 400, '/query/from');
    await bad(`/v1/ledger/proofs/consistency?from=1&to=${size + 5}`, 400, '/query/to');
    await bad('/v1/ledger/entries/99999999', 404);
    const empty = await rail.api('GET', '/v1/ledger/proofs/consistency?from=0&to=0', undefined, { key: null });
    assert.deepEqual(empty.body.proof, []);
    const keys = await keySet(rail);
    assert.equal(keys.keys.length, 1);
    const [key] = keys.keys;
    assert.equal(key!.status, 'active');
    assert.equal(key!.jwk.x, Buffer.from(key!.public_key, 'base64').toString('base64url'));
    assert.equal(key!.key_id, rail.runtime.key.keyId);
    const discovery = (await rail.api('GET', '/.well-known/bindrail.json', undefined, { key: null })).body;
    assert.equal(discovery.keys, `${rail.url}/.well-known/bindrail/keys.json`);
  });

  test('the bundle needs work:read, and answers 202 until the binding is final', async () => {
    const r = await rail.api('GET', '/v1/bindings/bnd_0190a1b2c3d4e5f60718293a4b5c6d7e/bundle', undefined, { key: null });
    assert.equal(r.status, 401);
    const missing = await rail.api('GET', '/v1/bindings/bnd_0190a1b2c3d4e5f60718293a4b5c6d7e/bundle');
    assert.equal(missing.status, 404);
    const sub = await rail.api('POST', '/v1/work-orders', packetOrder(7, { not_before: new Date(Date.now() + 60_000).toISOString() }));
    assert.equal(sub.status, 202, JSON.stringify(sub.body));
    const pending = await rail.api('GET', `/v1/bindings/${sub.body.binding_id}/bundle`);
    assert.equal(pending.status, 202);
    assert.equal(pending.body.object, 'result_pending');
    await rail.api('POST', `/v1/bindings/${sub.body.binding_id}/cancel`);
  });
});

test('no checkpoint covers the leaf yet: the bundle signs one on the spot', { timeout: 60_000 }, async () => {
  const rail = await startTestRail({ 'checkpoint-every': '1000000', 'checkpoint-interval-ms': '600000' });
  try {
    const id = await finished(rail, packetOrder(1));
    assert.equal((await rail.api('GET', '/v1/ledger/checkpoint', undefined, { key: null })).status, 404);
    const bundle = await bundleOf(rail, id);
    assert.equal(bundle.checkpoint.tree_size, (await rail.api('GET', '/healthz')).body.ledger_size);
    assert.deepEqual((await rail.api('GET', '/v1/ledger/checkpoint', undefined, { key: null })).body, bundle.checkpoint);
    assert.equal(verifyBundle(bundle).ok, true);
  } finally {
    await rail.close();
  }
});

test('few leaves: the timer signs a checkpoint once the interval has passed', { timeout: 60_000 }, async () => {
  const rail = await startTestRail({ 'checkpoint-every': '1000000', 'checkpoint-interval-ms': '300' });
  try {
    await finished(rail, packetOrder(1));
    const size = (await rail.api('GET', '/healthz')).body.ledger_size as number;
    let latest: { status: number; body: Checkpoint } | undefined;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      latest = await rail.api<Checkpoint>('GET', '/v1/ledger/checkpoint', undefined, { key: null });
      if (latest.status === 200 && latest.body.tree_size === size) break;
    }
    assert.equal(latest?.status, 200);
    assert.equal(latest?.body.tree_size, size);
    assert.ok(verifyCheckpoint(latest!.body, (await keySet(rail)).keys).ok);
  } finally {
    await rail.close();
  }
});

test('key rotation: results signed before and after it both verify through keys.json', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-rotate-'));
  const settings = { 'checkpoint-every': '1000000', 'checkpoint-interval-ms': '600000' };
  try {
    let rail = await startTestRail(settings, { dataDir });
    const before = await finished(rail, packetOrder(1));
    const oldBundle = await bundleOf(rail, before);
    const oldKey = rail.runtime.key.keyId;
    await rail.close();

    const rotated = await runCli(['keys', 'rotate', '--data-dir', dataDir]);
    assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
    assert.match(rotated.stdout, new RegExp(`retired signing key ${oldKey}`));

    rail = await startTestRail(settings, { dataDir });
    try {
      const newKey = rail.runtime.key.keyId;
      assert.notEqual(newKey, oldKey);
      const afterId = await finished(rail, packetOrder(2));
      const newBundle = await bundleOf(rail, afterId);
      assert.equal(newBundle.attestation!.key_id, newKey);
      assert.equal(newBundle.checkpoint.key_id, newKey);

      const keys = await keySet(rail);
      const byId = new Map(keys.keys.map((k) => [k.key_id, k]));
      assert.equal(byId.get(oldKey)?.status, 'retired');
      assert.ok(byId.get(oldKey)!.retired_at && byId.get(oldKey)!.valid.until === byId.get(oldKey)!.retired_at);
      assert.equal(byId.get(newKey)?.status, 'active');
      assert.equal(byId.get(newKey)?.retired_at, null);

      for (const bundle of [oldBundle, newBundle, await bundleOf(rail, before)]) {
        const v = verifyBundle(bundle, { trustedKeys: keys.keys });
        assert.equal(v.ok, true, JSON.stringify(v.checks.filter((c) => !c.ok)));
      }
      // A bundle fetched now for the old result: attested by the old key, its checkpoint by the new one.
      const mixed = await bundleOf(rail, before);
      assert.deepEqual(new Set(mixed.public_keys.map((k) => k.key_id)), new Set([oldKey, newKey]));
      const file = join(tmp, 'old-bundle.json');
      writeFileSync(file, JSON.stringify(oldBundle));
      const cli = await runCli(['verify', file, '--online', '--url', rail.url]);
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    } finally {
      await rail.close();
    }
    const audit = await runCli(['ledger', 'verify', '--data-dir', dataDir, '--deep']);
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /ledger verified: \d+ leaves/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

await whenPostgres(() => {
  test('two processes sharing PostgreSQL: each signs with its own key, every bundle verifies against keys.json', { timeout: 120_000 }, async () => {
    const db = await createTestDatabase();
    const settings = { store: db.url, 'checkpoint-every': '2', 'checkpoint-interval-ms': '200' };
    const rails: TestRail[] = [];
    try {
      rails.push(await startTestRail(settings), await startTestRail(settings));
      const [a, b] = rails as [TestRail, TestRail];
      assert.notEqual(a.runtime.key.keyId, b.runtime.key.keyId);
      const ids = await Promise.all([finished(a, packetOrder(1)), finished(b, packetOrder(2)), finished(a, packetOrder(3)), finished(b, packetOrder(4))]);
      const keys = await keySet(a);
      assert.deepEqual(new Set(keys.keys.map((k) => k.key_id)), new Set([a.runtime.key.keyId, b.runtime.key.keyId]));
      for (const [i, id] of ids.entries()) {
        const bundle = await bundleOf(rails[i % 2]!, id);
        const v = verifyBundle(bundle, { trustedKeys: keys.keys });
        assert.equal(v.ok, true, JSON.stringify(v.checks.filter((c) => !c.ok)));
      }
      const audit = await runCli(['ledger', 'verify', '--store', db.url, '--deep', '--json']);
      assert.equal(audit.code, 0, audit.stdout + audit.stderr);
      const report = JSON.parse(audit.stdout);
      assert.equal(report.leaves, 8);
      assert.ok(report.checkpoints >= 1);
    } finally {
      for (const rail of rails) await rail.close();
      await db.drop();
    }
  });
});
