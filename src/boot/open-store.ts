/** Chooses the store from --store: 'sqlite' (the data dir's rail.db), a .db path, or postgres://… */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

export async function openStore(spec: string, dataDir: string): Promise<Store> {
  if (spec === 'sqlite') return new SqliteStore(join(dataDir, 'rail.db'));
  if (/^postgres(ql)?:\/\//.test(spec)) {
    throw new Error('the PostgreSQL store arrives with the scale-out work; use --store sqlite for now');
  }
  return new SqliteStore(spec);
}
