/**
 * pg-boss 10 (the last major that runs on Node 20; PostgreSQL, polling workers): bare no-op jobs.
 * pg-boss workers poll (never less than every 0.5 s) and a worker loop that got jobs still waits
 * out the rest of its interval, so a loop moves at most `batchSize` jobs per 0.5 s: throughput
 * comes from `batchSize` and several `work()` loops, which is how its docs say to go fast.
 * Intake: `insert` in batches of 1,000. Completed rows stay (state 'completed'), so they are
 * counted. Latency: `send`, then the client polls the job's state every 1 ms (no completion event
 * across processes in pg-boss 10).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import PgBoss from 'pg-boss';
import { isMain, serveChild, startChild } from '../lib/child.mjs';
import { backendPids, createDatabase, monitorClient } from '../lib/pg.mjs';

const QUEUE = 'noop';
const BATCH = 1_000;
const WORKER = {
  loops: Number(process.env.BENCH_PGBOSS_LOOPS ?? 8),
  batchSize: Number(process.env.BENCH_PGBOSS_BATCH ?? 500),
  pollingIntervalSeconds: 0.5,
  max: 10,
};

async function workerMain(url) {
  const boss = new PgBoss({ connectionString: url, max: WORKER.max, migrate: false });
  boss.on('error', (err) => process.stderr.write(`pg-boss: ${err.message}\n`));
  await boss.start();
  for (let k = 0; k < WORKER.loops; k++) {
    await boss.work(QUEUE, { batchSize: WORKER.batchSize, pollingIntervalSeconds: WORKER.pollingIntervalSeconds }, async () => undefined);
  }
  serveChild(() => boss.stop({ graceful: true, wait: true, timeout: 10_000 }));
}

if (isMain(import.meta.url)) await workerMain(process.argv[2]);

export const pgBoss = {
  name: 'pg-boss',
  backend: 'postgres',
  async setup() {
    const db = await createDatabase('pg_boss');
    // The producer installs the schema and the queue; it runs no maintenance of its own.
    const boss = new PgBoss({ connectionString: db.url, supervise: false, schedule: false, max: 4 });
    boss.on('error', (err) => process.stderr.write(`pg-boss: ${err.message}\n`));
    await boss.start();
    await boss.createQueue(QUEUE);
    const monitor = await monitorClient(db.url);
    const latencyPoll = await monitorClient(db.url);
    const child = await startChild(fileURLToPath(import.meta.url), [db.url]);
    return {
      notes: [`pg-boss ${JSON.stringify(WORKER)}; insert in batches of ${BATCH}`],
      pids: () => [child.pid],
      dbPids: () => backendPids(db.name, [monitor.backendPid, latencyPoll.backendPid]),
      async enqueue(n) {
        for (let from = 0; from < n; from += BATCH) {
          await boss.insert(Array.from({ length: Math.min(BATCH, n - from) }, (_, k) => ({ name: QUEUE, data: { n: from + k } })));
        }
      },
      async completed() {
        const { rows } = await monitor.query("SELECT count(*)::int AS done FROM pgboss.job WHERE name = $1 AND state = 'completed'", [QUEUE]);
        return rows[0].done;
      },
      async latencyOnce(i) {
        const started = performance.now();
        const id = await boss.send(QUEUE, { n: i });
        for (;;) {
          const { rows } = await latencyPoll.query('SELECT state FROM pgboss.job WHERE name = $1 AND id = $2', [QUEUE, id]);
          if (rows[0]?.state === 'completed') break;
          await sleep(1);
        }
        return performance.now() - started;
      },
      latencyVia: () => 'client polls the job state every 1 ms until completed (workers poll every 0.5 s, the minimum)',
      async teardown() {
        await child.stop();
        await boss.stop({ graceful: false, wait: true, timeout: 5_000 });
        await monitor.end();
        await latencyPoll.end();
        await db.drop();
      },
    };
  },
};
