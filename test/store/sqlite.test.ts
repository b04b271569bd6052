/** The store conformance suite against SQLite (a file in a temp dir). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bindrail-store-'));
  const store = new SqliteStore(join(dir, 'rail.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
