/**
 * Throwaway PostgreSQL databases on the local server (loopback, trust auth): one per measured run,
 * dropped afterwards, so no system sees another's tables or dead tuples.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { assertLoopback } from './loopback.mjs';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
assertLoopback(PG_ADMIN_URL, 'BENCH_PG_URL');

async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `bench_<label>_<random>`; `drop()` removes it even if a connection was left open. */
export async function createDatabase(label) {
  const name = `bench_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/**
 * The server processes working for one database: its backends (and autovacuum workers there),
 * minus the harness's own monitoring connections. Shared background processes (WAL writer,
 * checkpointer) are not attributed to anyone.
 */
export async function backendPids(dbName, excludePids = []) {
  const { rows } = await withAdmin((c) => c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName]));
  return rows.map((r) => r.pid).filter((pid) => !excludePids.includes(pid));
}

/** A plain client whose backend pid is known, so its work can be left out of the system's cost. */
export async function monitorClient(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
  client.backendPid = rows[0].pid;
  return client;
}
