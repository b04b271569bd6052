/** The whole SQLite store, summed up: every table's row count and content digest, the ledger size and root. */
import { createHash } from 'node:crypto';
import { rootHash } from '../../src/proof/merkle.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

export interface StoreSnapshot {
  ledgerSize: number;
  ledgerRoot: string;
  tables: Record<string, { rows: number; digest: string }>;
}

export async function snapshotStore(store: Store): Promise<StoreSnapshot> {
  const db = (store as SqliteStore).database;
  const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
  const tables: StoreSnapshot['tables'] = {};
  for (const name of names) {
    // Some tables are WITHOUT ROWID: rows are put in the order of their JSON text instead.
    const rows = (db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][])
      .map((row) => JSON.stringify(row, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? String(v) : v)))
      .sort();
    const digest = createHash('sha256').update(rows.join('\n')).digest('hex');
    tables[name] = { rows: rows.length, digest };
  }
  const ledgerSize = await store.ledgerSize();
  const ledgerRoot = (await rootHash(ledgerSize, (coords) => store.ledgerNodes(coords))).toString('hex');
  return { ledgerSize, ledgerRoot, tables };
}
