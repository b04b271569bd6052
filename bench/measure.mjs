/**
 * One measured run of one system, the same steps for every system:
 *  1. setup: a fresh database (or Redis db, or SQLite data dir) and the system's own process(es);
 *  2. warm-up: `warmup` tasks through, so JIT, pools and prepared statements are warm;
 *  3. throughput: enqueue N tasks the system's bulk way, then wait until all N are completed;
 *     enqueue rate = N / time until the last was accepted; end-to-end = N / time until the last
 *     completed, both from the first enqueue. CPU = /proc utime+stime deltas of the system's
 *     processes, of the database server processes serving its database, and of this (client)
 *     process; peak RSS = VmHWM of the system's processes at the end;
 *  4. latency on the now idle queue: one task at a time, submit → completion observed by the
 *     client, after `latencyWarmup` unrecorded ones; at most `latencyBudgetMs` of samples.
 *
 * A system is `{ name, backend, setup(opts) }`; setup resolves with a handle:
 *   pids() → the system's process ids; dbPids() → database server pids working for it;
 *   enqueue(n); completed() → tasks completed since setup (exact once enqueue resolved);
 *   latencyOnce(i) → ms; latencyVia() → how completion is observed; notes → tuning used;
 *   verify?() → spot-checks that counted tasks really finished; teardown().
 * Options: n, warmup, latencySamples, latencyWarmup, latencyBudgetMs, timeoutMs, setup (passed to
 * setup()), and hooks { beforeThroughput(h), afterThroughput(h) } for profilers and counters;
 * the result's `window` gives the throughput phase on the monotonic clock (µs, as V8 profiles).
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuBetween, cpuSnapshot, peakRssMb } from './lib/proc.mjs';
import { percentile } from './lib/stats.mjs';

export const DEFAULTS = { n: 10_000, warmup: 500, latencySamples: 200, latencyWarmup: 20, latencyBudgetMs: 20_000, timeoutMs: 600_000 };

async function waitCompleted(h, target, timeoutMs, pollMs, counter = { polls: 0 }) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    counter.polls++;
    const done = await h.completed();
    if (done >= target) return done;
    if (performance.now() > deadline) throw new Error(`only ${done} of ${target} tasks completed within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

export async function measureOnce(system, options = {}) {
  const o = { ...DEFAULTS, ...options };
  const h = await system.setup(o.setup ?? {});
  try {
    // Warm-up.
    const w0 = await h.completed();
    await h.enqueue(o.warmup);
    await waitCompleted(h, w0 + o.warmup, o.timeoutMs, 20);

    // Throughput.
    const load1Before = loadavg()[0];
    const base = await h.completed();
    const sysPids = h.pids();
    const dbBefore = cpuSnapshot(await h.dbPids());
    const sysBefore = cpuSnapshot(sysPids);
    await o.hooks?.beforeThroughput?.(h);
    const clientBefore = process.cpuUsage();
    const windowStart = process.hrtime.bigint();
    const t0 = performance.now();
    await h.enqueue(o.n);
    const t1 = performance.now();
    const counter = { polls: 0 };
    await waitCompleted(h, base + o.n, o.timeoutMs, 10, counter);
    const t2 = performance.now();
    const windowEnd = process.hrtime.bigint();
    const clientCpu = process.cpuUsage(clientBefore);
    const sysCpu = cpuBetween(sysBefore, cpuSnapshot(sysPids));
    const dbCpu = cpuBetween(dbBefore, cpuSnapshot(await h.dbPids()));
    const peakRss = sysPids.reduce((sum, pid) => sum + peakRssMb(pid), 0);
    await o.hooks?.afterThroughput?.(h);
    await h.verify?.();
    const load1After = loadavg()[0];

    // Latency on the idle queue.
    const samples = [];
    const latencyStart = performance.now();
    for (let i = 0; i < o.latencyWarmup + o.latencySamples; i++) {
      const ms = await h.latencyOnce(i);
      if (i >= o.latencyWarmup) samples.push(ms);
      if (i >= o.latencyWarmup && performance.now() - latencyStart > o.latencyBudgetMs) break;
      await sleep(2); // idle between samples: nothing else is queued or running
    }
    const per1k = 1000 / o.n;
    return {
      system: system.name,
      n: o.n,
      enqueuePerSec: o.n / ((t1 - t0) / 1000),
      completedPerSec: o.n / ((t2 - t0) / 1000),
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      p99: percentile(samples, 99),
      latencySamples: samples.length,
      cpuPer1k: sysCpu * per1k,
      dbCpuPer1k: dbCpu * per1k,
      clientCpuPer1k: ((clientCpu.user + clientCpu.system) / 1e6) * per1k,
      peakRssMb: peakRss,
      load1: (load1Before + load1After) / 2,
      latencyVia: h.latencyVia(),
      completionPolls: counter.polls,
      window: { startUs: Number(windowStart / 1000n), endUs: Number(windowEnd / 1000n) },
      notes: h.notes,
    };
  } finally {
    await h.teardown();
  }
}
