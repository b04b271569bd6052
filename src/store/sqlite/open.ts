/** Opens the SQLite database: WAL, synchronous=NORMAL (commits are synced by WalSync), foreign keys on. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export function openSqlite(path: string, opts: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL: COMMIT writes the WAL without syncing it; the store syncs it off the event loop
    // (wal-sync.ts) before answering, so a committed batch still survives power loss.
    // Checkpoints keep syncing the WAL before and the database after, as with FULL.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  }
  db.pragma('cache_size = -65536');
  return db;
}

/** Memoises prepared statements per connection. */
export function statementCache(db: Db) {
  const cache = new Map<string, Database.Statement>();
  return (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
}
export type Prepare = ReturnType<typeof statementCache>;
