/** A finished PacketOps binding: every part of the result contract checks out against the others. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Compile } from 'typebox/compile';
import { ExecutionBinding } from '../../src/contracts/execution-binding.js';
import { Receipt } from '../../src/contracts/receipt.js';
import { ResultContract } from '../../src/contracts/result-contract.js';
import { ResultEvent } from '../../src/contracts/result-event.js';
import { ToolCommand } from '../../src/contracts/tool-command.js';
import { digestJson } from '../../src/proof/canonical.js';
import { verifyEnvelope } from '../../src/proof/dsse.js';
import { publicKeyFromRaw } from '../../src/proof/keys.js';
import { ledgerLeafBytes } from '../../src/proof/ledger-leaf.js';
import { leafHash } from '../../src/proof/merkle.js';
import { resultCore } from '../../src/rail/result-contract.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { example } from '../helpers/work-orders.js';

let rail: TestRail;
before(async () => {
  rail = await startTestRail();
});
after(() => rail.close());

test('the result contract of a PacketOps run carries every part, and each part verifies', async () => {
  const sub = await rail.api('POST', '/v1/work-orders', example('packetops-sufficient'));
  assert.equal(sub.status, 202);
  assert.ok(Compile(ExecutionBinding).Check(sub.body), 'binding matches its schema');
  const id = sub.body.binding_id;
  const result = await waitForResult(rail, id);
  assert.ok(Compile(ResultContract).Check(result), JSON.stringify([...Compile(ResultContract).Errors(result)].slice(0, 3)));

  assert.equal(result.status, 'succeeded');
  assert.equal(result.evidence.status, 'sufficient');
  assert.equal(result.next_action, 'none');
  assert.ok(result.human_summary.length > 20);
  assert.equal(result.output_digest, digestJson(result.machine_output));
  assert.deepEqual(result.callback, { state: 'none', attempts: 0, path: `/v1/bindings/${id}/callback` });

  // Receipts: usage + the tool's own, each content-addressed.
  assert.deepEqual(result.receipts.map((r: { kind: string }) => r.kind), ['usage', 'packet_manifest']);
  for (const ref of result.receipts) {
    const receipt = (await rail.api('GET', ref.path)).body;
    assert.ok(Compile(Receipt).Check(receipt));
    const { digest, ...rest } = receipt;
    assert.equal(digest, digestJson(rest));
    assert.equal(digest, ref.digest);
  }

  // Ledger: the finalized leaf hashes the canonical leaf, whose digest is the result core's.
  const entries = (await rail.api('GET', `/v1/bindings/${id}/ledger`)).body.data;
  const finalized = entries.find((e: any) => e.leaf.kind === 'binding.finalized');
  assert.equal(finalized.leaf.seq, result.ledger.seq);
  assert.equal(finalized.leaf_hash, result.ledger.leaf_hash);
  assert.equal(leafHash(ledgerLeafBytes(finalized.leaf)).toString('hex'), finalized.leaf_hash);
  const core = resultCore({
    bindingId: result.binding_id,
    status: result.status,
    output: result.machine_output,
    outputDigest: result.output_digest,
    summary: result.human_summary,
    evidence: result.evidence,
    receipts: result.receipts,
    exception: result.exception,
    nextAction: result.next_action,
    nextActionDetail: result.next_action_detail,
    replay: result.replay,
  });
  assert.equal(finalized.leaf.digest, digestJson(core));
  const accepted = entries.find((e: any) => e.leaf.kind === 'work_order.accepted');
  assert.ok(accepted.leaf.seq < finalized.leaf.seq);

  // Attestation: DSSE over an in-toto statement, signed by a published key, naming output, core and leaf.
  const att = (await rail.api('GET', `/v1/bindings/${id}/attestation`)).body;
  assert.equal(att.digest, result.attestation!.digest);
  assert.equal(att.digest, digestJson(att.envelope));
  const keys = await rail.runtime.store.listSigningKeys();
  const verified = verifyEnvelope(att.envelope, new Map(keys.map((k) => [k.key_id, publicKeyFromRaw(Buffer.from(k.public_key, 'base64'))])));
  assert.ok(verified.ok, JSON.stringify(verified));
  const statement = JSON.parse(Buffer.from(att.envelope.payload, 'base64').toString());
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  assert.equal(statement.predicateType, 'https://bindrail.dev/attestation/execution/v1');
  assert.deepEqual(
    statement.subject.map((s: any) => `sha256:${s.digest.sha256}`),
    [result.output_digest, digestJson(core)],
  );
  const command = (await rail.api('GET', `/v1/bindings/${id}/command`)).body;
  assert.ok(Compile(ToolCommand).Check(command));
  assert.equal(statement.predicate.command_digest, command.digest);
  assert.deepEqual(statement.predicate.ledger, { seq: result.ledger.seq, leaf_hash: result.ledger.leaf_hash });
  assert.deepEqual(statement.predicate.tool, { name: 'packetops', version: '1.0.0' });

  // A flipped byte in the signed payload no longer verifies.
  const tampered = { ...att.envelope, payload: Buffer.from(JSON.stringify({ ...statement, predicate: { ...statement.predicate, attempt: 9 } })).toString('base64') };
  assert.equal(verifyEnvelope(tampered, new Map(keys.map((k) => [k.key_id, publicKeyFromRaw(Buffer.from(k.public_key, 'base64'))]))).ok, false);

  // Events: every one is a CloudEvent with a gap-free per-binding seq.
  const events = (await rail.api('GET', `/v1/bindings/${id}/events`)).body.data;
  events.forEach((e: any, i: number) => {
    assert.ok(Compile(ResultEvent).Check(e));
    assert.equal(e.seq, i + 1);
    assert.equal(e.subject, id);
  });
  assert.deepEqual(
    events.map((e: any) => e.type),
    [
      'bindrail.binding.created',
      'bindrail.ledger.appended',
      'bindrail.queue.leased',
      ...events.filter((e: any) => e.type === 'bindrail.tool.progress').map(() => 'bindrail.tool.progress'),
      'bindrail.receipt.issued',
      'bindrail.receipt.issued',
      'bindrail.ledger.appended',
      'bindrail.attestation.issued',
      'bindrail.result.ready',
    ],
  );
});

test('before the result is final, …/result answers 202 with the state and Retry-After', async () => {
  const later = new Date(Date.now() + 60_000).toISOString();
  const sub = await rail.api('POST', '/v1/work-orders', { ...example('packetops-sufficient'), not_before: later, idempotency_key: undefined });
  const r = await rail.api('GET', `/v1/bindings/${sub.body.binding_id}/result`);
  assert.equal(r.status, 202);
  assert.equal(r.body.state, 'queued');
  assert.ok(r.headers.get('retry-after'));
});

test('other bindings, receipts and work orders answer 404 problem JSON', async () => {
  const r = await rail.api('GET', '/v1/bindings/bnd_00000000000000000000000000000000');
  assert.equal(r.status, 404);
  assert.equal(r.body.type, 'https://bindrail.dev/problems/not_found');
  const bad = await rail.api('GET', '/v1/bindings/not-an-id');
  assert.equal(bad.status, 400);
  const noKey = await rail.api('GET', '/v1/bindings', undefined, { key: null });
  assert.equal(noKey.status, 401);
});
