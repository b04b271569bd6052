/**
 * A throwaway PostgreSQL database per test run: `CREATE DATABASE bindrail_test_<random>` on the
 * server of BINDRAIL_TEST_PG_URL (default postgres://$PGUSER|postgres@127.0.0.1:5432/test, trust auth), dropped at
 * the end, so runs never collide. Unreachable PostgreSQL fails under CI=true and skips elsewhere.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.BINDRAIL_TEST_PG_URL ?? `postgres://${process.env.PGUSER || 'postgres'}@127.0.0.1:5432/test`;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
export async function pgUnreachable(): Promise<string | undefined> {
  try {
    await admin((c) => c.query('SELECT 1'));
    return undefined;
  } catch (err) {
    return `PostgreSQL unreachable at ${redacted(PG_ADMIN_URL)}: ${(err as Error).message}`;
  }
}

/**
 * Held by test/e2e/pg-restart.test.ts while it restarts the server (its file holds the holder's
 * pid). New test databases wait for it, so no other test starts into the restart.
 */
export const PG_RESTART_LOCK = '/tmp/bindrail-pg-restart.lock';

function restartInProgress(): boolean {
  if (!existsSync(PG_RESTART_LOCK)) return false;
  const pid = Number(readFileSync(PG_RESTART_LOCK, 'utf8'));
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // ESRCH: the holder died and left a stale lock. EPERM: it lives, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  for (const giveUpAt = Date.now() + 10 * 60_000; restartInProgress() && Date.now() < giveUpAt; ) {
    await new Promise((r) => setTimeout(r, 500));
  }
  const name = `bindrail_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a connection a failed test left open must not keep the database alive.
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/**
 * Registers the PostgreSQL tests, or — when the server cannot be reached — one test that fails
 * under CI=true (the run is mandatory there) and skips with a visible notice elsewhere.
 */
export async function whenPostgres(register: () => void): Promise<void> {
  const why = await pgUnreachable();
  if (!why) return register();
  if (process.env.CI === 'true') {
    test('PostgreSQL is reachable (mandatory in CI)', () => assert.fail(why));
  } else {
    test('PostgreSQL store tests', (t) => t.skip(why));
  }
}

function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
