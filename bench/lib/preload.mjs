/**
 * Fills a SQLite data dir with finished bindings, fast: one real binding that the rail finished
 * is the template, and copies of it — new ids, the same bodies — go in through the store's own
 * StoreTx methods (the statements the rail uses), thousands per transaction. Every copy has what
 * a finished binding has: work order, binding (succeeded), command, its 7 events, 2 ledger leaves
 * appended to the real Merkle tree (leaf hashes and subtree nodes computed as always), usage
 * receipt, result contract and attestation. Bodies still name the template's ids: only the
 * tables' sizes and indexes matter to the growth measurement, not what the copies say.
 * The serve process must be stopped: SQLite has one writer.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../systems/bindrail.mjs';

const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const TENANT = 'default';

async function template(store) {
  const [binding] = await store.listBindings(TENANT, { state: 'succeeded', tool: 'noop', limit: 1 });
  if (!binding) throw new Error('no finished noop binding to copy: run the rail once on this data dir first');
  const id = binding.binding_id;
  return {
    binding,
    workOrder: await store.getWorkOrder(TENANT, binding.work_order_id),
    command: await store.getCommand(TENANT, id),
    events: await store.listEvents(TENANT, { bindingId: id, limit: 100 }),
    receipts: await store.listReceipts(TENANT, id),
    result: await store.getResult(TENANT, id),
    attestation: await store.getAttestation(TENANT, id),
    leaves: [await store.findLedgerEntry(id, 'work_order.accepted'), await store.findLedgerEntry(id, 'binding.finalized')].filter(Boolean),
  };
}

/** Adds `count` finished bindings to the store in `dataDir`; resolves with the rate achieved. */
export async function preloadFinished(dataDir, count, { batch = 2_000, onProgress = () => undefined } = {}) {
  const { openStore } = await dist('boot/open-store.js');
  const { newId } = await dist('rail/ids.js');
  const store = await openStore('sqlite', dataDir);
  const started = performance.now();
  try {
    const t = await template(store);
    for (let done = 0; done < count; ) {
      const k = Math.min(batch, count - done);
      await store.write(async (tx) => {
        for (let i = 0; i < k; i++) {
          const workOrderId = newId('wo');
          const bindingId = newId('bnd');
          const commandId = newId('cmd');
          await tx.insertWorkOrder({ ...t.workOrder, work_order_id: workOrderId, idempotency_key: null });
          await tx.insertBinding({ ...t.binding, binding_id: bindingId, work_order_id: workOrderId, command_id: commandId });
          await tx.insertCommand({ ...t.command, command_id: commandId, binding_id: bindingId });
          await tx.appendEvents(t.events.map((e) => ({ tenant_id: e.tenant_id, binding_id: bindingId, type: e.type, time: e.time, data: e.data })));
          await tx.appendLedger(t.leaves.map((l) => ({ tenant_id: l.tenant_id, kind: l.kind, binding_id: bindingId, work_order_id: workOrderId, digest: l.digest, at: l.at })));
          await tx.insertReceipts(t.receipts.map((r) => ({ ...r, receipt_id: newId('rcp'), binding_id: bindingId })));
          await tx.insertResult({ ...t.result, binding_id: bindingId });
          await tx.insertAttestation({ ...t.attestation, binding_id: bindingId });
        }
      });
      done += k;
      onProgress(done);
    }
  } finally {
    await store.close();
  }
  return count / ((performance.now() - started) / 1000);
}
