/**
 * /v1/contracts: the published JSON Schemas (2020-12) of every public object, a real example of
 * each, and the SQL scaffold — the very migrations the stores run. The schemas are built here
 * from the TypeBox source; `npm run contracts` writes the same documents to contracts/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from 'typebox';
import { DsseEnvelope, InTotoStatement } from '../../contracts/attestation.js';
import { Bundle, ConsistencyProof, InclusionProof, KeySet } from '../../contracts/bundle.js';
import { RailError } from '../../contracts/errors.js';
import { ExceptionTicket } from '../../contracts/exception-ticket.js';
import { ExecutionBinding } from '../../contracts/execution-binding.js';
import { Checkpoint, LedgerEntry } from '../../contracts/ledger.js';
import { Problem } from '../../contracts/problem.js';
import { Receipt } from '../../contracts/receipt.js';
import { ResultContract } from '../../contracts/result-contract.js';
import { ResultEvent } from '../../contracts/result-event.js';
import { ToolCommand } from '../../contracts/tool-command.js';
import { WorkOrderRequest } from '../../contracts/work-order.js';
import { MAX_BATCH_WORK_ORDERS, WorkOrderBatch, WorkOrderBatchRequest } from '../../contracts/work-order-batch.js';
import { migrationFiles } from '../../store/sqlite/migrate.js';
import { pick } from '../schemas.js';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
/** Stable, host-independent ids: the committed files and every server publish the same ones. */
export const CONTRACT_ID_BASE = 'https://bindrail.dev/contracts/v1/';

interface ContractSpec {
  schema: TSchema;
  title: string;
  description: string;
}

/** Every published contract, by file name. Add freely; rename none (clients fetch these names). */
export const CONTRACTS = {
  'work-order': {
    schema: WorkOrderRequest,
    title: 'Work Order',
    description: 'What a client or agent submits to POST /v1/work-orders: tool+operation or a capability, inputs, evidence, return requirements.',
  },
  'work-order-batch': {
    schema: WorkOrderBatchRequest,
    title: 'Work Order Batch',
    description: `What a client submits to POST /v1/work-orders/batch: 1 to ${MAX_BATCH_WORK_ORDERS} Work Orders, each with its own idempotency_key if any.`,
  },
  'work-order-batch-result': {
    schema: WorkOrderBatch,
    title: 'Work Order Batch Result',
    description: 'What POST /v1/work-orders/batch answers: per Work Order, in order, its status and Execution Binding, or its status and problem.',
  },
  'execution-binding': {
    schema: ExecutionBinding,
    title: 'Execution Binding',
    description: 'The one record that connects a Work Order to its routing, command, task, queue state, result and proof.',
  },
  'tool-command': {
    schema: ToolCommand,
    title: 'Tool Execution Command',
    description: 'The envelope that carries a Work Order\'s inputs into an operating tool; command_id is the tool\'s idempotency key.',
  },
  'result-event': {
    schema: ResultEvent,
    title: 'Tool Execution Result Event',
    description: 'A CloudEvents 1.0 event written back to runtime state; subject = binding id, seq = per-binding order.',
  },
  'result-contract': {
    schema: ResultContract,
    title: 'Result Contract',
    description: 'Everything a finished binding returns: machine output, human summary, evidence review, receipts, callback state, ledger and attestation references, next action.',
  },
  receipt: {
    schema: Receipt,
    title: 'Receipt',
    description: 'A content-addressed JSON document a run leaves behind (usage always; tool-specific kinds beside it).',
  },
  'exception-ticket': {
    schema: ExceptionTicket,
    title: 'Exception Ticket',
    description: 'What a person or agent must look at when work cannot finish by itself, with the suggested next action.',
  },
  'ledger-entry': {
    schema: LedgerEntry,
    title: 'Ledger Entry',
    description: 'An append-only RFC 9162 Merkle ledger leaf; leaf_hash = SHA-256(0x00 ‖ RFC 8785 JSON of leaf).',
  },
  checkpoint: {
    schema: Checkpoint,
    title: 'Signed Checkpoint',
    description: 'A signed tree head of the ledger (Ed25519), also given as C2SP tlog-checkpoint signed-note text.',
  },
  attestation: {
    schema: DsseEnvelope,
    title: 'Attestation (DSSE envelope)',
    description: 'A DSSE envelope, Ed25519 over PAE(payloadType, payload); the base64 payload is an in-toto Statement v1 (see in-toto-statement).',
  },
  'in-toto-statement': {
    schema: InTotoStatement,
    title: 'in-toto Statement (attestation payload)',
    description: 'The decoded payload of an attestation: subjects are the machine output and the result core, by SHA-256.',
  },
  bundle: {
    schema: Bundle,
    title: 'Verification Bundle',
    description: 'One result and all of its proof — receipts, attestation, ledger leaf with inclusion proof, signed checkpoint, public keys — checked offline by `bindrail verify`.',
  },
  'inclusion-proof': {
    schema: InclusionProof,
    title: 'Inclusion Proof',
    description: 'RFC 9162 audit path of a ledger leaf in the tree of tree_size leaves.',
  },
  'consistency-proof': {
    schema: ConsistencyProof,
    title: 'Consistency Proof',
    description: 'RFC 9162 proof that the tree of `to` leaves extends the tree of `from` leaves (the ledger is append-only).',
  },
  'key-set': {
    schema: KeySet,
    title: 'Signing Key Set',
    description: 'Every key that ever signed checkpoints or attestations, with its validity window (/.well-known/bindrail/keys.json).',
  },
  problem: {
    schema: Problem,
    title: 'Problem Details (RFC 9457)',
    description: 'Every error answer (application/problem+json); errors[] names each bad field by JSON pointer.',
  },
} satisfies Record<string, ContractSpec>;

