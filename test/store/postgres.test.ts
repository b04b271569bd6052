/**
 * The store conformance suite against PostgreSQL, plus what only a shared database can show:
 * several stores (= several processes) migrating, appending to the ledger and claiming at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../src/rail/ids.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { LedgerDraft } from '../../src/store/types.js';
import { runStoreConformance } from './conformance.js';
import { seed, T0, unique } from './fixtures.js';
import { checkLedger } from './ledger-check.js';
import { createTestDatabase, whenPostgres, type TestDatabase } from './pg-database.js';

await whenPostgres(() => {
  runStoreConformance('PostgreSQL', async () => {
    const db = await createTestDatabase();
    const store = await PostgresStore.connect(db.url);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });

  describe('PostgreSQL: several processes sharing one database', () => {
    let db: TestDatabase;
    let stores: PostgresStore[];
    before(async () => {
      db = await createTestDatabase();
      // Four stores (four pools, as four processes would have) connecting at once: each migration applies once.
      stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.connect(db.url)));
    });
    after(async () => {
      await Promise.all((stores ?? []).map((s) => s.close()));
      await db?.drop();
    });

    test('migrations started together are applied exactly once', async () => {
      const { rows } = await stores[0]!.pool.query<{ version: number; n: number }>(
        'SELECT version, COUNT(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
      );
      assert.ok(rows.length >= 2);
      assert.ok(rows.every((r) => r.n === 1));
    });

    test('concurrent ledger batches from two stores make contiguous seqs and one verifiable tree', async () => {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const tenant = unique('t');
      const draft = (i: number): LedgerDraft => ({
        tenant_id: tenant,
        kind: 'work_order.accepted',
        binding_id: newId('bnd'),
        work_order_id: newId('wo'),
        digest: 'sha256:' + i.toString(16).padStart(64, '0'),
        at: new Date(T0 + i).toISOString(),
      });
      const start = await a.ledgerSize();
      // 2 stores × 10 concurrent writers × 3 batches of 7 leaves: 420 leaves, each store's frontier
      // cache going stale again and again as the other appends.
      const writers = [a, b].flatMap((s, si) =>
        Array.from({ length: 10 }, async (_, wi) => {
          const rows = [];
          for (let k = 0; k < 3; k++) {
            const base = (si * 100 + wi * 10 + k) * 7;
            rows.push(...(await s.write((tx) => tx.appendLedger(Array.from({ length: 7 }, (_, j) => draft(base + j))))));
          }
          return rows;
        }),
      );
      const appended = (await Promise.all(writers)).flat();
      const seqs = appended.map((r) => r.seq).sort((x, y) => x - y);
      assert.equal(seqs.length, 420);
      assert.deepEqual(seqs, Array.from({ length: 420 }, (_, i) => start + i), 'no gaps, no duplicates');
      assert.equal(await checkLedger(b, { step: 7 }), start + 420);
    });

    test('claims from two stores at once never lease the same binding twice', async () => {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const tenant = unique('t');
      const tool = unique('tool');
      const rows = await seed(a, tenant, ...Array.from({ length: 120 }, (_, i) => ({ tool_name: tool, run_at: T0 + i, priority: i % 10 })));
      const mint = (bindingId: string, attempt: number) => ({ token: `tt.${bindingId}.${attempt}.x`, tokenId: bindingId.slice(-16), tokenHash: bindingId.padEnd(64, '0').slice(0, 64) });
      const claimUntilEmpty = async (s: PostgresStore, owner: string) => {
        const got: string[] = [];
        for (;;) {
          const batch = await s.write((tx) => tx.claim({ now: T0 + 1_000, limit: 7, leaseOwner: owner, tools: [tool] }, mint));
          if (batch.length === 0) return got;
          got.push(...batch.map((c) => c.row.binding_id));
        }
      };
      const claimed = await Promise.all([a, b, a, b].map((s, i) => claimUntilEmpty(s, `w${i}`)));
      const all = claimed.flat();
      assert.equal(all.length, 120);
      assert.equal(new Set(all).size, 120, 'no binding leased twice');
      assert.deepEqual([...all].sort(), rows.map((r) => r.binding_id).sort());
      const owners = await a.leaseHolders(tenant);
      assert.equal(owners.reduce((n, o) => n + o.count, 0), 120);
    });

    test('events for one binding from two stores at once: seq 1..N without gaps, gseq unique', async () => {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const tenant = unique('t');
      const [binding] = await seed(a, tenant);
      const appends = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).write((tx) =>
          tx.appendEvents([1, 2].map((n) => ({ tenant_id: tenant, binding_id: binding!.binding_id, type: 'bindrail.tool.progress' as const, time: T0, data: { i, n } }))),
        ),
      );
      await Promise.all(appends);
      const events = await b.listEvents(tenant, { bindingId: binding!.binding_id, limit: 100 });
      assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 40 }, (_, i) => i + 1));
      assert.equal(new Set(events.map((e) => e.gseq)).size, 40);
      // Within one binding, the global cursor follows the per-binding order (commit order).
      const byGseq = [...events].sort((x, y) => x.gseq - y.gseq).map((e) => e.seq);
      assert.deepEqual(byGseq, events.map((e) => e.seq));
    });
  });
});
