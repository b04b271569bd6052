/**
 * ONE store conformance suite: every Store and StoreTx method, run against every implementation
 * (test/store/sqlite.test.ts, test/store/postgres.test.ts). A method added to the interface fails
 * the coverage test at the end until a test here exercises it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ledgerLeafBytes } from '../../src/proof/ledger-leaf.js';
import { frontierCoords, leafHash } from '../../src/proof/merkle.js';
import { newId } from '../../src/rail/ids.js';
import type { MintedToken } from '../../src/queue/task-token.js';
import type { Store, StoreTx } from '../../src/store/store.js';
import { PAUSED_TOOLS_SWITCH, type AttestationRow, type BindingRow, type CallbackDeliveryRow, type EventDraft, type ExceptionRow, type LedgerDraft, type ReceiptRow } from '../../src/store/types.js';
import { bindingFields, bindingRow, commandRow, seed, T0, unique, workOrderRow } from './fixtures.js';
import { checkLedger } from './ledger-check.js';

export interface StoreUnderTest {
  store: Store;
  /** Closes the store and removes whatever it created (file, database). */
  cleanup(): Promise<void>;
}

/** Methods a test below exercises; the coverage test compares it with the live objects. */
const COVERED = new Set<string>();
const covers = (...names: string[]) => names.forEach((n) => COVERED.add(n));

/** A deterministic mint that records what it was asked for. */
function recordingMint() {
  const calls: [string, number][] = [];
  const mint = (bindingId: string, attempt: number): MintedToken => {
    calls.push([bindingId, attempt]);
    const tokenHash = Buffer.from(`${bindingId}.${attempt}`).toString('hex').padEnd(64, '0').slice(0, 64);
    return { token: `tt.${bindingId}.${attempt}.secret`, tokenId: tokenHash.slice(0, 16), tokenHash };
  };
  return { mint, calls };
}

function claimReq(tools: string[], over: Partial<Parameters<StoreTx['claim']>[0]> = {}) {
  return { now: T0 + 1_000, limit: 100, leaseOwner: 'worker-a', tools, ...over };
}

function ledgerDraft(tenantId: string, i: number, kind: LedgerDraft['kind'] = 'work_order.accepted'): LedgerDraft {
  return {
    tenant_id: tenantId,
    kind,
    binding_id: newId('bnd'),
    work_order_id: newId('wo'),
    digest: 'sha256:' + i.toString(16).padStart(64, '0'),
    at: new Date(T0 + i).toISOString(),
  };
}

function eventDraft(b: BindingRow, type: EventDraft['type'], data: Record<string, unknown> = {}): EventDraft {
  return { tenant_id: b.tenant_id, binding_id: b.binding_id, type, time: T0, data };
}

class Rollback extends Error {}

