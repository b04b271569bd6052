/**
 * The limits on what a request may be: rate per key (429 + Retry-After), body size, content type,
 * UTF-8, nesting depth, NUL and surrogate escapes, prototype keys, URL numbers, parameter length —
 * each answered as problem JSON that echoes nothing sent — and a bound on every field of every
 * request schema in /openapi.json.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jsonTextProblem, MAX_JSON_DEPTH } from '../../src/api/json-body.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';
import { packetOrder } from '../helpers/work-orders.js';
import { rawRequest } from './raw-http.js';
import { newKey, ok } from './world.js';

let rail: TestRail;
before(async () => {
  rail = await startTestRail({ 'body-limit': '65536' });
});
after(() => rail?.close());

const send = (path: string, body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST') =>
  rawRequest(rail.url, { method, path, headers: { authorization: `Bearer ${rail.adminKey}`, ...headers }, body });

function assertProblem(r: { status: number; headers: Record<string, unknown>; text: string }, status: number, detail?: RegExp) {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  const p = JSON.parse(r.text);
  assert.equal(p.status, status);
  if (detail) assert.match(p.detail, detail);
  return p;
}

describe('rate limits', () => {
  test('a key over its budget gets 429 problem JSON with Retry-After; other keys and the off switch are unaffected', async () => {
    const limited = await startTestRail({ 'rate-limit': '5' });
    try {
      const { key } = await newKey(limited, 'default', 'busy', ['work:read']);
      for (let i = 0; i < 5; i++) {
        const r = await limited.api('GET', '/v1/me', undefined, { key });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit'), '5');
        assert.equal(r.headers.get('x-ratelimit-remaining'), String(4 - i));
      }
      const over = await limited.api('GET', '/v1/me', undefined, { key });
      assert.equal(over.status, 429);
      assert.match(over.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(over.body.code, 'rate_limited');
      const retryAfter = Number(over.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.ok(!JSON.stringify(over.body).includes(key));
      // The budget is the key's: the admin key (made before, with its own budget) still has room.
      assert.equal((await limited.api('GET', '/v1/me')).status, 200);
    } finally {
      await limited.close();
    }
  });

  test('requests without a valid key spend their address\'s budget, so random keys buy nothing', async () => {
    const limited = await startTestRail({ 'rate-limit': '3' });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await limited.api('GET', '/v1/me', undefined, { key: `br_${String(i).repeat(43)}` })).status, 401);
      assert.equal((await limited.api('GET', '/v1/me', undefined, { key: `br_${'9'.repeat(43)}` })).status, 429);
      assert.equal((await limited.api('GET', '/healthz', undefined, { key: null })).status, 429, 'public routes share the address budget');
    } finally {
      await limited.close();
    }
  });

  test('--rate-limit 0 turns limiting off', async () => {
    // The shared test rail runs with 0.
    const answers = await Promise.all(Array.from({ length: 200 }, () => rail.api('GET', '/healthz', undefined, { key: null })));
    assert.ok(answers.every((r) => r.status === 200));
  });
});

describe('bodies', () => {
  test('JSON only: other content types and bodies without one are 415', async () => {
    assertProblem(await send('/v1/work-orders', 'tool=packetops', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    assertProblem(await send('/v1/work-orders', '{}', { 'content-type': 'text/plain' }), 415);
    assertProblem(await send('/v1/work-orders', '{}', {}), 415);
    assertProblem(await send('/v1/work-orders', '{}', { 'content-type': 'application/json; charset=latin1' }), 415, /UTF-8/);
    const utf8 = await send('/v1/work-orders/preflight', JSON.stringify(packetOrder(1)), { 'content-type': 'application/json; charset=UTF-8' });
    assert.equal(utf8.status, 200, utf8.text);
  });

  test('invalid UTF-8, NUL and unpaired surrogates are 400; a paired surrogate is fine', async () => {
    assertProblem(await send('/v1/work-orders', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])), 400, /UTF-8/);
    assertProblem(await send('/v1/work-orders', '{"scope":"a\\u0000b"}'), 400, /NUL/);
    assertProblem(await send('/v1/work-orders', '{"scope":"\\ud800"}'), 400, /surrogate/);
    assertProblem(await send('/v1/work-orders', '{"scope":"\\udc00x"}'), 400, /surrogate/);
    const emoji = await send('/v1/work-orders/preflight', JSON.stringify({ ...packetOrder(2), scope: 'x' }).replace('"x"', '"\\ud83e\\udd84"'));
    assert.equal(emoji.status, 200, emoji.text);
  });

  test(`nesting: ${MAX_JSON_DEPTH} levels pass, one more is 400, a hundred thousand cost nothing`, async () => {
    const deep = (n: number) => '{"a":'.repeat(n - 2) + '1' + '}'.repeat(n - 2);
    const order = (n: number) => JSON.stringify({ ...packetOrder(3), metadata: undefined }).replace('"inputs":{', `"inputs":{"deep":${deep(n)},`);
    assert.equal((await send('/v1/work-orders/preflight', order(MAX_JSON_DEPTH))).status, 200);
    assertProblem(await send('/v1/work-orders/preflight', order(MAX_JSON_DEPTH + 1)), 400, /deeper than 32/);
    assertProblem(await send('/v1/work-orders', '['.repeat(30_000) + ']'.repeat(30_000)), 400, /deeper/);
  });

  test('bodies over the limit are 413; broken JSON and prototype keys are 400 that echo nothing sent', async () => {
    assertProblem(await send('/v1/work-orders', JSON.stringify({ scope: 'x'.repeat(70_000) })), 413);
    const secret = `br_${'s'.repeat(43)}`;
    const broken = assertProblem(await send('/v1/work-orders', `{"scope": "${secret}", oops`), 400, /not valid JSON/);
    assert.ok(!JSON.stringify(broken).includes(secret));
    assertProblem(await send('/v1/work-orders', '{"__proto__":{"admin":true}}'), 400, /forbidden key/);
    assertProblem(await send('/v1/work-orders', '{"constructor":{"prototype":{"admin":true}}}'), 400, /forbidden key/);
    assertProblem(await send('/v1/work-orders', '', { 'content-type': 'application/json' }), 400, /empty/);
  });

  test('a body declared optional may be left out', async () => {
    const b = await ok(rail, 'POST', '/v1/work-orders', packetOrder(4));
    await ok(rail, 'POST', `/v1/bindings/${b.binding_id}/cancel`);
    const replay = await rawRequest(rail.url, { method: 'POST', path: `/v1/bindings/${b.binding_id}/replay`, headers: { authorization: `Bearer ${rail.adminKey}` } });
    assert.equal(replay.status, 202, replay.text);
    const extra = await send(`/v1/bindings/${b.binding_id}/replay`, '{"surprise":1}');
    assertProblem(extra, 400);
  });
});

describe('URLs', () => {
  test('numbers in paths and queries are written in digits', async () => {
    assertProblem(await rawRequest(rail.url, { method: 'GET', path: '/v1/ledger/entries/%20' }), 400);
    assertProblem(await rawRequest(rail.url, { method: 'GET', path: '/v1/ledger/checkpoints?after=' }), 400);
    assertProblem(await rawRequest(rail.url, { method: 'GET', path: '/v1/ledger/checkpoints?limit=0x10' }), 400);
    assert.equal((await rawRequest(rail.url, { method: 'GET', path: '/v1/ledger/checkpoints?limit=10' })).status, 200);
  });

  test('an overlong path parameter is a 414 problem; secrets in the path are never echoed', async () => {
    const p = assertProblem(await rawRequest(rail.url, { method: 'GET', path: `/v1/bindings/${'b'.repeat(150)}`, headers: { authorization: `Bearer ${rail.adminKey}` } }), 414);
    assert.ok(!p.detail.includes('b'.repeat(150)));
    const token = `tt.bnd_${'0'.repeat(32)}.1.${'T'.repeat(43)}`;
    const q = assertProblem(await rawRequest(rail.url, { method: 'POST', path: `/v1/tool-tasks/${token}/nowhere`, headers: { authorization: `Bearer ${rail.adminKey}` } }), 404);
    assert.ok(!JSON.stringify(q).includes(token));
    assert.equal(q.instance, '/v1/tool-tasks/[redacted]/nowhere');
  });
});

describe('the depth check', () => {
  test('counts brackets only outside strings, through escapes', () => {
    assert.equal(jsonTextProblem('{"a":"[[[[[[[[[[","b":"\\"[[[["}', 2), undefined);
    assert.match(jsonTextProblem('[[[1]]]', 2) ?? '', /deeper than 2/);
    assert.equal(jsonTextProblem('[[1],[2],[3]]', 2), undefined);
    assert.equal(jsonTextProblem('"\\\\"', 1), undefined);
    assert.match(jsonTextProblem('["\\\\u0000", "\\u0000"]') ?? '', /NUL/);
    assert.equal(jsonTextProblem('["\\\\ud800"]'), undefined, 'an escaped backslash, not an escape');
  });
});

describe('every request schema is bounded', () => {
  type S = Record<string, any>;
  test('strings have a length, pattern, format or set of values; arrays a maxItems; open objects a maxProperties', async () => {
    const doc = (await rail.api('GET', '/openapi.json', undefined, { key: null })).body;
    const resolve = (s: S): S => (s && typeof s.$ref === 'string' ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]) : s);
    const unbounded: string[] = [];
    const walk = (raw: S, at: string, seen: Set<S>): void => {
      const s = resolve(raw);
      if (!s || typeof s !== 'object' || seen.has(s)) return;
      seen = new Set(seen).add(s);
      for (const k of ['anyOf', 'oneOf', 'allOf']) (s[k] ?? []).forEach((x: S, i: number) => walk(x, `${at}/${k}${i}`, seen));
      const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
      if (types.includes('string') && !['maxLength', 'pattern', 'format', 'enum', 'const'].some((k) => k in s)) unbounded.push(`${at}: string`);
      if (types.includes('array')) {
        if (!('maxItems' in s)) unbounded.push(`${at}: array`);
        if (s.items) walk(s.items, `${at}/*`, seen);
      }
      if (types.includes('object') || s.properties || s.patternProperties) {
        for (const [k, v] of Object.entries<S>(s.properties ?? {})) walk(v, `${at}/${k}`, seen);
        const open = s.additionalProperties !== false || s.patternProperties;
        if (open && !('maxProperties' in s)) unbounded.push(`${at}: open object`);
        if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${at}/{*}`, seen);
        for (const [k, v] of Object.entries<S>(s.patternProperties ?? {})) walk(v, `${at}/{${k}}`, seen);
      }
    };
    for (const [path, item] of Object.entries<S>(doc.paths)) {
      for (const [method, op] of Object.entries<S>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const p of op.parameters ?? []) walk(p.schema, `${where} ${p.in} ${p.name}`, new Set());
        for (const media of Object.values<S>(op.requestBody?.content ?? {})) walk(media.schema, `${where} body`, new Set());
      }
    }
    assert.deepEqual(unbounded, [], 'request fields without a bound');
  });
});
