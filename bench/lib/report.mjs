/** Turns measured runs into the medians table, the floors table and the target checks. */
import { FLOOR_LABELS } from '../floors.mjs';
import { median } from './stats.mjs';

export const METRICS = ['enqueuePerSec', 'completedPerSec', 'p50', 'p95', 'p99', 'cpuPer1k', 'dbCpuPer1k', 'clientCpuPer1k', 'peakRssMb', 'load1', 'latencySamples'];

/** Per system: the median of each metric over its runs. */
export function medians(runs) {
  const bySystem = new Map();
  for (const r of runs) bySystem.set(r.system, [...(bySystem.get(r.system) ?? []), r]);
  return [...bySystem].map(([system, rs]) => ({
    system,
    runs: rs.length,
    ...Object.fromEntries(METRICS.map((m) => [m, median(rs.map((r) => r[m]))])),
    latencyVia: rs[0].latencyVia,
    notes: rs[0].notes,
  }));
}

const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const ms = (x) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');
const sec = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');

export function systemsTable(rows, expectedRuns) {
  const sqlite = rows.find((r) => r.system === 'bindrail/sqlite');
  const postgres = rows.find((r) => r.system === 'bindrail/postgres');
  const head =
    '| system | enqueue /s | end-to-end completed /s | ÷ bindrail/sqlite | ÷ bindrail/postgres | p50 ms | p95 ms | p99 ms | CPU s /1k tasks (system) | DB server CPU s /1k | client CPU s /1k | peak RSS MiB | load (1 min) |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${r.system}${r.runs < expectedRuns ? ` (${r.runs} of ${expectedRuns} runs)` : ''} | ${int(r.enqueuePerSec)} | ${int(r.completedPerSec)} | ${ratio(r.completedPerSec, sqlite?.completedPerSec)} | ${ratio(r.completedPerSec, postgres?.completedPerSec)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${sec(r.cpuPer1k)} | ${sec(r.dbCpuPer1k)} | ${sec(r.clientCpuPer1k)} | ${int(r.peakRssMb)} | ${r.load1.toFixed(1)} |`,
  );
  return [head, ...lines].join('\n');
}

export function floorsTable(floors, rows) {
  const sqlite = rows.find((r) => r.system === 'bindrail/sqlite');
  const lines = Object.entries(floors).map(([k, v]) => `| ${FLOOR_LABELS[k]} | ${int(v)} |`);
  const out = ['| floor on this machine (median) | per second |', '|---|---:|', ...lines];
  if (sqlite && floors.sqliteCommitsSingle) {
    out.push(
      '',
      `bindrail/sqlite finishes ${(sqlite.completedPerSec / floors.sqliteCommitsSingle).toFixed(2)} tasks per single-row SQLite commit the disk can do, ` +
        `and its attestations use ${((100 * sqlite.completedPerSec) / floors.ed25519SignsPerSec).toFixed(1)}% of the Ed25519 signing floor.`,
    );
  }
  return out.join('\n');
}

/** The issue's targets, each PASS/FAIL with the numbers behind it. */
export function targetChecks(rows) {
  const get = (name) => rows.find((r) => r.system === name);
  const sqlite = get('bindrail/sqlite');
  const postgres = get('bindrail/postgres');
  const gw = get('graphile-worker');
  const peers = rows.filter((r) => !r.system.startsWith('bindrail/'));
  const fastest = peers.reduce((a, b) => (a && a.completedPerSec >= b.completedPerSec ? a : b), undefined);
  const check = (ok, text) => `- ${ok ? 'PASS' : 'FAIL'}: ${text}`;
  const out = [];
  if (sqlite && fastest)
    out.push(check(sqlite.completedPerSec >= fastest.completedPerSec, `bindrail/sqlite ${int(sqlite.completedPerSec)}/s ≥ fastest peer (${fastest.system}) ${int(fastest.completedPerSec)}/s`));
  if (sqlite && gw) out.push(check(sqlite.completedPerSec >= 2 * gw.completedPerSec, `bindrail/sqlite ${int(sqlite.completedPerSec)}/s ≥ 2 × graphile-worker = ${int(2 * gw.completedPerSec)}/s`));
  if (postgres && gw) out.push(check(postgres.completedPerSec >= gw.completedPerSec, `bindrail/postgres ${int(postgres.completedPerSec)}/s ≥ graphile-worker ${int(gw.completedPerSec)}/s`));
  if (sqlite) {
    out.push(check(sqlite.p50 < 5, `bindrail/sqlite idle latency p50 ${ms(sqlite.p50)} ms < 5 ms`));
    out.push(check(sqlite.p99 < 25, `bindrail/sqlite idle latency p99 ${ms(sqlite.p99)} ms < 25 ms`));
  }
  return out.join('\n');
}
