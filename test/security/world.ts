/**
 * A rail with two tenants, built through the public API only: each has keys of every scope and
 * objects of every kind — a succeeded binding with receipts, attestation, events, a delivered
 * callback and a bundle; a failed one with an exception ticket; a remote tool task leased with a
 * live task token. The security tests attack one tenant from the other.
 */
import assert from 'node:assert/strict';
import type { Scope } from '../../src/rail/api-keys.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';
import { FAST_BACKOFF, registryWithTestkit, testOrder } from '../helpers/test-tools.js';
import { eventually, WebhookReceiver } from '../helpers/webhook-receiver.js';
import { packetOrder } from '../helpers/work-orders.js';

export interface TenantWorld {
  tenantId: string;
  /** A string found only in this tenant's inputs: a payload, never in public answers. */
  marker: string;
  keys: {
    submit: string;
    read: string;
    operate: string;
    /** tool:execute limited to this tenant's own remote tool. */
    tool: string;
    /** tool:execute limited to a tool the other tenant uses. */
    toolElsewhere: string;
  };
  keyIds: string[];
  remoteTool: string;
  succeeded: string;
  failed: string;
  leased: string;
  taskToken: string;
  workOrders: string[];
  receipts: string[];
  exceptions: string[];
  callbackSecret: string;
}

export interface World {
  rail: TestRail;
  receiver: WebhookReceiver;
  a: TenantWorld;
  b: TenantWorld;
  close(): Promise<void>;
}

export function remoteManifest(capability: string) {
  return {
    version: '1.0.0',
    runtime: 'remote',
    operations: {
      say: {
        capability,
        input_schema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] },
        output_schema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] },
        evidence_checklist: [],
        // Long enough that the lease outlives every test here.
        heartbeat_timeout_ms: 600_000,
      },
    },
  };
}

export async function ok<T = any>(rail: TestRail, method: string, path: string, body?: unknown, key?: string): Promise<T> {
  const r = await rail.api<T>(method, path, body, { key });
  assert.ok(r.status < 300, `${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Polls a binding's result with `key` (a tenant's key: the admin's tenant sees none of it) until it is final. */
export async function resultOf(rail: TestRail, bindingId: string, key: string): Promise<any> {
  return eventually(async () => {
    const r = await rail.api('GET', `/v1/bindings/${bindingId}/result`, undefined, { key });
    assert.ok(r.status === 200 || r.status === 202, JSON.stringify(r.body));
    return r.status === 200 && r.body;
  }, `result of ${bindingId}`);
}

/** A key made through POST /v1/api-keys; its value and id. */
export async function newKey(rail: TestRail, tenantId: string, name: string, scopes: Scope[], tools?: string[]): Promise<{ key: string; keyId: string }> {
  const k = await ok(rail, 'POST', '/v1/api-keys', { tenant_id: tenantId, name, scopes, ...(tools ? { tools } : {}) });
  return { key: k.key, keyId: k.key_id };
}

async function buildTenant(rail: TestRail, receiver: WebhookReceiver, tenantId: string, otherTool: string): Promise<TenantWorld> {
  await ok(rail, 'POST', '/v1/tenants', { tenant_id: tenantId, name: `Tenant ${tenantId}` });
  const remoteTool = `${tenantId.replace(/[^a-z0-9]/g, '')}tool`;
  await ok(rail, 'PUT', `/v1/tools/${remoteTool}`, remoteManifest(`test.${remoteTool}`));
  const made = await Promise.all([
    newKey(rail, tenantId, 'submitter', ['work:submit', 'work:read']),
    newKey(rail, tenantId, 'reader', ['work:read']),
    newKey(rail, tenantId, 'operator', ['work:operate', 'work:read']),
    newKey(rail, tenantId, 'worker', ['tool:execute'], [remoteTool]),
    newKey(rail, tenantId, 'worker elsewhere', ['tool:execute'], [otherTool]),
  ]);
  const [submit, read, operate, tool, toolElsewhere] = made.map((m) => m.key) as [string, string, string, string, string];
  const marker = `payload-of-${tenantId}-${Math.random().toString(36).slice(2)}`;

  const succeeded = await ok(rail, 'POST', '/v1/work-orders', packetOrder(0, { scope: marker, return: { callback_url: receiver.url(`/${tenantId}`) } }), submit);
  const failed = await ok(rail, 'POST', '/v1/work-orders', testOrder('refuse', { value: marker }), submit);
  const remote = await ok(rail, 'POST', '/v1/work-orders', { tool: remoteTool, operation: 'say', inputs: { word: marker } }, submit);
  const claim = await ok(rail, 'POST', '/v1/tool-tasks/claim', { tools: [remoteTool], wait_ms: 5_000 }, tool);
  assert.equal(claim.tasks.length, 1);

  const result = await resultOf(rail, succeeded.binding_id, read);
  await resultOf(rail, failed.binding_id, read);
  await eventually(async () => (await rail.api('GET', `/v1/bindings/${succeeded.binding_id}/callback`, undefined, { key: read })).body.state === 'delivered', 'callback delivered');
  // Sign the checkpoint the bundle needs now, so reading it later writes nothing.
  await ok(rail, 'GET', `/v1/bindings/${succeeded.binding_id}/bundle`, undefined, read);
  const exceptions = (await ok(rail, 'GET', '/v1/exceptions', undefined, read)).data.map((x: { exception_id: string }) => x.exception_id);
  assert.equal(exceptions.length, 1);
  const secret = await ok(rail, 'GET', '/v1/callbacks/secret', undefined, operate);

  return {
    tenantId,
    marker,
    keys: { submit, read, operate, tool, toolElsewhere },
    keyIds: made.map((m) => m.keyId),
    remoteTool,
    succeeded: succeeded.binding_id,
    failed: failed.binding_id,
    leased: remote.binding_id,
    taskToken: claim.tasks[0].task_token,
    workOrders: [succeeded.work_order_id, failed.work_order_id, remote.work_order_id],
    receipts: result.receipts.map((r: { receipt_id: string }) => r.receipt_id),
    exceptions,
    callbackSecret: secret.secret,
  };
}

/** Starts a rail (SQLite, real HTTP) and builds tenants `tenant-a` and `tenant-b`, each aiming its `toolElsewhere` key at the other's tool. */
export async function buildWorld(overrides: Record<string, string | boolean> = {}, opts: Parameters<typeof startTestRail>[1] = {}): Promise<World> {
  const receiver = await WebhookReceiver.start();
  const rail = await startTestRail(
    { 'allow-private-callbacks': true, 'callback-backoff': '50,100', ...overrides },
    { registry: registryWithTestkit(), backoff: FAST_BACKOFF, ...opts },
  );
  try {
    const a = await buildTenant(rail, receiver, 'tenant-a', 'tenantbtool');
    const b = await buildTenant(rail, receiver, 'tenant-b', a.remoteTool);
    return {
      rail,
      receiver,
      a,
      b,
      close: async () => {
        await rail.close();
        await receiver.stop();
      },
    };
  } catch (err) {
    await rail.close();
    await receiver.stop();
    throw err;
  }
}
