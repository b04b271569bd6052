/**
 * Tenant isolation, route by route. The routes come from the live /openapi.json (plus the few it
 * hides), so a route added tomorrow is attacked here without anyone listing it: tenant B, with its
 * own non-admin keys, aims every route at tenant A's objects. It must get the same 404 a made-up id
 * gets, lists without A's rows, no A payload or secret anywhere, and A's objects must be unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { TestRail } from '../helpers/rail.js';
import { buildWorld, ok, type TenantWorld, type World } from './world.js';

/** Routes /openapi.json does not document (rendered docs, console): public by design. */
const HIDDEN_PUBLIC = ['GET /docs', 'GET /docs/json', 'GET /console'];

/** Path parameters that name one tenant's objects, each filled with every such object of A's. */
const TENANT_PARAMS: Record<string, (a: TenantWorld) => string[]> = {
  binding_id: (a) => [a.succeeded, a.failed, a.leased],
  work_order_id: (a) => a.workOrders,
  receipt_id: (a) => a.receipts,
  exception_id: (a) => a.exceptions,
  task_token: (a) => [a.taskToken],
  key_id: (a) => a.keyIds,
};

/** Valid bodies, so that a 404 is about the object and not about the body. */
const BODIES: Record<string, unknown> = {
  'POST /v1/tool-tasks/{task_token}/complete': { output: { word: 'stolen' }, summary: 'stolen', evidence: { status: 'sufficient', missing: [], exceptions: [] } },
  'POST /v1/tool-tasks/{task_token}/fail': { code: 'stolen', message: 'stolen', retryable: false },
  'POST /v1/bindings/{binding_id}/replay': { input_patch: { packet_name: 'stolen' } },
};

/**
 * Writes without a tenant-object parameter that B's own key may make: each acts on B's own data
 * only (checked by the tests below). Any other write a non-admin key may call must be added here
 * or to a test of its own, or the coverage test fails.
 */
const OWN_TENANT_WRITES = new Set([
  'POST /v1/work-orders',
  'POST /v1/work-orders/batch',
  'POST /v1/work-orders/preflight',
  'POST /v1/tool-tasks/claim',
  'POST /v1/callbacks/secret/rotate',
  'POST /mcp',
]);

interface Op {
  method: string;
  path: string;
  scope: string | undefined;
  isPublic: boolean;
}

async function operations(rail: TestRail): Promise<Op[]> {
  const doc = (await rail.api('GET', '/openapi.json', undefined, { key: null })).body;
  const ops: Op[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      ops.push({ method: method.toUpperCase(), path, scope: op['x-bindrail-scope'], isPublic: Array.isArray(op.security) && op.security.length === 0 });
    }
  }
  for (const route of HIDDEN_PUBLIC) {
    const [method, path] = route.split(' ') as [string, string];
    ops.push({ method, path, scope: undefined, isPublic: true });
  }
  return ops;
}

const paramsOf = (path: string) => [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);

/** B's keys that hold the scope a route asks for; a route for admins gets B's strongest keys (and must refuse them). */
function keysFor(b: TenantWorld, scope: string | undefined): string[] {
  switch (scope) {
    case 'work:submit':
      return [b.keys.submit];
    case 'work:read':
    case 'authenticated':
      return [b.keys.read];
    case 'work:operate':
      return [b.keys.operate];
    case 'tool:execute':
      return [b.keys.tool, b.keys.toolElsewhere];
    default:
      return [b.keys.operate, b.keys.submit];
  }
}

/** Everything of A's that must never reach B: payload, secrets, and (outside the public routes) ids. */
function secretsOf(a: TenantWorld): string[] {
  return [a.marker, a.callbackSecret, a.taskToken, ...Object.values(a.keys)];
}
function idsOf(a: TenantWorld): string[] {
  return [a.tenantId, a.succeeded, a.failed, a.leased, ...a.workOrders, ...a.receipts, ...a.exceptions, ...a.keyIds];
}

function assertNoneOf(text: string, values: string[], where: string) {
  for (const v of values) assert.ok(!text.includes(v), `${where} reveals ${v}`);
}

