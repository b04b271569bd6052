/** Chooses the store from --store: 'sqlite' (the data dir's rail.db), a .db path, or postgres://… */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

export async function openStore(spec: string, dataDir: string): Promise<Store> {
  if (spec === 'sqlite') return new SqliteStore(join(dataDir, 'rail.db'));
  if (/^postgres(ql)?:\/\//.test(spec)) {
    // Loaded only when asked for, so an embedded (SQLite) process never loads pg.
    const { PostgresStore } = await import('../store/postgres/postgres-store.js');
    return PostgresStore.connect(spec);
  }
  return new SqliteStore(spec);
}
