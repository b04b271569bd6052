/**
 * Round trips on PostgreSQL: node-postgres sends one statement per round trip and waits for its
 * answer, so statements per transaction is what a batch costs. Intake, claim and finalization of
 * a batch cost as many statements for 100 bindings as for 25 (write-behind, batch locks, held rows),
 * and for one at most one fewer: a big intake sends its rows before it takes the ledger lock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { newId } from '../../src/rail/ids.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { StoreTx } from '../../src/store/store.js';
import type { BindingRow, EventDraft, ReceiptRow } from '../../src/store/types.js';
import { bindingRow, commandRow, T0, unique, workOrderRow } from './fixtures.js';
import { createTestDatabase, whenPostgres, type TestDatabase } from './pg-database.js';

/** Counts the statements sent on every pg client while `fn` runs. */
async function statements<T>(fn: () => Promise<T>): Promise<{ value: T; count: number }> {
  const query = pg.Client.prototype.query;
  let count = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    count++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    return { value: await fn(), count };
  } finally {
    pg.Client.prototype.query = query;
  }
}

const ev = (b: BindingRow, type: EventDraft['type']): EventDraft => ({ tenant_id: b.tenant_id, binding_id: b.binding_id, type, time: T0, data: {} });

await whenPostgres(() => {
  describe('PostgreSQL: statements per batch', () => {
    let db: TestDatabase;
    let store: PostgresStore;
    before(async () => {
      db = await createTestDatabase();
      store = await PostgresStore.connect(db.url);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    /** One batch through intake, claim and finalization as the rail writes it; statements per step. */
    async function cycle(n: number): Promise<number[]> {
      const tenant = unique('t');
      const tool = unique('tool');
      await store.write((tx) => tx.ensureTenant(tenant, 'T', T0));
      const intake = await statements(() =>
        store.write(async (tx) => {
          const rows: BindingRow[] = [];
          for (let i = 0; i < n; i++) {
            const wo = workOrderRow(tenant);
            assert.equal(await tx.insertWorkOrder(wo), true);
            const b = bindingRow(tenant, wo.work_order_id, { tool_name: tool });
            await tx.insertBinding(b);
            await tx.insertCommand(commandRow(b));
            rows.push(b);
          }
          const leaves = await tx.appendLedger(rows.map((b) => ({ tenant_id: tenant, kind: 'work_order.accepted' as const, binding_id: b.binding_id, work_order_id: b.work_order_id, digest: 'sha256:' + '0'.repeat(64), at: new Date(T0).toISOString() })));
          assert.equal(leaves.length, n);
          await tx.appendEvents(rows.flatMap((b) => [ev(b, 'bindrail.binding.created'), ev(b, 'bindrail.ledger.appended')]));
        }),
      );
      const claim = await statements(() =>
        store.write(async (tx) => {
          const claimed = await tx.claim({ now: T0 + 1, limit: n, leaseOwner: 'w', tools: [tool] }, (id, attempt) => ({ token: `tt.${id}.${attempt}.x`, tokenId: 't', tokenHash: 'h'.repeat(64) }));
          assert.equal(claimed.length, n);
          await tx.appendEvents(claimed.map(({ row }) => ev(row, 'bindrail.queue.leased')));
          for (const { row } of claimed) assert.ok(await tx.getCommand(row.binding_id));
          return claimed.map(({ row }) => row.binding_id);
        }),
      );
      const finalize = await statements(() =>
        store.write(async (tx: StoreTx) => {
          await tx.lockBindings(claim.value, { commands: true });
          const drafts: EventDraft[] = [];
          for (const id of claim.value) {
            const b = (await tx.lockBinding(id))!;
            assert.equal(b.state, 'leased');
            assert.ok(await tx.getCommand(id));
            const [leaf] = await tx.appendLedger([{ tenant_id: tenant, kind: 'binding.finalized', binding_id: id, work_order_id: b.work_order_id, digest: 'sha256:' + '1'.repeat(64), at: new Date(T0).toISOString() }]);
            const receipt = { object: 'receipt', receipt_id: newId('rcp'), kind: 'usage', binding_id: id, work_order_id: b.work_order_id, tenant_id: tenant, issued_at: new Date(T0).toISOString(), body: {}, digest: 'sha256:' + '2'.repeat(64) } as ReceiptRow;
            await tx.insertReceipts([receipt]);
            await tx.insertAttestation({ tenant_id: tenant, binding_id: id, envelope: { payloadType: 'x', payload: '', signatures: [] } as never, digest: 'sha256:' + '3'.repeat(64), key_id: 'k', created_at: T0 });
            await tx.insertResult({ tenant_id: tenant, binding_id: id, status: 'succeeded', output_digest: null, body: { seq: leaf!.seq } as never, created_at: T0 });
            await tx.updateBinding(id, { state: 'succeeded', lease_owner: null, finished_at: T0 + 2, updated_at: T0 + 2 });
            drafts.push(ev(b, 'bindrail.receipt.issued'), ev(b, 'bindrail.result.ready'));
          }
          await tx.appendEvents(drafts);
        }),
      );
      // Everything arrived: each binding finished, with its result and its three events… in order.
      for (const id of claim.value) {
        assert.equal((await store.getBinding(tenant, id))!.state, 'succeeded');
        assert.ok(await store.getResult(tenant, id));
        assert.deepEqual((await store.listEvents(tenant, { bindingId: id, limit: 10 })).map((e) => [e.seq, e.type]), [
          [1, 'bindrail.binding.created'],
          [2, 'bindrail.ledger.appended'],
          [3, 'bindrail.queue.leased'],
          [4, 'bindrail.receipt.issued'],
          [5, 'bindrail.result.ready'],
        ]);
      }
      return [intake.count, claim.count, finalize.count];
    }

    test('intake, claim and finalization: as many statements for 100 bindings as for 25, and few', async (t) => {
      await cycle(1); // warms the ledger frontier cache
      const one = await cycle(1);
      const some = await cycle(25);
      const many = await cycle(100);
      t.diagnostic(`statements for intake, claim, finalization: ${one.join(', ')} (one binding), ${many.join(', ')} (100)`);
      assert.deepEqual(many, some);
      // A batch's rows go before the ledger lock is taken once they outweigh a round trip; one binding's ride along.
      assert.deepEqual(many, [one[0]! + 1, one[1], one[2]]);
      // BEGIN rides with the first statement; inserts ride with the events INSERT; COMMIT.
      assert.ok(one.every((n) => n <= 4) && many.every((n) => n <= 4), `statements per write: ${one.join(', ')}; ${many.join(', ')}`);
    });

  });
});
