/**
 * The events and ledger locks on PostgreSQL are held only for what needs them: every event-writing
 * commit of every process waits while the events lock is held, every ledger append while the ledger
 * lock is. Writes a transaction has queued run before it waits for either lock — seen from outside:
 * while it waits, a row it inserted already holds its key against everyone else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { EVENTS_LOCK, LEDGER_LOCK } from '../../src/store/postgres/locks.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { BindingRow, WorkOrderRow } from '../../src/store/types.js';
import { bindingRow, commandRow, T0, unique, workOrderRow } from './fixtures.js';
import { createTestDatabase, whenPostgres, type TestDatabase } from './pg-database.js';

await whenPostgres(() => {
  describe('PostgreSQL: queued writes run before the transaction waits for a lock', () => {
    let db: TestDatabase;
    let store: PostgresStore;
    let holder: pg.Client;
    let probe: pg.Client;
    before(async () => {
      db = await createTestDatabase();
      store = await PostgresStore.connect(db.url);
      holder = new pg.Client({ connectionString: db.url });
      probe = new pg.Client({ connectionString: db.url });
      await Promise.all([holder.connect(), probe.connect()]);
      await probe.query("SET lock_timeout = '200ms'");
    });
    after(async () => {
      await Promise.all([holder?.end(), probe?.end()]);
      await store?.close();
      await db?.drop();
    });

    /** Whether the work order's id is taken by an uncommitted insert: an insert of the same key has to wait for it. */
    async function heldByUncommittedInsert(wo: WorkOrderRow): Promise<boolean> {
      try {
        await probe.query('BEGIN');
        await probe.query('INSERT INTO work_orders (work_order_id, tenant_id, digest, body, created_at) VALUES ($1, $2, $3, $4, $5)', [
          wo.work_order_id,
          wo.tenant_id,
          wo.digest,
          '{}',
          T0,
        ]);
        return false;
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') return true; // lock_not_available: it waited for the insert
        throw err;
      } finally {
        await probe.query('ROLLBACK');
      }
    }

    /** Runs `write` while `lock` is held elsewhere; `whileWaiting` runs once the write waits for it. */
    async function whileLocked(lock: readonly [number, number], write: () => Promise<unknown>, whileWaiting: () => Promise<void>): Promise<void> {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [...lock]);
      const written = write();
      try {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const { rows } = await probe.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'");
          if (rows.length > 0) break;
          if (Date.now() > deadline) assert.fail('the write never waited for the lock');
          await new Promise((r) => setTimeout(r, 5));
        }
        await whileWaiting();
      } finally {
        await holder.query('COMMIT');
        await written;
      }
    }

    async function tenant(): Promise<string> {
      const t = unique('t');
      await store.write((tx) => tx.ensureTenant(t, 'T', T0));
      return t;
    }

    const intake = (t: string, n: number) => {
      const orders = Array.from({ length: n }, () => workOrderRow(t));
      const write = () =>
        store.write(async (tx) => {
          const rows: BindingRow[] = [];
          for (const wo of orders) {
            await tx.insertWorkOrder(wo);
            const b = bindingRow(t, wo.work_order_id);
            await tx.insertBinding(b);
            await tx.insertCommand(commandRow(b));
            rows.push(b);
          }
          await tx.appendLedger(rows.map((b) => ({ tenant_id: t, kind: 'work_order.accepted' as const, binding_id: b.binding_id, work_order_id: b.work_order_id, digest: 'sha256:' + '0'.repeat(64), at: new Date(T0).toISOString() })));
          await tx.appendEvents(rows.map((b) => ({ tenant_id: t, binding_id: b.binding_id, type: 'bindrail.binding.created' as const, time: T0, data: {} })));
        });
      return { orders, write };
    };

    test('the events INSERT runs the queued writes before it takes the events lock', async () => {
      const { orders, write } = intake(await tenant(), 1);
      await whileLocked(EVENTS_LOCK, write, async () => {
        assert.equal(await heldByUncommittedInsert(orders[0]!), true, 'the queued work order was inserted before the wait');
      });
      assert.equal((await store.getWorkOrder(orders[0]!.tenant_id, orders[0]!.work_order_id))?.work_order_id, orders[0]!.work_order_id);
    });

    test("a big batch's queued writes go before the ledger lock is taken; a small one's wait with the events INSERT", async () => {
      const big = intake(await tenant(), 40);
      await whileLocked(LEDGER_LOCK, big.write, async () => {
        assert.equal(await heldByUncommittedInsert(big.orders[0]!), true, 'inserted before the ledger lock');
      });
      const small = intake(await tenant(), 1);
      await whileLocked(LEDGER_LOCK, small.write, async () => {
        assert.equal(await heldByUncommittedInsert(small.orders[0]!), false, 'one row is not worth a round trip of its own');
      });
      // The probe's inserts were rolled back; both batches committed whole.
      for (const wo of [...big.orders, ...small.orders]) assert.ok(await store.getWorkOrder(wo.tenant_id, wo.work_order_id));
    });
  });
});
