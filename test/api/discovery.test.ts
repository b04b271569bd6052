/**
 * An agent that knows only the rail's address: it starts at /.well-known/bindrail.json and follows
 * every URL in it. Each document must hold up — schemas compile, examples validate, the OpenAPI
 * document validates, the SQL scaffold applies to an empty SQLite and PostgreSQL database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startTestRail, type TestRail } from '../helpers/rail.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;

let rail: TestRail;
let manifest: Record<string, any>;
/** Every absolute URL the walk has checked. */
const visited = new Set<string>();

async function fetchUrl(url: string, opts: { key?: boolean; method?: string; body?: unknown; accept?: string } = {}) {
  visited.add(url);
  const res = await fetch(url, {
    method: opts.method ?? 'GET',
    headers: {
      ...(opts.key ? { authorization: `Bearer ${rail.adminKey}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.accept ? { accept: opts.accept } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function fetchJson(url: string, opts: { key?: boolean } = {}): Promise<any> {
  const r = await fetchUrl(url, opts);
  assert.equal(r.status, 200, `${url} → ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.type, /json/, url);
  return JSON.parse(r.text);
}

/** Every string in the manifest that is a URL on this rail. */
function linkedUrls(value: unknown, origin: string): string[] {
  if (typeof value === 'string') return value.startsWith(origin) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => linkedUrls(v, origin));
  if (value && typeof value === 'object') return Object.values(value).flatMap((v) => linkedUrls(v, origin));
  return [];
}

before(async () => {
  rail = await startTestRail();
  manifest = await fetchJson(`${rail.url}/.well-known/bindrail.json`);
});
after(() => rail.close());

test('the manifest names the version, the base URL, auth, MCP and the key URL', () => {
  assert.equal(manifest.object, 'bindrail_discovery');
  assert.equal(manifest.base_url, rail.url);
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  assert.equal(manifest.auth.scheme, 'bearer');
  assert.ok(manifest.auth.scopes['work:submit']);
  assert.equal(manifest.mcp.endpoint, `${rail.url}/mcp`);
  assert.deepEqual(manifest.mcp.stdio.args.slice(0, 3), ['mcp', '--url', rail.url]);
  for (const tool of ['list_tools', 'get_contract', 'preflight_work_order', 'submit_work_order', 'get_binding', 'get_result', 'list_events', 'replay_binding', 'cancel_binding', 'verify_bundle']) {
    assert.ok(manifest.mcp.tools.includes(tool), tool);
  }
  assert.deepEqual(manifest.tools.map((t: { name: string }) => t.name).sort(), ['distributionops', 'energyops', 'financeops', 'packetops', 'tokenops']);
});

describe('walking every linked URL', () => {
  test('the OpenAPI document validates', async () => {
    const doc = await fetchJson(manifest.openapi);
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
  });

  test('the rendered reference serves its own assets (no CDN)', async () => {
    const page = await fetchUrl(manifest.docs);
    assert.equal(page.status, 200);
    assert.match(page.type, /text\/html/);
    assert.doesNotMatch(page.text, /<script[^>]+src="https?:/, 'a script from another host');
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, `${manifest.docs}/`).href);
    assert.ok(assets.length >= 3);
    for (const asset of assets) {
      assert.ok(asset.startsWith(rail.url), `${asset} is on another host`);
      const r = await fetchUrl(asset);
      assert.equal(r.status, 200, asset);
    }
    const spec = await fetchUrl(`${manifest.docs}/json`);
    assert.equal(spec.status, 200);
  });

  test('llms.txt is a few hundred words of plain text that name the flow', async () => {
    const r = await fetchUrl(manifest.llms_txt);
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain/);
    const words = r.text.split(/\s+/).filter(Boolean).length;
    assert.ok(words >= 200 && words <= 1200, `${words} words`);
    for (const needle of ['/v1/work-orders', '/result', 'next_action', 'Idempotency-Key', '/mcp', 'Bearer']) assert.ok(r.text.includes(needle), needle);
  });

  test('every contract: the schema compiles (2020-12, strict) and its example validates', async () => {
    const index = await fetchJson(manifest.contracts.index);
    const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
    assert.deepEqual(Object.keys(manifest.contracts.schemas).sort(), index.data.map((c: { name: string }) => c.name).sort());
    for (const entry of index.data as { name: string; schema: string; example: string | null; schema_id: string }[]) {
      const schemaUrl = manifest.contracts.schemas[entry.name];
      assert.equal(schemaUrl, rail.url + entry.schema);
      const schema = await fetchJson(schemaUrl);
      assert.equal(schema.$id, entry.schema_id);
      const validate = ajv.compile(schema);
      assert.ok(entry.example, `${entry.name} has no example`);
      assert.equal(manifest.contracts.examples[entry.name], rail.url + entry.example);
      const example = await fetchJson(manifest.contracts.examples[entry.name]);
      assert.ok(validate(example), `${entry.name}: ${JSON.stringify(validate.errors)}`);
    }
  });

  test('an unknown contract is a 404 problem', async () => {
    const r = await fetchUrl(`${rail.url}/v1/contracts/nothing.schema.json`);
    assert.equal(r.status, 404);
    assert.match(r.type, /application\/problem\+json/);
  });

  test('the SQLite scaffold applies to an empty database', async () => {
    const r = await fetchUrl(manifest.contracts.sql.sqlite);
    assert.equal(r.status, 200);
    assert.match(r.type, /application\/sql/);
    const db = new Database(':memory:');
    try {
      db.exec(r.text);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      for (const t of ['tenants', 'work_orders', 'bindings', 'ledger_leaves']) assert.ok(tables.includes(t), `table ${t}`);
    } finally {
      db.close();
    }
  });

  test('the PostgreSQL scaffold applies to an empty database', async (t) => {
    const url = manifest.contracts.sql.postgres as string | undefined;
    assert.ok(url, 'the manifest lists no PostgreSQL scaffold');
    const r = await fetchUrl(url);
    assert.equal(r.status, 200);
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
    } catch (err) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL must be reachable in CI: ${(err as Error).message}`);
      t.skip(`PostgreSQL at 127.0.0.1:5432 is not reachable (${(err as Error).message}); skipped locally`);
      return;
    }
    // A fresh schema stands in for an empty database; it is dropped afterwards.
    const schema = `contracts_${randomBytes(6).toString('hex')}`;
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      await client.query(r.text);
      const { rows } = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      const tables = rows.map((row) => row.table_name);
      for (const name of ['tenants', 'work_orders', 'bindings', 'ledger_leaves']) assert.ok(tables.includes(name), `table ${name}`);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  test('each tool manifest is there for a key holder (and refused without one)', async () => {
    for (const tool of manifest.tools as { name: string; manifest: string }[]) {
      const denied = await fetchUrl(tool.manifest);
      assert.equal(denied.status, 401);
      const m = await fetchJson(tool.manifest, { key: true });
      assert.equal(m.name, tool.name);
      assert.ok(Object.keys(m.operations).length > 0);
    }
  });

  test('the MCP endpoint wants a key and answers an initialize', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'walk', version: '0' } },
    };
    const denied = await fetchUrl(manifest.mcp.endpoint, { method: 'POST', body: init, accept: 'application/json, text/event-stream' });
    assert.equal(denied.status, 401);
    const r = await fetchUrl(manifest.mcp.endpoint, { method: 'POST', body: init, key: true, accept: 'application/json, text/event-stream' });
    assert.equal(r.status, 200, r.text);
    const answer = JSON.parse(r.text);
    assert.equal(answer.result.serverInfo.name, 'bindrail');
    assert.ok(answer.result.capabilities.tools);
  });

  test('the key URL lists the signing keys, valid against the key-set contract', async () => {
    assert.equal(manifest.keys, `${rail.url}/.well-known/bindrail/keys.json`);
    const keys = await fetchJson(manifest.keys);
    const schema = await fetchJson(manifest.contracts.schemas['key-set']);
    const validate = addFormats(new Ajv2020({ strict: true })).compile(schema);
    assert.ok(keys.keys.length >= 1);
    assert.ok(validate(keys), JSON.stringify(validate.errors));
  });

  test('the remaining links answer: reads with a key, writes are documented POST operations', async () => {
    const doc = await fetchJson(manifest.openapi);
    for (const [name, url] of Object.entries(manifest.links as Record<string, string>)) {
      const path = url.slice(rail.url.length);
      if (doc.paths[path]?.get) {
        const r = await fetchUrl(url, { key: true });
        assert.equal(r.status, 200, `${name}: ${url}`);
      } else {
        visited.add(url);
        assert.ok(doc.paths[path]?.post, `${name}: ${path} is neither a GET nor a POST operation`);
      }
    }
  });

  test('no linked URL was left unchecked', () => {
    const unchecked = linkedUrls(manifest, rail.url).filter((u) => !visited.has(u) && u !== manifest.base_url);
    assert.deepEqual(unchecked, []);
  });
});