/** A's objects as A sees them; compared before and after B's attack. */
async function snapshotOf(rail: TestRail, a: TenantWorld) {
  const get = (path: string) => ok(rail, 'GET', path, undefined, a.keys.read);
  return {
    // Not updated_at: A's own worker heartbeats its lease in between.
    bindings: (await get('/v1/bindings?limit=500')).data.map((x: any) => [x.binding_id, x.state, x.attempt, x.replay_of]),
    results: await Promise.all([a.succeeded, a.failed].map((id) => get(`/v1/bindings/${id}/result`))),
    callback: await get(`/v1/bindings/${a.succeeded}/callback`),
    exceptions: (await get('/v1/exceptions')).data,
    events: (await get('/v1/events?limit=500')).data.map((e: any) => e.id),
    secret: (await ok(rail, 'GET', '/v1/callbacks/secret', undefined, a.keys.operate)).secret,
  };
}

let world: World;
let rail: TestRail;
let a: TenantWorld;
let b: TenantWorld;
let before_: Awaited<ReturnType<typeof snapshotOf>>;

before(async () => {
  world = await buildWorld();
  ({ rail, a, b } = world);
  before_ = await snapshotOf(rail, a);
});
after(() => world?.close());

describe('tenant B against tenant A, every route', () => {
  test('an object of A answers B exactly like an id that does not exist: 404 (403 where the route is for admins)', async () => {
    const ops = (await operations(rail)).filter((op) => paramsOf(op.path).some((p) => p in TENANT_PARAMS));
    assert.ok(ops.length >= 15, `only ${ops.length} routes take a tenant object`);
    for (const op of ops) {
      const params = paramsOf(op.path);
      const objectParam = params.find((p) => p in TENANT_PARAMS)!;
      for (const id of TENANT_PARAMS[objectParam]!(a)) {
        const path = op.path.replace(`{${objectParam}}`, encodeURIComponent(id));
        assert.ok(!/\{/.test(path), `${op.method} ${op.path}: a parameter this test cannot fill`);
        for (const key of keysFor(b, op.scope)) {
          const where = `${op.method} ${path} with B's key`;
          const r = await rail.api(op.method, path, BODIES[`${op.method} ${op.path}`], { key });
          const text = JSON.stringify(r.body);
          if (op.scope === 'admin') {
            assert.equal(r.status, 403, `${where}: ${text}`);
          } else {
            assert.equal(r.status, 404, `${where}: ${text}`);
            // The same answer as for an id that was never issued: nothing tells "exists elsewhere" from "does not exist".
            const made = madeUp(objectParam, id);
            const twin = await rail.api(op.method, op.path.replace(`{${objectParam}}`, encodeURIComponent(made)), BODIES[`${op.method} ${op.path}`], { key });
            assert.equal(twin.status, 404, `${where}, made-up id: ${JSON.stringify(twin.body)}`);
            assert.deepEqual(JSON.parse(text.replaceAll(id, made)), twin.body, `${where}: differs from the answer for a made-up id`);
          }
          assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, where);
          assertNoneOf(text.replaceAll(id, ''), [...secretsOf(a), ...idsOf(a)], where);
        }
      }
    }
  });

  test("every read B may make shows none of A's rows, payloads or secrets; public routes show no payload or secret", async () => {
    const ops = (await operations(rail)).filter((op) => op.method === 'GET' && !paramsOf(op.path).some((p) => p in TENANT_PARAMS));
    for (const op of ops) {
      const path = fillPublicParams(op.path, a);
      for (const key of op.isPublic ? [null] : keysFor(b, op.scope)) {
        const r = await rail.api('GET', path, undefined, { key });
        const where = `GET ${path} ${key ? "with B's key" : 'without a key'}`;
        assert.ok(r.status < 500, `${where}: ${r.status}`);
        if (op.scope === 'admin') assert.equal(r.status, 403, where);
        const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        assertNoneOf(text, op.isPublic ? secretsOf(a) : [...secretsOf(a), ...idsOf(a)], where);
      }
    }
  });

  test('public routes stay public: they answer without a key', async () => {
    for (const op of (await operations(rail)).filter((o) => o.isPublic)) {
      const path = fillPublicParams(op.path, a);
      const r = await rail.api(op.method, path, undefined, { key: null });
      assert.ok(r.status !== 401 && r.status !== 403 && r.status < 500, `${op.method} ${path}: ${r.status}`);
    }
  });

  test("every other write refuses B: it is for admins (403) or not offered at all (405)", async () => {
    const ops = (await operations(rail)).filter((op) => op.method !== 'GET' && !op.isPublic && !paramsOf(op.path).some((p) => p in TENANT_PARAMS));
    for (const op of ops) {
      const route = `${op.method} ${op.path}`;
      if (OWN_TENANT_WRITES.has(route)) continue;
      const path = op.path.replace('{name}', a.remoteTool);
      for (const key of keysFor(b, op.scope)) {
        const r = await rail.api(op.method, path, {}, { key });
        const expected = op.scope === 'admin' ? 403 : 405;
        assert.equal(r.status, expected, `${route} with B's key (${JSON.stringify(r.body)}): a write open to non-admin keys belongs in OWN_TENANT_WRITES, with a test`);
      }
    }
  });
});

