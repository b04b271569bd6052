/**
 * The database being away (restart, failover, network) is not a bug: callers get the catalogue's
 * `unavailable` (503, Retry-After) and retry — clients with their idempotency key, workers on
 * their next tick — instead of a 500 or a crashed process.
 */
import type pg from 'pg';
import { RailError } from '../../contracts/errors.js';
import type { Sql } from './open.js';

/** SQLSTATE classes and codes that mean "the server or the connection went away", not "your SQL". */
const LOST_SQLSTATE = /^(08...|57P01|57P02|57P03|53300)$/;
/** Node socket errors on the way to the server. */
const LOST_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** pg's own messages for a connection that ended or never came up (they carry no code). */
const LOST_MESSAGE = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended/i;

const RETRY_AFTER = { 'retry-after': '1' };

export function isConnectionLost(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (LOST_SQLSTATE.test(code) || LOST_ERRNO.has(code))) return true;
  // A refused connection to a name with several addresses arrives as an AggregateError.
  if (err instanceof AggregateError) return err.errors.some(isConnectionLost);
  return LOST_MESSAGE.test(err.message);
}

/** `err` as `unavailable` when it means the database is away; otherwise `err` itself. */
export function asUnavailable(err: unknown, during: 'read' | 'write' | 'commit'): unknown {
  if (err instanceof RailError || !isConnectionLost(err)) return err;
  const detail =
    during === 'commit'
      ? 'the database connection was lost while committing; the outcome is unknown — retry (with the same Idempotency-Key)'
      : 'the database is unreachable right now; retry shortly (with the same Idempotency-Key)';
  return new RailError('unavailable', detail, undefined, RETRY_AFTER);
}

/** The pool as reads see it: the same queries, with a lost connection answered as `unavailable`. */
export function guardedReads(pool: pg.Pool): Sql {
  return {
    query: async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
      try {
        return await pool.query<R>(text, values);
      } catch (err) {
        throw asUnavailable(err, 'read');
      }
    },
  };
}
