/**
 * POST /v1/work-orders/batch over real HTTP: a body that breaks the schema is refused whole and
 * stores nothing; otherwise each Work Order answers on its own, in order, exactly as the single
 * route would; the accepted ones are bound in shared transactions and run to a result.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { contractSchemaDocument } from '../../src/api/routes/contracts.js';
import { BindrailClient, BindrailProblemError } from '../../src/client/index.js';
import { MAX_BATCH_WORK_ORDERS } from '../../src/contracts/work-order-batch.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { registryWithTestkit, testOrder } from '../helpers/test-tools.js';
import { packetOrder } from '../helpers/work-orders.js';
import { snapshotStore } from '../security/store-snapshot.js';
import { newKey, ok } from '../security/world.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;
const validateAnswer = addFormats(new Ajv2020({ strict: true, allErrors: true })).compile(contractSchemaDocument('work-order-batch-result'));

const BATCH = '/v1/work-orders/batch';
const echo = (value: string, extra: Record<string, unknown> = {}) => testOrder('echo', { value }, extra);
const withoutInstance = ({ instance: _instance, ...rest }: Record<string, unknown>) => rest;

let rail: TestRail;
before(async () => {
  rail = await startTestRail({}, { registry: registryWithTestkit() });
});
after(() => rail.close());

/** POST /v1/work-orders/batch; asserts the answer is 200 and fits the published contract. */
async function batch(workOrders: unknown[], key?: string): Promise<any> {
  const r = await rail.api('POST', BATCH, { work_orders: workOrders }, { key });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(validateAnswer(r.body), JSON.stringify(validateAnswer.errors));
  return r.body;
}

// First, on a quiet rail: nothing has run yet, so any change to the store would be this test's.
describe('a body that breaks the schema is refused whole, and nothing is stored', () => {
  test('not an array, empty, over the limit, one bad item, an Idempotency-Key header: 400 naming the pointer', async () => {
    const before_ = await snapshotStore(rail.runtime.store);
    const good = echo('fine');
    const cases: [string, unknown, string, Record<string, string>?][] = [
      ['not an array', { work_orders: good }, '/work_orders'],
      ['empty', { work_orders: [] }, '/work_orders'],
      ['over the limit', { work_orders: Array.from({ length: MAX_BATCH_WORK_ORDERS + 1 }, (_, i) => echo(`n${i}`)) }, '/work_orders'],
      ['an item whose inputs are not an object', { work_orders: [good, good, echo('x'), { ...good, inputs: 'nope' }] }, '/work_orders/3/inputs'],
      ['an item with an unknown field', { work_orders: [good, { ...good, colour: 'red' }] }, '/work_orders/1/colour'],
      ['an unknown top-level field', { work_orders: [good], idempotency_key: 'k' }, '/idempotency_key'],
      ['an Idempotency-Key header', { work_orders: [good] }, '/headers/idempotency-key', { 'idempotency-key': 'whole-batch' }],
    ];
    for (const [name, body, pointer, headers] of cases) {
      const r = await rail.api('POST', BATCH, body, { headers });
      assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, name);
      assert.equal(r.body.code, 'validation_failed', name);
      assert.ok(
        r.body.errors.some((e: { pointer: string }) => e.pointer === pointer),
        `${name}: no error at ${pointer} in ${JSON.stringify(r.body.errors).slice(0, 300)}`,
      );
    }
    assert.deepEqual(await snapshotStore(rail.runtime.store), before_, 'a refused batch changed the store');
  });
});

