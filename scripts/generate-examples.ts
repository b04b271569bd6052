/**
 * Writes contracts/examples/*.json: real objects from a real rail. It starts a rail in a temp dir,
 * submits examples/work-orders/packetops-sufficient.json (and one order that fails, for the
 * exception ticket; one that is refused, for the problem; a batch) and saves what the API answers, as is.
 *
 *   node --import tsx scripts/generate-examples.ts      (or: npm run contracts -- --examples)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXAMPLES_DIR, type ContractName } from '../src/api/routes/contracts.js';
import { makeLogger } from '../src/boot/logger.js';
import { startRail } from '../src/boot/start.js';
import { BindrailClient } from '../src/client/bindrail-client.js';
import { BindrailProblemError } from '../src/client/errors.js';
import { loadConfig } from '../src/config/load-config.js';
import type { WorkOrderRequest } from '../src/contracts/work-order.js';

const ADMIN_KEY = 'br_examples_admin_key_0000000000000000000000';

function readWorkOrder(name: string): WorkOrderRequest {
  return JSON.parse(readFileSync(new URL(`../examples/work-orders/${name}.json`, import.meta.url), 'utf8')) as WorkOrderRequest;
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the rail returned no ${what}`);
  return value;
}

/** Runs a rail and returns one real object per contract. */
export async function generateExamples(): Promise<Partial<Record<ContractName, unknown>>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-examples-'));
  const config = loadConfig({ 'data-dir': dataDir, port: '0', 'log-level': 'silent', 'admin-key': ADMIN_KEY, 'poll-ms': '20' }, {});
  const runtime = await startRail(config, { logger: makeLogger('silent') });
  try {
    const client = new BindrailClient({ url: runtime.url!, apiKey: ADMIN_KEY });
    const workOrder = readWorkOrder('packetops-sufficient');
    const { binding, result } = await client.submitAndWait(workOrder, { timeoutMs: 30_000 });
    const id = binding.binding_id;
    const events = (await client.listEvents(id)).data;
    const receipts = (await client.listReceipts(id)).data;
    const attestation = await client.getAttestation(id);
    const ledger = (await client.listBindingLedger(id)).data;

    // A reconciliation whose invoice ids collide: the tool refuses it, so the binding fails with a ticket.
    const broken = readWorkOrder('financeops-insufficient');
    const invoices = (broken.inputs.invoices as { invoice_id: string }[]).map((inv) => ({ ...inv, invoice_id: 'INV-2025-0301' }));
    const failed = await client.submitAndWait({ ...broken, idempotency_key: undefined, inputs: { ...broken.inputs, invoices } }, { timeoutMs: 30_000 });

    let problem: unknown;
    try {
      await client.submitWorkOrder({ tool: 'packetops', operation: 'verify_packet', inputs: {}, priority: 12 } as WorkOrderRequest);
    } catch (err) {
      if (!(err instanceof BindrailProblemError)) throw err;
      problem = err.problem;
    }

    const bundle = await client.getBundle(id);
    const checkpoint = await client.getCheckpoint();
    const proofs = {
      'inclusion-proof': await client.getInclusionProof({ seq: result.ledger.seq, tree_size: checkpoint.tree_size }),
      'consistency-proof': await client.getConsistencyProof({ from: 1, to: checkpoint.tree_size }),
    };
    // Last, so its new binding moves nothing above: the packet again (its idempotency key answers
    // 200 with the same binding), a new order (202), and one no tool takes (422).
    const batch = [workOrder, readWorkOrder('tokenops-sufficient'), { tool: 'ledgerops', operation: 'post', inputs: {} }];
    const batchResult = await client.submitBatch(batch);
    return {
      'work-order': workOrder,
      'execution-binding': await client.getBinding(id),
      'tool-command': await client.getCommand(id),
      'result-event': found(events.find((e) => e.type === 'bindrail.result.ready'), 'result.ready event'),
      'result-contract': result,
      receipt: found(receipts.find((r) => r.kind !== 'usage') ?? receipts[0], 'receipt'),
      'exception-ticket': found(failed.result.exception ?? undefined, 'exception ticket'),
      'ledger-entry': found(ledger.find((e) => e.leaf.kind === 'binding.finalized'), 'binding.finalized ledger entry'),
      checkpoint,
      attestation: attestation.envelope,
      'in-toto-statement': JSON.parse(Buffer.from(attestation.envelope.payload, 'base64').toString('utf8')) as unknown,
      bundle,
      ...proofs,
      'key-set': await client.getKeys(),
      problem: found(problem, 'problem'),
      'work-order-batch': { work_orders: batch },
      'work-order-batch-result': batchResult,
    };
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function writeExamples(examples: Partial<Record<ContractName, unknown>>): string[] {
  mkdirSync(EXAMPLES_DIR, { recursive: true });
  return Object.entries(examples).map(([name, value]) => {
    const path = join(EXAMPLES_DIR, `${name}.json`);
    writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
    return path;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const path of writeExamples(await generateExamples())) process.stdout.write(`wrote ${path}\n`);
}
