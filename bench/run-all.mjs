/**
 * `npm run bench`: the floors of this machine, then every system `runs` times (interleaved, so a
 * change in machine load hits all of them alike), then one table of medians with each system's
 * ratio to bindrail, the floors and the issue's targets. Writes bench/results/<date>.json.
 *
 * Usage: node run-all.mjs [--n 5000] [--runs 3] [--warmup 500] [--samples 200]
 *        [--latency-budget-ms 20000] [--systems graphile-worker,pg-boss,bullmq,bindrail-sqlite,bindrail-postgres]
 *        [--no-build] [--no-floors] [--floor-seconds 3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FLOOR_LABELS, measureFloors } from './floors.mjs';
import { measureOnce } from './measure.mjs';
import { floorsTable, medians, systemsTable, targetChecks } from './lib/report.mjs';
import { median } from './lib/stats.mjs';
import { ROOT } from './systems/bindrail.mjs';
import { SYSTEMS } from './systems/index.mjs';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '500' },
    samples: { type: 'string', default: '200' },
    'latency-budget-ms': { type: 'string', default: '20000' },
    systems: { type: 'string', default: Object.keys(SYSTEMS).join(',') },
    'no-build': { type: 'boolean', default: false },
    'no-floors': { type: 'boolean', default: false },
    'floor-seconds': { type: 'string', default: '3' },
  },
});
const N = Number(args.n);
const RUNS = Number(args.runs);
const keys = args.systems.split(',').map((s) => s.trim());
for (const k of keys) if (!SYSTEMS[k]) throw new Error(`unknown system ${k}; known: ${Object.keys(SYSTEMS).join(', ')}`);

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const gitText = (...a) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' });
const started = new Date();
const uptimeStart = uptime();
console.log(`bench started ${started.toISOString()} — ${uptimeStart}`);

if (!args['no-build']) {
  console.log('building dist/ (npm run build in the repository root)…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  // tsc still emits when another file in the tree has a type error; say so and go on.
  if (build.status !== 0) console.log(`  npm run build exited ${build.status}; measuring what it emitted:\n${(build.stdout + build.stderr).split('\n').filter((l) => l.includes('error')).slice(0, 5).join('\n')}`);
}

const floorRuns = [];
if (!args['no-floors']) {
  for (let r = 0; r < RUNS; r++) {
    floorRuns.push(await measureFloors({ seconds: Number(args['floor-seconds']) }));
    console.log(`floors run ${r + 1}: ${Object.entries(floorRuns.at(-1)).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
  }
}
const floors = floorRuns.length ? Object.fromEntries(Object.keys(FLOOR_LABELS).map((k) => [k, median(floorRuns.map((f) => f[k]))])) : {};

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
const head = gitText('rev-parse', '--short', 'HEAD').stdout.trim();
const dirty = gitText('diff', '--quiet', 'HEAD').status !== 0;
const runs = [];
const failures = [];
/** Written after every measurement, so a run cut short still leaves its figures behind. */
const save = (extra = {}) =>
  writeFileSync(
    file,
    JSON.stringify({ started: started.toISOString(), uptimeStart, node: process.version, commit: head, dirty, options: { ...args, n: N, runs: RUNS }, floorRuns, floors, runs, failures, ...extra }, null, 2),
  );
for (let r = 0; r < RUNS; r++) {
  for (const k of keys) {
    let result;
    try {
      result = await measureOnce(SYSTEMS[k], {
        n: N,
        warmup: Number(args.warmup),
        latencySamples: Number(args.samples),
        latencyBudgetMs: Number(args['latency-budget-ms']),
      });
    } catch (err) {
      // One failed run (a database restarted by someone else, say) is reported, not fatal.
      failures.push({ run: r + 1, system: SYSTEMS[k].name, error: String(err?.message ?? err).split('\n')[0], uptime: uptime() });
      console.log(`run ${r + 1} ${SYSTEMS[k].name}: FAILED — ${failures.at(-1).error}`);
      save();
      continue;
    }
    runs.push({ run: r + 1, ...result });
    save();
    console.log(
      `run ${r + 1} ${result.system}: enqueue ${Math.round(result.enqueuePerSec)}/s, end-to-end ${Math.round(result.completedPerSec)}/s, ` +
        `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms (${result.latencySamples} samples), CPU ${result.cpuPer1k.toFixed(3)} s/1k, ` +
        `DB CPU ${result.dbCpuPer1k.toFixed(3)} s/1k, RSS ${Math.round(result.peakRssMb)} MiB, load ${result.load1.toFixed(1)}`,
    );
    if (N / result.completedPerSec < 3) console.log(`  (the throughput phase took under 3 s: raise --n for a steadier figure)`);
  }
}

const rows = medians(runs);
const uptimeEnd = uptime();
const busiest = Math.max(...runs.map((r) => r.load1), loadavg()[0]);
const report = [
  '',
  `## bindrail vs bare job queues — medians of ${RUNS} run(s), N = ${N.toLocaleString('en-US')} no-op tasks`,
  '',
  systemsTable(rows, RUNS),
  '',
  ...(floorRuns.length ? [floorsTable(floors, rows), ''] : []),
  '### Targets (issue 10)',
  targetChecks(rows),
  '',
  '### Conditions',
  `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, bindrail ${head}${dirty ? ' + uncommitted changes' : ''}`,
  `- load at start: ${uptimeStart}`,
  `- load at end:   ${uptimeEnd}`,
  // The bench itself keeps one or two threads busy; a load above the core count means other work.
  busiest > cpus().length
    ? `- WARNING: the 1-minute load reached ${busiest.toFixed(1)} during the measurements, on ${cpus().length} cores: other work shared the CPUs, so absolute figures are low and noisy; ratios measured in the same run are the more meaningful part.`
    : `- load stayed at or below ${cpus().length} (the bench's own) during the measurements: the figures are this machine's.`,
  ...rows.map((r) => `- ${r.system}: latency = ${r.latencyVia}; ${r.notes.join('; ')}`),
  ...failures.map((f) => `- FAILED run ${f.run} of ${f.system} (left out of the medians): ${f.error} — ${f.uptime}`),
].join('\n');
console.log(report);

save({ finished: new Date().toISOString(), uptimeEnd, medians: rows });
console.log(`\nresults: ${file}`);
process.exitCode = failures.length ? 1 : 0;
