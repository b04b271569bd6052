/**
 * BullMQ (Redis): bare no-op jobs. Worker concurrency 100 (a no-op job only waits on Redis round
 * trips, so one process keeps many in flight). Intake: `addBulk` in batches of 1,000. Completed
 * jobs are kept (the default), so completed = the completed set's size. Latency: `add`, then
 * `job.waitUntilFinished(queueEvents)`, BullMQ's own completion event (a Redis stream).
 */
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { isMain, serveChild, startChild } from '../lib/child.mjs';
import { flushAndFindServer, REDIS } from '../lib/redis.mjs';

const QUEUE = 'noop';
const BATCH = 1_000;
const CONCURRENCY = Number(process.env.BENCH_BULLMQ_CONCURRENCY ?? 100);

async function workerMain() {
  const worker = new Worker(QUEUE, async () => undefined, { connection: { ...REDIS, maxRetriesPerRequest: null }, concurrency: CONCURRENCY });
  worker.on('error', (err) => process.stderr.write(`bullmq: ${err.message}\n`));
  await worker.waitUntilReady();
  serveChild(() => worker.close());
}

if (isMain(import.meta.url)) await workerMain();

export const bullmq = {
  name: 'BullMQ',
  backend: 'redis',
  async setup() {
    const redisPid = await flushAndFindServer();
    const queue = new Queue(QUEUE, { connection: { ...REDIS } });
    const events = new QueueEvents(QUEUE, { connection: { ...REDIS } });
    await queue.waitUntilReady();
    await events.waitUntilReady();
    const child = await startChild(fileURLToPath(import.meta.url), []);
    return {
      notes: [`BullMQ Worker concurrency ${CONCURRENCY}; addBulk in batches of ${BATCH}; Redis db ${REDIS.db}`],
      pids: () => [child.pid],
      // redis-server is shared by everything on this machine that uses Redis.
      dbPids: async () => [redisPid],
      async enqueue(n) {
        for (let from = 0; from < n; from += BATCH) {
          await queue.addBulk(Array.from({ length: Math.min(BATCH, n - from) }, (_, k) => ({ name: QUEUE, data: { n: from + k } })));
        }
      },
      completed: () => queue.getCompletedCount(),
      async latencyOnce(i) {
        const started = performance.now();
        const job = await queue.add(QUEUE, { n: i });
        await job.waitUntilFinished(events, 30_000);
        return performance.now() - started;
      },
      latencyVia: () => "job.waitUntilFinished(QueueEvents): BullMQ's completion event",
      async teardown() {
        await child.stop();
        await events.close();
        await queue.close();
        await flushAndFindServer();
      },
    };
  },
};