describe('the own-tenant writes', () => {
  test("B cannot claim A's tool tasks: refused by its key's tool list, or handed nothing from A's tenant", async () => {
    // Queued work of A for A's remote tool, free to claim.
    const queued = await ok(rail, 'POST', '/v1/work-orders', { tool: a.remoteTool, operation: 'say', inputs: { word: a.marker } }, a.keys.submit);
    const refused = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [a.remoteTool] }, { key: b.keys.tool });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.deepEqual(refused.body.errors, [{ pointer: '/tools/0', detail: 'is not a tool this key may run' }]);
    const empty = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [a.remoteTool], max: 100 }, { key: b.keys.toolElsewhere });
    assert.deepEqual(empty.body, { tasks: [] });
    // The work was there to take: A's own worker takes it.
    const mine = await ok(rail, 'POST', '/v1/tool-tasks/claim', { tools: [a.remoteTool], max: 100 }, a.keys.tool);
    assert.deepEqual(mine.tasks.map((t: any) => t.binding_id), [queued.binding_id]);
    await ok(rail, 'POST', `/v1/tool-tasks/${mine.tasks[0].task_token}/fail`, { code: 'done_here', message: 'test over', retryable: false }, a.keys.tool);
  });

  test("a task token is usable only with a key of its tenant that may run its tool", async () => {
    // A's own key limited to another tool cannot use A's token either.
    for (const key of [a.keys.toolElsewhere, b.keys.tool, b.keys.toolElsewhere]) {
      const r = await rail.api('POST', `/v1/tool-tasks/${a.taskToken}/heartbeat`, undefined, { key });
      assert.equal(r.status, 404, JSON.stringify(r.body));
    }
    assert.equal((await rail.api('POST', `/v1/tool-tasks/${a.taskToken}/heartbeat`, undefined, { key: a.keys.tool })).status, 200);
  });

  test("the same Idempotency-Key in two tenants names two work orders", async () => {
    const order = { tool: 'testkit', operation: 'echo', inputs: { value: 'same' } };
    const headers = { 'idempotency-key': 'shared-key-1' };
    const fromA = await rail.api('POST', '/v1/work-orders', order, { key: a.keys.submit, headers });
    const fromB = await rail.api('POST', '/v1/work-orders', order, { key: b.keys.submit, headers });
    assert.equal(fromA.status, 202);
    assert.equal(fromB.status, 202, 'a new work order, not A\'s replayed');
    assert.notEqual(fromB.body.binding_id, fromA.body.binding_id);
    assert.equal(fromB.body.tenant_id, b.tenantId);
  });

  test("a batch from B binds in B's tenant only, and A's idempotency keys are not B's", async () => {
    const order = { tool: 'testkit', operation: 'echo', inputs: { value: 'batched' }, idempotency_key: 'shared-batch-key' };
    const fromA = await ok(rail, 'POST', '/v1/work-orders/batch', { work_orders: [order] }, a.keys.submit);
    const fromB = await ok(rail, 'POST', '/v1/work-orders/batch', { work_orders: [order, order] }, b.keys.submit);
    assert.deepEqual(fromB.items.map((i: any) => [i.status, i.tenant_id]), [[202, b.tenantId], [200, b.tenantId]]);
    assert.notEqual(fromB.items[0].binding_id, fromA.items[0].binding_id, "a new work order, not A's replayed");
    assertNoneOf(JSON.stringify(fromB), [...secretsOf(a), ...idsOf(a), fromA.items[0].binding_id, fromA.items[0].work_order_id], "B's batch answer");
  });

  test("rotating B's callback secret leaves A's alone", async () => {
    const rotated = await ok(rail, 'POST', '/v1/callbacks/secret/rotate', undefined, b.keys.operate);
    assert.equal(rotated.tenant_id, b.tenantId);
    assert.notEqual(rotated.secret, a.callbackSecret);
    assert.equal((await ok(rail, 'GET', '/v1/callbacks/secret', undefined, a.keys.operate)).secret, a.callbackSecret);
  });

  test("over MCP, B's key reaches only B's objects", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${rail.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${b.keys.read}` } } });
    const client = new Client({ name: 'isolation-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      for (const [name, args] of [
        ['get_binding', { binding_id: a.succeeded }],
        ['get_result', { binding_id: a.succeeded }],
        ['list_events', { binding_id: a.succeeded }],
        ['get_receipt', { receipt_id: a.receipts[0] }],
        ['list_bindings', {}],
      ] as const) {
        const r = await client.callTool({ name, arguments: args });
        const text = JSON.stringify(r);
        assertNoneOf(text.replaceAll(JSON.stringify(args).slice(1, -1), ''), [...secretsOf(a), a.tenantId, ...a.workOrders], `MCP ${name}`);
        if (name !== 'list_bindings') assert.equal(r.isError, true, `MCP ${name}: ${text}`);
      }
    } finally {
      await client.close();
    }
  });

  test("B's event stream carries none of A's events, even live ones", async () => {
    const abort = new AbortController();
    const res = await fetch(`${rail.url}/v1/events`, { headers: { authorization: `Bearer ${b.keys.read}`, accept: 'text/event-stream' }, signal: abort.signal });
    assert.equal(res.status, 200);
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    })().catch(() => undefined);
    const live = await ok(rail, 'POST', '/v1/work-orders', { tool: 'testkit', operation: 'echo', inputs: { value: a.marker } }, a.keys.submit);
    const own = await ok(rail, 'POST', '/v1/work-orders', { tool: 'testkit', operation: 'echo', inputs: { value: 'b-own' } }, b.keys.submit);
    const deadline = Date.now() + 10_000;
    while (!text.includes(own.binding_id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await reading;
    assert.ok(text.includes(own.binding_id), "B's stream carries B's own events");
    assertNoneOf(text, [live.binding_id, ...secretsOf(a), ...idsOf(a)], "B's event stream");
    const aStream = await rail.api('GET', `/v1/bindings/${a.succeeded}/events`, undefined, { key: b.keys.read, headers: { accept: 'text/event-stream' } });
    assert.equal(aStream.status, 404);
  });
});

test("after all of it, A's objects are as they were and B's actions left no audit trail on them", async () => {
  const now = await snapshotOf(rail, a);
  // The own-tenant tests above added A's own bindings and events; A's original objects must not have moved.
  const original = new Set([a.succeeded, a.failed, a.leased]);
  assert.deepEqual(
    now.bindings.filter((x: any[]) => original.has(x[0])),
    before_.bindings.filter((x: any[]) => original.has(x[0])),
  );
  assert.deepEqual(now.results, before_.results);
  assert.deepEqual(now.callback, before_.callback);
  const ofOriginal = (xs: any[]) => xs.filter((x) => original.has(x.binding_id));
  assert.deepEqual(ofOriginal(now.exceptions), ofOriginal(before_.exceptions));
  assert.equal(now.secret, before_.secret);
  const audit = (await ok(rail, 'GET', '/v1/audit?limit=500')).data as any[];
  const bKeyIds = new Set(b.keyIds);
  const touched = audit.filter((row) => bKeyIds.has(row.actor_key_id) && [...original, ...a.workOrders].includes(row.target));
  assert.deepEqual(touched, []);
});

/** An id of the same shape that was never issued. */
function madeUp(param: string, id: string): string {
  if (param === 'task_token') return id.replace(/\.[A-Za-z0-9_-]{43}$/, `.${'A'.repeat(43)}`);
  return id.replace(/[0-9a-f]{32}$/, '0'.repeat(31) + '1');
}

/** Fills the parameters of public routes with values that exist. */
function fillPublicParams(path: string, a: TenantWorld): string {
  return path
    .replace('{seq}', '0')
    .replace('{name}.schema.json', 'work-order.schema.json')
    .replace('{name}.json', 'work-order.json')
    .replace('{dialect}', 'sqlite')
    .replace('{name}', a.remoteTool);
}
