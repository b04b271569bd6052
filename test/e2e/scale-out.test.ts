/**
 * Scale-out on PostgreSQL with real processes: one `--role api` and three `--role worker`
 * processes, each with its own data dir, share one throwaway database. Concurrent HTTP clients
 * submit N work orders (PacketOps, and `holdkit.hold` so work is in flight); one worker is
 * SIGKILLed mid-run and a new one (fresh data dir) started. Its orphaned leases expire (hold: 3 s,
 * PacketOps: 30 s) and the reaper of a surviving worker hands them out again. Then: every work order
 * is finalized exactly once, the ledger's seqs are 0..n-1, and `bindrail ledger verify --deep` passes.
 *
 * N is BINDRAIL_SCALE_N, default 20,000: 2 min 13 s on the 2-core development box at load ≈ 3.5.
 * When other jobs load that box to 20+, the rail there sustains ~30/s and 2,000 already takes over
 * three minutes: set BINDRAIL_SCALE_N=2000 then. The time budget grows with N either way.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ROOT, type ServeProcess } from '../helpers/serve-process.js';
import { packetOrder } from '../helpers/work-orders.js';
import { createTestDatabase, whenPostgres } from '../store/pg-database.js';
import { holdOrder } from './hold-tool.js';
import { connectDb, startCluster, submitAll, waitAllFinished } from './pg-cluster.js';

const N = Number(process.env.BINDRAIL_SCALE_N ?? 20_000);
/** Generous: ~25 completions/s, plus the 30 s PacketOps lease a killed worker leaves behind. */
const BUDGET_MS = 120_000 + N * 40;

// Every tenth order holds its lease for 0.3–1.5 s, so a kill always finds leased work.
const order = (i: number) => (i % 10 === 0 ? holdOrder(`h${i}`, 300 + (i % 13) * 100) : packetOrder(i));

/** Resolves as soon as `owner` holds at least one lease (polls the database; bounded). */
async function whenHoldingLease(db: ReturnType<typeof connectDb>, owner: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query("SELECT 1 FROM bindings WHERE state = 'leased' AND lease_owner = $1 LIMIT 1", [owner]);
    if (rows.length > 0) return;
    if (Date.now() > deadline) throw new Error(`worker ${owner} held no lease within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `bindrail ledger verify` as an operator runs it; resolves with its exit code and output. */
function ledgerVerify(storeUrl: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'ledger', 'verify', '--store', storeUrl, '--deep'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

await whenPostgres(() => {
  test(`1 api + 3 workers, ${N} work orders, a worker SIGKILLed and a new one started: each finalized exactly once`, { timeout: BUDGET_MS + 60_000 }, async (t) => {
    const database = await createTestDatabase();
    const db = connectDb(database.url);
    const cluster = await startCluster({
      storeUrl: database.url,
      workers: 3,
      commonArgs: ['--tools', 'test/e2e/hold-tool.ts', '--reaper-interval-ms', '200', '--poll-ms', '100'],
    });
    try {
      const victim = cluster.workers[0]!;
      let killed: Promise<void> | undefined;
      let replacement: Promise<ServeProcess> | undefined;
      const load = await submitAll(cluster.api.url, N, order, {
        clients: 32,
        onAccepted: (count) => {
          // Kill the victim at a moment it holds a lease, so the kill always leaves orphans behind.
          if (count === Math.floor(N * 0.3)) killed = whenHoldingLease(db, victim.owner).then(() => victim.kill());
          if (count === Math.floor(N * 0.5)) replacement = cluster.addWorker();
        },
      });
      await killed;
      await replacement;
      assert.equal(new Set(load.bindingIds).size, N, 'every work order got its own binding');

      await waitAllFinished(db, N, BUDGET_MS);
      const one = async <T>(sql: string) => (await db.query(sql)).rows[0] as T;

      const states = await db.query<{ state: string; n: number }>('SELECT state, COUNT(*)::int AS n FROM bindings GROUP BY state');
      assert.deepEqual(states.rows, [{ state: 'succeeded', n: N }], 'every binding succeeded');

      // One binding.finalized leaf and one result per binding; one work_order.accepted leaf per work order.
      const leaves = await db.query<{ kind: string; leaves: number; bindings: number }>(
        'SELECT kind, COUNT(*)::int AS leaves, COUNT(DISTINCT binding_id)::int AS bindings FROM ledger_leaves GROUP BY kind ORDER BY kind',
      );
      assert.deepEqual(leaves.rows, [
        { kind: 'binding.finalized', leaves: N, bindings: N },
        { kind: 'work_order.accepted', leaves: N, bindings: N },
      ]);
      const results = await one<{ results: number; bindings: number }>('SELECT COUNT(*)::int AS results, COUNT(DISTINCT binding_id)::int AS bindings FROM results');
      assert.deepEqual(results, { results: N, bindings: N });

      // Seqs 0..n-1: as many leaves as the highest seq + 1, none below 0.
      const seqs = await one<{ n: number; lo: number; hi: number }>('SELECT COUNT(*)::int AS n, MIN(seq)::int AS lo, MAX(seq)::int AS hi FROM ledger_leaves');
      assert.deepEqual(seqs, { n: 2 * N, lo: 0, hi: 2 * N - 1 });

      // The kill hit leased work: those attempts failed by lease expiry and ran again elsewhere.
      const expired = await one<{ n: number }>(`SELECT COUNT(*)::int AS n FROM events WHERE type = 'bindrail.attempt.failed' AND data->>'code' = 'lease_expired'`);
      assert.ok(expired.n > 0, 'the SIGKILLed worker held leases that expired and were retried');
      t.diagnostic(`${expired.n} leases of the killed worker expired and ran again; ${load.retries} submits retried`);

      const verify = await ledgerVerify(database.url);
      assert.equal(verify.code, 0, verify.out);
      assert.match(verify.out, new RegExp(`ledger verified: ${2 * N} leaves`));
    } finally {
      await cluster.close();
      await db.end();
      await database.drop();
    }
  });
});
