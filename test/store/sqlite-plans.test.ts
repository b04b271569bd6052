/** SQLite query plans of the hot path: a claim walks the runnable index in order instead of sorting the queue. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLAIM_CANDIDATES } from '../../src/store/sqlite/bindings.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

test('a claim reads runnable rows through bindings_runnable in claim order, with no sort of the queue', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bindrail-plans-'));
  const store = new SqliteStore(join(dir, 'rail.db'));
  try {
    const plan = (store.database.prepare(`EXPLAIN QUERY PLAN ${CLAIM_CANDIDATES}`).all({ now: 0, tools: '["noop"]', tenant: null, limit: 64 }) as { detail: string }[]).map(
      (r) => r.detail,
    );
    assert.ok(plan.some((d) => /USING INDEX bindings_runnable/.test(d)), plan.join('\n'));
    assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), `the claim sorts: ${plan.join('\n')}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
