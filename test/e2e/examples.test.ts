/**
 * Every Work Order in examples/work-orders/ through a real rail: each succeeds with the evidence
 * status its file name promises, a tool-specific receipt plus usage, and replays deterministically;
 * a replay with an input patch repairs an insufficient one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';

const DIR = new URL('../../examples/work-orders/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** The receipt each tool issues beside the usage receipt (DESIGN.md §4). */
const TOOL_RECEIPT: Record<string, string> = {
  tokenops: 'settlement',
  financeops: 'reconciliation_statement',
  energyops: 'readiness_statement',
  distributionops: 'payout_schedule',
  packetops: 'packet_manifest',
};

function load(file: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
}

/** sufficient | partial | insufficient when the file name says so; undefined otherwise. */
function promisedStatus(file: string): string | undefined {
  return /-(sufficient|partial|insufficient)\.json$/.exec(file)?.[1];
}

let rail: TestRail;
before(async () => {
  rail = await startTestRail();
});
after(() => rail?.close());

async function submit(body: unknown): Promise<string> {
  const r = await rail.api('POST', '/v1/work-orders', body);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body.binding_id;
}

async function replay(bindingId: string, body: unknown = {}): Promise<string> {
  const r = await rail.api('POST', `/v1/bindings/${bindingId}/replay`, body);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.replay_of, bindingId);
  return r.body.binding_id;
}

describe('examples/work-orders, end to end', () => {
  test('there are examples for every tool, and sufficient, partial and insufficient ones', () => {
    for (const tool of Object.keys(TOOL_RECEIPT)) assert.ok(FILES.some((f) => f.startsWith(`${tool}-`)), tool);
    for (const status of ['sufficient', 'partial', 'insufficient']) assert.ok(FILES.some((f) => promisedStatus(f) === status), status);
  });

  for (const file of FILES) {
    test(`${file}: succeeds with the evidence it promises, receipts, and a deterministic replay`, async () => {
      const body = load(file);
      const id = await submit(body);
      const result = await waitForResult(rail, id);
      assert.equal(result.status, 'succeeded', JSON.stringify(result.exception));
      const promised = promisedStatus(file);
      if (promised) assert.equal(result.evidence.status, promised, JSON.stringify(result.evidence));
      if (result.evidence.status !== 'sufficient') assert.notEqual(result.next_action, 'none', 'partial evidence says what to do next');

      const tool = body.tool as string;
      const kinds = result.receipts.map((r: { kind: string }) => r.kind);
      assert.ok(kinds.includes('usage'), kinds.join());
      assert.ok(kinds.includes(TOOL_RECEIPT[tool]!), `${tool} issues ${TOOL_RECEIPT[tool]}: ${kinds.join()}`);
      for (const ref of result.receipts) {
        const receipt = await rail.api('GET', ref.path);
        assert.equal(receipt.status, 200);
        assert.equal(receipt.body.digest, ref.digest);
        assert.equal(receipt.body.binding_id, id);
      }
      assert.ok(result.attestation, 'attested');
      assert.ok(result.ledger.seq >= 0);

      const replayId = await replay(id);
      const replayed = await waitForResult(rail, replayId);
      assert.equal(replayed.status, 'succeeded');
      assert.deepEqual(replayed.replay, { of: id, deterministic: true });
      assert.equal(replayed.output_digest, result.output_digest);
      assert.equal(replayed.evidence.status, result.evidence.status);
    });
  }
});

describe('repairing an insufficient example with a patched replay', () => {
  test('tokenops: supplying the settlement the processor confirmed turns insufficient into a settled result', async () => {
    const body = load('tokenops-insufficient.json');
    const id = await submit({ ...body, idempotency_key: undefined });
    const original = await waitForResult(rail, id);
    assert.equal(original.evidence.status, 'insufficient');
    assert.ok(original.evidence.missing.includes('settlement_reference'));

    const { request_id, amount, currency } = body.inputs.payment_request;
    const settlement = { payment_id: 'pi_3QcR7bVe9mZ2hK', request_id, amount, currency, settled_at: '2025-04-03T09:12:44Z', method: 'card' };
    const repairedId = await replay(id, { input_patch: { settlement } });
    const repaired = await waitForResult(rail, repairedId);
    assert.equal(repaired.status, 'succeeded');
    assert.ok(['sufficient', 'partial'].includes(repaired.evidence.status), JSON.stringify(repaired.evidence));
    assert.ok(!repaired.evidence.missing.includes('settlement_reference'), JSON.stringify(repaired.evidence));
    assert.equal(repaired.replay.of, id);
    assert.equal(repaired.replay.deterministic, false, 'a repair changes the output');
    const command = (await rail.api('GET', `/v1/bindings/${repairedId}/command`)).body;
    assert.deepEqual(command.inputs.settlement, settlement);
    assert.deepEqual(command.inputs.ledger, body.inputs.ledger, 'unpatched inputs are kept');
  });

  test('packetops: adding the missing required files makes the packet complete', async () => {
    const body = load('packetops-insufficient.json');
    const id = await submit({ ...body, idempotency_key: undefined });
    const original = await waitForResult(rail, id);
    assert.equal(original.evidence.status, 'insufficient');
    const missing: string[] = original.evidence.missing;
    assert.ok(missing.length > 0);

    // A merge patch replaces arrays whole: the files as they were, plus the missing ones (by manifest: size + hash).
    const added = missing.map((name, i) => ({ name, media_type: 'application/pdf', size: 1000 + i, sha256: String(i + 1).repeat(64).slice(0, 64) }));
    const repairedId = await replay(id, { input_patch: { files: [...body.inputs.files, ...added] } });
    const repaired = await waitForResult(rail, repairedId);
    assert.equal(repaired.status, 'succeeded');
    assert.ok(['sufficient', 'partial'].includes(repaired.evidence.status), JSON.stringify(repaired.evidence));
    assert.deepEqual(repaired.evidence.missing.filter((m: string) => missing.includes(m)), []);
    // The original had no exception ticket to resolve (it succeeded); its result is unchanged.
    assert.equal((await rail.api('GET', `/v1/bindings/${id}/result`)).body.evidence.status, 'insufficient');
  });

  test('a patch that breaks the input schema is refused, naming the field under /input_patch', async () => {
    const id = await submit({ ...load('packetops-sufficient.json'), idempotency_key: 'packet-repair-refused' });
    await waitForResult(rail, id);
    const r = await rail.api('POST', `/v1/bindings/${id}/replay`, { input_patch: { files: 'not a list' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0].pointer, '/input_patch/files');
  });
});
