/**
 * Remote tools over real HTTP, driven from here: registration (PUT/DELETE /v1/tools/{name}) and the
 * worker protocol (/v1/tool-tasks: claim, heartbeat, complete, fail) with its fencing, limits and
 * log hygiene. The Python worker's end-to-end runs are in remote-tool.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeLogger } from '../../src/boot/logger.js';
import { createApiKey, type Scope } from '../../src/rail/api-keys.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { FAST_BACKOFF } from '../helpers/test-tools.js';
import { createTestDatabase, whenPostgres } from '../store/pg-database.js';

const ok = { status: 'sufficient', missing: [], exceptions: [] };

function echoManifest(over: Record<string, unknown> = {}, opOver: Record<string, unknown> = {}) {
  return {
    version: '1.0.0',
    description: 'Echoes a word back, counted.',
    runtime: 'remote',
    operations: {
      say: {
        capability: 'test.echo',
        description: 'echo',
        input_schema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'], additionalProperties: false },
        output_schema: {
          type: 'object',
          properties: { word: { type: 'string' }, count: { type: 'integer', minimum: 1 } },
          required: ['word', 'count'],
          additionalProperties: false,
        },
        evidence_checklist: [{ item: 'dictionary', description: 'where the word comes from', required: false }],
        max_attempts: 3,
        heartbeat_timeout_ms: 5_000,
        non_retryable: ['permanent'],
        ...opOver,
      },
    },
    ...over,
  };
}

function order(tool: string, word: string) {
  return { tool, operation: 'say', inputs: { word }, requester: { kind: 'agent', id: 'tool-tasks-test' } };
}

async function newKey(rail: TestRail, tenantId: string, scopes: Scope[], tools: string[] | null = null): Promise<string> {
  const { value } = await rail.runtime.store.write(async (tx) => {
    await tx.ensureTenant(tenantId, tenantId, Date.now());
    return createApiKey(tx, { tenantId, name: `test ${scopes.join(' ')}`, scopes, tools, now: Date.now() });
  });
  return value;
}

let rail: TestRail;
let counter = 0;
/** A fresh remote tool per test, so no test claims another's work. */
async function registerEcho(over: Record<string, unknown> = {}, opOver: Record<string, unknown> = {}): Promise<string> {
  const name = `echo${++counter}`;
  const r = await rail.api('PUT', `/v1/tools/${name}`, echoManifest(over, opOver));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return name;
}

async function submitAndClaim(tool: string, word = 'hello', key?: string) {
  const s = await rail.api('POST', '/v1/work-orders', order(tool, word));
  assert.equal(s.status, 202, JSON.stringify(s.body));
  const c = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], wait_ms: 5_000 }, { key });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.tasks.length, 1);
  return { bindingId: s.body.binding_id as string, task: c.body.tasks[0] };
}

before(async () => {
  rail = await startTestRail({}, { backoff: FAST_BACKOFF });
});
after(() => rail?.close());

