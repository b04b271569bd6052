/**
 * Scale-out on PostgreSQL: one `--role api` process plus 1, 2 and 4 `--role worker` processes on
 * one throwaway database, over real HTTP.
 *  - throughput, per run on a fresh database: end-to-end = C concurrent keep-alive clients submit N
 *    PacketOps work orders while the workers run, first submit → all N terminal; then, with
 *    packetops paused, intake alone = N more accepted per second by the API process, and drain =
 *    those N completed per second by the workers once packetops is resumed.
 *  - latency on an idle rail: sequential single submits, submit → result ready, three ways: polling
 *    `GET /v1/bindings/{id}/result` (api + 1 worker), the SSE `bindrail.result.ready` event (api + 1
 *    worker: the API process learns of another process's events by its stream poll), and SSE on one
 *    `--role all` process (events reach the stream through the in-process bus).
 * Medians of `runs`. The 1-minute load average is printed next to each figure: the box may be shared.
 * Usage: node --import tsx bench/scale-out.ts [N=5000] [runs=3] [clients=64] [workers=1,2,4] [latencySamples=200]
 * Needs PostgreSQL at BINDRAIL_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_ADMIN_KEY, connectDb, startCluster, submitAll, waitAllFinished } from '../test/e2e/pg-cluster.js';
import { openSse } from '../test/helpers/sse-reader.js';
import { spawnServe } from '../test/helpers/serve-process.js';
import { packetOrder } from '../test/helpers/work-orders.js';
import { createTestDatabase } from '../test/store/pg-database.js';

const N = Number(process.argv[2] ?? 5_000);
const RUNS = Number(process.argv[3] ?? 3);
const CLIENTS = Number(process.argv[4] ?? 64);
const WORKERS = (process.argv[5] ?? '1,2,4').split(',').map(Number);
const SAMPLES = Number(process.argv[6] ?? 200);
const HEADERS = { authorization: `Bearer ${CLUSTER_ADMIN_KEY}`, 'content-type': 'application/json' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const load1 = () => loadavg()[0]!;

interface ThroughputRun {
  /** Submitting while the workers run: first submit → all N terminal. */
  e2e: number;
  /** Accepted per second with the tool paused (the API process alone). */
  intake: number;
  /** A queue of N already accepted, drained by the workers: resume → all N terminal. */
  drain: number;
  load: number;
}

async function postAdmin(url: string, path: string): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: HEADERS, body: '{}' });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
}

async function throughputOnce(workers: number): Promise<ThroughputRun> {
  const db = await createTestDatabase();
  const cluster = await startCluster({ storeUrl: db.url, workers });
  const client = connectDb(db.url);
  try {
    const loadBefore = load1();
    let started = performance.now();
    await submitAll(cluster.api.url, N, (i) => packetOrder(i), { clients: CLIENTS, keyPrefix: 'e2e' });
    await waitAllFinished(client, N, 600_000, 50);
    const e2e = N / ((performance.now() - started) / 1000);

    await postAdmin(cluster.api.url, '/v1/queue/tools/packetops/pause');
    started = performance.now();
    await submitAll(cluster.api.url, N, (i) => packetOrder(N + i), { clients: CLIENTS, keyPrefix: 'drain' });
    const intake = N / ((performance.now() - started) / 1000);
    started = performance.now();
    await postAdmin(cluster.api.url, '/v1/queue/tools/packetops/resume');
    await waitAllFinished(client, 2 * N, 600_000, 50);
    const drain = N / ((performance.now() - started) / 1000);
    return { e2e, intake, drain, load: (loadBefore + load1()) / 2 };
  } finally {
    await client.end();
    await cluster.close();
    await db.drop();
  }
}