describe('each Work Order answers on its own, in order', () => {
  test('valid, unroutable, bad inputs, bad dates, refused callback, a key twice with the same body, the key with another body', async () => {
    const unroutable = { tool: 'nosuchtool', operation: 'run', inputs: {} };
    const badInputs = testOrder('echo', { value: 7 });
    const badDates = echo('dates', { not_before: '2030-01-02T00:00:00Z', deadline: '2030-01-01T00:00:00Z' });
    const privateCallback = echo('hook', { return: { callback_url: 'http://127.0.0.1:9/hook' } });
    const keyed = echo('keyed', { idempotency_key: 'batch-key-1' });
    const answer = await batch([
      echo('first'),
      unroutable,
      badInputs,
      badDates,
      privateCallback,
      keyed,
      keyed,
      echo('another body', { idempotency_key: 'batch-key-1' }),
      echo('last'),
    ]);
    assert.equal(answer.object, 'work_order_batch');
    assert.deepEqual(
      answer.items.map((i: any) => [i.status, i.problem?.code ?? i.object]),
      [
        [202, 'execution_binding'],
        [422, 'unroutable'],
        [400, 'validation_failed'],
        [400, 'validation_failed'],
        [422, 'callback_url_refused'],
        [202, 'execution_binding'],
        [200, 'execution_binding'],
        [409, 'idempotency_conflict'],
        [202, 'execution_binding'],
      ],
    );
    // New bindings answer as written; a repeat answers with its binding as it is now (maybe leased already).
    for (const i of [0, 5, 8]) assert.equal(answer.items[i].state, 'queued');
    assert.equal(answer.accepted, 4);
    assert.equal(answer.rejected, 5);
    const [first, , bad, dates, , keyedFirst, keyedAgain, , last] = answer.items;
    // The repeat names the binding its key made, a few items earlier in the same batch.
    assert.equal(keyedAgain.binding_id, keyedFirst.binding_id);
    assert.equal(keyedAgain.work_order_id, keyedFirst.work_order_id);
    assert.deepEqual(bad.problem.errors.map((e: { pointer: string }) => e.pointer), ['/inputs/value']);
    assert.deepEqual(dates.problem.errors.map((e: { pointer: string }) => e.pointer), ['/deadline']);
    // An accepted item is the single route's Execution Binding, plus its status.
    const { status: _status, ...binding } = first;
    const stored = await ok(rail, 'GET', `/v1/bindings/${first.binding_id}`);
    assert.deepEqual(Object.keys(binding).sort(), Object.keys(stored).sort());
    assert.deepEqual([binding.work_order_id, binding.command_id, binding.links], [stored.work_order_id, stored.command_id, stored.links]);
    assert.equal(binding.object, 'execution_binding');

    // A refused item carries the problem the single route answers for the same Work Order.
    for (const [i, order] of [[1, unroutable], [2, badInputs], [3, badDates], [4, privateCallback]] as const) {
      const single = await rail.api('POST', '/v1/work-orders', order);
      assert.equal(answer.items[i].status, single.status, `item ${i}`);
      assert.deepEqual(withoutInstance(answer.items[i].problem), withoutInstance(single.body), `item ${i}`);
    }
    // The key lives on after the batch: the single route with it answers the same binding.
    const again = await rail.api('POST', '/v1/work-orders', echo('keyed'), { headers: { 'idempotency-key': 'batch-key-1' } });
    assert.equal(again.status, 200);
    assert.equal(again.body.binding_id, keyedFirst.binding_id);

    // Every accepted Work Order runs to its result; the refused ones left no binding behind.
    for (const item of [first, keyedFirst, last]) {
      const result = await waitForResult(rail, item.binding_id);
      assert.equal(result.status, 'succeeded', JSON.stringify(result));
    }
    const all = (await ok(rail, 'GET', '/v1/bindings?tool=testkit&limit=500')).data.map((b: { binding_id: string }) => b.binding_id);
    assert.deepEqual(new Set(all), new Set([first.binding_id, keyedFirst.binding_id, last.binding_id]));
  });

  test('the accepted Work Orders of a batch share a transaction', async () => {
    const answer = await batch(Array.from({ length: 40 }, (_, i) => echo(`shared ${i}`)));
    assert.equal(answer.accepted, 40);
    // One flush stamps every binding it writes with the same time.
    assert.equal(new Set(answer.items.map((i: { created_at: string }) => i.created_at)).size, 1);
    assert.equal(new Set(answer.items.map((i: { binding_id: string }) => i.binding_id)).size, 40);
  });
});

