/**
 * Kill -9 mid-run: a real `bindrail serve` is killed while work orders are queued, leased and
 * finishing, then restarted on the same data dir. Every acknowledged work order ends in exactly
 * one terminal state with exactly one binding.finalized leaf; none lost, none twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ledgerLeafBytes } from '../../src/proof/ledger-leaf.js';
import { leafHash } from '../../src/proof/merkle.js';
import { TEST_ADMIN_KEY } from '../helpers/rail.js';
import { spawnServe } from '../helpers/serve-process.js';
import { packetOrder } from '../helpers/work-orders.js';
import { testOrder } from '../helpers/test-tools.js';

// Every third order heartbeats for a while, so the kill finds leased work mid-run.
const order = (i: number) =>
  i % 3 === 0 ? testOrder('slow', { value: `w${i}`, ms: 150 }, { idempotency_key: `crash-${i}` }) : packetOrder(i, { idempotency_key: `crash-${i}` });

const N = 600;

test('SIGKILL with work in flight loses nothing and finalizes nothing twice', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-crash-'));
  const env = { BINDRAIL_ADMIN_KEY: TEST_ADMIN_KEY };
  const args = ['--data-dir', dataDir, '--concurrency', '8', '--reaper-interval-ms', '100', '--tools', 'test/helpers/test-tools.ts'];
  let server = await spawnServe(args, env);
  let acknowledgedCount = 0;
  try {
    const post = (url: string, body: unknown) =>
      fetch(`${url}/v1/work-orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // 16 clients submit concurrently; the server is killed while they are still submitting and
    // while earlier work is queued, leased and finishing.
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const client = async () => {
      while (!killed && next < N) {
        const i = next++;
        try {
          const r = await post(server.url, order(i));
          if (r.status === 202) acknowledged.push(((await r.json()) as { binding_id: string }).binding_id);
          else await r.body?.cancel();
        } catch {
          // the connection died with the server: not acknowledged
        }
      }
    };
    const clients = Array.from({ length: 16 }, client);
    while (next < N * 0.6) await new Promise((r) => setTimeout(r, 5));
    // Kill at a moment the server holds a lease (read beside it: WAL lets another process read),
    // so the kill always leaves leased work behind: a 150 ms testkit task outlives the few ms to the kill.
    const peek = new Database(join(dataDir, 'rail.db'), { readonly: true });
    try {
      const deadline = Date.now() + 30_000;
      while (!peek.prepare("SELECT 1 FROM bindings WHERE state = 'leased' AND tool_name = 'testkit' LIMIT 1").get()) {
        assert.ok(Date.now() < deadline, 'the server never held a lease');
        await new Promise((r) => setTimeout(r, 2));
      }
    } finally {
      peek.close();
    }
    await server.kill();
    killed = true;
    await Promise.all(clients);
    assert.ok(acknowledged.length > 0, 'some work was acknowledged before the kill');
    acknowledgedCount = acknowledged.length;

    server = await spawnServe(args, env);
    // Resubmitting with the same keys is how a client recovers the requests it never got an answer for.
    const resubmitted: string[] = [];
    for (let i = 0; i < N; i++) {
      const r = await post(server.url, order(i));
      assert.ok(r.status === 200 || r.status === 202, `resubmit ${i}: ${r.status}`);
      resubmitted.push(((await r.json()) as { binding_id: string }).binding_id);
    }
    // Every acknowledged binding is the one its key answers with now.
    const ackSet = new Set(acknowledged);
    assert.ok([...ackSet].every((id) => resubmitted.includes(id)), 'an acknowledged binding was lost');

    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(`${server.url}/v1/bindings?state=queued&limit=1`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      const counts = await Promise.all(
        ['queued', 'leased', 'retry_wait'].map(async (s) => {
          const r = await fetch(`${server.url}/v1/bindings?state=${s}&limit=1`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
          return ((await r.json()) as { data: unknown[] }).data.length;
        }),
      );
      await res.body?.cancel();
      if (counts.every((c) => c === 0)) break;
      assert.ok(Date.now() < deadline, `work still open after restart: ${counts}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await server.stop();
  }

  const db = new Database(join(dataDir, 'rail.db'), { readonly: true });
  try {
    const bindings = db.prepare('SELECT binding_id, state FROM bindings').all() as { binding_id: string; state: string }[];
    assert.equal(bindings.length, N, 'one binding per work order');
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM work_orders').get() as { n: number }).n, N);
    for (const b of bindings) assert.ok(['succeeded', 'failed', 'cancelled'].includes(b.state), `${b.binding_id} is ${b.state}`);
    const finalized = db.prepare("SELECT binding_id, COUNT(*) AS n FROM ledger_leaves WHERE kind = 'binding.finalized' GROUP BY binding_id").all() as { n: number }[];
    assert.equal(finalized.length, N);
    assert.ok(finalized.every((f) => f.n === 1), 'a binding was finalized twice');
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n, N);
    // The ledger has no gaps, and every stored leaf hash is the hash of its leaf.
    const leaves = db.prepare('SELECT * FROM ledger_leaves ORDER BY seq').all() as any[];
    leaves.forEach((l, i) => {
      assert.equal(l.seq, i);
      assert.equal(Buffer.compare(l.leaf_hash, leafHash(ledgerLeafBytes(l))), 0);
    });
    assert.equal(leaves.length, 2 * N);
    const orphaned = (db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'bindrail.attempt.failed' AND data LIKE '%worker_restarted%'").get() as { n: number }).n;
    assert.ok(orphaned > 0, "the kill found no leased work: the test did not exercise recovery");
    t.diagnostic(`acknowledged before the kill: ${acknowledgedCount}/${N}; attempts orphaned by the kill and retried: ${orphaned}`);
  } finally {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