export function runStoreConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name} store conformance`, () => {
    let sut: StoreUnderTest;
    let store: Store;
    before(async () => {
      sut = await makeStore();
      store = sut.store;
    });
    after(() => sut?.cleanup());

    describe('transactions', () => {
      test('migrate again is a no-op', async () => {
        covers('migrate');
        await store.migrate();
        await store.migrate();
        assert.equal(typeof (await store.ledgerSize()), 'number');
      });

      test('write commits and returns what the function returns', async () => {
        covers('write');
        const tenant = unique('t');
        const value = await store.write(async (tx) => {
          await tx.ensureTenant(tenant, 'T', T0);
          return 42;
        });
        assert.equal(value, 42);
      });

      test('a function that throws rolls back everything it wrote', async () => {
        const tenant = unique('t');
        const wo = workOrderRow(tenant);
        const b = bindingRow(tenant, wo.work_order_id);
        await assert.rejects(
          store.write(async (tx) => {
            await tx.ensureTenant(tenant, 'T', T0);
            await tx.insertWorkOrder(wo);
            await tx.insertBinding(b);
            await tx.insertCommand(commandRow(b));
            throw new Rollback('no');
          }),
          Rollback,
        );
        assert.equal(await store.getWorkOrder(tenant, wo.work_order_id), undefined);
        assert.equal(await store.getBinding(tenant, b.binding_id), undefined);
        assert.equal(await store.getCommand(tenant, b.binding_id), undefined);
      });

      test('a failing statement rejects the write and leaves nothing behind', async () => {
        const tenant = unique('t');
        const [existing] = await seed(store, tenant);
        const wo = workOrderRow(tenant);
        await assert.rejects(
          store.write(async (tx) => {
            await tx.insertWorkOrder(wo);
            await tx.insertBinding(bindingRow(tenant, wo.work_order_id, { binding_id: existing!.binding_id }));
          }),
        );
        assert.equal(await store.getWorkOrder(tenant, wo.work_order_id), undefined);
        // The store stays usable after a failed transaction.
        const [again] = await seed(store, tenant);
        assert.ok(await store.getBinding(tenant, again!.binding_id));
      });
    });

    describe('work orders, bindings and commands', () => {
      test('round trips, documents read back exactly as written, another tenant sees nothing', async () => {
        covers('ensureTenant', 'insertWorkOrder', 'insertBinding', 'insertCommand', 'getWorkOrder', 'getBinding', 'getCommand');
        const tenant = unique('t');
        const other = unique('t');
        const wo = workOrderRow(tenant);
        const b = bindingRow(tenant, wo.work_order_id, {
          progress: { percent: 10, message: 'started' },
          last_error: { code: 'boom', message: 'it broke' },
          deadline: T0 + 60_000,
          cancel_requested: true,
        });
        const cmd = commandRow(b);
        await store.write(async (tx) => {
          await tx.ensureTenant(tenant, 'T', T0);
          await tx.ensureTenant(tenant, 'T again', T0); // idempotent
          await tx.ensureTenant(other, 'O', T0);
          await tx.insertWorkOrder(wo);
          await tx.insertBinding(b);
          await tx.insertCommand(cmd);
          // Inside the transaction its own rows are visible, whatever the tenant (internal reads).
          assert.deepEqual(await tx.getCommand(b.binding_id), cmd);
          assert.equal(await tx.getCommand(newId('bnd')), undefined);
        });
        const gotWo = await store.getWorkOrder(tenant, wo.work_order_id);
        assert.deepEqual(gotWo, wo);
        assert.equal(JSON.stringify(gotWo!.body), JSON.stringify(wo.body), 'key order and characters kept');
        assert.deepEqual(bindingFields(await store.getBinding(tenant, b.binding_id), b), b);
        const gotCmd = await store.getCommand(tenant, b.binding_id);
        assert.deepEqual(gotCmd, cmd);
        assert.equal(JSON.stringify(gotCmd!.body), JSON.stringify(cmd.body));

        assert.equal(await store.getWorkOrder(other, wo.work_order_id), undefined);
        assert.equal(await store.getBinding(other, b.binding_id), undefined);
        assert.equal(await store.getCommand(other, b.binding_id), undefined);
        assert.equal(await store.getBinding(tenant, newId('bnd')), undefined);
      });

      test('idempotency keys are unique per tenant and find the first binding', async () => {
        covers('findWorkOrderByKey');
        const tenant = unique('t');
        const other = unique('t');
        const wo = workOrderRow(tenant, { idempotency_key: 'key-1' });
        const first = bindingRow(tenant, wo.work_order_id);
        const second = bindingRow(tenant, wo.work_order_id);
        await store.write(async (tx) => {
          await tx.ensureTenant(tenant, 'T', T0);
          await tx.ensureTenant(other, 'O', T0);
          assert.equal(await tx.findWorkOrderByKey(tenant, 'key-1'), undefined);
          await tx.insertWorkOrder(wo);
          for (const b of [first, second]) {
            await tx.insertBinding(b);
            await tx.insertCommand(commandRow(b));
          }
          // The same key in another tenant is another work order.
          await tx.insertWorkOrder(workOrderRow(other, { idempotency_key: 'key-1' }));
        });
        const found = await store.write((tx) => tx.findWorkOrderByKey(tenant, 'key-1'));
        assert.deepEqual(found, { work_order: wo, binding_id: [first, second].map((b) => b.binding_id).sort()[0] });
        const otherFound = await store.write((tx) => tx.findWorkOrderByKey(other, 'key-1'));
        assert.notEqual(otherFound?.work_order.work_order_id, wo.work_order_id);
        assert.equal(await store.write((tx) => tx.findWorkOrderByKey(tenant, 'key-2')), undefined);

        // A second insert of the same key writes nothing and says so, instead of failing the transaction.
        assert.equal(await store.write((tx) => tx.insertWorkOrder(workOrderRow(tenant, { idempotency_key: 'key-1' }))), false);
        assert.equal((await store.write((tx) => tx.findWorkOrderByKey(tenant, 'key-1')))?.work_order.work_order_id, wo.work_order_id);
        // Work orders without a key never collide.
        await store.write(async (tx) => {
          await tx.insertWorkOrder(workOrderRow(tenant));
          await tx.insertWorkOrder(workOrderRow(tenant));
        });
      });

      test('listBindings: tenant-scoped, newest first, filters and cursor', async () => {
        covers('listBindings');
        const tenant = unique('t');
        const tool = unique('tool');
        const rows = await seed(store, tenant, { tool_name: tool }, { tool_name: tool, state: 'succeeded' }, {}, { tool_name: tool });
        await seed(store, unique('t'), { tool_name: tool });
        const ids = rows.map((r) => r.binding_id).sort().reverse();
        const all = await store.listBindings(tenant, { limit: 100 });
        assert.deepEqual(all.map((r) => r.binding_id), ids);
        const byTool = await store.listBindings(tenant, { tool, limit: 100 });
        assert.deepEqual(byTool.map((r) => r.binding_id), ids.filter((id) => rows.find((r) => r.binding_id === id)!.tool_name === tool));
        const done = await store.listBindings(tenant, { state: 'succeeded', limit: 100 });
        assert.deepEqual(done.map((r) => r.binding_id), [rows[1]!.binding_id]);
        const byWo = await store.listBindings(tenant, { work_order_id: rows[0]!.work_order_id, limit: 100 });
        assert.equal(byWo.length, 4);
        const page1 = await store.listBindings(tenant, { limit: 2 });
        const page2 = await store.listBindings(tenant, { limit: 2, cursor: page1.at(-1)!.binding_id });
        assert.deepEqual([...page1, ...page2].map((r) => r.binding_id), ids);
      });

      test('lockBinding reads the current row (any tenant); updateBinding patches only what it names', async () => {
        covers('lockBinding', 'updateBinding');
        const tenant = unique('t');
        const [b] = await seed(store, tenant);
        const patch = {
          state: 'leased' as const,
          attempt: 2,
          lease_expires_at: T0 + 5_000,
          lease_owner: 'w1',
          heartbeat_at: T0 + 1_000,
          token_id: 'abc',
          token_hash: 'f'.repeat(64),
          progress: { percent: 50, message: 'half' },
          cancel_requested: true,
          last_error: { code: 'x', message: 'y' },
          first_leased_at: T0 + 500,
          updated_at: T0 + 1_000,
        };
        const locked = await store.write(async (tx) => {
          await tx.updateBinding(b!.binding_id, patch);
          await tx.updateBinding(b!.binding_id, {});
          return tx.lockBinding(b!.binding_id);
        });
        const want = { ...b!, ...patch };
        assert.deepEqual(bindingFields(locked, want), want);
        assert.deepEqual(bindingFields(await store.getBinding(tenant, b!.binding_id), want), want);
        await store.write((tx) => tx.updateBinding(b!.binding_id, { progress: null, last_error: null, cancel_requested: false }));
        const cleared = await store.getBinding(tenant, b!.binding_id);
        assert.equal(cleared!.progress, null);
        assert.equal(cleared!.last_error, null);
        assert.equal(cleared!.cancel_requested, false);
        assert.equal(await store.write((tx) => tx.lockBinding(newId('bnd'))), undefined);
      });

      test('lockBindings locks a batch in id order; the transaction then reads its own changes', async () => {
        covers('lockBindings');
        const tenant = unique('t');
        const [a, b, c] = await seed(store, tenant, {}, {}, {});
        const ids = [a!, b!, c!].map((r) => r.binding_id).sort();
        const seen = await store.write(async (tx) => {
          const locked = await tx.lockBindings([c!.binding_id, newId('bnd'), a!.binding_id, b!.binding_id, a!.binding_id], { commands: true });
          await tx.updateBinding(a!.binding_id, { state: 'leased', attempt: 1, updated_at: T0 + 1 });
          const leased = await tx.lockBinding(a!.binding_id);
          const command = await tx.getCommand(b!.binding_id);
          const first = await tx.appendEvents([eventDraft(a!, 'bindrail.queue.leased'), eventDraft(b!, 'bindrail.queue.leased'), eventDraft(a!, 'bindrail.tool.progress')]);
          await tx.updateBinding(a!.binding_id, { state: 'succeeded', finished_at: T0 + 2 });
          const then = await tx.appendEvents([eventDraft(a!, 'bindrail.result.ready')]);
          return { locked, leased, command, finished: await tx.lockBinding(a!.binding_id), seqs: [...first, ...then].map((e) => e.seq) };
        });
        assert.deepEqual(seen.locked.map((r) => r.binding_id), ids, 'existing rows once each, in binding_id order');
        assert.deepEqual(bindingFields(seen.locked.find((r) => r.binding_id === c!.binding_id), c!), c);
        assert.equal(seen.leased!.state, 'leased');
        assert.equal(seen.leased!.attempt, 1);
        assert.deepEqual(seen.command, await store.getCommand(tenant, b!.binding_id));
        assert.equal(seen.finished!.state, 'succeeded');
        assert.deepEqual(seen.seqs, [1, 1, 2, 3]);
        const stored = await store.getBinding(tenant, a!.binding_id);
        assert.deepEqual(bindingFields(stored, a!), { ...a!, state: 'succeeded', attempt: 1, updated_at: T0 + 1, finished_at: T0 + 2 });
        // The seqs counted inside the transaction were stored: the next append continues them.
        const [next] = await store.write((tx) => tx.appendEvents([eventDraft(a!, 'bindrail.tool.progress')]));
        assert.equal(next!.seq, 4);
        assert.deepEqual(await store.write((tx) => tx.lockBindings([])), []);
      });

      test('a binding written, changed and given events in one transaction is stored as it ended', async () => {
        const tenant = unique('t');
        const wo = workOrderRow(tenant);
        const b = bindingRow(tenant, wo.work_order_id);
        const cmd = commandRow(b);
        const seen = await store.write(async (tx) => {
          await tx.ensureTenant(tenant, 'T', T0);
          await tx.insertWorkOrder(wo);
          await tx.insertBinding(b);
          await tx.insertCommand(cmd);
          const before = await tx.appendEvents([eventDraft(b, 'bindrail.binding.created')]);
          await tx.updateBinding(b.binding_id, { state: 'leased', attempt: 1, lease_owner: 'w', updated_at: T0 + 1 });
          const after = await tx.appendEvents([eventDraft(b, 'bindrail.queue.leased'), eventDraft(b, 'bindrail.tool.progress')]);
          return { command: await tx.getCommand(b.binding_id), row: await tx.lockBinding(b.binding_id), seqs: [...before, ...after].map((e) => e.seq) };
        });
        const want = { ...b, state: 'leased' as const, attempt: 1, lease_owner: 'w', updated_at: T0 + 1 };
        assert.deepEqual(seen.command, cmd);
        assert.deepEqual(bindingFields(seen.row, want), want);
        assert.deepEqual(seen.seqs, [1, 2, 3]);
        assert.deepEqual(bindingFields(await store.getBinding(tenant, b.binding_id), want), want);
        assert.deepEqual(await store.getCommand(tenant, b.binding_id), cmd);
        assert.deepEqual(await store.getWorkOrder(tenant, wo.work_order_id), wo);
        const [next] = await store.write((tx) => tx.appendEvents([eventDraft(b, 'bindrail.result.ready')]));
        assert.equal(next!.seq, 4);
      });

      test('a write that fails with the last statement of the batch rejects it and leaves nothing behind', async () => {
        const tenant = unique('t');
        const [b] = await seed(store, tenant);
        const size = await store.ledgerSize();
        const attestation = (digest: string): AttestationRow => ({
          tenant_id: tenant,
          binding_id: b!.binding_id,
          envelope: { payloadType: 'application/vnd.in-toto+json', payload: 'e30=', signatures: [] } as AttestationRow['envelope'],
          digest,
          key_id: 'k',
          created_at: T0,
        });
        await store.write((tx) => tx.insertAttestation(attestation('sha256:' + 'a'.repeat(64))));
        await assert.rejects(
          store.write(async (tx) => {
            await tx.lockBinding(b!.binding_id);
            await tx.updateBinding(b!.binding_id, { state: 'succeeded', finished_at: T0 });
            await tx.appendLedger([ledgerDraft(tenant, 1)]);
            // A second attestation for the same binding breaks its primary key.
            await tx.insertAttestation(attestation('sha256:' + 'b'.repeat(64)));
            await tx.appendEvents([eventDraft(b!, 'bindrail.result.ready')]);
          }),
        );
        assert.equal((await store.getBinding(tenant, b!.binding_id))!.state, 'queued');
        assert.equal(await store.ledgerSize(), size);
        assert.deepEqual(await store.listEvents(tenant, { bindingId: b!.binding_id, limit: 10 }), []);
        assert.equal((await store.getAttestation(tenant, b!.binding_id))!.digest, 'sha256:' + 'a'.repeat(64));
        // The next append has no gap.
        const [leaf] = await store.write((tx) => tx.appendLedger([ledgerDraft(tenant, 2)]));
        assert.equal(leaf!.seq, size);
      });
    });

    describe('claims', () => {
      test('priority first, then oldest, then id; leases with a fresh token per attempt', async () => {
        covers('claim');
        const tenant = unique('t');
        const tool = unique('tool');
        const rows = await seed(
          store,
          tenant,
          { tool_name: tool, priority: 5, run_at: T0 + 20 },
          { tool_name: tool, priority: 9, run_at: T0 + 30 },
          { tool_name: tool, priority: 5, run_at: T0 + 10 },
          { tool_name: tool, priority: 1, run_at: T0 },
          { tool_name: tool, priority: 9, run_at: T0 + 5_000 }, // not yet runnable
          { tool_name: tool, state: 'retry_wait' },
        );
        const { mint, calls } = recordingMint();
        const now = T0 + 1_000;
        const claimed = await store.write((tx) => tx.claim(claimReq([tool], { now }), mint));
        const order = [rows[1]!, rows[2]!, rows[0]!, rows[3]!];
        assert.deepEqual(claimed.map((c) => c.row.binding_id), order.map((r) => r.binding_id));
        assert.deepEqual(calls, order.map((r) => [r.binding_id, 1]));
        for (const [i, c] of claimed.entries()) {
          const m = mint(order[i]!.binding_id, 1);
          assert.equal(c.token, m.token);
          const want = {
            ...order[i]!,
            state: 'leased' as const,
            attempt: 1,
            lease_expires_at: now + order[i]!.heartbeat_timeout_ms,
            lease_owner: 'worker-a',
            heartbeat_at: null,
            token_id: m.tokenId,
            token_hash: m.tokenHash,
            first_leased_at: now,
            updated_at: now,
          };
          assert.deepEqual(bindingFields(c.row, want), want);
          assert.deepEqual(bindingFields(await store.getBinding(tenant, c.row.binding_id), want), want);
        }
        // Leased rows are not claimed again; the next attempt mints attempt 2.
        assert.deepEqual(await store.write((tx) => tx.claim(claimReq([tool], { now }), mint)), []);
        await store.write((tx) => tx.updateBinding(order[0]!.binding_id, { state: 'queued', updated_at: now }));
        const [again] = await store.write((tx) => tx.claim(claimReq([tool], { now: now + 1 }), mint));
        assert.equal(again!.row.attempt, 2);
        assert.equal(again!.row.first_leased_at, now, 'first_leased_at keeps the first lease');
        assert.deepEqual(calls.at(-1), [order[0]!.binding_id, 2]);
      });

      test('limit, tools filter and tenant filter', async () => {
        const tenantA = unique('t');
        const tenantB = unique('t');
        const tool = unique('tool');
        const otherTool = unique('tool');
        const a = await seed(store, tenantA, { tool_name: tool, run_at: T0 }, { tool_name: tool, run_at: T0 + 1 }, { tool_name: otherTool });
        const b = await seed(store, tenantB, { tool_name: tool, run_at: T0 - 1 });
        const { mint } = recordingMint();
        assert.deepEqual(await store.write((tx) => tx.claim(claimReq([]), mint)), []);
        assert.deepEqual(await store.write((tx) => tx.claim(claimReq([tool], { limit: 0 }), mint)), []);
        const onlyA = await store.write((tx) => tx.claim(claimReq([tool], { tenantId: tenantA, limit: 1 }), mint));
        assert.deepEqual(onlyA.map((c) => c.row.binding_id), [a[0]!.binding_id]);
        const any = await store.write((tx) => tx.claim(claimReq([tool]), mint));
        assert.deepEqual(any.map((c) => c.row.binding_id), [b[0]!.binding_id, a[1]!.binding_id]);
        const other = await store.write((tx) => tx.claim(claimReq([otherTool, unique('tool')]), mint));
        assert.deepEqual(other.map((c) => c.row.binding_id), [a[2]!.binding_id]);
      });

      test('a claim passes over the work of tools the paused_tools switch names, as it is at that moment', async () => {
        const tenant = unique('t');
        const paused = unique('tool');
        const running = unique('tool');
        const rows = await seed(store, tenant, { tool_name: paused, run_at: T0 }, { tool_name: running, run_at: T0 });
        const { mint } = recordingMint();
        const before = (await store.write((tx) => tx.getSwitch(PAUSED_TOOLS_SWITCH))) ?? '[]';
        await store.write((tx) => tx.setSwitch(PAUSED_TOOLS_SWITCH, JSON.stringify([...(JSON.parse(before) as string[]), paused]), T0));
        try {
          const claimed = await store.write((tx) => tx.claim(claimReq([paused, running], { tenantId: tenant }), mint));
          assert.deepEqual(claimed.map((c) => c.row.binding_id), [rows[1]!.binding_id]);
        } finally {
          await store.write((tx) => tx.setSwitch(PAUSED_TOOLS_SWITCH, before, T0));
        }
        const resumed = await store.write((tx) => tx.claim(claimReq([paused, running], { tenantId: tenant }), mint));
        assert.deepEqual(resumed.map((c) => c.row.binding_id), [rows[0]!.binding_id]);
      });

      test('concurrent claims never lease the same binding twice', async () => {
        const tenant = unique('t');
        const tool = unique('tool');
        const rows = await seed(store, tenant, ...Array.from({ length: 30 }, (_, i) => ({ tool_name: tool, run_at: T0 + i })));
        const { mint } = recordingMint();
        const batches = await Promise.all(
          Array.from({ length: 4 }, (_, i) => store.write((tx) => tx.claim(claimReq([tool], { limit: 10, leaseOwner: `w${i}` }), mint))),
        );
        const ids = batches.flat().map((c) => c.row.binding_id);
        assert.equal(ids.length, 30);
        assert.equal(new Set(ids).size, 30, 'no binding leased twice');
        assert.deepEqual([...ids].sort(), rows.map((r) => r.binding_id).sort());
      });
    });

    describe('queue scans', () => {
      test('expiredLeases, dueRetries and leasedBy find exactly their rows', async () => {
        covers('expiredLeases', 'dueRetries', 'leasedBy');
        const tenant = unique('t');
        const owner = unique('owner');
        const now = T0 + 10_000;
        const rows = await seed(
          store,
          tenant,
          { state: 'leased', lease_expires_at: now - 2, lease_owner: owner },
          { state: 'leased', lease_expires_at: now - 5, lease_owner: 'someone-else' },
          { state: 'leased', lease_expires_at: now + 1, lease_owner: owner },
          { state: 'retry_wait', next_retry_at: now },
          { state: 'retry_wait', next_retry_at: now - 7 },
          { state: 'retry_wait', next_retry_at: now + 1 },
          { state: 'queued', lease_expires_at: now - 100 },
        );
        const ours = new Set(rows.map((r) => r.binding_id));
        const pick = (found: BindingRow[]) => found.filter((r) => ours.has(r.binding_id)).map((r) => r.binding_id);
        await store.write(async (tx) => {
          assert.deepEqual(pick(await tx.expiredLeases(now, 10_000)), [rows[1]!.binding_id, rows[0]!.binding_id]);
          assert.deepEqual(pick(await tx.dueRetries(now, 10_000)), [rows[4]!.binding_id, rows[3]!.binding_id]);
          assert.deepEqual(pick(await tx.leasedBy(owner, 100)).sort(), [rows[0]!.binding_id, rows[2]!.binding_id].sort());
          assert.equal((await tx.leasedBy(owner, 1)).length, 1);
          assert.deepEqual(await tx.leasedBy(unique('nobody'), 100), []);
        });
      });

      test('pastDeadline finds queued and waiting work whose deadline passed, nothing else', async () => {
        covers('pastDeadline');
        const tenant = unique('t');
        const now = T0 + 20_000;
        const rows = await seed(
          store,
          tenant,
          { state: 'queued', deadline: now - 1 },
          { state: 'retry_wait', deadline: now - 10, next_retry_at: now + 100 },
          { state: 'queued', deadline: now + 1 },
          { state: 'leased', deadline: now - 1, lease_expires_at: now + 100 },
          { state: 'succeeded', deadline: now - 1 },
          { state: 'queued', deadline: null },
        );
        const ours = new Set(rows.map((r) => r.binding_id));
        await store.write(async (tx) => {
          const found = (await tx.pastDeadline(now, 10_000)).filter((r) => ours.has(r.binding_id)).map((r) => r.binding_id);
          assert.deepEqual(found.sort(), [rows[0]!.binding_id, rows[1]!.binding_id].sort());
        });
      });

      test('queueCounts per state and tool, for one tenant or all', async () => {
        covers('queueCounts');
        const tenantA = unique('t');
        const tenantB = unique('t');
        const tool = unique('tool');
        await seed(store, tenantA, { tool_name: tool }, { tool_name: tool }, { tool_name: tool, state: 'failed' });
        await seed(store, tenantB, { tool_name: tool });
        const mine = (await store.queueCounts(tenantA)).filter((c) => c.tool === tool);
        assert.deepEqual(mine, [
          { state: 'failed', tool, count: 1 },
          { state: 'queued', tool, count: 2 },
        ]);
        const all = (await store.queueCounts()).filter((c) => c.tool === tool);
        assert.deepEqual(all, [
          { state: 'failed', tool, count: 1 },
          { state: 'queued', tool, count: 3 },
        ]);
      });

      test('queue monitor reads: lease holders, oldest queued, completions, stuck candidates', async () => {
        covers('leaseHolders', 'oldestQueued', 'completionsSince', 'stuckCandidates');
        const tenant = unique('t');
        const rows = await seed(
          store,
          tenant,
          { state: 'leased', lease_owner: 'w1', updated_at: T0 + 5 },
          { state: 'leased', lease_owner: 'w1', attempt: 2, last_error: { code: 'lease_expired', message: 'x' }, updated_at: T0 + 1 },
          { state: 'leased', lease_owner: 'w2', updated_at: T0 + 5 },
          { state: 'queued', run_at: T0 - 50, updated_at: T0 + 2 },
          { state: 'queued', run_at: T0 + 50, updated_at: T0 + 5 },
          { state: 'retry_wait', updated_at: T0 - 10 },
          { state: 'succeeded', finished_at: T0 + 100 },
          { state: 'failed', finished_at: T0 + 200 },
          { state: 'succeeded', finished_at: T0 - 100 },
        );
        assert.deepEqual(await store.leaseHolders(tenant), [
          { owner: 'w1', count: 2 },
          { owner: 'w2', count: 1 },
        ]);
        assert.deepEqual(await store.oldestQueued(tenant), { binding_id: rows[3]!.binding_id, run_at: T0 - 50 });
        assert.equal(await store.oldestQueued(unique('t')), undefined);
        const done = (await store.completionsSince(tenant, T0)).sort((x, y) => x.state.localeCompare(y.state));
        assert.deepEqual(done, [
          { state: 'failed', count: 1 },
          { state: 'succeeded', count: 1 },
        ]);
        const stuck = await store.stuckCandidates(tenant, { queuedBefore: T0, retryWaitBefore: T0, limit: 10 });
        assert.deepEqual(stuck.map((r) => r.binding_id), [rows[5]!.binding_id, rows[1]!.binding_id, rows[3]!.binding_id]);
        assert.ok(Array.isArray(await store.leaseHolders()));
        assert.ok(Array.isArray(await store.completionsSince(undefined, T0)));
      });
    });

    describe('events', () => {
      test('per-binding seq 1, 2, 3… in draft order; global cursor in append order', async () => {
        covers('appendEvents', 'listEvents');
        const tenant = unique('t');
        const [a, b] = await seed(store, tenant, {}, {});
        const first = await store.write((tx) =>
          tx.appendEvents([
            eventDraft(a!, 'bindrail.binding.created', { n: 1, nested: { z: 1, a: [1, 2] } }),
            eventDraft(b!, 'bindrail.binding.created', { n: 2 }),
            eventDraft(a!, 'bindrail.queue.leased', { n: 3 }),
          ]),
        );
        assert.deepEqual(first.map((e) => [e.binding_id, e.seq]), [
          [a!.binding_id, 1],
          [b!.binding_id, 1],
          [a!.binding_id, 2],
        ]);
        assert.deepEqual(first.map((e) => e.data), [{ n: 1, nested: { z: 1, a: [1, 2] } }, { n: 2 }, { n: 3 }]);
        for (const e of first) assert.match(e.event_id, /^evt_[0-9a-f]{32}$/);
        const second = await store.write((tx) => tx.appendEvents([eventDraft(a!, 'bindrail.result.ready', { n: 4 })]));
        assert.equal(second[0]!.seq, 3);
        const gseqs = [...first, ...second].map((e) => e.gseq);
        assert.deepEqual([...gseqs].sort((x, y) => x - y), gseqs, 'gseq grows in append order');
        assert.equal(new Set(gseqs).size, 4);
        assert.deepEqual(await store.write((tx) => tx.appendEvents([])), []);

        const ofA = await store.listEvents(tenant, { bindingId: a!.binding_id, limit: 10 });
        assert.deepEqual(ofA, [first[0], first[2], second[0]]);
        assert.deepEqual(await store.listEvents(tenant, { bindingId: a!.binding_id, after: 1, limit: 1 }), [first[2]]);
        const all = await store.listEvents(tenant, { limit: 10 });
        assert.deepEqual(all, [...first, ...second]);
        assert.deepEqual(await store.listEvents(tenant, { after: first[1]!.gseq, limit: 10 }), [first[2], second[0]]);
        assert.deepEqual(await store.listEvents(unique('t'), { limit: 10 }), []);
        assert.deepEqual(await store.listEvents(unique('t'), { bindingId: a!.binding_id, limit: 10 }), []);
      });

      test('an event for a binding that does not exist fails the write', async () => {
        const ghost = bindingRow(unique('t'), newId('wo'));
        await assert.rejects(store.write((tx) => tx.appendEvents([eventDraft(ghost, 'bindrail.binding.created')])));
      });

      test('rolled-back events leave no trace and no seq gap', async () => {
        const tenant = unique('t');
        const [b] = await seed(store, tenant);
        await store.write((tx) => tx.appendEvents([eventDraft(b!, 'bindrail.binding.created')]));
        await assert.rejects(
          store.write(async (tx) => {
            await tx.appendEvents([eventDraft(b!, 'bindrail.queue.leased'), eventDraft(b!, 'bindrail.tool.progress')]);
            throw new Rollback('no');
          }),
          Rollback,
        );
        const [next] = await store.write((tx) => tx.appendEvents([eventDraft(b!, 'bindrail.result.ready')]));
        assert.equal(next!.seq, 2);
        assert.deepEqual((await store.listEvents(tenant, { bindingId: b!.binding_id, limit: 10 })).map((e) => e.seq), [1, 2]);
      });
    });

    describe('ledger', () => {
      test('contiguous seqs, leaf hashes of the leaf bytes, stored nodes that prove inclusion', async () => {
        covers('appendLedger', 'getLedgerEntry', 'findLedgerEntry', 'ledgerSize', 'ledgerNodes');
        const tenant = unique('t');
        const start = await store.ledgerSize();
        const drafts = Array.from({ length: 13 }, (_, i) => ledgerDraft(tenant, i));
        const appended = await store.write(async (tx) => {
          // Several appends in one transaction continue one another.
          const one = await tx.appendLedger(drafts.slice(0, 5));
          const none = await tx.appendLedger([]);
          const two = await tx.appendLedger(drafts.slice(5));
          assert.deepEqual(none, []);
          return [...one, ...two];
        });
        assert.deepEqual(appended.map((r) => r.seq), drafts.map((_, i) => start + i));
        for (const r of appended) {
          assert.equal(r.leaf_hash, leafHash(ledgerLeafBytes(r)).toString('hex'));
          assert.deepEqual(await store.getLedgerEntry(r.seq), r);
        }
        assert.equal(await store.ledgerSize(), start + 13);
        assert.equal(await store.getLedgerEntry(start + 13), undefined);

        const draft = ledgerDraft(tenant, 99, 'binding.finalized');
        const [first] = await store.write((tx) => tx.appendLedger([draft]));
        const [second] = await store.write((tx) => tx.appendLedger([{ ...draft, digest: 'sha256:' + 'e'.repeat(64) }]));
        assert.deepEqual([first!.seq, second!.seq], [start + 13, start + 14]);
        assert.deepEqual(await store.findLedgerEntry(draft.binding_id, 'binding.finalized'), first, 'the first entry of that kind');
        assert.equal(await store.findLedgerEntry(draft.binding_id, 'work_order.accepted'), undefined);

        const size = await store.ledgerSize();
        const coords = frontierCoords(size);
        const hashes = await store.ledgerNodes(coords);
        assert.equal(hashes.length, coords.length);
        assert.ok(hashes.every((h) => Buffer.isBuffer(h) && h.length === 32));
        const leaf0 = await store.ledgerNodes([{ level: 0, index: start }]);
        assert.equal(leaf0[0]!.toString('hex'), appended[0]!.leaf_hash);
        assert.deepEqual(await store.ledgerNodes([]), []);
        await assert.rejects(store.ledgerNodes([{ level: 0, index: size }]));
        await assert.rejects(store.ledgerNodes([{ level: 40, index: 0 }]));
        assert.equal(await checkLedger(store), size);
      });

      test('listLedgerEntries reads the ledger in seq order, a batch after a cursor', async () => {
        covers('listLedgerEntries');
        const tenant = unique('t');
        const appended = await store.write((tx) => tx.appendLedger(Array.from({ length: 5 }, (_, i) => ledgerDraft(tenant, i))));
        const first = appended[0]!.seq;
        assert.deepEqual(await store.listLedgerEntries({ after: first - 1, limit: 5 }), appended);
        assert.deepEqual(await store.listLedgerEntries({ after: first + 1, limit: 2 }), appended.slice(2, 4));
        const all = await store.listLedgerEntries({ limit: first + 5 });
        assert.deepEqual(all.map((r) => r.seq), Array.from({ length: first + 5 }, (_, i) => i));
        assert.deepEqual(await store.listLedgerEntries({ after: first + 4, limit: 10 }), []);
      });

      test('a rolled-back append leaves nothing, and the next append has no gap', async () => {
        const tenant = unique('t');
        const start = await store.ledgerSize();
        await assert.rejects(
          store.write(async (tx) => {
            await tx.appendLedger([ledgerDraft(tenant, 1), ledgerDraft(tenant, 2), ledgerDraft(tenant, 3)]);
            throw new Rollback('no');
          }),
          Rollback,
        );
        assert.equal(await store.ledgerSize(), start);
        assert.equal(await store.getLedgerEntry(start), undefined);
        const next = await store.write((tx) => tx.appendLedger([ledgerDraft(tenant, 4), ledgerDraft(tenant, 5)]));
        assert.deepEqual(next.map((r) => r.seq), [start, start + 1]);
        await checkLedger(store);
      });

      test('concurrent appends are serialised into one tree', async () => {
        const tenant = unique('t');
        const start = await store.ledgerSize();
        const batches = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.write((tx) => tx.appendLedger(Array.from({ length: 3 }, (_, j) => ledgerDraft(tenant, i * 10 + j))))),
        );
        const seqs = batches.flat().map((r) => r.seq).sort((x, y) => x - y);
        assert.deepEqual(seqs, Array.from({ length: 24 }, (_, i) => start + i));
        for (const batch of batches) assert.deepEqual(batch.map((r) => r.seq), batch.map((_, i) => batch[0]!.seq + i), 'a batch is contiguous');
        await checkLedger(store);
      });
    });

    describe('results, receipts and attestations', () => {
      test('round trips, tenant-scoped', async () => {
        covers('insertReceipts', 'listReceipts', 'getReceipt', 'insertResult', 'getResult', 'insertAttestation', 'getAttestation');
        const tenant = unique('t');
        const other = unique('t');
        const [b] = await seed(store, tenant);
        const receipt = (kind: string): ReceiptRow =>
          ({
            object: 'receipt',
            receipt_id: newId('rcp'),
            kind,
            binding_id: b!.binding_id,
            work_order_id: b!.work_order_id,
            tenant_id: tenant,
            issued_at: new Date(T0).toISOString(),
            body: { z: '1.50', a: [1, { y: 2, x: 1 }] },
            digest: 'sha256:' + 'a'.repeat(64),
          }) as ReceiptRow;
        const receipts = [receipt('usage'), receipt('packet_manifest')];
        const result = {
          tenant_id: tenant,
          binding_id: b!.binding_id,
          status: 'succeeded' as const,
          output_digest: 'sha256:' + 'b'.repeat(64),
          body: { object: 'result_contract', binding_id: b!.binding_id, status: 'succeeded', callback: { state: 'none', attempts: 0, path: '/x' } } as never,
          created_at: T0,
        };
        const attestation: AttestationRow = {
          tenant_id: tenant,
          binding_id: b!.binding_id,
          envelope: { payloadType: 'application/vnd.in-toto+json', payload: 'e30=', signatures: [{ keyid: 'k', sig: 's' }] } as AttestationRow['envelope'],
          digest: 'sha256:' + 'c'.repeat(64),
          key_id: 'k',
          created_at: T0,
        };
        await store.write(async (tx) => {
          await tx.insertReceipts(receipts);
          await tx.insertReceipts([]);
          await tx.insertResult(result);
          await tx.insertAttestation(attestation);
        });
        const listed = await store.listReceipts(tenant, b!.binding_id);
        assert.deepEqual(listed, [...receipts].sort((x, y) => x.receipt_id.localeCompare(y.receipt_id)));
        assert.equal(JSON.stringify((await store.getReceipt(tenant, receipts[0]!.receipt_id))!), JSON.stringify(receipts[0]));
        assert.deepEqual(await store.getResult(tenant, b!.binding_id), result);
        assert.deepEqual(await store.getAttestation(tenant, b!.binding_id), attestation);

        assert.deepEqual(await store.listReceipts(other, b!.binding_id), []);
        assert.equal(await store.getReceipt(other, receipts[0]!.receipt_id), undefined);
        assert.equal(await store.getResult(other, b!.binding_id), undefined);
        assert.equal(await store.getAttestation(other, b!.binding_id), undefined);
      });
    });

    describe('exceptions', () => {
      test('open, list (open first, newest first, paged), resolve; tenant-scoped', async () => {
        covers('insertException', 'getException', 'listExceptions', 'openExceptionFor', 'resolveException');
        const tenant = unique('t');
        const rows = await seed(store, tenant, {}, {}, {});
        const ticket = (b: BindingRow): ExceptionRow => ({
          tenant_id: tenant,
          exception_id: newId('exc'),
          binding_id: b.binding_id,
          work_order_id: b.work_order_id,
          code: 'retry_exhausted',
          message: 'gave up',
          attempts: 3,
          next_action: 'replay',
          status: 'open',
          resolved_by: null,
          created_at: T0,
          resolved_at: null,
        });
        const tickets = rows.map(ticket);
        await store.write(async (tx) => {
          for (const t of tickets) await tx.insertException(t);
        });
        assert.deepEqual(await store.getException(tenant, tickets[0]!.exception_id), tickets[0]);
        assert.equal(await store.getException(unique('t'), tickets[0]!.exception_id), undefined);
        assert.deepEqual(await store.write((tx) => tx.openExceptionFor(rows[1]!.binding_id)), tickets[1]);

        await store.write((tx) => tx.resolveException(tickets[1]!.exception_id, 'bnd_replay', T0 + 9));
        const resolved = { ...tickets[1]!, status: 'resolved' as const, resolved_by: 'bnd_replay', resolved_at: T0 + 9 };
        assert.deepEqual(await store.getException(tenant, tickets[1]!.exception_id), resolved);
        assert.equal(await store.write((tx) => tx.openExceptionFor(rows[1]!.binding_id)), undefined);

        const byId = (xs: ExceptionRow[]) => xs.map((x) => x.exception_id);
        const openIds = [tickets[2]!, tickets[0]!].map((t) => t.exception_id).sort().reverse();
        const expected = [...openIds, tickets[1]!.exception_id];
        assert.deepEqual(byId(await store.listExceptions(tenant, { limit: 10 })), expected);
        assert.deepEqual(byId(await store.listExceptions(tenant, { status: 'open', limit: 10 })), openIds);
        assert.deepEqual(byId(await store.listExceptions(tenant, { status: 'resolved', limit: 10 })), [tickets[1]!.exception_id]);
        const page1 = await store.listExceptions(tenant, { limit: 2 });
        const last = page1.at(-1)!;
        const page2 = await store.listExceptions(tenant, { limit: 2, after: { status: last.status, exceptionId: last.exception_id } });
        assert.deepEqual([...byId(page1), ...byId(page2)], expected);
        assert.deepEqual(await store.listExceptions(unique('t'), { limit: 10 }), []);
      });
    });

    describe('checkpoints and signing keys', () => {
      test('checkpoints: first write of a size wins; latest and paged lists', async () => {
        covers('insertCheckpoint', 'latestCheckpoint', 'listCheckpoints');
        const cp = (size: number, sig = 'sig') => ({
          tree_size: size,
          root_hash: 'r'.repeat(64),
          timestamp: new Date(T0 + size).toISOString(),
          key_id: 'k1',
          signature: sig,
          note: `origin\n${size}\n`,
        });
        const prior = (await store.latestCheckpoint())?.tree_size ?? 0;
        const base = prior + 1_000;
        await store.write(async (tx) => {
          await tx.insertCheckpoint(cp(base + 2));
          await tx.insertCheckpoint(cp(base + 1));
          await tx.insertCheckpoint(cp(base + 3));
          await tx.insertCheckpoint(cp(base + 2, 'other')); // ignored
        });
        assert.deepEqual(await store.latestCheckpoint(), cp(base + 3));
        assert.deepEqual(await store.listCheckpoints({ after: base, limit: 10 }), [cp(base + 1), cp(base + 2), cp(base + 3)]);
        assert.deepEqual(await store.listCheckpoints({ after: base + 1, limit: 1 }), [cp(base + 2)]);
      });

      test('signing keys: upsert keeps the public key and updates retirement', async () => {
        covers('upsertSigningKey', 'listSigningKeys');
        const keyId = unique('key');
        const row = { key_id: keyId, public_key: Buffer.alloc(32, 7).toString('base64'), algorithm: 'ed25519' as const, created_at: T0, retired_at: null };
        await store.write((tx) => tx.upsertSigningKey(row));
        assert.deepEqual((await store.listSigningKeys()).find((k) => k.key_id === keyId), row);
        await store.write((tx) => tx.upsertSigningKey({ ...row, public_key: 'changed', retired_at: T0 + 5 }));
        assert.deepEqual((await store.listSigningKeys()).find((k) => k.key_id === keyId), { ...row, retired_at: T0 + 5 });
      });
    });

    describe('api keys and switches', () => {
      test('api keys: insert, find by hash, count; hashes are unique', async () => {
        covers('insertApiKey', 'findApiKeyByHash', 'countApiKeys');
        const tenant = unique('t');
        const key = (tools: string[] | null) => ({
          key_id: newId('key'),
          tenant_id: tenant,
          key_hash: unique('hash'),
          name: 'a key',
          scopes: ['work:submit', 'tool:execute'],
          tools,
          created_at: T0,
          revoked_at: null,
        });
        const k1 = key(null);
        const k2 = key(['packetops']);
        const keysBefore = await store.write((tx) => tx.countApiKeys());
        await store.write(async (tx) => {
          await tx.ensureTenant(tenant, 'T', T0);
          await tx.insertApiKey(k1);
          await tx.insertApiKey(k2);
        });
        assert.equal(await store.write((tx) => tx.countApiKeys()), keysBefore + 2);
        assert.deepEqual(await store.findApiKeyByHash(k1.key_hash), k1);
        assert.deepEqual(await store.findApiKeyByHash(k2.key_hash), k2);
        assert.equal(await store.findApiKeyByHash(unique('hash')), undefined);
        await assert.rejects(store.write((tx) => tx.insertApiKey({ ...key(null), key_hash: k1.key_hash })));
      });

      test('tenants and keys for admins: insert once, get, list in id order with a cursor, revoke once', async () => {
        covers('insertTenant', 'getTenant', 'listTenants', 'getApiKey', 'listApiKeys', 'revokeApiKey');
        const base = unique('t');
        const [a, b] = [`${base}-a`, `${base}-b`];
        assert.equal(await store.write((tx) => tx.insertTenant({ tenant_id: a, name: 'A', created_at: T0 })), true);
        assert.equal(await store.write((tx) => tx.insertTenant({ tenant_id: a, name: 'A again', created_at: T0 + 1 })), false);
        await store.write((tx) => tx.insertTenant({ tenant_id: b, name: 'B', created_at: T0 }));
        assert.deepEqual(await store.getTenant(a), { tenant_id: a, name: 'A', created_at: T0 });
        assert.equal(await store.getTenant(unique('t')), undefined);
        const all = await store.listTenants({ limit: 10_000 });
        const ids = all.map((t) => t.tenant_id);
        assert.deepEqual(ids, [...ids].sort(), 'ordered by id');
        assert.ok(ids.indexOf(b) === ids.indexOf(a) + 1);
        assert.deepEqual(await store.listTenants({ after: a, limit: 1 }), [{ tenant_id: b, name: 'B', created_at: T0 }]);

        const key = (tenant: string) => ({
          key_id: newId('key'),
          tenant_id: tenant,
          key_hash: unique('hash'),
          name: 'k',
          scopes: ['work:read'],
          tools: null,
          created_at: T0,
          revoked_at: null,
        });
        const [ka1, ka2, kb] = [key(a), key(a), key(b)];
        await store.write(async (tx) => {
          for (const k of [ka1, ka2, kb]) await tx.insertApiKey(k);
        });
        assert.deepEqual(await store.getApiKey(ka1.key_id), ka1);
        assert.equal(await store.getApiKey(newId('key')), undefined);
        assert.deepEqual(await store.listApiKeys({ tenantId: a, limit: 10 }), [ka1, ka2]);
        assert.deepEqual(await store.listApiKeys({ tenantId: a, after: ka1.key_id, limit: 10 }), [ka2]);
        const everyone = (await store.listApiKeys({ limit: 10_000 })).map((k) => k.key_id);
        assert.ok([ka1, ka2, kb].every((k) => everyone.includes(k.key_id)));

        assert.deepEqual(await store.write((tx) => tx.revokeApiKey(ka1.key_id, T0 + 5)), { ...ka1, revoked_at: T0 + 5 });
        // A second revocation keeps the first time.
        assert.deepEqual(await store.write((tx) => tx.revokeApiKey(ka1.key_id, T0 + 9)), { ...ka1, revoked_at: T0 + 5 });
        assert.equal(await store.write((tx) => tx.revokeApiKey(newId('key'), T0)), undefined);
        assert.equal((await store.findApiKeyByHash(ka1.key_hash))?.revoked_at, T0 + 5);
        assert.equal((await store.getApiKey(ka2.key_id))?.revoked_at, null);
      });

      test('switches: unset, set, overwritten; visible inside and outside transactions', async () => {
        covers('setSwitch', 'getSwitch');
        const name = unique('switch');
        assert.equal(await store.getSwitch(name), undefined);
        await store.write(async (tx) => {
          assert.equal(await tx.getSwitch(name), undefined);
          await tx.setSwitch(name, '["packetops"]', T0);
          assert.equal(await tx.getSwitch(name), '["packetops"]');
        });
        assert.equal(await store.getSwitch(name), '["packetops"]');
        await store.write((tx) => tx.setSwitch(name, '[]', T0 + 1));
        assert.equal(await store.getSwitch(name), '[]');
      });
    });

    describe('callbacks, webhook secrets and audit', () => {
      test('callback deliveries: lease due ones, release, lock, patch, attempts, counts, result state', async () => {
        covers(
          'insertCallbackDelivery',
          'claimCallbackDeliveries',
          'releaseCallbackLeases',
          'lockCallbackDelivery',
          'updateCallbackDelivery',
          'insertCallbackAttempts',
          'setResultCallback',
          'getCallbackDelivery',
          'listCallbackAttempts',
          'listCallbackDeliveries',
          'callbackCounts',
        );
        const tenant = unique('t');
        const rows = await seed(store, tenant, {}, {}, {});
        const now = T0 + 50_000;
        const delivery = (b: BindingRow, over: Partial<CallbackDeliveryRow> = {}): CallbackDeliveryRow => ({
          binding_id: b.binding_id,
          tenant_id: tenant,
          webhook_id: unique('msg'),
          url: 'https://example.test/hook',
          state: 'pending',
          attempts: 0,
          round_attempts: 0,
          next_attempt_at: now - 1,
          lease_owner: null,
          lease_expires_at: null,
          payload: '{"z":1,"a":"ü"}',
          last_status: null,
          last_error: null,
          delivered_at: null,
          created_at: T0,
          updated_at: T0,
          ...over,
        });
        const due = delivery(rows[0]!);
        const later = delivery(rows[1]!, { next_attempt_at: now + 60_000 });
        const done = delivery(rows[2]!, { state: 'delivered', next_attempt_at: null, delivered_at: T0, updated_at: T0 + 1 });
        await store.write(async (tx) => {
          for (const d of [due, later, done]) await tx.insertCallbackDelivery(d);
          await tx.insertResult({
            tenant_id: tenant,
            binding_id: rows[0]!.binding_id,
            status: 'succeeded',
            output_digest: null,
            body: { object: 'result_contract', binding_id: rows[0]!.binding_id, callback: { state: 'pending', attempts: 0, path: '/cb' } } as never,
            created_at: T0,
          });
        });
        assert.deepEqual(await store.getCallbackDelivery(tenant, due.binding_id), due);
        assert.equal(await store.getCallbackDelivery(unique('t'), due.binding_id), undefined);

        const ours = (xs: CallbackDeliveryRow[]) => xs.filter((x) => x.tenant_id === tenant);
        const owner = unique('sender');
        const claimed = ours(await store.write((tx) => tx.claimCallbackDeliveries({ now, limit: 1_000, owner, leaseMs: 10_000 })));
        assert.deepEqual(claimed, [{ ...due, lease_owner: owner, lease_expires_at: now + 10_000, updated_at: now }]);
        // A live lease is not claimed again; an expired one is.
        assert.deepEqual(ours(await store.write((tx) => tx.claimCallbackDeliveries({ now: now + 1, limit: 1_000, owner: 'x', leaseMs: 10 }))), []);
        assert.deepEqual(await store.write((tx) => tx.claimCallbackDeliveries({ now, limit: 0, owner, leaseMs: 10 })), []);
        assert.equal(await store.write((tx) => tx.releaseCallbackLeases(owner)), 1);
        assert.equal(await store.write((tx) => tx.releaseCallbackLeases(owner)), 0);
        const released = await store.getCallbackDelivery(tenant, due.binding_id);
        assert.equal(released!.lease_owner, null);
        assert.equal(released!.lease_expires_at, null);
        const reclaimed = ours(await store.write((tx) => tx.claimCallbackDeliveries({ now: now + 2, limit: 1_000, owner: 'y', leaseMs: 10 })));
        assert.deepEqual(reclaimed.map((d) => d.lease_owner), ['y']);

        await store.write(async (tx) => {
          const locked = await tx.lockCallbackDelivery(due.binding_id);
          assert.equal(locked!.lease_owner, 'y');
          assert.equal(await tx.lockCallbackDelivery(newId('bnd')), undefined);
          await tx.updateCallbackDelivery(due.binding_id, { state: 'delivered', attempts: 2, round_attempts: 2, last_status: 204, delivered_at: now + 3, next_attempt_at: null, updated_at: now + 3 });
          await tx.updateCallbackDelivery(due.binding_id, {});
          await tx.insertCallbackAttempts([
            { binding_id: due.binding_id, attempt: 1, tenant_id: tenant, started_at: now, status_code: 500, latency_ms: 12, error: 'HTTP 500', outcome: 'retry' },
            { binding_id: due.binding_id, attempt: 2, tenant_id: tenant, started_at: now + 2, status_code: 204, latency_ms: 7, error: null, outcome: 'delivered' },
          ]);
          await tx.insertCallbackAttempts([]);
          await tx.setResultCallback(due.binding_id, { state: 'delivered', attempts: 2 });
        });
        const sent = await store.getCallbackDelivery(tenant, due.binding_id);
        assert.equal(sent!.state, 'delivered');
        assert.equal(sent!.last_status, 204);
        assert.equal(sent!.payload, due.payload, 'the payload text is kept byte for byte');
        const attempts = await store.listCallbackAttempts(tenant, due.binding_id);
        assert.deepEqual(attempts.map((a) => [a.attempt, a.outcome, a.status_code, a.error]), [
          [1, 'retry', 500, 'HTTP 500'],
          [2, 'delivered', 204, null],
        ]);
        assert.deepEqual(await store.listCallbackAttempts(unique('t'), due.binding_id), []);
        const result = await store.getResult(tenant, due.binding_id);
        assert.deepEqual((result!.body as any).callback, { state: 'delivered', attempts: 2, path: '/cb' });

        assert.deepEqual((await store.listCallbackDeliveries(tenant, { state: 'delivered', limit: 10 })).map((d) => d.binding_id), [
          done.binding_id,
          due.binding_id,
        ]);
        assert.deepEqual((await store.listCallbackDeliveries(tenant, { state: 'pending', limit: 10 })).map((d) => d.binding_id), [later.binding_id]);
        assert.deepEqual(await store.callbackCounts(tenant), [
          { state: 'delivered', count: 2 },
          { state: 'pending', count: 1 },
        ]);
        assert.ok((await store.callbackCounts()).length >= 2);
      });

      test('webhook secrets: one per tenant, rotation keeps the previous one', async () => {
        covers('getWebhookSecret', 'upsertWebhookSecret');
        const tenant = unique('t');
        await store.write((tx) => tx.ensureTenant(tenant, 'T', T0));
        assert.equal(await store.getWebhookSecret(tenant), undefined);
        const first = { tenant_id: tenant, secret: 'whsec_first', previous_secret: null, previous_expires_at: null, created_at: T0, rotated_at: null };
        await store.write((tx) => tx.upsertWebhookSecret(first));
        assert.deepEqual(await store.getWebhookSecret(tenant), first);
        const rotated = { ...first, secret: 'whsec_second', previous_secret: 'whsec_first', previous_expires_at: T0 + 86_400_000, rotated_at: T0 + 1, created_at: 0 };
        const inTx = await store.write(async (tx) => {
          await tx.upsertWebhookSecret(rotated);
          return tx.getWebhookSecret(tenant);
        });
        assert.deepEqual(inTx, { ...rotated, created_at: T0 }, 'created_at is the first creation');
        assert.deepEqual(await store.getWebhookSecret(tenant), { ...rotated, created_at: T0 });
      });

      test('audit log: ids grow, newest first, per tenant or all, paged', async () => {
        covers('insertAudit', 'listAudit');
        const tenant = unique('t');
        const entry = (action: string) => ({ tenant_id: tenant, actor: 'key_1', action, target: 'packetops', detail: { z: 1, a: { b: [1] } }, at: T0 });
        const ids = await store.write(async (tx) => [await tx.insertAudit(entry('pause')), await tx.insertAudit(entry('resume'))]);
        assert.ok(ids[1]! > ids[0]!);
        const listed = await store.listAudit(tenant, { limit: 10 });
        assert.deepEqual(listed, [
          { audit_id: ids[1], ...entry('resume') },
          { audit_id: ids[0], ...entry('pause') },
        ]);
        assert.deepEqual(await store.listAudit(tenant, { before: ids[1], limit: 10 }), [listed[1]]);
        assert.deepEqual((await store.listAudit(undefined, { limit: 1 })).map((r) => r.audit_id), [ids[1]]);
        assert.deepEqual(await store.listAudit(unique('t'), { limit: 10 }), []);
      });
    });

    describe('remote tools', () => {
      test('upsert replaces the manifest text exactly; delete says whether there was one', async () => {
        covers('upsertRemoteTool', 'deleteRemoteTool', 'listRemoteTools');
        const name = unique('remote');
        const manifest = '{"version":"1.0.0","operations":{"z":{},"a":{}},"runtime":"remote"}';
        await store.write((tx) => tx.upsertRemoteTool({ tool_name: name, manifest, updated_at: T0 }));
        const find = async () => (await store.listRemoteTools()).find((r) => r.tool_name === name);
        assert.deepEqual(await find(), { tool_name: name, manifest, updated_at: T0 });
        const changed = manifest.replace('1.0.0', '1.1.0');
        await store.write((tx) => tx.upsertRemoteTool({ tool_name: name, manifest: changed, updated_at: T0 + 1 }));
        assert.deepEqual(await find(), { tool_name: name, manifest: changed, updated_at: T0 + 1 });
        const names = (await store.listRemoteTools()).map((r) => r.tool_name);
        assert.deepEqual(names, [...names].sort(), 'ordered by name');
        assert.equal(await store.write((tx) => tx.deleteRemoteTool(name)), true);
        assert.equal(await store.write((tx) => tx.deleteRemoteTool(name)), false);
        assert.equal(await find(), undefined);
      });
    });

    test('every Store and StoreTx method has a conformance test', async () => {
      covers('close');
      // Optional capabilities of one implementation are covered by that implementation's own tests
      // (onWork and onEvents: test/store/postgres-wake.test.ts).
      const optional = new Set(['onWork', 'onEvents', 'listening']);
      const txMethods = await store.write(async (tx) => Object.keys(tx));
      const names = new Set<string>(Object.keys(store));
      for (let proto = Object.getPrototypeOf(store); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const k of Object.getOwnPropertyNames(proto)) if (k !== 'constructor') names.add(k);
      }
      const storeMethods = [...names].filter((k) => typeof (store as unknown as Record<string, unknown>)[k] === 'function');
      const missing = [...new Set([...txMethods, ...storeMethods])].filter((m) => !COVERED.has(m) && !optional.has(m)).sort();
      assert.deepEqual(missing, [], `methods without a conformance test: ${missing.join(', ')}`);
    });
  });
}
