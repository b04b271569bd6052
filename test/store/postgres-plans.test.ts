/**
 * PostgreSQL query plans of the hot path, under the statistics a queue table nearly always has:
 * stale ones, taken when almost nothing was queued. A claim walks bindings_runnable in claim order
 * and stops at its LIMIT instead of sorting every queued row; an event stream's read uses the
 * binding's own index, not a bitmap of the whole tenant's events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { EventDraft } from '../../src/store/types.js';
import { seed, T0, unique } from './fixtures.js';
import { createTestDatabase, whenPostgres, type TestDatabase } from './pg-database.js';

/** The statements sent on every pg client while `fn` runs. */
async function sent(fn: () => Promise<unknown>): Promise<string[]> {
  const query = pg.Client.prototype.query;
  const texts: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    texts.push(typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? ''));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await fn();
    return texts;
  } finally {
    pg.Client.prototype.query = query;
  }
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

await whenPostgres(() => {
  describe('PostgreSQL: hot-path plans under stale statistics', () => {
    let db: TestDatabase;
    let store: PostgresStore;
    let probe: pg.Client;
    const tenant = unique('t');
    const tool = unique('tool');
    before(async () => {
      db = await createTestDatabase();
      store = await PostgresStore.connect(db.url);
      probe = new pg.Client({ connectionString: db.url });
      await probe.connect();
      // Statistics taken while nothing is queued, and kept so while a burst arrives.
      await probe.query('ALTER TABLE bindings SET (autovacuum_enabled = off); ALTER TABLE events SET (autovacuum_enabled = off)');
      await probe.query('ANALYZE bindings; ANALYZE events');
      await seed(store, tenant, ...Array.from({ length: 3000 }, () => ({ tool_name: tool, run_at: T0 })));
    });
    after(async () => {
      await probe?.end();
      await store?.close();
      await db?.drop();
    });

    /** EXPLAIN of the store's statement `select` within the multi-statement query `text` it sent, in a transaction rolled back. */
    async function planOf(text: string, select: string): Promise<PlanNode[]> {
      const at = text.indexOf(select);
      assert.ok(at >= 0, `the statement sent: ${text.slice(0, 300)}`);
      const explained = `${text.startsWith('BEGIN') ? '' : 'BEGIN; '}${text.slice(0, at)}EXPLAIN (FORMAT JSON) ${text.slice(at)}`;
      try {
        const answers = (await probe.query(explained)) as unknown as pg.QueryResult[];
        const plan = answers.find((a) => a.fields[0]?.name === 'QUERY PLAN')!.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[];
        return nodes(plan[0]!.Plan);
      } finally {
        await probe.query('ROLLBACK');
      }
    }

    test('a claim walks bindings_runnable in claim order and sorts nothing', async () => {
      const texts = await sent(() =>
        store.write(async (tx) => {
          const claimed = await tx.claim({ now: T0 + 1, limit: 10, leaseOwner: 'w', tools: [tool] }, (id, attempt) => ({ token: `tt.${id}.${attempt}.x`, tokenId: 't', tokenHash: 'h'.repeat(64) }));
          assert.equal(claimed.length, 10);
          // Oldest first (binding ids grow with time within a batch of equal run_at and priority).
          const ids = claimed.map((c) => c.row.binding_id);
          assert.deepEqual(ids, [...ids].sort());
        }),
      );
      const claim = texts.find((t) => t.includes('FOR UPDATE OF b SKIP LOCKED'))!;
      const plan = await planOf(claim, 'SELECT b.*, row_to_json(c)');
      const types = plan.map((n) => n['Node Type']);
      assert.ok(plan.some((n) => n['Index Name'] === 'bindings_runnable'), `plan: ${types.join(' > ')}`);
      assert.ok(!types.includes('Sort'), `the claim sorts the queue: ${types.join(' > ')}`);
    });

    test("a binding's event stream reads through its own index only", async () => {
      const [b] = await seed(store, tenant, { state: 'leased', tool_name: unique('other') });
      const drafts: EventDraft[] = Array.from({ length: 5 }, () => ({ tenant_id: tenant, binding_id: b!.binding_id, type: 'bindrail.tool.progress', time: T0, data: {} }));
      // Many events of the tenant, stale statistics that believe it has few.
      const bulk = await seed(store, tenant, ...Array.from({ length: 200 }, () => ({ state: 'leased' as const, tool_name: unique('other') })));
      await store.write((tx) => tx.appendEvents(bulk.flatMap((x) => Array.from({ length: 10 }, () => ({ ...drafts[0]!, binding_id: x.binding_id })))));
      await store.write((tx) => tx.appendEvents(drafts));
      const texts = await sent(() => store.listEvents(tenant, { bindingId: b!.binding_id, after: 0, limit: 500 }));
      const read = texts.find((t) => t.includes('FROM events'))!;
      const values = [tenant, b!.binding_id, 0, 500];
      const { rows } = await probe.query(`EXPLAIN (FORMAT JSON) ${read}`, values);
      const plan = nodes((rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
      const indexes = plan.flatMap((n) => n['Index Name'] ?? []);
      assert.deepEqual([...new Set(indexes)], ['events_binding_id_seq_key'], `plan: ${plan.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`).join(' > ')}`);
      assert.equal((await store.listEvents(tenant, { bindingId: b!.binding_id, after: 2, limit: 500 })).map((e) => e.seq).join(), '3,4,5');
      assert.deepEqual(await store.listEvents(unique('other-tenant'), { bindingId: b!.binding_id, after: 0, limit: 500 }), [], "another tenant's key sees none of them");
    });
  });
});
