/**
 * Where bindrail's time goes under the throughput run: `bindrail serve` (compiled dist/) runs with
 * `node --cpu-prof`; only the samples inside the throughput window count (warm-up and start-up
 * are cut off by timestamp). Prints the top self-time functions, the top inclusive ones, time
 * per place (bindrail file, npm package, node internals, GC, idle), and per task: the durable
 * commits (fsync/fdatasync of the serve process on SQLite; transactions committed in its database
 * on PostgreSQL) and the writes it makes (HTTP replies, PostgreSQL round trips), the syscalls
 * counted by `perf stat` tracepoints when perf is present.
 * Usage: node profile.mjs [--store sqlite|postgres] [--n 5000] [--warmup 500] [--top 20]
 *        [--data-dir DIR: an existing SQLite data dir, e.g. one filled by lib/preload.mjs]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { analyseProfile } from './lib/cpuprofile.mjs';
import { measureOnce } from './measure.mjs';
import { bindrailPostgres, bindrailSqlite, ROOT } from './systems/bindrail.mjs';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    n: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '500' },
    top: { type: 'string', default: '20' },
    'data-dir': { type: 'string' },
  },
});
const TOP = Number(args.top);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = join(ROOT, 'bench/results', `profile-${args.store}-${stamp}`);
mkdirSync(outDir, { recursive: true });

const SYSCALLS = ['fsync', 'fdatasync', 'write', 'writev', 'sendto'];

/**
 * Syscalls of one process while it runs, from kernel tracepoints (no ptrace stops): fsync and
 * fdatasync are durable commits; write, writev and sendto are mostly socket writes (an HTTP reply,
 * or one PostgreSQL round trip: node-postgres writes each query with one writev).
 */
function countSyscalls(pid) {
  const events = SYSCALLS.map((c) => `syscalls:sys_enter_${c}`).join(',');
  const perf = spawn('perf', ['stat', '-x', ',', '-e', events, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  perf.stderr.on('data', (d) => (err += d));
  // No perf on this machine ('error'): the counts are reported as "not counted".
  const exited = new Promise((resolve) => {
    perf.once('close', resolve);
    perf.once('error', resolve);
  });
  return {
    async stop() {
      perf.kill('SIGINT');
      await exited;
      return Object.fromEntries([...err.matchAll(/^(\d+),,syscalls:sys_enter_(\w+)/gm)].map((m) => [m[2], Number(m[1])]));
    },
  };
}

async function xactCommits(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

const system = args.store === 'postgres' ? bindrailPostgres : bindrailSqlite;
let syscalls;
let counts = {};
let pgCommits;
let dbUrl;
const result = await measureOnce(system, {
  n: Number(args.n),
  warmup: Number(args.warmup),
  latencySamples: 0,
  latencyWarmup: 0,
  setup: { execArgv: ['--cpu-prof', '--cpu-prof-dir', outDir], dataDir: args['data-dir'] },
  hooks: {
    async beforeThroughput(h) {
      if (args.store === 'postgres') {
        dbUrl = h.dbUrl;
        await sleep(1_100); // PostgreSQL 15 flushes per-backend stats at most once a second
        pgCommits = -(await xactCommits(dbUrl));
      }
      syscalls = countSyscalls(h.pids()[0]);
    },
    async afterThroughput() {
      counts = await syscalls.stop();
      if (args.store === 'postgres') {
        await sleep(1_100);
        pgCommits += await xactCommits(dbUrl);
      }
    },
  },
});

const file = readdirSync(outDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile in ${outDir}: did serve exit cleanly?`);
const a = analyseProfile(join(outDir, file), result.window);
const pct = (x) => (Number.isFinite(x) ? `${x.toFixed(1)}%` : '—');
const table = (rows, label) =>
  [`| # | ${label} | ms | % of window | % of busy |`, '|---:|---|---:|---:|---:|', ...rows.slice(0, TOP).map((r, i) => `| ${i + 1} | \`${r.name}\` | ${r.ms.toFixed(0)} | ${pct(r.pct)} | ${pct(r.pctBusy)} |`)].join('\n');

const perTask = (x) => (x === undefined ? 'not counted' : `${x} in the window = ${(x / result.n).toFixed(3)} per task`);
const report = [
  `## bindrail/${args.store} under the throughput run — CPU profile of \`bindrail serve\` (dist/)`,
  '',
  `N = ${result.n}: ${Math.round(result.completedPerSec)} tasks/s end-to-end, intake ${Math.round(result.enqueuePerSec)}/s, ` +
    `${result.cpuPer1k.toFixed(3)} CPU s per 1k tasks, load ${result.load1.toFixed(1)}. Window ${(a.totalMs / 1000).toFixed(1)} s of samples, ` +
    `${((100 * a.idleMs) / a.totalMs).toFixed(1)}% idle: ` +
    (args.store === 'postgres'
      ? 'waiting on PostgreSQL round trips, or nothing to do.'
      : 'nothing to do (a COMMIT waiting on fsync is not idle: better-sqlite3 blocks the thread, so it shows as `exec`).'),
  args.store === 'postgres'
    ? `Transactions committed in its database: ${perTask(pgCommits === undefined ? undefined : pgCommits - result.completionPolls)} (${result.completionPolls} /healthz polls subtracted).`
    : `fsync + fdatasync calls by the serve process: ${perTask(counts.fsync === undefined ? undefined : counts.fsync + (counts.fdatasync ?? 0))}.`,
  `Socket/file writes by the serve process (write + writev + sendto): ${perTask(counts.writev === undefined ? undefined : (counts.write ?? 0) + counts.writev + (counts.sendto ?? 0))} ` +
    `(writev ${counts.writev ?? '—'}, write ${counts.write ?? '—'}, sendto ${counts.sendto ?? '—'}; each HTTP reply is one, each PostgreSQL query one more).`,
  '',
  `### Top ${TOP} by self time`,
  table(a.self, 'function (file:line in dist/ or package)'),
  '',
  `### Top ${TOP} by inclusive time`,
  table(a.inclusive, 'function'),
  '',
  '### Self time by place',
  table(a.places, 'place'),
  '',
  `profile: ${join(outDir, file)} (open in Chrome DevTools → Performance, or speedscope)`,
].join('\n');
console.log(report);
writeFileSync(join(outDir, 'report.md'), `${report}\n`);
