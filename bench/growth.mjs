/**
 * Does bindrail slow down or grow as its store fills? The same measured run (N no-op tasks through
 * the full rail on SQLite, over HTTP) with 0, then 100,000, then 1,000,000 finished bindings
 * already in the store. The store is filled between measurements by lib/preload.mjs (copies of a
 * real finished binding through the store's own StoreTx, thousands per transaction), so each step
 * adds only the difference. Fails (exit 1) when the completion rate falls or the peak RSS rises
 * by more than 20% against the empty store. CPU seconds per 1k tasks is shown beside the rate: it
 * does not depend on how much CPU other work left over, so it tells a slower store from a busier
 * machine.
 * Usage: node growth.mjs [--sizes 0,100000,1000000] [--n 5000] [--runs 1] [--warmup 500]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureOnce } from './measure.mjs';
import { preloadFinished } from './lib/preload.mjs';
import { median } from './lib/stats.mjs';
import { bindrailSqlite, ROOT } from './systems/bindrail.mjs';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '0,100000,1000000' },
    n: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '500' },
    'keep-data': { type: 'boolean', default: false },
  },
});
const sizes = args.sizes.split(',').map(Number).sort((a, b) => a - b);
const N = Number(args.n);
const RUNS = Number(args.runs);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const uptimeStart = uptime();
console.log(`growth started — ${uptimeStart}`);

const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-growth-'));
const dbBytes = () => ['rail.db', 'rail.db-wal'].reduce((sum, f) => sum + (statSync(join(dataDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
const rows = [];
let preloaded = 0;
try {
  for (const size of sizes) {
    if (size > preloaded) {
      const t0 = performance.now();
      const rate = await preloadFinished(dataDir, size - preloaded, {
        onProgress: (done) => done % 100_000 === 0 && console.log(`  preloaded ${(preloaded + done).toLocaleString('en-US')}…`),
      });
      console.log(`preloaded ${(size - preloaded).toLocaleString('en-US')} finished bindings in ${((performance.now() - t0) / 1000).toFixed(0)} s (${Math.round(rate)}/s)`);
      preloaded = size;
      // The bulk load leaves gigabytes of dirty pages in the OS cache; without this the first
      // fsync of the measured run waits for their writeback and the run measures the preload.
      execFileSync('sync');
    }
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const result = await measureOnce(bindrailSqlite, { n: N, warmup: Number(args.warmup), latencySamples: 50, latencyWarmup: 5, setup: { dataDir } });
      runs.push(result);
      console.log(`${size.toLocaleString('en-US')} preloaded, run ${r + 1}: ${Math.round(result.completedPerSec)}/s end-to-end, peak RSS ${Math.round(result.peakRssMb)} MiB, p50 ${result.p50.toFixed(1)} ms, load ${result.load1.toFixed(1)}`);
    }
    rows.push({
      preloaded: size,
      dbMiB: dbBytes() / 2 ** 20,
      completedPerSec: median(runs.map((x) => x.completedPerSec)),
      peakRssMb: median(runs.map((x) => x.peakRssMb)),
      cpuPer1k: median(runs.map((x) => x.cpuPer1k)),
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      load1: median(runs.map((x) => x.load1)),
      runs,
    });
  }
} finally {
  if (!args['keep-data']) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`data dir kept: ${dataDir}`);
}

const base = rows[0];
const change = (x, b) => `${x >= b ? '+' : ''}${((100 * (x - b)) / b).toFixed(1)}%`;
let ok = true;
const lines = rows.map((r) => {
  const rateDrop = (base.completedPerSec - r.completedPerSec) / base.completedPerSec;
  const rssRise = (r.peakRssMb - base.peakRssMb) / base.peakRssMb;
  const pass = rateDrop <= 0.2 && rssRise <= 0.2;
  ok &&= pass;
  return `| ${r.preloaded.toLocaleString('en-US')} | ${Math.round(r.dbMiB).toLocaleString('en-US')} | ${Math.round(r.completedPerSec)} | ${change(r.completedPerSec, base.completedPerSec)} | ${Math.round(r.peakRssMb)} | ${change(r.peakRssMb, base.peakRssMb)} | ${r.cpuPer1k.toFixed(3)} | ${change(r.cpuPer1k, base.cpuPer1k)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.load1.toFixed(1)} | ${pass ? 'PASS' : 'FAIL'} |`;
});
const uptimeEnd = uptime();
const report = [
  '',
  `## bindrail/sqlite as the store grows — N = ${N.toLocaleString('en-US')} per run, median of ${RUNS}`,
  '',
  '| finished bindings already in the store | store size MiB | end-to-end completed /s | vs empty | peak RSS MiB | vs empty | CPU s /1k tasks | vs empty | p50 ms | p99 ms | load (1 min) | rate and RSS ≤ 20% worse |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...lines,
  '',
  `- load at start: ${uptimeStart}`,
  `- load at end:   ${uptimeEnd}`,
  Math.max(...rows.map((r) => r.load1)) > cpus().length
    ? '- WARNING: the load rose above the core count during the measurements: other work took CPU, so a rate change may be the machine, not the store. CPU s per 1k tasks does not depend on the share of CPU the process got: when it stays flat, the store size is not what slowed the run.'
    : '- load stayed at or below the core count (the bench\'s own).',
].join('\n');
console.log(report);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `growth-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ uptimeStart, uptimeEnd, options: args, rows }, null, 2));
console.log(`\nresults: ${file}`);
process.exitCode = ok ? 0 : 1;
