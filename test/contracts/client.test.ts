/**
 * The typed client (`bindrail/client`): it covers every operation of the OpenAPI document but the
 * ones it leaves out on purpose, and each of its methods works against a real rail over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BindrailClient, BindrailProblemError, BindrailTimeoutError, NOT_IN_CLIENT, ROUTES, type ResultContract } from '../../src/client/index.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';
import { example, packetOrder } from '../helpers/work-orders.js';

let rail: TestRail;
let client: BindrailClient;
before(async () => {
  rail = await startTestRail();
  client = new BindrailClient({ url: rail.url, apiKey: rail.adminKey });
});
after(() => rail.close());

test('the client covers every operation of /openapi.json, except those it leaves out on purpose', async () => {
  const doc = await new BindrailClient({ url: rail.url }).openapi();
  const documented = Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
  const inClient = new Set<string>(Object.values(ROUTES));
  const excluded = new Set<string>(NOT_IN_CLIENT);
  const missing = documented.filter((op) => !inClient.has(op) && !excluded.has(op));
  assert.deepEqual(missing, [], 'operations with no client method (add one to src/client, or to NOT_IN_CLIENT with a reason)');
  const unknown = [...inClient, ...excluded].filter((op) => !documented.includes(op));
  assert.deepEqual(unknown, [], 'client routes the document does not have');
  // The document's operationIds are the client's method names.
  for (const [name, route] of Object.entries(ROUTES)) {
    const [method, path] = route.split(' ') as [string, string];
    assert.equal((doc.paths as any)[path][method.toLowerCase()].operationId, name, route);
    assert.equal(typeof (client as any)[name], 'function', `BindrailClient.${name}`);
  }
});

describe('every method against a real rail', () => {
  let result: ResultContract;
  let bindingId: string;

  test('submitAndWait: submit, poll, and the Result Contract', async () => {
    const { binding, result: r } = await client.submitAndWait(example('packetops-sufficient') as never, { timeoutMs: 20_000 });
    assert.equal(binding.state, 'queued');
    assert.equal(r.status, 'succeeded');
    assert.equal(r.evidence.status, 'sufficient');
    result = r;
    bindingId = binding.binding_id;
    const again = await client.submitWorkOrder(example('packetops-sufficient') as never);
    assert.equal(again.created, false);
    assert.equal(again.binding.binding_id, bindingId);
  });

  test('the binding and everything hanging off it', async () => {
    assert.equal((await client.getBinding(bindingId)).state, 'succeeded');
    assert.equal((await client.getCommand(bindingId)).binding_id, bindingId);
    assert.deepEqual(await client.getResult(bindingId), result);
    assert.ok((await client.listEvents(bindingId)).data.some((e) => e.type === 'bindrail.result.ready'));
    assert.ok((await client.listEvents(bindingId, { after: 1, limit: 2 })).data.every((e) => e.seq > 1));
    const receipts = (await client.listReceipts(bindingId)).data;
    assert.equal((await client.getReceipt(receipts[0]!.receipt_id)).digest, receipts[0]!.digest);
    assert.equal((await client.getAttestation(bindingId)).envelope.payloadType, 'application/vnd.in-toto+json');
    assert.ok((await client.listBindingLedger(bindingId)).data.some((e) => e.leaf.kind === 'binding.finalized'));
    assert.equal((await client.getWorkOrder(result ? (await client.getBinding(bindingId)).work_order_id : '')).object, 'work_order');
    assert.ok((await client.listBindings({ state: 'succeeded', limit: 5 })).data.some((b) => b.binding_id === bindingId));
    assert.equal((await client.getCallback(bindingId)).state, 'none');
    assert.ok((await client.listAllEvents({ limit: 5 })).data.length > 0);
  });

  test('preflight, replay, cancel, retry', async () => {
    const pre = await client.preflightWorkOrder(packetOrder(1) as never);
    assert.equal(pre.would_accept, true);
    const replay = await client.replayBinding(bindingId);
    assert.equal(replay.replay_of, bindingId);
    const replayed = await client.waitForResult(replay.binding_id, { timeoutMs: 20_000 });
    assert.equal(replayed.replay?.deterministic, true);
    const later = await client.submitWorkOrder(packetOrder(2, { not_before: new Date(Date.now() + 3_600_000).toISOString() }) as never);
    assert.equal((await client.cancelBinding(later.binding.binding_id)).state, 'cancelled');
    await assert.rejects(client.retryBinding(later.binding.binding_id), (err: unknown) => err instanceof BindrailProblemError && err.status === 409);
  });

  test('tools, contracts, discovery', async () => {
    assert.equal((await client.health()).status, 'ok');
    assert.deepEqual((await client.me()).scopes, ['admin']);
    assert.ok((await client.listTools()).data.some((t) => t.name === 'packetops'));
    assert.equal((await client.getTool('packetops')).name, 'packetops');
    assert.equal((await client.discovery()).object, 'bindrail_discovery');
    assert.match(await client.llmsTxt(), /^# bindrail/);
    assert.ok((await client.listContracts()).data.length >= 11);
    assert.equal((await client.getContract('receipt')).title, 'Receipt');
    assert.equal(((await client.getContractExample('receipt')) as { object: string }).object, 'receipt');
    assert.match(await client.getSqlScaffold('sqlite'), /CREATE TABLE/);
  });

  test('remote tools, exceptions, the queue, callbacks, audit, metrics', async () => {
    const manifest = {
      version: '1.0.0',
      runtime: 'remote' as const,
      operations: { echo: { capability: 'test.echo', input_schema: { type: 'object' }, output_schema: { type: 'object' }, evidence_checklist: [] } },
    };
    const registered = await client.registerTool('remote-echo', manifest as never);
    assert.equal(registered.created, true);
    assert.equal(registered.tool.runtime, 'remote');
    await client.retireTool('remote-echo');
    assert.equal((await client.listExceptions({ status: 'open' })).object, 'list');
    await assert.rejects(client.getException(`exc_${'0'.repeat(32)}`), (err: unknown) => err instanceof BindrailProblemError && err.status === 404);
    assert.equal((await client.getQueue()).object, 'queue_monitor');
    assert.equal((await client.pauseTool('packetops')).paused, true);
    assert.equal((await client.resumeTool('packetops')).paused, false);
    assert.equal((await client.pauseCallbacks()).paused, true);
    assert.equal((await client.resumeCallbacks()).paused, false);
    const secret = await client.getCallbackSecret();
    const rotated = await client.rotateCallbackSecret();
    assert.notDeepEqual(rotated, secret);
    assert.ok((await client.listAudit({ limit: 10 })).data.length >= 4);
    assert.match(await client.metrics(), /bindrail_/);
    await assert.rejects(client.redeliverCallback(bindingId), (err: unknown) => err instanceof BindrailProblemError);
  });
});

describe('errors', () => {
  test('a refused request throws BindrailProblemError carrying the problem JSON', async () => {
    const err = await client.submitWorkOrder({ tool: 'packetops', operation: 'verify_packet', inputs: {}, priority: 12 }).catch((e: unknown) => e);
    assert.ok(err instanceof BindrailProblemError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'validation_failed');
    assert.deepEqual(err.problem.errors, [{ pointer: '/priority', detail: 'must be <= 9' }]);
  });

  test('a missing or wrong key is a 401 problem', async () => {
    const anonymous = new BindrailClient({ url: rail.url });
    await assert.rejects(anonymous.getBinding(`bnd_${'0'.repeat(32)}`), (err: unknown) => err instanceof BindrailProblemError && err.status === 401 && err.code === 'unauthorized');
  });

  test('a wait that runs out throws BindrailTimeoutError; the binding keeps its state', async () => {
    const { binding } = await client.submitWorkOrder(packetOrder(3, { not_before: new Date(Date.now() + 3_600_000).toISOString() }) as never);
    const err = await client.waitForResult(binding.binding_id, { timeoutMs: 150 }).catch((e: unknown) => e);
    assert.ok(err instanceof BindrailTimeoutError);
    assert.equal(err.bindingId, binding.binding_id);
    assert.equal(err.lastState, 'queued');
    await client.cancelBinding(binding.binding_id);
  });
});