/** Submit → result ready, `SAMPLES` times one after another. */
async function latencies(url: string, via: 'poll' | 'sse'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/v1/work-orders`, { method: 'POST', headers: HEADERS, body: JSON.stringify(packetOrder(i)) });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
    const { binding_id: id } = (await res.json()) as { binding_id: string };
    if (via === 'poll') {
      for (;;) {
        const r = await fetch(`${url}/v1/bindings/${id}/result`, { headers: HEADERS });
        await r.arrayBuffer();
        if (r.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } else {
      const stream = await openSse(`${url}/v1/bindings/${id}/events`, { key: CLUSTER_ADMIN_KEY });
      try {
        for (;;) {
          const m = await stream.next(30_000);
          if ((JSON.parse(m.data) as { type: string }).type === 'bindrail.result.ready') break;
        }
      } finally {
        stream.close();
      }
    }
    out.push(performance.now() - started);
  }
  return out;
}

async function latencyOnce(topology: 'api+1 worker' | 'all', via: 'poll' | 'sse'): Promise<{ p50: number; p99: number; load: number }> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-bench-'));
  const close: (() => Promise<unknown>)[] = [];
  try {
    let url: string;
    if (topology === 'all') {
      const p = await spawnServe(['--store', db.url, '--data-dir', dataDir], { BINDRAIL_ADMIN_KEY: CLUSTER_ADMIN_KEY }, 60_000);
      close.push(() => p.stop());
      url = p.url;
    } else {
      const cluster = await startCluster({ storeUrl: db.url, workers: 1 });
      close.push(() => cluster.close());
      url = cluster.api.url;
    }
    await latencies(url, via).then(() => undefined); // warm-up pass: JIT, pools, prepared paths
    const loadBefore = load1();
    const xs = await latencies(url, via);
    return { p50: percentile(xs, 50), p99: percentile(xs, 99), load: (loadBefore + load1()) / 2 };
  } finally {
    for (const c of close) await c();
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}

const rows: string[] = [];
console.log(`scale-out on PostgreSQL — N=${N}, ${CLIENTS} clients, ${RUNS} runs each, ${SAMPLES} latency samples`);
for (const w of WORKERS) {
  const runs: ThroughputRun[] = [];
  for (let r = 0; r < RUNS; r++) {
    const x = await throughputOnce(w);
    runs.push(x);
    console.log(
      `  1 api + ${w} worker(s), run ${r + 1}: end-to-end ${x.e2e.toFixed(0)}/s, intake alone ${x.intake.toFixed(0)}/s, drain ${x.drain.toFixed(0)}/s (load ${x.load.toFixed(1)})`,
    );
  }
  const m = (k: keyof ThroughputRun) => median(runs.map((x) => x[k])).toFixed(k === 'load' ? 1 : 0);
  rows.push(`| 1 api + ${w} worker${w > 1 ? 's' : ''} | ${m('e2e')} | ${m('intake')} | ${m('drain')} | ${m('load')} |`);
}
const latencyRows: string[] = [];
for (const [topology, via] of [
  ['api+1 worker', 'poll'],
  ['api+1 worker', 'sse'],
  ['all', 'sse'],
] as const) {
  const runs: { p50: number; p99: number; load: number }[] = [];
  for (let r = 0; r < RUNS; r++) {
    const result = await latencyOnce(topology, via);
    runs.push(result);
    console.log(`  latency ${topology}, ${via}, run ${r + 1}: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (load ${result.load.toFixed(1)})`);
  }
  const how = via === 'poll' ? 'GET …/result until 200 (2 ms poll)' : 'SSE `bindrail.result.ready`';
  latencyRows.push(
    `| ${topology === 'all' ? '1 `--role all`' : '1 api + 1 worker'} | ${how} | ${median(runs.map((x) => x.p50)).toFixed(1)} | ${median(runs.map((x) => x.p99)).toFixed(1)} | ${median(runs.map((x) => x.load)).toFixed(1)} |`,
  );
}
console.log(
  `\n| processes | end-to-end (completed/s) | intake alone (accepted/s) | drain (completed/s) | load avg (1 min) |\n|---|---:|---:|---:|---:|\n${rows.join('\n')}`,
);
console.log(`\n| topology | measured until | p50 (ms) | p99 (ms) | load avg (1 min) |\n|---|---|---:|---:|---:|\n${latencyRows.join('\n')}`);
