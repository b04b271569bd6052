/**
 * The OpenAPI 3.1 document: valid by an independent validator, the committed openapi.json in step
 * with the routes, every operation documented (summary, tags, security, problem responses) and
 * every example in it valid against its own schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { OPENAPI_PATH, openapiDocument, openapiText } from '../../scripts/generate-openapi.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

type Operation = Record<string, any>;
function operations(doc: Record<string, any>): [string, string, Operation][] {
  return Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]): [string, string, Operation] => [method.toUpperCase(), path, op]),
  );
}

let rail: TestRail;
let served: Record<string, any>;
before(async () => {
  rail = await startTestRail();
  const r = await rail.api('GET', '/openapi.json', undefined, { key: null });
  assert.equal(r.status, 200);
  served = r.body;
});
after(() => rail.close());

test('the served document is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
  const validator = new Validator();
  const result = await validator.validate(served);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(validator.version, '3.1');
});

test('the committed openapi.json does not drift from the routes (fix: npm run contracts)', async () => {
  const committed = readFileSync(OPENAPI_PATH, 'utf8');
  assert.equal(committed, openapiText(await openapiDocument()), 'openapi.json is stale');
  assert.deepEqual(JSON.parse(committed), served, 'the served document differs from openapi.json');
});

describe('every operation is documented', () => {
  test('summary, tags, security, and RFC 9457 problem responses', () => {
    const ops = operations(served);
    assert.ok(ops.length >= 25, `only ${ops.length} operations`);
    for (const [method, path, op] of ops) {
      const where = `${method} ${path}`;
      assert.ok(typeof op.summary === 'string' && op.summary.length > 0, `${where}: no summary`);
      assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${where}: no tags`);
      assert.ok(Array.isArray(op.security), `${where}: no security`);
      const isPublic = op.security.length === 0;
      if (!isPublic) {
        assert.deepEqual(op.security, [{ apiKey: [] }], where);
        assert.ok(op['x-bindrail-scope'], `${where}: no scope`);
        for (const status of ['401', '403']) assert.ok(op.responses[status], `${where}: no ${status}`);
      }
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        if (Number(status) < 400) continue;
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${where} ${status}`);
        assert.deepEqual(response.content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' }, `${where} ${status}`);
      }
    }
  });

  test('the API key is a bearer security scheme; public routes say so', () => {
    assert.deepEqual(served.components.securitySchemes.apiKey.type, 'http');
    assert.equal(served.components.securitySchemes.apiKey.scheme, 'bearer');
    for (const path of ['/.well-known/bindrail.json', '/llms.txt', '/openapi.json', '/v1/contracts', '/v1/contracts/{name}.schema.json', '/healthz']) {
      assert.deepEqual(served.paths[path].get.security, [], path);
    }
    assert.equal(served.paths['/v1/work-orders'].post['x-bindrail-scope'], 'work:submit');
    assert.equal(served.paths['/mcp'].post['x-bindrail-scope'], 'authenticated');
  });

  test('every documented operation is a real route', () => {
    for (const [method, path] of operations(served)) {
      const url = path.replace(/\{([a-z_]+)\}/g, ':$1');
      assert.ok(rail.runtime.app!.hasRoute({ method: method as 'GET', url }), `${method} ${url} is documented but not routed`);
    }
  });

  test('the contracts are named components, with their real examples', () => {
    for (const name of ['WorkOrder', 'ExecutionBinding', 'ToolCommand', 'ResultContract', 'ResultEvent', 'Receipt', 'LedgerEntry', 'Problem']) {
      assert.ok(served.components.schemas[name], `component ${name}`);
      assert.ok(served.components.examples[name], `example ${name}`);
    }
    const media = (op: Operation, status?: string) => (status ? op.responses[status].content['application/json'] : op.requestBody.content['application/json']);
    assert.ok(media(served.paths['/v1/work-orders'].post).examples.WorkOrder);
    assert.ok(media(served.paths['/v1/work-orders'].post, '202').examples.ExecutionBinding);
    assert.ok(media(served.paths['/v1/bindings/{binding_id}/result'].get, '200').examples.ResultContract);
    assert.ok(media(served.paths['/v1/bindings/{binding_id}/command'].get, '200').examples.ToolCommand);
  });
});

test('every example in the document validates against its own schema (Ajv 2020-12)', async () => {
  const validator = new Validator();
  await validator.validate(served);
  const resolved = validator.resolveRefs() as Record<string, any>;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  let checked = 0;
  const visit = (node: unknown, where: string): void => {
    if (!node || typeof node !== 'object') return;
    const media = node as Record<string, any>;
    if (media.schema && (media.example !== undefined || media.examples !== undefined)) {
      const validate = ajv.compile(media.schema);
      const values = media.example !== undefined ? [media.example] : Object.values(media.examples as Record<string, { value: unknown }>).map((e) => e.value);
      for (const value of values) {
        assert.ok(validate(value), `${where}: ${JSON.stringify(validate.errors)}`);
        checked++;
      }
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'schema') visit(v, `${where}/${k}`);
  };
  visit(resolved.paths, '#/paths');
  assert.ok(checked >= 50, `only ${checked} examples checked`);
});
