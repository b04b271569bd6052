/**
 * Secrets stay out of logs, events and the store. A full run — tenants and keys created, work
 * submitted, remote work claimed, heartbeated, completed and failed with task tokens, callbacks
 * signed with a rotated whsec secret, MCP, refused requests of every kind — with the logger at
 * `trace` writing to memory; then every line, every event row and every stored row is searched for
 * every secret value handed out, and for anything shaped like one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { makeLogger } from '../../src/boot/logger.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';
import { FAST_BACKOFF, registryWithTestkit } from '../helpers/test-tools.js';
import { eventually, WebhookReceiver } from '../helpers/webhook-receiver.js';
import { packetOrder } from '../helpers/work-orders.js';
import { newKey, ok, remoteManifest, resultOf } from './world.js';

const lines: string[] = [];
let rail: TestRail;
let receiver: WebhookReceiver;
/** Every secret value the run hands out, by what it is. */
const secrets = new Map<string, string>();
const remember = (what: string, value: string) => secrets.set(value, what);

/** Shapes of the rail's secrets: none may appear anywhere, whatever its value. */
const SHAPES: [string, RegExp][] = [
  ['an API key', /br_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/],
  ['a task token', /tt\.bnd_[0-9a-f]{32}\.[0-9]+\.[A-Za-z0-9_-]{43}/],
  ['a webhook secret', /whsec_[A-Za-z0-9+/=]{20,}/],
  ['a private key', /PRIVATE KEY/],
];

before(async () => {
  receiver = await WebhookReceiver.start();
  const logger = makeLogger('trace', { write: (s: string) => void lines.push(s) });
  rail = await startTestRail(
    { 'log-level': 'trace', 'allow-private-callbacks': true, 'callback-backoff': '50,100,200', 'rate-limit': '100000' },
    { logger, registry: registryWithTestkit(), backoff: FAST_BACKOFF },
  );
  remember('the admin key', rail.adminKey);
  const pem = readFileSync(join(rail.dataDir, 'signing-key.pem'), 'utf8');
  // Every base64 line of the private key, each long enough to be unmistakable.
  for (const line of pem.split('\n').filter((l) => l.length >= 20 && !l.startsWith('-----'))) remember('the signing private key', line);
});
after(async () => {
  await rail?.close();
  await receiver?.stop();
});