describe('registering remote tools', () => {
  test('PUT registers (201), replaces (200), is served as a remote manifest and routes by capability', async () => {
    const put = await rail.api('PUT', '/v1/tools/greeter', echoManifest({}, { capability: 'test.greet' }));
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(put.headers.get('location'), '/v1/tools/greeter');
    assert.equal(put.body.runtime, 'remote');
    assert.deepEqual(put.body.capabilities, ['test.greet']);
    assert.equal(put.body.operations.say.heartbeat_timeout_ms, 5_000);
    const again = await rail.api('PUT', '/v1/tools/greeter', echoManifest({ version: '1.1.0' }, { capability: 'test.greet' }));
    assert.equal(again.status, 200);
    assert.equal((await rail.api('GET', '/v1/tools/greeter')).body.version, '1.1.0');
    assert.ok((await rail.api('GET', '/v1/tools')).body.data.some((t: { name: string }) => t.name === 'greeter'));

    const s = await rail.api('POST', '/v1/work-orders', { capability: 'test.greet', inputs: { word: 'hi' }, requester: { kind: 'agent', id: 'x' } });
    assert.equal(s.status, 202, JSON.stringify(s.body));
    assert.deepEqual(s.body.tool, { name: 'greeter', version: '1.1.0' });
    assert.equal(s.body.max_attempts, 3);
    // Inputs are checked against the registered input schema at intake.
    const bad = await rail.api('POST', '/v1/work-orders', { capability: 'test.greet', inputs: { word: 7 }, requester: { kind: 'agent', id: 'x' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].pointer, '/inputs/word');
  });

  test('bad manifests are refused, naming each bad field', async () => {
    const cases: [unknown, string][] = [
      [echoManifest({}, { input_schema: { type: 'strin' } }), '/operations/say/input_schema'],
      [echoManifest({}, { output_schema: { type: 'object', requird: ['x'] } }), '/operations/say/output_schema'],
      [echoManifest({}, { input_schema: { $ref: 'https://example.com/elsewhere.json' } }), '/operations/say/input_schema'],
      [echoManifest({ operations: { 'Not A Name': echoManifest().operations.say } }), '/operations/Not A Name'],
      [echoManifest({ runtime: 'in_process' }), '/runtime'],
      [echoManifest({}, { heartbeat_timeout_ms: 10 }), '/operations/say/heartbeat_timeout_ms'],
      [echoManifest({}, { evidence_checklist: [{ item: 'a', description: '', required: true }, { item: 'a', description: '', required: false }] }), '/operations/say/evidence_checklist/1/item'],
      [echoManifest({ operations: {} }), '/operations'],
      [echoManifest({ extra: true }), '/extra'],
    ];
    for (const [body, pointer] of cases) {
      const r = await rail.api('PUT', '/v1/tools/badtool', body);
      assert.equal(r.status, 400, `${pointer}: ${JSON.stringify(r.body)}`);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.ok(
        r.body.errors.some((e: { pointer: string }) => e.pointer === pointer),
        `${pointer} not among ${JSON.stringify(r.body.errors)}`,
      );
    }
    const badName = await rail.api('PUT', '/v1/tools/Bad_Name', echoManifest());
    assert.equal(badName.status, 400);
    assert.equal(badName.body.errors[0].pointer, '/path/name');
    assert.equal((await rail.api('GET', '/v1/tools/badtool')).status, 404, 'nothing registered half-way');
  });

  test('a schema that says $schema 2020-12 is compiled as 2020-12 (prefixItems), others as draft-07', async () => {
    const pair = { type: 'array', prefixItems: [{ type: 'string' }], items: false };
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { word: { type: 'string' }, pair } };
    const r = await rail.api('PUT', '/v1/tools/modern', echoManifest({}, { input_schema: schema }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const submit = (inputs: unknown) => rail.api('POST', '/v1/work-orders', { tool: 'modern', operation: 'say', inputs, requester: { kind: 'agent', id: 'x' } });
    assert.equal((await submit({ word: 'a', pair: ['x'] })).status, 202);
    const bad = await submit({ word: 'a', pair: ['x', 'y'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].pointer, '/inputs/pair');
    const draft07 = await rail.api('PUT', '/v1/tools/legacy', echoManifest({}, { input_schema: { type: 'object', properties: { pair } } }));
    assert.equal(draft07.status, 400, 'prefixItems is not a draft-07 keyword');
  });

  test('in-process tools can be neither replaced nor retired (409); only admins register', async () => {
    const put = await rail.api('PUT', '/v1/tools/packetops', echoManifest());
    assert.equal(put.status, 409);
    assert.equal(put.body.code, 'tool_name_taken');
    assert.equal((await rail.api('GET', '/v1/tools/packetops')).body.runtime, 'in_process');
    const del = await rail.api('DELETE', '/v1/tools/packetops');
    assert.equal(del.status, 409);
    const worker = await newKey(rail, 'default', ['tool:execute', 'work:read']);
    assert.equal((await rail.api('PUT', '/v1/tools/sneaky', echoManifest(), { key: worker })).status, 403);
    assert.equal((await rail.api('DELETE', '/v1/tools/packetops', undefined, { key: worker })).status, 403);
  });

  test('DELETE retires a remote tool: it no longer routes and cannot be claimed; unknown names are 404', async () => {
    const name = await registerEcho();
    const del = await rail.api('DELETE', `/v1/tools/${name}`);
    assert.equal(del.status, 204);
    assert.equal((await rail.api('GET', `/v1/tools/${name}`)).status, 404);
    const s = await rail.api('POST', '/v1/work-orders', order(name, 'x'));
    assert.equal(s.status, 422);
    assert.equal(s.body.code, 'unroutable');
    const c = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [name] });
    assert.equal(c.status, 400);
    assert.equal(c.body.errors[0].pointer, '/tools/0');
    assert.equal((await rail.api('DELETE', `/v1/tools/${name}`)).status, 404);
  });

  test('a remote tool is never run in-process: its work waits, queued, for a remote worker', async () => {
    const name = await registerEcho();
    assert.ok(!rail.runtime.rail.ctx.registry.inProcessToolNames().includes(name));
    const s = await rail.api('POST', '/v1/work-orders', order(name, 'waiting'));
    // The in-process worker polls every 50 ms here; give it many chances to (wrongly) take the work.
    await new Promise((r) => setTimeout(r, 500));
    const b = (await rail.api('GET', `/v1/bindings/${s.body.binding_id}`)).body;
    assert.equal(b.state, 'queued');
    assert.equal(b.attempt, 0);
  });
});

describe('the remote worker protocol', () => {
  test('claim → heartbeat (progress) → complete: a succeeded binding with the tool receipts, usage and attestation', async () => {
    const tool = await registerEcho();
    const { bindingId, task } = await submitAndClaim(tool, 'ping');
    assert.equal(task.object, 'tool_task');
    assert.equal(task.binding_id, bindingId);
    assert.equal(task.attempt, 1);
    assert.deepEqual(task.tool, { name: tool, version: '1.0.0' });
    assert.equal(task.operation, 'say');
    assert.deepEqual(task.inputs, { word: 'ping' });
    assert.equal(task.heartbeat_timeout_ms, 5_000);
    assert.match(task.command_id, /^cmd_/);
    assert.ok(Date.parse(task.lease_expires_at) > Date.now());

    const hb = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/heartbeat`, { progress: { percent: 50, message: 'half way' } });
    assert.equal(hb.status, 200, JSON.stringify(hb.body));
    assert.equal(hb.body.cancel_requested, false);
    assert.ok(Date.parse(hb.body.lease_expires_at) >= Date.parse(task.lease_expires_at));

    const done = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/complete`, {
      output: { word: 'ping', count: 1 },
      summary: 'Echoed ping.',
      evidence: { status: 'partial', missing: ['dictionary'], exceptions: [] },
      receipts: [{ kind: 'echo_log', body: { lines: 1 } }],
      run_ms: 12,
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.state, 'succeeded');
    const result = await waitForResult(rail, bindingId);
    assert.deepEqual(result.machine_output, { word: 'ping', count: 1 });
    assert.equal(result.evidence.status, 'partial');
    assert.equal(result.next_action, 'supply_evidence');
    assert.deepEqual(result.receipts.map((r: { kind: string }) => r.kind), ['usage', 'echo_log']);
    const usage = (await rail.api('GET', result.receipts[0].path)).body;
    assert.equal(usage.body.run_ms, 12);
    assert.ok(result.attestation);
    const events = (await rail.api('GET', `/v1/bindings/${bindingId}/events`)).body.data;
    const progress = events.find((e: { type: string }) => e.type === 'bindrail.tool.progress');
    assert.deepEqual(progress.data, { attempt: 1, percent: 50, message: 'half way' });
  });

  test('output that breaks the output schema: 422 naming the fields, and the binding fails at once (tool_output_invalid)', async () => {
    const tool = await registerEcho();
    const { bindingId, task } = await submitAndClaim(tool);
    const r = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/complete`, { output: { word: 3, count: 0, extra: true }, summary: 's', evidence: ok });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.code, 'tool_output_invalid');
    const pointers = r.body.errors.map((e: { pointer: string }) => e.pointer).sort();
    assert.deepEqual(pointers, ['/output/count', '/output/extra', '/output/word']);
    const result = await waitForResult(rail, bindingId);
    assert.equal(result.status, 'failed');
    assert.equal(result.exception.code, 'tool_output_invalid');
    assert.equal(result.exception.attempts, 1, 'not retried');
    assert.equal(result.next_action, 'contact_tool_owner');
    // The attempt is over: its token is stale now.
    const again = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/complete`, { output: { word: 'x', count: 1 }, summary: 's', evidence: ok });
    assert.equal(again.status, 409);
  });

  test('fail: retryable failures are retried with a new token; non_retryable codes and retryable:false end the binding', async () => {
    const tool = await registerEcho();
    const { bindingId, task } = await submitAndClaim(tool, 'retry me');
    const f1 = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/fail`, { code: 'upstream_down', message: 'try later' });
    assert.equal(f1.status, 200, JSON.stringify(f1.body));
    assert.equal(f1.body.state, 'retry_wait');
    const c2 = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], wait_ms: 5_000 });
    const task2 = c2.body.tasks[0];
    assert.equal(task2.binding_id, bindingId);
    assert.equal(task2.attempt, 2);
    assert.notEqual(task2.task_token, task.task_token);
    assert.equal(task2.command_id, task.command_id, 'the idempotency key is stable across attempts');
    const f2 = await rail.api('POST', `/v1/tool-tasks/${task2.task_token}/fail`, { code: 'permanent', message: 'listed as non_retryable' });
    assert.equal(f2.body.state, 'failed');
    const result = await waitForResult(rail, bindingId);
    assert.equal(result.exception.code, 'permanent');
    assert.equal(result.exception.attempts, 2);

    const other = await submitAndClaim(tool, 'give up');
    const f3 = await rail.api('POST', `/v1/tool-tasks/${other.task.task_token}/fail`, { code: 'bad_word', message: 'no such word', retryable: false });
    assert.equal(f3.body.state, 'failed');
    assert.equal((await waitForResult(rail, other.bindingId)).exception.code, 'bad_word');
  });

  test('a replay with an input patch repairs a failed remote binding and resolves its exception ticket', async () => {
    const tool = await registerEcho();
    const { bindingId, task } = await submitAndClaim(tool, 'typo');
    await rail.api('POST', `/v1/tool-tasks/${task.task_token}/fail`, { code: 'bad_word', message: 'typo is not a word', retryable: false });
    const failed = await waitForResult(rail, bindingId);
    const ticket = failed.exception.exception_id;
    assert.equal((await rail.api('GET', `/v1/exceptions/${ticket}`)).body.status, 'open');
    const r = await rail.api('POST', `/v1/bindings/${bindingId}/replay`, { input_patch: { word: 'type' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const resolved = (await rail.api('GET', `/v1/exceptions/${ticket}`)).body;
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.resolved_by, r.body.binding_id);
    const c = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], wait_ms: 5_000 });
    assert.deepEqual(c.body.tasks[0].inputs, { word: 'type' });
    await rail.api('POST', `/v1/tool-tasks/${c.body.tasks[0].task_token}/complete`, { output: { word: 'type', count: 1 }, summary: 'fixed', evidence: ok });
    const repaired = await waitForResult(rail, r.body.binding_id);
    assert.equal(repaired.status, 'succeeded');
    assert.deepEqual(repaired.replay, { of: bindingId, deterministic: null });
  });

  test('cancel: the next heartbeat answers 409 binding_cancelled; the worker then fails and the binding is cancelled', async () => {
    const tool = await registerEcho();
    const { bindingId, task } = await submitAndClaim(tool);
    assert.equal((await rail.api('POST', `/v1/bindings/${bindingId}/cancel`)).status, 200);
    const hb = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/heartbeat`, {});
    assert.equal(hb.status, 409);
    assert.equal(hb.body.code, 'binding_cancelled');
    const f = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/fail`, { code: 'cancelled', message: 'stopped' });
    assert.equal(f.status, 200);
    assert.equal(f.body.state, 'cancelled');
    assert.equal((await waitForResult(rail, bindingId)).status, 'cancelled');
  });

  test('a long-poll claim answers when work arrives, and with no tasks when none does', async () => {
    const tool = await registerEcho();
    const empty = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], wait_ms: 200 });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { tasks: [] });

    const waiting = rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], max: 5, wait_ms: 20_000 });
    await new Promise((r) => setTimeout(r, 100));
    const s = await rail.api('POST', '/v1/work-orders', order(tool, 'late'));
    const c = await waiting;
    assert.equal(c.status, 200);
    assert.deepEqual(
      c.body.tasks.map((t: { binding_id: string }) => t.binding_id),
      [s.body.binding_id],
    );
  });

  test('claims are refused for in-process tools (400) and for tools the key may not run (403)', async () => {
    const tool = await registerEcho();
    const inProcess = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool, 'packetops'] });
    assert.equal(inProcess.status, 400);
    assert.deepEqual(inProcess.body.errors, [{ pointer: '/tools/1', detail: 'is not a registered remote tool' }]);
    const limited = await newKey(rail, 'default', ['tool:execute'], ['someothertool']);
    const forbidden = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool] }, { key: limited });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.errors[0].pointer, '/tools/0');
    const allowed = await newKey(rail, 'default', ['tool:execute'], [tool]);
    assert.equal((await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool] }, { key: allowed })).status, 200);
    const reader = await newKey(rail, 'default', ['work:read']);
    assert.equal((await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool] }, { key: reader })).status, 403);
    const bad = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], max: 0, wait_ms: 60_000 });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort(), ['/max', '/wait_ms']);
  });

  test("claims see only the key's tenant; another tenant's token is as unknown as a forged one (404)", async () => {
    const tool = await registerEcho();
    const otherTenant = await newKey(rail, 'tenant-b', ['tool:execute']);
    const s = await rail.api('POST', '/v1/work-orders', order(tool, 'mine'));
    const theirs = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], wait_ms: 100 }, { key: otherTenant });
    assert.deepEqual(theirs.body, { tasks: [] });
    const mine = await rail.api('POST', '/v1/tool-tasks/claim', { tools: [tool], wait_ms: 5_000 });
    const task = mine.body.tasks[0];
    assert.equal(task.binding_id, s.body.binding_id);
    for (const verb of ['heartbeat', 'fail']) {
      const r = await rail.api('POST', `/v1/tool-tasks/${task.task_token}/${verb}`, verb === 'fail' ? { code: 'x', message: 'x' } : {}, { key: otherTenant });
      assert.equal(r.status, 404, `${verb}: ${JSON.stringify(r.body)}`);
    }
    const forged = task.task_token.slice(0, -4) + 'AAAA';
    assert.equal((await rail.api('POST', `/v1/tool-tasks/${forged}/heartbeat`, {})).status, 404);
    assert.equal((await rail.api('POST', '/v1/tool-tasks/not-a-token/complete', { output: {}, summary: '', evidence: ok })).status, 404);
    assert.equal((await rail.api('POST', `/v1/tool-tasks/${task.task_token}/heartbeat`, {})).status, 200, 'still the owner');
  });
});

/** Polls GET /v1/tools/{name} on `r` until it answers `status`: another process's change arrives by reload. */
async function visible(r: TestRail, name: string, status: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await r.api('GET', `/v1/tools/${name}`)).status !== status) {
    if (Date.now() > deadline) throw new Error(`GET /v1/tools/${name} never answered ${status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('remote tools across restarts and processes', async () => {
  test('a registered tool survives a restart, and reaches another process sharing the store', { timeout: 30_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-remote-'));
    const rails: TestRail[] = [];
    try {
      const a = await startTestRail({}, { dataDir });
      rails.push(a);
      const b = await startTestRail({}, { dataDir });
      rails.push(b);
      assert.equal((await a.api('PUT', '/v1/tools/shared', echoManifest())).status, 201);
      const seen = (r: TestRail, status: number) => visible(r, 'shared', status);
      await seen(b, 200);
      // Work submitted to b runs through a claim on a, and vice versa: one queue.
      const s = await b.api('POST', '/v1/work-orders', order('shared', 'across'));
      assert.equal(s.status, 202, JSON.stringify(s.body));
      await a.close();
      rails.shift();
      const restarted = await startTestRail({}, { dataDir });
      rails.push(restarted);
      assert.equal((await restarted.api('GET', '/v1/tools/shared')).body.runtime, 'remote', 'loaded from the store at start');
      const c = await restarted.api('POST', '/v1/tool-tasks/claim', { tools: ['shared'], wait_ms: 5_000 });
      assert.equal(c.body.tasks[0].binding_id, s.body.binding_id);
      assert.equal((await restarted.api('DELETE', '/v1/tools/shared')).status, 204);
      await seen(b, 404);
    } finally {
      for (const r of rails) await r.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  await whenPostgres(() => {
    test('PostgreSQL: two processes share remote tools and their queue', { timeout: 40_000 }, async () => {
      const db = await createTestDatabase();
      const rails: TestRail[] = [];
      try {
        const a = await startTestRail({ store: db.url });
        rails.push(a);
        const b = await startTestRail({ store: db.url });
        rails.push(b);
        assert.equal((await a.api('PUT', '/v1/tools/pgshared', echoManifest())).status, 201);
        await visible(b, 'pgshared', 200);
        // a waits for work; b takes the Work Order; NOTIFY wakes a's long-poll.
        const waiting = a.api('POST', '/v1/tool-tasks/claim', { tools: ['pgshared'], wait_ms: 20_000 });
        const s = await b.api('POST', '/v1/work-orders', order('pgshared', 'shared'));
        assert.equal(s.status, 202, JSON.stringify(s.body));
        const task = (await waiting).body.tasks[0];
        assert.equal(task.binding_id, s.body.binding_id);
        const done = await a.api('POST', `/v1/tool-tasks/${task.task_token}/complete`, { output: { word: 'shared', count: 1 }, summary: 's', evidence: ok });
        assert.equal(done.status, 200, JSON.stringify(done.body));
        assert.equal((await waitForResult(b, s.body.binding_id)).status, 'succeeded');
        assert.equal((await b.api('DELETE', '/v1/tools/pgshared')).status, 204);
        await visible(a, 'pgshared', 404);
      } finally {
        for (const r of rails) await r.close();
        await db.drop();
      }
    });
  });

  test('closing the server answers a waiting long-poll at once', { timeout: 15_000 }, async () => {
    const own = await startTestRail();
    let closed = false;
    try {
      assert.equal((await own.api('PUT', '/v1/tools/idle', echoManifest())).status, 201);
      const waiting = own.api('POST', '/v1/tool-tasks/claim', { tools: ['idle'], wait_ms: 30_000 });
      await new Promise((r) => setTimeout(r, 200));
      await own.close();
      closed = true;
      const r = await waiting;
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { tasks: [] });
    } finally {
      if (!closed) await own.close();
    }
  });
});

describe('log hygiene', () => {
  test('task tokens never reach the log, not even in URLs', async () => {
    const lines: string[] = [];
    const logger = makeLogger('info', { write: (s: string) => void lines.push(s) });
    const own = await startTestRail({ 'log-level': 'info' }, { logger });
    try {
      assert.equal((await own.api('PUT', '/v1/tools/quiet', echoManifest())).status, 201);
      await own.api('POST', '/v1/work-orders', order('quiet', 'psst'));
      const task = (await own.api('POST', '/v1/tool-tasks/claim', { tools: ['quiet'], wait_ms: 5_000 })).body.tasks[0];
      const token: string = task.task_token;
      await own.api('POST', `/v1/tool-tasks/${token}/heartbeat`, {});
      await own.api('POST', `/v1/tool-tasks/${token}/nonsense?token=${token}`, {});
      await own.api('POST', `/v1/tool-tasks/${token}/complete`, { output: { word: 'psst', count: 1 }, summary: 's', evidence: ok });
      const log = lines.join('');
      const secret = token.split('.').pop()!;
      assert.ok(!log.includes(secret), 'the token leaked into the log');
      assert.match(log, /\/v1\/tool-tasks\/\[redacted\]\/heartbeat/);
      assert.match(log, /\/v1\/tool-tasks\/claim/);
    } finally {
      await own.close();
    }
  });
});