export type ContractName = keyof typeof CONTRACTS;
export const CONTRACT_NAMES = Object.keys(CONTRACTS) as ContractName[];

export const isContractName = (name: string): name is ContractName => Object.hasOwn(CONTRACTS, name);

export const contractSchemaId = (name: ContractName) => `${CONTRACT_ID_BASE}${name}.schema.json`;

/** The published JSON Schema document of one contract: $schema and $id first, then the TypeBox schema. */
export function contractSchemaDocument(name: ContractName): Record<string, unknown> {
  const spec: ContractSpec = CONTRACTS[name];
  // A JSON round trip keeps exactly what the wire sees (TypeBox may carry non-JSON markers).
  const body = JSON.parse(JSON.stringify(spec.schema)) as Record<string, unknown>;
  return { $schema: JSON_SCHEMA_DIALECT, $id: contractSchemaId(name), title: spec.title, ...body, description: spec.description };
}

const ROOT = new URL('../../../', import.meta.url);
/** The committed contracts/ folder (beside src/ and dist/). */
export const CONTRACTS_DIR = fileURLToPath(new URL('contracts/', ROOT));
export const EXAMPLES_DIR = fileURLToPath(new URL('contracts/examples/', ROOT));

/** The committed example of a contract, or undefined when there is none. */
export function contractExample(name: ContractName): unknown {
  const path = `${EXAMPLES_DIR}${name}.json`;
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : undefined;
}

export const SQL_DIALECTS = ['sqlite', 'postgres'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];
const migrationsDir = (dialect: SqlDialect) => fileURLToPath(new URL(`../../store/migrations/${dialect}/`, import.meta.url));

/** The SQL scaffold of a dialect: its migration files concatenated in order; undefined when it has none. */
export function sqlScaffold(dialect: SqlDialect): string | undefined {
  const dir = migrationsDir(dialect);
  const files = existsSync(dir) ? migrationFiles(dir) : [];
  if (files.length === 0) return undefined;
  const head = `-- bindrail SQL scaffold (${dialect}): migrations ${files.map((f) => f.name).join(', ')}, applied in this order.\n`;
  return head + files.map((f) => `\n-- ===== ${f.name} =====\n${f.sql.trimEnd()}\n`).join('');
}

const ContractIndex = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Type.String(),
      description: Type.String(),
      schema: Type.String({ description: 'Path of the JSON Schema (2020-12).' }),
      schema_id: Type.String({ description: 'The schema\'s $id.' }),
      example: Type.Union([Type.String(), Type.Null()], { description: 'Path of a real example, validated against the schema in the test suite.' }),
    }),
  ),
  sql: Type.Record(Type.String(), Type.String(), { description: 'Path of the SQL scaffold per dialect.' }),
});
export type ContractIndex = Static<typeof ContractIndex>;

const tags = ['contracts'];
const publicRoute = { scope: 'public' as const };
const anyJson = Type.Object({}, { additionalProperties: true });

/** The index as served: paths relative to the server. */
export function contractIndex() {
  return {
    object: 'list' as const,
    data: CONTRACT_NAMES.map((name) => ({
      name,
      title: CONTRACTS[name].title,
      description: CONTRACTS[name].description,
      schema: `/v1/contracts/${name}.schema.json`,
      schema_id: contractSchemaId(name),
      example: contractExample(name) === undefined ? null : `/v1/contracts/examples/${name}.json`,
    })),
    sql: Object.fromEntries(SQL_DIALECTS.filter((d) => sqlScaffold(d) !== undefined).map((d) => [d, `/v1/contracts/sql/${d}.sql`])),
  };
}

function contractNamed(name: string): ContractName {
  if (!isContractName(name)) throw new RailError('not_found', `no contract ${name}; GET /v1/contracts lists them`);
  return name;
}

export const contractRoutes = (): FastifyPluginAsyncTypebox => async (app) => {
  const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$', description: 'A contract name from GET /v1/contracts.' }) });

  app.get(
    '/v1/contracts',
    { config: publicRoute, schema: { summary: 'List the published contracts', description: 'Every public object as JSON Schema 2020-12, with a real example and the SQL scaffold per store dialect.', tags, response: { 200: ContractIndex } } },
    async () => contractIndex(),
  );

  app.get(
    '/v1/contracts/:name.schema.json',
    {
      config: publicRoute,
      schema: { summary: 'A contract as JSON Schema (2020-12)', tags, params: NameParams, response: { 200: anyJson, ...pick(404) } },
    },
    async (request, reply) => reply.type('application/schema+json').send(contractSchemaDocument(contractNamed(request.params.name))),
  );

  app.get(
    '/v1/contracts/examples/:name.json',
    { config: publicRoute, schema: { summary: 'A real example of a contract', tags, params: NameParams, response: { 200: anyJson, ...pick(404) } } },
    async (request) => {
      const example = contractExample(contractNamed(request.params.name));
      if (example === undefined) throw new RailError('not_found', `no example for ${request.params.name}`);
      return example;
    },
  );

  app.get(
    '/v1/contracts/sql/:dialect.sql',
    {
      config: publicRoute,
      schema: {
        summary: 'The SQL scaffold of a store dialect',
        description: 'The migrations the store runs, concatenated in order; applies to an empty database.',
        tags,
        params: Type.Object({ dialect: Type.Union(SQL_DIALECTS.map((d) => Type.Literal(d))) }),
        response: { 200: Type.String({ description: 'SQL text' }), ...pick(404) },
      },
    },
    async (request, reply) => {
      const sql = sqlScaffold(request.params.dialect);
      if (sql === undefined) throw new RailError('not_found', `no ${request.params.dialect} migrations in this build`);
      return reply.type('application/sql; charset=utf-8').send(sql);
    },
  );
};