test('a full run leaves no secret in any log line, event or stored row', async () => {
  // Tenants and keys.
  await ok(rail, 'POST', '/v1/tenants', { tenant_id: 'acme' });
  const submit = await newKey(rail, 'acme', 'submitter', ['work:submit', 'work:read', 'work:operate']);
  const worker = await newKey(rail, 'acme', 'worker', ['tool:execute']);
  const doomed = await newKey(rail, 'acme', 'doomed', ['work:read']);
  for (const k of [submit, worker, doomed]) remember('an API key', k.key);
  await ok(rail, 'DELETE', `/v1/api-keys/${doomed.keyId}`);

  // Callbacks signed with a secret that is then rotated: both sign for a while.
  remember('a webhook secret', (await ok(rail, 'GET', '/v1/callbacks/secret', undefined, submit.key)).secret);
  remember('a webhook secret', (await ok(rail, 'POST', '/v1/callbacks/secret/rotate', undefined, submit.key)).secret);
  const packet = await ok(rail, 'POST', '/v1/work-orders', packetOrder(1, { return: { callback_url: receiver.url('/acme') } }), submit.key);
  await resultOf(rail, packet.binding_id, submit.key);
  await eventually(async () => (await ok(rail, 'GET', `/v1/bindings/${packet.binding_id}/callback`, undefined, submit.key)).state === 'delivered', 'callback delivered');
  await ok(rail, 'POST', `/v1/bindings/${packet.binding_id}/callback/redeliver`, undefined, submit.key);
  await ok(rail, 'GET', `/v1/bindings/${packet.binding_id}/bundle`, undefined, submit.key);
  await ok(rail, 'POST', '/v1/work-orders', { tool: 'testkit', operation: 'flaky', inputs: { value: 'x', fail_until: 1 } }, submit.key);

  // Remote work: claim, heartbeat, complete; claim, fail; a stale token; a token under the wrong tenant.
  await ok(rail, 'PUT', '/v1/tools/scanned', remoteManifest('test.scanned'));
  const tokens: string[] = [];
  for (const word of ['one', 'two']) {
    const wo = await ok(rail, 'POST', '/v1/work-orders', { tool: 'scanned', operation: 'say', inputs: { word } }, submit.key);
    const claim = await ok(rail, 'POST', '/v1/tool-tasks/claim', { tools: ['scanned'], wait_ms: 5_000 }, worker.key);
    const token = claim.tasks[0].task_token as string;
    tokens.push(token);
    remember('a task token', token);
    await ok(rail, 'POST', `/v1/tool-tasks/${token}/heartbeat`, { progress: { percent: 50, message: 'half' } }, worker.key);
    if (word === 'one') {
      await ok(rail, 'POST', `/v1/tool-tasks/${token}/complete`, { output: { word }, summary: 'done', evidence: { status: 'sufficient', missing: [], exceptions: [] } }, worker.key);
    } else {
      await ok(rail, 'POST', `/v1/tool-tasks/${token}/fail`, { code: 'nope', message: 'failed on purpose', retryable: false }, worker.key);
    }
    await resultOf(rail, wo.binding_id, submit.key);
  }
  assert.equal((await rail.api('POST', `/v1/tool-tasks/${tokens[0]}/heartbeat`, {}, { key: worker.key })).status, 409, 'stale');
  assert.equal((await rail.api('POST', `/v1/tool-tasks/${tokens[1]}/complete`, {}, { key: rail.adminKey })).status, 400);
  assert.equal((await rail.api('POST', `/v1/tool-tasks/${tokens[1]}/nowhere`, {}, { key: worker.key })).status, 404);

  // Refused requests that carry secrets in every place a request can.
  assert.equal((await rail.api('GET', '/v1/me', undefined, { key: doomed.key })).status, 401, 'revoked at once');
  assert.equal((await rail.api('GET', '/v1/me', undefined, { key: `br_${'Z'.repeat(43)}` })).status, 401);
  assert.equal((await rail.api('GET', `/v1/bindings?cursor=${submit.key}`, undefined, { key: submit.key })).status, 400);
  assert.equal((await rail.api('POST', '/v1/work-orders', `{"key": "${submit.key}", broken`, { key: submit.key })).status, 400);
  assert.equal((await rail.api('POST', '/v1/work-orders', { tool: submit.key }, { key: submit.key })).status, 400);
  assert.equal((await rail.api('GET', `/v1/nowhere/${worker.key}`, undefined, { key: submit.key })).status, 404);

  // MCP: the key travels into in-process requests.
  const transport = new StreamableHTTPClientTransport(new URL(`${rail.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${submit.key}` } } });
  const client = new Client({ name: 'log-scan', version: '1.0.0' });
  await client.connect(transport);
  await client.callTool({ name: 'get_binding', arguments: { binding_id: packet.binding_id } });
  await client.close();

  // Let the redelivery and the retries finish, so their log lines are in.
  await eventually(async () => (await ok(rail, 'GET', `/v1/bindings/${packet.binding_id}/callback`, undefined, submit.key)).state === 'delivered', 'redelivered');

  const log = lines.join('');
  assert.ok(lines.length > 60, `only ${lines.length} log lines`);
  assert.match(log, /\/v1\/tool-tasks\/\[redacted\]\/heartbeat/, 'task-token URLs are logged, masked');
  assert.ok(secrets.size >= 9);

  const db = (rail.runtime.store as SqliteStore).database;
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
  const rowsOf = (table: string) => JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all());
  const places: [string, string][] = [
    ['the log', log],
    ['the events', rowsOf('events')],
    ['the audit log', rowsOf('audit_log')],
    // The webhook secrets table keeps its secrets (callbacks are signed with them); no other row may.
    ...tables.filter((t) => t !== 'webhook_secrets').map((t): [string, string] => [`table ${t}`, rowsOf(t)]),
  ];
  for (const [where, text] of places) {
    for (const [value, what] of secrets) assert.ok(!text.includes(value), `${what} in ${where}`);
    for (const [what, shape] of SHAPES) {
      const m = shape.exec(text);
      assert.equal(m, null, `${what} in ${where}: …${m ? text.slice(Math.max(0, m.index - 80), m.index + 80) : ''}…`);
    }
  }
});
