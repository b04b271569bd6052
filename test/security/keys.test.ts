/**
 * Tenants and API keys over real HTTP and through the real CLI: a key's value is answered once and
 * kept only as a hash, scopes and tools hold, a revocation holds at once, the last admin key stays.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../src/proof/canonical.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';
import { ROOT } from '../helpers/serve-process.js';
import { newKey, ok } from './world.js';

let rail: TestRail;
before(async () => {
  rail = await startTestRail();
});
after(() => rail?.close());

describe('tenants', () => {
  test('created once by an admin (409 the second time), listed by id with a cursor', async () => {
    const created = await rail.api('POST', '/v1/tenants', { tenant_id: 'acme-1', name: 'Acme' });
    assert.equal(created.status, 201);
    assert.deepEqual({ ...created.body, created_at: 'x' }, { object: 'tenant', tenant_id: 'acme-1', name: 'Acme', created_at: 'x' });
    const again = await rail.api('POST', '/v1/tenants', { tenant_id: 'acme-1' });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'tenant_exists');
    assert.deepEqual(again.body.errors, [{ pointer: '/tenant_id', detail: 'is taken' }]);
    assert.equal((await rail.api('POST', '/v1/tenants', { tenant_id: 'Not Valid' })).status, 400);
    await ok(rail, 'POST', '/v1/tenants', { tenant_id: 'acme-2' });

    const first = await ok(rail, 'GET', '/v1/tenants?limit=2');
    assert.deepEqual(first.data.map((t: any) => t.tenant_id), ['acme-1', 'acme-2']);
    const rest = await ok(rail, 'GET', `/v1/tenants?limit=2&cursor=${first.next_cursor}`);
    assert.ok(rest.data.some((t: any) => t.tenant_id === 'default'));
  });

  test('only admins manage tenants', async () => {
    const { key } = await newKey(rail, 'default', 'operator', ['work:operate', 'work:read', 'work:submit', 'tool:execute']);
    assert.equal((await rail.api('POST', '/v1/tenants', { tenant_id: 'sneaky' }, { key })).status, 403);
    assert.equal((await rail.api('GET', '/v1/tenants', undefined, { key })).status, 403);
    assert.equal((await rail.api('GET', '/v1/api-keys', undefined, { key })).status, 403);
    assert.equal((await rail.api('POST', '/v1/api-keys', { tenant_id: 'default', name: 'x', scopes: ['admin'] }, { key })).status, 403);
  });
});

describe('API keys', () => {
  test('the value is answered once, not cached, and kept only as its hash', async () => {
    await ok(rail, 'POST', '/v1/tenants', { tenant_id: 'keys-1' });
    const r = await rail.api('POST', '/v1/api-keys', { tenant_id: 'keys-1', name: 'reader', scopes: ['work:read'] });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.match(r.body.key, /^br_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(Object.keys(r.body).sort(), ['created_at', 'key', 'key_id', 'name', 'object', 'revoked_at', 'scopes', 'tenant_id', 'tools']);

    const listed = await rail.api('GET', '/v1/api-keys?tenant_id=keys-1');
    assert.deepEqual(listed.body.data.map((k: any) => k.key_id), [r.body.key_id]);
    assert.equal(listed.body.data[0].key, undefined);
    const text = JSON.stringify(listed.body) + JSON.stringify(await ok(rail, 'GET', '/v1/api-keys?limit=500'));
    assert.ok(!text.includes(r.body.key) && !text.includes(sha256Hex(r.body.key)), 'the list shows neither the key nor its hash');

    const me = await ok(rail, 'GET', '/v1/me', undefined, r.body.key);
    assert.deepEqual(me, { object: 'principal', key_id: r.body.key_id, tenant_id: 'keys-1', scopes: ['work:read'], tools: null });
    assert.equal((await rail.api('POST', '/v1/work-orders', { tool: 'packetops', operation: 'verify_packet', inputs: {} }, { key: r.body.key })).status, 403);
  });

  test('refused as asked: an unknown tenant, tools without tool:execute, an unknown scope', async () => {
    const unknown = await rail.api('POST', '/v1/api-keys', { tenant_id: 'nobody', name: 'x', scopes: ['work:read'] });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.errors.map((e: any) => e.pointer), ['/tenant_id']);
    const tools = await rail.api('POST', '/v1/api-keys', { tenant_id: 'default', name: 'x', scopes: ['work:read'], tools: ['packetops'] });
    assert.deepEqual(tools.body.errors.map((e: any) => e.pointer), ['/tools']);
    assert.equal((await rail.api('POST', '/v1/api-keys', { tenant_id: 'default', name: 'x', scopes: ['root'] })).status, 400);
    assert.equal((await rail.api('POST', '/v1/api-keys', { tenant_id: 'default', name: 'x', scopes: [] })).status, 400);
  });

  test('a revoked key stops working at once, even while its principal is cached', async () => {
    const { key, keyId } = await newKey(rail, 'default', 'short-lived', ['work:read']);
    assert.equal((await rail.api('GET', '/v1/me', undefined, { key })).status, 200);
    const revoked = await ok(rail, 'DELETE', `/v1/api-keys/${keyId}`);
    assert.equal(revoked.key_id, keyId);
    assert.ok(revoked.revoked_at);
    const refused = await rail.api('GET', '/v1/me', undefined, { key });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    // Again: nothing changes, the first time stays.
    assert.equal((await ok(rail, 'DELETE', `/v1/api-keys/${keyId}`)).revoked_at, revoked.revoked_at);
    assert.equal((await rail.api('DELETE', `/v1/api-keys/key_${'0'.repeat(32)}`)).status, 404);
  });

  test('the last active admin key cannot be revoked', async () => {
    const adminId = (await ok(rail, 'GET', '/v1/me')).key_id;
    const second = await newKey(rail, 'default', 'second admin', ['admin']);
    await ok(rail, 'DELETE', `/v1/api-keys/${second.keyId}`);
    const last = await rail.api('DELETE', `/v1/api-keys/${adminId}`);
    assert.equal(last.status, 409);
    assert.equal(last.body.code, 'last_admin_key');
    assert.equal((await rail.api('GET', '/v1/me')).status, 200);
  });

  test('creations and revocations are audited, without the key', async () => {
    const { key, keyId } = await newKey(rail, 'default', 'audited', ['work:read']);
    await ok(rail, 'DELETE', `/v1/api-keys/${keyId}`);
    const rows = (await ok(rail, 'GET', '/v1/audit?limit=500')).data as any[];
    const mine = rows.filter((r) => r.target === keyId).map((r) => r.action);
    assert.deepEqual(mine, ['api_key.revoke', 'api_key.create']);
    assert.ok(rows.some((r) => r.action === 'tenant.create' && r.target === 'acme-1'));
    assert.ok(!JSON.stringify(rows).includes(key));
  });
});

describe('first start', () => {
  test('an empty data dir makes an admin key, kept 0600 in the data dir and made once', async () => {
    const first = await startTestRail({ 'admin-key': '' }, { keepDataDir: true });
    try {
      const made = first.runtime.createdAdminKey!;
      assert.match(made, /^br_[A-Za-z0-9_-]{43}$/);
      const file = join(first.dataDir, 'admin.key');
      assert.equal(readFileSync(file, 'utf8').trim(), made);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal((await first.api('GET', '/v1/me', undefined, { key: made })).body.scopes[0], 'admin');
    } finally {
      await first.close();
    }
    const again = await startTestRail({ 'admin-key': '' }, { dataDir: first.dataDir });
    try {
      assert.equal(again.runtime.createdAdminKey, undefined, 'not made twice');
    } finally {
      await again.close();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });

  test('BINDRAIL_ADMIN_KEY on first start becomes the admin key', async () => {
    assert.equal((await rail.api('GET', '/v1/me')).body.scopes[0], 'admin', 'the test rail starts with --admin-key');
    assert.ok(existsSync(join(rail.dataDir, 'admin.key')));
  });
});

/** Runs `bindrail keys ARGS` from the source tree against the test rail. */
function bindrailKeys(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', ...args, '--url', rail.url, '--api-key', rail.adminKey], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

describe('bindrail keys create | list | revoke', () => {
  test('creates a key (printed once), lists it without its value, revokes it', async () => {
    const created = await bindrailKeys(['create', '--tenant', 'cli-tenant', '--create-tenant', '--name', 'ci', '--scope', 'work:read,work:submit', '--json']);
    assert.equal(created.code, 0, created.out);
    const key = JSON.parse(created.out);
    assert.equal(key.tenant_id, 'cli-tenant');
    assert.deepEqual(key.scopes, ['work:read', 'work:submit']);
    assert.equal((await rail.api('GET', '/v1/me', undefined, { key: key.key })).status, 200);

    const listed = await bindrailKeys(['list', '--tenant', 'cli-tenant']);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, new RegExp(`${key.key_id}\\s+cli-tenant\\s+active`));
    assert.ok(!listed.out.includes(key.key));

    const revoked = await bindrailKeys(['revoke', key.key_id]);
    assert.equal(revoked.code, 0, revoked.out);
    assert.match(revoked.out, /^revoked key_/);
    assert.equal((await rail.api('GET', '/v1/me', undefined, { key: key.key })).status, 401);

    const bad = await bindrailKeys(['create', '--tenant', 'nobody-here', '--name', 'x', '--scope', 'work:read']);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /400/);
    assert.equal((await bindrailKeys(['create'])).code, 2, 'usage');
  });
});
