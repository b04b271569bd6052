/** The published contracts: committed files match the TypeBox source, compile under 2020-12, and every example validates. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { CONTRACT_NAMES, CONTRACTS_DIR, EXAMPLES_DIR, JSON_SCHEMA_DIALECT, contractSchemaId } from '../../src/api/routes/contracts.js';
import { schemaFileName, schemaFileText } from '../../scripts/generate-contracts.js';
import { verifyBundle } from '../../src/proof/verify-bundle.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;
const REQUIRED = [
  'work-order',
  'execution-binding',
  'tool-command',
  'result-event',
  'result-contract',
  'receipt',
  'exception-ticket',
  'ledger-entry',
  'checkpoint',
  'attestation',
  'problem',
];

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

test('every contract the issue names is published', () => {
  for (const name of REQUIRED) assert.ok((CONTRACT_NAMES as string[]).includes(name), name);
});

describe('committed schema files do not drift from src/contracts (fix: npm run contracts)', () => {
  for (const name of CONTRACT_NAMES) {
    test(name, () => {
      const path = join(CONTRACTS_DIR, schemaFileName(name));
      assert.ok(existsSync(path), `${path} is missing`);
      assert.equal(readFileSync(path, 'utf8'), schemaFileText(name), `${path} drifted from the TypeBox source`);
    });
  }
  test('no stale schema file is left behind', () => {
    const files = readdirSync(CONTRACTS_DIR).filter((f) => f.endsWith('.schema.json'));
    assert.deepEqual(files.sort(), CONTRACT_NAMES.map(schemaFileName).sort());
  });
});

describe('each schema compiles (Ajv 2020-12, strict) and its real example validates', () => {
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
  for (const name of CONTRACT_NAMES) {
    test(name, () => {
      const schema = readJson(join(CONTRACTS_DIR, schemaFileName(name)));
      assert.equal(schema.$schema, JSON_SCHEMA_DIALECT);
      assert.equal(schema.$id, contractSchemaId(name));
      assert.equal(typeof schema.title, 'string');
      const validate = ajv.compile(schema);
      const example = readJson(join(EXAMPLES_DIR, `${name}.json`));
      assert.ok(validate(example), `${name} example: ${JSON.stringify(validate.errors)}`);
    });
  }
});

test('a schema rejects what its contract forbids (an extra field, a bad id)', () => {
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
  const validate = ajv.compile(readJson(join(CONTRACTS_DIR, 'execution-binding.schema.json')));
  const example = readJson(join(EXAMPLES_DIR, 'execution-binding.json'));
  assert.equal(validate({ ...example, colour: 'red' }), false);
  assert.equal(validate({ ...example, binding_id: 'bnd_nope' }), false);
});

test('the examples are one real run: binding, command, result, receipt, ledger entry and attestation agree', () => {
  const ex = (name: string) => readJson(join(EXAMPLES_DIR, `${name}.json`));
  const binding = ex('execution-binding');
  const result = ex('result-contract');
  assert.equal(ex('tool-command').binding_id, binding.binding_id);
  assert.equal(result.binding_id, binding.binding_id);
  assert.equal(ex('result-event').subject, binding.binding_id);
  assert.equal(ex('receipt').binding_id, binding.binding_id);
  assert.equal(ex('ledger-entry').leaf.binding_id, binding.binding_id);
  assert.equal(ex('ledger-entry').leaf_hash, result.ledger.leaf_hash);
  const statement = JSON.parse(Buffer.from(ex('attestation').payload, 'base64').toString('utf8'));
  assert.deepEqual(statement, ex('in-toto-statement'));
  assert.equal(statement.predicate.binding_id, binding.binding_id);
});

test('the bundle example verifies offline against the example key set', () => {
  const ex = (name: string) => readJson(join(EXAMPLES_DIR, `${name}.json`));
  const bundle = ex('bundle');
  assert.deepEqual(bundle.result_contract, ex('result-contract'));
  const v = verifyBundle(bundle, { trustedKeys: ex('key-set').keys });
  assert.equal(v.ok, true, JSON.stringify(v.checks));
});
