/**
 * Hostile input, generated: thousands of malformed requests (fast-check) to every route of the live
 * /openapi.json and the routes it hides, path parameters filled with real objects and with junk,
 * sent byte for byte over real HTTP. Every answer must be a 4xx problem (never a 5xx, never a
 * success for a request the route must refuse), and afterwards the store must be byte-for-byte as
 * it was: every table's rows, the ledger size and root.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { PROBLEM_JSON } from '../../src/api/problems.js';
import { malformedRequests, type Context, type Malformed, type Operation } from './malformed.js';
import { closeRawAgent, rawRequest } from './raw-http.js';
import { snapshotStore } from './store-snapshot.js';
import { buildWorld, newKey, ok, type World } from './world.js';

/** Requests per operation; about 60 operations make several thousand. FUZZ_RUNS raises it locally. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const BODY_LIMIT = 64 * 1024;

/** Routes /openapi.json hides: their wildcard tails are fuzzed too. */
const HIDDEN: Operation[] = [
  { method: 'GET', path: '/console/{wild}', scope: undefined, isPublic: true, params: [{ in: 'path', name: 'wild' }], body: undefined },
  { method: 'GET', path: '/docs/static/{wild}', scope: undefined, isPublic: true, params: [{ in: 'path', name: 'wild' }], body: undefined },
];

let world: World;
let ops: Operation[];
let ctxFor: (op: Operation) => Context;

before(async () => {
  world = await buildWorld({ 'body-limit': String(BODY_LIMIT) });
  const { rail, a } = world;
  const revoked = await newKey(rail, a.tenantId, 'revoked', ['admin']);
  await ok(rail, 'DELETE', `/v1/api-keys/${revoked.keyId}`);
  // Quiet: every checkpoint the ledger will want is signed before the snapshot.
  for (const deadline = Date.now() + 15_000; ; ) {
    const size = (await ok(rail, 'GET', '/healthz')).ledger_size;
    const cp = await rail.api('GET', '/v1/ledger/checkpoint', undefined, { key: null });
    if (cp.status === 200 && cp.body.tree_size === size) break;
    assert.ok(Date.now() < deadline, 'the checkpointer never caught up with the ledger');
    await new Promise((r) => setTimeout(r, 100));
  }

  const doc = (await rail.api('GET', '/openapi.json', undefined, { key: null })).body;
  const resolve = (s: Record<string, any>): Record<string, any> => {
    let out = s;
    while (out && typeof out.$ref === 'string') out = doc.components.schemas[out.$ref.replace('#/components/schemas/', '')];
    return out ?? {};
  };
  ops = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
    Object.entries<any>(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      scope: op['x-bindrail-scope'],
      isPublic: Array.isArray(op.security) && op.security.length === 0,
      params: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
    })),
  );
  ops.push(...HIDDEN);

  const owner: Record<string, string> = {
    'work:submit': a.keys.submit,
    'work:read': a.keys.read,
    'work:operate': a.keys.operate,
    'tool:execute': a.keys.tool,
    authenticated: a.keys.read,
    admin: rail.adminKey,
  };
  const underScoped: Record<string, string | undefined> = {
    'work:submit': a.keys.operate,
    'work:read': a.keys.tool,
    'work:operate': a.keys.submit,
    'tool:execute': a.keys.read,
    authenticated: undefined,
    admin: a.keys.operate,
  };
  const realParams = {
    binding_id: a.succeeded,
    work_order_id: a.workOrders[0]!,
    receipt_id: a.receipts[0]!,
    exception_id: a.exceptions[0]!,
    task_token: a.taskToken,
    key_id: a.keyIds[0]!,
    name: a.remoteTool,
    seq: '0',
    dialect: 'sqlite',
    wild: 'index.html',
  };
  const madeUp = (prefix: string) => `${prefix}_${'0'.repeat(31)}1`;
  const madeUpParams = {
    binding_id: madeUp('bnd'),
    work_order_id: madeUp('wo'),
    receipt_id: madeUp('rcp'),
    exception_id: madeUp('exc'),
    key_id: madeUp('key'),
    task_token: `tt.${madeUp('bnd')}.1.${'A'.repeat(43)}`,
  };
  ctxFor = (op) => {
    const scope = op.scope ?? 'admin';
    const contractParams = /\{name\}\.(schema\.)?json|\{dialect\}/.test(op.path) ? { name: 'work-order' } : {};
    return {
      keys: { owner: owner[scope]!, underScoped: underScoped[scope], revoked: revoked.key },
      realParams: { ...realParams, ...contractParams },
      madeUpParams,
      bodyLimit: BODY_LIMIT,
      resolve,
    };
  };
});
after(async () => {
  closeRawAgent();
  await world?.close();
});

/** Secrets no answer may echo, whatever was sent. */
const secretsOf = (w: World) => [w.a.taskToken, w.a.callbackSecret, ...Object.values(w.a.keys), w.rail.adminKey];

function check(res: { status: number; headers: Record<string, unknown>; text: string }, req: Malformed, w: World): void {
  const where = `${req.method} ${req.path.slice(0, 200)} [${req.defect}] → ${res.status} ${res.text.slice(0, 300)}`;
  assert.ok(res.status < 500, `a 5xx: ${where}`);
  if (req.mustReject !== false) assert.ok(res.status >= 400, `not refused: ${where}`);
  if (res.status >= 400) {
    assert.match(String(res.headers['content-type'] ?? ''), new RegExp(`^${PROBLEM_JSON.replace('+', '\\+')}`), `not problem JSON: ${where}`);
    const problem = JSON.parse(res.text) as Record<string, unknown>;
    assert.equal(problem.status, res.status, where);
    assert.equal(typeof problem.type, 'string', where);
    assert.equal(typeof problem.title, 'string', where);
  }
  for (const secret of secretsOf(w)) assert.ok(!res.text.includes(secret), `echoes a secret: ${where}`);
}

test('thousands of malformed requests to every route: only 4xx problems, and the store is byte-for-byte unchanged', async () => {
  const { rail } = world;
  const store = rail.runtime.store;
  const before_ = await snapshotStore(store);
  assert.ok(before_.ledgerSize > 0 && Object.keys(before_.tables).length >= 10);
  const sent = new Map<string, number>();
  let total = 0;
  for (const op of ops) {
    const route = `${op.method} ${op.path}`;
    await fc.assert(
      fc.asyncProperty(malformedRequests(op, ctxFor(op)), async (req) => {
        const res = await rawRequest(rail.url, req);
        sent.set(route, (sent.get(route) ?? 0) + 1);
        total++;
        check(res, req, world);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Checked after each route, so a write that slipped through is pinned on the route that made it.
    assert.deepEqual(await snapshotStore(store), before_, `the store changed during ${route}`);
  }
  assert.ok(ops.length >= 50, `only ${ops.length} operations`);
  for (const op of ops) assert.ok((sent.get(`${op.method} ${op.path}`) ?? 0) >= RUNS, `${op.method} ${op.path} was not fuzzed`);
  assert.ok(total >= RUNS * ops.length, `${total} requests`);
  process.stdout.write(`# fuzz: ${total} malformed requests over ${ops.length} operations (seed ${SEED})\n`);
});
