/**
 * Applies the SQL files in migrations/postgres in order, each once, each in its own transaction,
 * under a session advisory lock so that processes starting together apply each file exactly once.
 */
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrationFiles } from '../sqlite/migrate.js';
import { MIGRATE_LOCK } from './locks.js';

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/postgres/', import.meta.url));

export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // A session lock, not a transaction lock: it spans the per-file transactions. If this process
    // dies the server ends the session and the lock goes with it.
    await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATE_LOCK]);
    try {
      return await applyPending(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATE_LOCK]);
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    // A client whose session may still hold the lock (or an aborted transaction) is destroyed, not reused.
    client.release(broken);
  }
}

async function applyPending(client: pg.PoolClient): Promise<number> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((r) => r.version));
  let count = 0;
  for (const m of migrationFiles(POSTGRES_MIGRATIONS_DIR)) {
    if (applied.has(m.version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
    count++;
  }
  return count;
}
