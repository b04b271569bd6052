/**
 * What one no-op task costs bindrail in stored work, measured: N tasks through `bindrail serve` on
 * SQLite (the same system as the benchmark), then every table of the data dir is counted — rows
 * per task, index entries per task (a row of a table with k indexes is k + 1 B-tree inserts), and
 * bytes per task on disk. With the floors of this machine it gives a ceiling no implementation of
 * this much work per task can pass on one SQLite writer (rows are written by one thread, and every
 * attestation is one Ed25519 signature), and the rate one PostgreSQL connection's inserts allow.
 * Usage: node work-per-task.mjs [--n 5000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { measureFloors } from './floors.mjs';
import { measureOnce } from './measure.mjs';
import { bindrailSqlite } from './systems/bindrail.mjs';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '5000' } } });
const N = Number(args.n);

const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-work-'));
try {
  const result = await measureOnce(bindrailSqlite, { n: N, warmup: 0, latencySamples: 0, latencyWarmup: 0, setup: { dataDir } });
  const db = new Database(join(dataDir, 'rail.db'), { readonly: true });
  const tasks = db.prepare("SELECT count(*) AS n FROM bindings WHERE state = 'succeeded'").get().n;
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
  const lines = [];
  let rows = 0;
  let entries = 0;
  for (const { name } of tables) {
    const count = db.prepare(`SELECT count(*) AS n FROM "${name}"`).get().n;
    if (count < tasks / 10) continue; // per-deployment tables (keys, tenants, checkpoints…)
    const indexes = db.prepare(`SELECT count(*) AS n FROM pragma_index_list(?)`).get(name).n;
    rows += count / tasks;
    entries += (count * (indexes + 1)) / tasks;
    lines.push(`| ${name} | ${(count / tasks).toFixed(2)} | ${indexes} |`);
  }
  db.close();
  const bytes = ['rail.db', 'rail.db-wal'].reduce((s, f) => s + (statSync(join(dataDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
  const floors = await measureFloors({ seconds: 2 });
  const rowCeiling = floors.sqliteRowsBatched100 / entries;
  const both = 1 / (1 / rowCeiling + 1 / floors.ed25519SignsPerSec);
  console.log(`## Stored work per no-op task (N = ${tasks.toLocaleString('en-US')} finished; ${Math.round(result.completedPerSec)}/s in this run)\n`);
  console.log('| table | rows per task | indexes |\n|---|---:|---:|');
  console.log(lines.join('\n'));
  console.log(`\nrows per task: ${rows.toFixed(1)}; B-tree inserts per task (rows × (indexes + 1)): ${entries.toFixed(1)}; bytes on disk per task: ${Math.round(bytes / tasks).toLocaleString('en-US')}`);
  console.log(`floors now: ${Math.round(floors.sqliteRowsBatched100).toLocaleString('en-US')} rows/s into a table with no index (100 per transaction), ${Math.round(floors.ed25519SignsPerSec).toLocaleString('en-US')} Ed25519 signatures/s`);
  console.log(`ceiling for this much work on one thread, counting nothing but B-tree inserts at the floor rate and one signature per task: ${Math.round(both).toLocaleString('en-US')} tasks/s (inserts alone ${Math.round(rowCeiling).toLocaleString('en-US')}/s)`);
  // The PostgreSQL store keeps the same record (the same tables and, within one or two, indexes).
  console.log(
    `PostgreSQL, the same record: ${Math.round(floors.postgresRowsBatched1000).toLocaleString('en-US')} rows/s into a table with one index (1,000 per INSERT … unnest, 1 connection; each row a heap insert and an index insert) → at most ${Math.round((2 * floors.postgresRowsBatched1000) / entries).toLocaleString('en-US')} tasks/s per connection from its inserts alone`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
