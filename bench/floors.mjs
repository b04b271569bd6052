/**
 * The floors of this machine: how fast the primitives bindrail is built on can go at all, so the
 * results table says how close the rail is to the hardware.
 *  - SQLite commits/s: WAL, synchronous=FULL (bindrail's settings), a file on the same disk as
 *    the benchmark's data dirs; one row per transaction, and 100 rows per transaction;
 *  - PostgreSQL commits/s: one connection, one-row INSERT in autocommit, synchronous_commit as
 *    the server has it; and rows/s, 1,000 rows per INSERT … SELECT FROM unnest (one per txn);
 *  - Ed25519 signatures/s: node:crypto sign over a 256-byte message (a DSSE PAE is about that).
 * Usage: node floors.mjs [seconds per floor = 3]
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { isMain } from './lib/child.mjs';
import { createDatabase } from './lib/pg.mjs';

/** Runs `step` (which does `per` units) until `seconds` have passed; units per second. */
async function rate(seconds, per, step) {
  let units = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    await step();
    units += per;
  }
  return units / ((performance.now() - started) / 1000);
}

function sqliteFloors(seconds) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  try {
    const db = new Database(join(dir, 'floor.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const payload = randomBytes(64).toString('hex');
    const many = db.transaction((k) => {
      for (let i = 0; i < k; i++) insert.run(payload);
    });
    const measure = (per, step) => {
      let units = 0;
      const started = performance.now();
      while (performance.now() - started < seconds * 1000) {
        step();
        units += per;
      }
      return units / ((performance.now() - started) / 1000);
    };
    const single = measure(1, () => insert.run(payload));
    const batchedCommits = measure(1, () => many(100));
    db.close();
    return { sqliteCommitsSingle: single, sqliteCommitsBatched100: batchedCommits, sqliteRowsBatched100: batchedCommits * 100 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresFloor(seconds) {
  const db = await createDatabase('floor');
  const client = new pg.Client({ connectionString: db.url });
  try {
    await client.connect();
    await client.query('CREATE TABLE t (id bigserial PRIMARY KEY, v text NOT NULL)');
    const payload = randomBytes(64).toString('hex');
    const insert = { name: 'floor_insert', text: 'INSERT INTO t (v) VALUES ($1)', values: [payload] };
    const single = await rate(seconds, 1, () => client.query(insert));
    // Rows as bindrail's write-behind sends them: one INSERT … SELECT FROM unnest of 1,000 rows,
    // one transaction per statement.
    const values = [Array.from({ length: 1000 }, () => payload)];
    const batch = { name: 'floor_batch', text: 'INSERT INTO t (v) SELECT * FROM unnest($1::text[])', values };
    const rowsBatched = await rate(seconds, 1000, () => client.query(batch));
    return { postgresCommitsSingle: single, postgresRowsBatched1000: rowsBatched };
  } finally {
    await client.end();
    await db.drop();
  }
}

function ed25519Floor(seconds) {
  const { privateKey } = generateKeyPairSync('ed25519');
  const message = randomBytes(256);
  let units = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 100; i++) sign(null, message, privateKey);
    units += 100;
  }
  return { ed25519SignsPerSec: units / ((performance.now() - started) / 1000) };
}

export async function measureFloors({ seconds = 3 } = {}) {
  return { ...sqliteFloors(seconds), ...(await postgresFloor(seconds)), ...ed25519Floor(seconds) };
}

export const FLOOR_LABELS = {
  sqliteCommitsSingle: 'SQLite commits/s, 1 row per txn (WAL, synchronous=FULL)',
  sqliteCommitsBatched100: 'SQLite commits/s, 100 rows per txn',
  sqliteRowsBatched100: 'SQLite rows/s, 100 rows per txn',
  postgresCommitsSingle: 'PostgreSQL commits/s, 1-row INSERT autocommit, 1 connection',
  postgresRowsBatched1000: 'PostgreSQL rows/s, INSERT … unnest of 1,000 rows per txn, 1 connection',
  ed25519SignsPerSec: 'Ed25519 signatures/s (node:crypto, 256-byte message)',
};

if (isMain(import.meta.url)) {
  const floors = await measureFloors({ seconds: Number(process.argv[2] ?? 3) });
  console.log('| floor | per second |\n|---|---:|');
  for (const [k, v] of Object.entries(floors)) console.log(`| ${FLOOR_LABELS[k]} | ${Math.round(v).toLocaleString('en-US')} |`);
}
