/**
 * graphile-worker (PostgreSQL, LISTEN/NOTIFY wake-ups): bare no-op jobs.
 * Worker settings are the ones its own performance page uses for its published figures
 * (concurrentJobs 24, maxPoolSize 25, localQueue.size 500, completeJobBatchDelay 0,
 * failJobBatchDelay 0). Intake: `addJobs` in batches of 1,000. Completed jobs are deleted, so
 * completed = added − rows left. Latency: `addJob`, then the client polls the job's row every
 * 1 ms until it is gone: the library has no cross-process completion event, and its in-process
 * `job:success` fires before the completion is committed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import { isMain, serveChild, startChild } from '../lib/child.mjs';
import { backendPids, createDatabase, monitorClient } from '../lib/pg.mjs';

const BATCH = 1_000;
const WORKER = { concurrentJobs: 24, maxPoolSize: 25, localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 };
// Silence per-job info logs (bindrail runs with --log-level warn too).
const quietLogger = () => (level, message) => {
  if (level === 'error' || level === 'warning') process.stderr.write(`${level}: ${message}\n`);
};

async function workerMain(url) {
  const runner = await run({
    connectionString: url,
    concurrency: WORKER.concurrentJobs,
    maxPoolSize: WORKER.maxPoolSize,
    noHandleSignals: true,
    logger: new Logger(quietLogger),
    taskList: { noop: async () => undefined },
    preset: { worker: { localQueue: WORKER.localQueue, completeJobBatchDelay: WORKER.completeJobBatchDelay, failJobBatchDelay: WORKER.failJobBatchDelay } },
  });
  serveChild(() => runner.stop());
}

if (isMain(import.meta.url)) await workerMain(process.argv[2]);

export const graphileWorker = {
  name: 'graphile-worker',
  backend: 'postgres',
  async setup() {
    const db = await createDatabase('graphile_worker');
    const utils = await makeWorkerUtils({ connectionString: db.url });
    await utils.migrate();
    const monitor = await monitorClient(db.url);
    const latencyPoll = await monitorClient(db.url);
    const child = await startChild(fileURLToPath(import.meta.url), [db.url], { env: { NO_LOG_SUCCESS: '1' } });
    let added = 0;
    return {
      notes: [`graphile-worker ${JSON.stringify(WORKER)}; addJobs in batches of ${BATCH}`],
      pids: () => [child.pid],
      dbPids: () => backendPids(db.name, [monitor.backendPid, latencyPoll.backendPid]),
      async enqueue(n) {
        for (let from = 0; from < n; from += BATCH) {
          const specs = Array.from({ length: Math.min(BATCH, n - from) }, (_, k) => ({ identifier: 'noop', payload: { n: from + k } }));
          await utils.addJobs(specs);
        }
        added += n;
      },
      async completed() {
        const { rows } = await monitor.query('SELECT count(*)::int AS left FROM graphile_worker._private_jobs');
        return added - rows[0].left;
      },
      async latencyOnce(i) {
        const started = performance.now();
        const job = await utils.addJob('noop', { n: i });
        added += 1;
        for (;;) {
          const { rowCount } = await latencyPoll.query('SELECT 1 FROM graphile_worker._private_jobs WHERE id = $1', [job.id]);
          if (rowCount === 0) break;
          await sleep(1);
        }
        return performance.now() - started;
      },
      latencyVia: () => 'client polls the job row every 1 ms until deleted (no cross-process completion event)',
      async teardown() {
        await child.stop();
        await utils.release();
        await monitor.end();
        await latencyPoll.end();
        await db.drop();
      },
    };
  },
};
