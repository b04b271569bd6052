/**
 * The database going away in the middle of a run, two ways: every session of the rail's database
 * cut with pg_terminate_backend (the errors a restart causes, for our database only — always runs),
 * and a real `pg_ctlcluster … restart` (guarded). 1 api + 2 worker processes keep running, clients
 * ride out the outage by retrying 503s and broken connections with their idempotency keys, the
 * work listeners reconnect, and every work order finishes exactly once.
 *
 * Restarting the server cuts every session on it, so the restart test guards itself: it runs only
 * where `pg_ctlcluster` exists and it runs as root, and only under CI=true or BINDRAIL_PG_RESTART=1
 * (on a shared machine it would break other people's runs). It holds PG_RESTART_LOCK, which new
 * test databases wait for, and waits until no other test database is in use before it restarts.
 * The remaining risk: a client of the server that is not a bindrail test sees its sessions cut.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { ROOT } from '../helpers/serve-process.js';
import { packetOrder } from '../helpers/work-orders.js';
import { createTestDatabase, PG_ADMIN_URL, PG_RESTART_LOCK, whenPostgres } from '../store/pg-database.js';
import { holdOrder } from './hold-tool.js';
import { connectDb, startCluster, submitAll, waitAllFinished } from './pg-cluster.js';

const N = Number(process.env.BINDRAIL_PG_RESTART_N ?? 600);
const QUIET_WAIT_MS = 5 * 60_000;

const order = (i: number) => (i % 5 === 0 ? holdOrder(`h${i}`, 200 + (i % 7) * 100) : packetOrder(i));

/** Why this test cannot run here, or undefined when it can. */
function cannotRestart(): string | undefined {
  if (process.env.CI !== 'true' && process.env.BINDRAIL_PG_RESTART !== '1') {
    return 'restarts the shared PostgreSQL server: runs under CI=true or BINDRAIL_PG_RESTART=1';
  }
  if (spawnSync('pg_ctlcluster', ['--help']).error) return 'pg_ctlcluster is not installed';
  if (process.getuid?.() !== 0) return 'pg_ctlcluster restart needs root';
  return undefined;
}

function lockHolderAlive(): boolean {
  const pid = Number(readFileSync(PG_RESTART_LOCK, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the restart lock (its file holds our pid); waits for another holder to finish. */
async function takeRestartLock(): Promise<() => void> {
  for (;;) {
    try {
      const fd = openSync(PG_RESTART_LOCK, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(PG_RESTART_LOCK, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockHolderAlive()) await new Promise((r) => setTimeout(r, 500));
      else rmSync(PG_RESTART_LOCK, { force: true });
    }
  }
}

/** Waits until no test database but `ours` has a session. */
async function waitForQuiet(ours: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const giveUpAt = Date.now() + QUIET_WAIT_MS;
    for (;;) {
      const r = await admin.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname LIKE 'bindrail_test_%' AND datname <> $1`,
        [ours],
      );
      if (r.rows[0]!.n === 0) return;
      if (Date.now() > giveUpAt) throw new Error(`other test databases stayed in use for ${QUIET_WAIT_MS} ms; not restarting under them`);
      await new Promise((res) => setTimeout(res, 500));
    }
  } finally {
    await admin.end();
  }
}

/** Restarts the server without blocking this process: the clients keep submitting through it. */
function restartPostgres(): Promise<void> {
  const version = readdirSync('/etc/postgresql')[0]!;
  const child = spawn('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctlcluster restart exited ${code}: ${out}`)))),
  );
}

