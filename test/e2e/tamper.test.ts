/**
 * Tampering with the SQLite file directly: a ledger leaf, a receipt, a result's output, a checkpoint
 * row. Each on a fresh copy of a real rail's data dir; `bindrail ledger verify` names the row, and
 * the bundle a rail serves from the tampered store fails `bindrail verify` naming the check.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { startTestRail, waitForResult } from '../helpers/rail.js';
import { packetOrder } from '../helpers/work-orders.js';

const work = mkdtempSync(join(tmpdir(), 'bindrail-tamper-'));
const pristine = join(work, 'pristine');
let target: { bindingId: string; seq: number; usageReceipt: string; checkpointSize: number };

before(async () => {
  const rail = await startTestRail({}, { dataDir: pristine });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await rail.api('POST', '/v1/work-orders', packetOrder(i))).body.binding_id);
    const results = await Promise.all(ids.map((id) => waitForResult(rail, id)));
    // Fetching the bundles signs a checkpoint covering every leaf.
    for (const id of ids) assert.equal((await rail.api('GET', `/v1/bindings/${id}/bundle`)).status, 200);
    const result = results[1];
    target = {
      bindingId: ids[1]!,
      seq: result.ledger.seq,
      usageReceipt: result.receipts.find((r: { kind: string }) => r.kind === 'usage').receipt_id,
      checkpointSize: (await rail.api('GET', '/v1/ledger/checkpoint', undefined, { key: null })).body.tree_size,
    };
  } finally {
    await rail.close();
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of the stopped rail's data dir with `sql` applied to its database. */
function tamperedCopy(sql: string, ...params: unknown[]): string {
  const dir = join(work, `copy-${++copies}`);
  cpSync(pristine, dir, { recursive: true });
  const db = new Database(join(dir, 'rail.db'));
  try {
    assert.equal(db.prepare(sql).run(...params).changes, 1, sql);
  } finally {
    db.close();
  }
  return dir;
}

/** Serves the tampered store, fetches the bundle, and runs `bindrail verify` on it. */
async function verifyServedBundle(dataDir: string) {
  const rail = await startTestRail({}, { dataDir });
  try {
    const r = await rail.api('GET', `/v1/bindings/${target.bindingId}/bundle`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const file = join(dataDir, 'bundle.json');
    writeFileSync(file, JSON.stringify(r.body));
    return await runCli(['verify', file]);
  } finally {
    await rail.close();
  }
}

test('the untouched copy verifies, deep', { timeout: 60_000 }, async () => {
  const dir = join(work, 'untouched');
  cpSync(pristine, dir, { recursive: true });
  const r = await runCli(['ledger', 'verify', '--data-dir', dir, '--deep', '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.leaves, 6);
  assert.ok(report.checkpoints >= 1);
  const served = await verifyServedBundle(dir);
  assert.equal(served.code, 0, served.stdout);
});

test('a ledger leaf: its digest edited', { timeout: 90_000 }, async () => {
  const dir = tamperedCopy('UPDATE ledger_leaves SET digest = ? WHERE seq = ?', `sha256:${'ab'.repeat(32)}`, target.seq);
  const ledger = await runCli(['ledger', 'verify', '--data-dir', dir]);
  assert.equal(ledger.code, 1, ledger.stdout + ledger.stderr);
  assert.match(ledger.stdout, new RegExp(`ledger_leaves seq ${target.seq}: stored leaf hash does not match its fields`));
  const bundle = await verifyServedBundle(dir);
  assert.equal(bundle.code, 1);
  assert.match(bundle.stdout, /verification FAILED at ledger_leaf_digest/);
});

test('a receipt: its body edited', { timeout: 90_000 }, async () => {
  const dir = tamperedCopy(`UPDATE receipts SET body = json_set(body, '$.body.run_ms', 999999) WHERE receipt_id = ?`, target.usageReceipt);
  const ledger = await runCli(['ledger', 'verify', '--data-dir', dir, '--deep']);
  assert.equal(ledger.code, 1, ledger.stdout + ledger.stderr);
  assert.match(ledger.stdout, new RegExp(`receipts ${target.usageReceipt}: stored digest does not match its body`));
  const bundle = await verifyServedBundle(dir);
  assert.equal(bundle.code, 1);
  assert.match(bundle.stdout, /verification FAILED at receipts/);
});

test("a result's machine output edited", { timeout: 90_000 }, async () => {
  const dir = tamperedCopy(`UPDATE results SET body = json_set(body, '$.machine_output.tampered', 1) WHERE binding_id = ?`, target.bindingId);
  const ledger = await runCli(['ledger', 'verify', '--data-dir', dir, '--deep']);
  assert.equal(ledger.code, 1, ledger.stdout + ledger.stderr);
  assert.match(ledger.stdout, new RegExp(`results binding ${target.bindingId}: output_digest does not match its machine_output`));
  const bundle = await verifyServedBundle(dir);
  assert.equal(bundle.code, 1);
  assert.match(bundle.stdout, /verification FAILED at output_digest/);
});

test('a checkpoint row: its root_hash edited', { timeout: 90_000 }, async () => {
  const dir = tamperedCopy('UPDATE checkpoints SET root_hash = ? WHERE tree_size = ?', '00'.repeat(32), target.checkpointSize);
  const ledger = await runCli(['ledger', 'verify', '--data-dir', dir]);
  assert.equal(ledger.code, 1, ledger.stdout + ledger.stderr);
  assert.match(ledger.stdout, new RegExp(`checkpoints tree_size ${target.checkpointSize}: root_hash does not match its signed note`));
  const bundle = await verifyServedBundle(dir);
  assert.equal(bundle.code, 1);
  // The proof no longer meets the edited root, and the root is not the signed one.
  assert.match(bundle.stdout, /verification FAILED at inclusion_proof/);
  assert.match(bundle.stdout, /FAIL checkpoint_signature +checkpoint \d+: root_hash does not match its signed note/);
});