describe('keys and tenants', () => {
  test("a key limited to some tools gets, item by item, what the single route gives it", async () => {
    await ok(rail, 'POST', '/v1/tenants', { tenant_id: 'tools-only', name: 'Tools only' });
    const { key } = await newKey(rail, 'tools-only', 'limited', ['work:submit', 'work:read', 'tool:execute'], ['testkit']);
    const orders = [echo('mine'), packetOrder(1), { tool: 'nosuchtool', operation: 'run', inputs: {} }];
    const answer = await batch(orders, key);
    for (const [i, order] of orders.entries()) {
      const single = await rail.api('POST', '/v1/work-orders', order, { key });
      assert.equal(answer.items[i].status, single.status, `item ${i}`);
      if (single.status >= 400) assert.deepEqual(withoutInstance(answer.items[i].problem), withoutInstance(single.body), `item ${i}`);
    }
    // A tool allow-list refuses item by item, the others still bound (the rail's own check).
    const outcomes = await rail.runtime.rail.submitMany('tools-only', [echo('allowed'), packetOrder(2), echo('allowed too')] as never[], { allowedTools: ['testkit'] });
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? o.value.binding.tool_name : (o.error as { code: string }).code)),
      ['testkit', 'unroutable', 'testkit'],
    );
  });

  test('a key without work:submit is refused; what one tenant batches is a 404 to another', async () => {
    for (const t of ['batch-a', 'batch-b']) await ok(rail, 'POST', '/v1/tenants', { tenant_id: t, name: t });
    const a = await newKey(rail, 'batch-a', 'submitter', ['work:submit', 'work:read']);
    const b = await newKey(rail, 'batch-b', 'submitter', ['work:submit', 'work:read']);
    const reader = await newKey(rail, 'batch-a', 'reader', ['work:read']);
    assert.equal((await rail.api('POST', BATCH, { work_orders: [echo('x')] }, { key: reader.key })).status, 403);
    assert.equal((await rail.api('POST', BATCH, { work_orders: [echo('x')] }, { key: null })).status, 401);

    const order = echo('tenant a', { idempotency_key: 'same-in-both' });
    const fromA = await batch([order], a.key);
    const made = fromA.items[0];
    assert.equal(made.tenant_id, 'batch-a');
    for (const path of [`/v1/bindings/${made.binding_id}`, `/v1/work-orders/${made.work_order_id}`, `/v1/bindings/${made.binding_id}/command`]) {
      assert.equal((await rail.api('GET', path, undefined, { key: b.key })).status, 404, path);
      assert.equal((await rail.api('GET', path, undefined, { key: a.key })).status, 200, path);
    }
    // The same idempotency key in another tenant names another Work Order.
    const fromB = await batch([order], b.key);
    assert.equal(fromB.items[0].status, 202);
    assert.notEqual(fromB.items[0].binding_id, made.binding_id);
    assert.equal(fromB.items[0].tenant_id, 'batch-b');
  });
});

test('the typed client: submitBatch answers the typed batch, and a schema-breaking batch throws the 400 problem', async () => {
  const client = new BindrailClient({ url: rail.url, apiKey: rail.adminKey });
  const answer = await client.submitBatch([echo('typed') as never, { tool: 'nosuchtool', operation: 'run', inputs: {} }]);
  assert.equal(answer.object, 'work_order_batch');
  const [accepted, rejected] = answer.items;
  assert.ok(accepted && 'binding_id' in accepted && accepted.status === 202);
  assert.ok(rejected && 'problem' in rejected && rejected.problem.code === 'unroutable');
  assert.equal((await client.waitForResult(accepted.binding_id, { timeoutMs: 15_000 })).status, 'succeeded');
  await assert.rejects(
    client.submitBatch([]),
    (err: unknown) => err instanceof BindrailProblemError && err.status === 400 && err.problem.errors?.[0]?.pointer === '/work_orders',
  );
});