function ledgerVerify(storeUrl: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'ledger', 'verify', '--store', storeUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

/**
 * Runs N work orders through 1 api + 2 workers on `database`, calls `disrupt` once 40 % are
 * accepted, and checks that nothing was lost or done twice.
 */
async function runThrough(t: TestContext, storeUrl: string, disrupt: () => Promise<void>): Promise<void> {
  const db = connectDb(storeUrl);
  const cluster = await startCluster({
    storeUrl,
    workers: 2,
    commonArgs: ['--tools', 'test/e2e/hold-tool.ts', '--reaper-interval-ms', '200', '--poll-ms', '100'],
  });
  try {
    let disrupted: Promise<void> | undefined;
    const load = await submitAll(cluster.api.url, N, order, {
      clients: 16,
      onAccepted: (count) => {
        // Mid-run: queued, leased and finishing work all exist now.
        if (count === Math.floor(N * 0.4)) disrupted = disrupt();
      },
    });
    await disrupted;
    assert.ok(load.retries > 0, 'clients saw the outage (503s or broken connections) and retried');

    await waitAllFinished(db, N, 240_000);
    for (const p of [cluster.api, ...cluster.workers]) {
      assert.equal(p.child.exitCode, null, `a process died:\n${p.output()}`);
    }
    // The retried submits created nothing twice: one work order and one binding per idempotency key.
    assert.equal(new Set(load.bindingIds).size, N);
    const counts = (await db.query<{ wo: number; b: number }>('SELECT (SELECT COUNT(*)::int FROM work_orders) AS wo, (SELECT COUNT(*)::int FROM bindings) AS b')).rows[0]!;
    assert.deepEqual(counts, { wo: N, b: N });
    const states = await db.query<{ state: string; n: number }>('SELECT state, COUNT(*)::int AS n FROM bindings GROUP BY state');
    assert.deepEqual(states.rows, [{ state: 'succeeded', n: N }], 'every binding succeeded');
    const finalized = (
      await db.query<{ leaves: number; bindings: number }>(
        `SELECT COUNT(*)::int AS leaves, COUNT(DISTINCT binding_id)::int AS bindings FROM ledger_leaves WHERE kind = 'binding.finalized'`,
      )
    ).rows[0]!;
    assert.deepEqual(finalized, { leaves: N, bindings: N }, 'each binding finalized exactly once');
    const seqs = (await db.query<{ n: number; hi: number }>('SELECT COUNT(*)::int AS n, MAX(seq)::int AS hi FROM ledger_leaves')).rows[0]!;
    assert.deepEqual(seqs, { n: 2 * N, hi: 2 * N - 1 });
    // The work listeners noticed and came back (wake-ups, not only polling).
    assert.ok(
      cluster.workers.some((w) => /work listener lost its connection/.test(w.output())),
      'a worker logged its work listener reconnecting',
    );
    const verify = await ledgerVerify(storeUrl);
    assert.equal(verify.code, 0, verify.out);
    const failed = await db.query<{ code: string; n: number }>(
      `SELECT data->>'code' AS code, COUNT(*)::int AS n FROM events WHERE type = 'bindrail.attempt.failed' GROUP BY 1 ORDER BY 1`,
    );
    t.diagnostic(`${load.retries} submits retried; attempts failed and run again: ${JSON.stringify(failed.rows)}`);
  } finally {
    await cluster.close();
    await db.end();
  }
}

/** Cuts every session of one database, as a restart does (57P01), leaving the rest of the server alone. */
async function terminateSessions(dbName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [dbName]);
  } finally {
    await admin.end();
  }
}

await whenPostgres(() => {
  // Safe on a shared server, so it always runs: the same errors a restart causes, for our database only.
  test(`every session of the database cut during a run of ${N} work orders: the processes reconnect and nothing is lost`, { timeout: 300_000 }, async (t) => {
    const database = await createTestDatabase();
    try {
      await runThrough(t, database.url, () => terminateSessions(new URL(database.url).pathname.slice(1)));
    } finally {
      await database.drop();
    }
  });

  const why = cannotRestart();
  test(`a PostgreSQL restart during a run of ${N} work orders: the processes reconnect and nothing is lost`, { skip: why, timeout: QUIET_WAIT_MS + 300_000 }, async (t) => {
    const unlock = await takeRestartLock();
    try {
      const database = await createTestDatabase();
      try {
        await waitForQuiet(new URL(database.url).pathname.slice(1));
        await runThrough(t, database.url, restartPostgres);
      } finally {
        await database.drop();
      }
    } finally {
      unlock();
    }
  });
});
