/** Opens the PostgreSQL pool: BIGINT read as numbers, idle-client errors logged instead of crashing the process. */
import pg from 'pg';

/** Anything that runs one statement: the pool (reads) or a transaction's client (writes). */
export interface Sql {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export type ErrorLog = (message: string, error: unknown) => void;

export const logToStderr: ErrorLog = (message, error) => {
  process.stderr.write(`bindrail postgres: ${message}: ${error instanceof Error ? error.message : String(error)}\n`);
};

/**
 * Times are epoch milliseconds and seqs count rows, so every BIGINT the store reads fits a JS number
 * (exact up to 2^53). Set per pool, not on pg's global parser table, so other pg users are untouched.
 */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export function clientConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    types: pgTypes,
    application_name: 'bindrail',
    // A server that cannot be reached fails the attempt instead of leaving it waiting.
    connectionTimeoutMillis: 10_000,
    // TCP keepalives find a peer gone silent (a partition) instead of waiting on it forever.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // A process cut off in the middle of a transaction holds row and ledger locks every other
    // process waits for; the server ends such a session after this long. No transaction of the rail
    // sits idle for more than milliseconds.
    idle_in_transaction_session_timeout: 60_000,
  };
}

export function openPool(url: string, log: ErrorLog = logToStderr): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(url), max: 10, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (server restart, failover) emits here; without a listener
  // Node would crash the process. The pool drops that client; callers retry on their next tick.
  pool.on('error', (err) => log('idle client error', err));
  return pool;
}

/** Runs a statement and returns its rows. */
export async function rows<R extends pg.QueryResultRow = Record<string, unknown>>(sql: Sql, text: string, values?: unknown[]): Promise<R[]> {
  return (await sql.query<R>(text, values)).rows;
}

/**
 * Ends the pool and resolves once every connection is closed. pg's own `end()` resolves as soon as
 * it has asked each client to end, while their sessions may still be open on the server.
 */
export async function endPool(pool: pg.Pool, boundMs = 5_000): Promise<void> {
  let left = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (left === 0) return resolve();
    pool.on('remove', () => {
      if (--left === 0) resolve();
    });
    // A connection that never reports back must not hang shutdown.
    setTimeout(resolve, boundMs).unref();
  });
  await pool.end();
  await closed;
}
