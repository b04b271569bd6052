/**
 * Shapes each route's entry in the OpenAPI 3.1 document from what the route already declares: its
 * scope becomes `security`, every error answer an application/problem+json response with an example,
 * and contract-shaped bodies carry the committed real examples. Nothing here changes validation.
 */
import { ERRORS, problemType, type ErrorCode } from '../contracts/errors.js';
import { Problem } from '../contracts/problem.js';
import { ROUTES } from '../client/routes.js';
import { CONTRACT_NAMES, CONTRACTS, contractExample } from './routes/contracts.js';
import { PROBLEM_JSON } from './problems.js';

type Json = Record<string, unknown>;
interface TransformArgs {
  schema: Json | undefined;
  url: string;
  route: { method: string | string[]; config?: { scope?: string } };
}

/** Which catalogue code illustrates each status in the examples. */
const STATUS_CODES: Record<string, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'invalid_state',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unroutable',
  429: 'rate_limited',
  500: 'internal',
  503: 'unavailable',
};

/** A problem example per status; 400 links the real one (contracts/examples/problem.json) instead. */
function problemExample(status: string, instance: string): Json | undefined {
  if (status === '400' && contractExample('problem') !== undefined) return undefined;
  const code = STATUS_CODES[status] ?? 'internal';
  return { type: problemType(code), title: ERRORS[code].title, status: ERRORS[code].status, code, detail: ERRORS[code].title, instance };
}

const componentName = (name: string) => name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** JSON text of each contract schema → its component name, to recognise contract-shaped schemas. */
let contractsByJson: Map<string, string> | undefined;
function componentOf(schema: unknown): string | undefined {
  contractsByJson ??= new Map(CONTRACT_NAMES.map((n) => [JSON.stringify(CONTRACTS[n].schema), componentName(n)]));
  return schema && typeof schema === 'object' ? contractsByJson.get(JSON.stringify(schema)) : undefined;
}

/** Every nested copy of a contract schema becomes a $ref to its one named component. */
function shareContracts(node: unknown, isRoot = false): unknown {
  if (Array.isArray(node)) return node.map((x) => shareContracts(x));
  if (!node || typeof node !== 'object') return node;
  const name = isRoot ? undefined : componentOf(node);
  if (name) return schemaRef(name);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'examples' || k === 'example' ? v : shareContracts(v)]));
}

const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const operationIds = new Map(Object.entries(ROUTES).map(([op, route]) => [route, op]));

/** @fastify/swagger `transform`: one route's schema as the document should show it. */
export function openapiTransform({ schema, url, route }: TransformArgs): { schema: Json | undefined; url: string } {
  if (!schema || schema.hide) return { schema, url };
  const scope = route.config?.scope;
  const isPublic = scope === 'public';
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const path = openapiPath(url);
  const responses: Json = { ...(schema.response as Json | undefined) };

  const defaults: string[] = ['500'];
  if (!isPublic) defaults.push('401', '403');
  if (schema.body || schema.querystring || schema.params || schema.headers) defaults.push('400');
  for (const status of defaults) responses[status] ??= { ...Problem, description: ERRORS[STATUS_CODES[status]!].title };

  for (const [status, value] of Object.entries(responses)) {
    const raw = value as Json;
    if (raw.content || raw.type === 'null') continue;
    if (Number(status) >= 400) {
      const { description, ...problem } = raw;
      const example = problemExample(status, path);
      responses[status] = {
        description: description ?? ERRORS[STATUS_CODES[status] ?? 'internal'].title,
        content: { [PROBLEM_JSON]: { schema: (shareContracts({ problem }) as Json).problem, ...(example ? { example } : {}) } },
      };
    } else {
      responses[status] = shareContracts(raw);
    }
  }

  const operationId = operationIds.get(`${method} ${path}` as never);
  const scopeNote = isPublic
    ? 'Public: no API key needed.'
    : scope === 'authenticated'
      ? 'Needs any valid API key.'
      : `Needs an API key with the \`${scope ?? 'admin'}\` scope (or admin).`;
  return {
    url,
    schema: {
      ...schema,
      ...(operationId ? { operationId } : {}),
      ...(schema.body ? { body: shareContracts(schema.body) } : {}),
      description: schema.description ? `${String(schema.description)}\n\n${scopeNote}` : scopeNote,
      security: isPublic ? [] : [{ apiKey: [] }],
      ...(isPublic ? {} : { 'x-bindrail-scope': scope ?? 'admin' }),
      response: responses,
    },
  };
}

const TAGS = [
  { name: 'work orders', description: 'Intake: submit, preflight, and the accepted Work Order.' },
  { name: 'bindings', description: 'The Execution Binding and everything hanging off it: command, result, events, receipts, ledger, attestation, operator actions.' },
  { name: 'receipts', description: 'Content-addressed receipt documents.' },
  { name: 'events', description: 'Result events (CloudEvents 1.0) as JSON pages or Server-Sent Events.' },
  { name: 'exceptions', description: 'Exception tickets: work that cannot finish by itself, with the next action.' },
  { name: 'callbacks', description: 'Webhook delivery (Standard Webhooks) and the signing secret.' },
  { name: 'ledger', description: 'The public Merkle ledger: entries, signed checkpoints, inclusion and consistency proofs.' },
  { name: 'tools', description: 'The operating tools and their manifests; remote tools register here.' },
  { name: 'tool tasks', description: 'The remote-tool worker protocol: claim, heartbeat, complete, fail (task tokens).' },
  { name: 'queue', description: 'The queue monitor, stuck alerts and the operator switches.' },
  { name: 'tenants', description: 'Tenants (admin): each one\'s work, keys and secrets are kept apart from every other\'s.' },
  { name: 'api keys', description: 'API keys (admin): bound to a tenant and scopes; a key\'s value is shown once, at creation.' },
  { name: 'contracts', description: 'Published JSON Schemas (2020-12), real examples and the SQL scaffold.' },
  { name: 'discovery', description: 'For agents: the discovery manifest, llms.txt and this document.' },
  { name: 'mcp', description: 'The Model Context Protocol endpoint.' },
  { name: 'meta', description: 'Health, metrics and the calling key.' },
];

/** Points every media type whose schema is a contract at that contract's real example. */
function linkExamples(node: unknown, names: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((x) => linkExamples(x, names));
  if (!node || typeof node !== 'object') return node;
  const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'example' || k === 'examples' ? v : linkExamples(v, names)]));
  const ref = ((out.schema as Json | undefined)?.$ref as string | undefined)?.replace('#/components/schemas/', '');
  if (ref && names.has(ref) && out.example === undefined && out.examples === undefined) {
    out.examples = { [ref]: { $ref: `#/components/examples/${ref}` } };
  }
  return out;
}

function withContractComponents(doc: Json): Json {
  const components = (doc.components ?? {}) as Json;
  const schemas = Object.fromEntries(
    CONTRACT_NAMES.map((n) => [componentName(n), shareContracts({ title: CONTRACTS[n].title, ...(JSON.parse(JSON.stringify(CONTRACTS[n].schema)) as Json) }, true)]),
  );
  const examples = Object.fromEntries(
    CONTRACT_NAMES.flatMap((n) => {
      const value = contractExample(n);
      return value === undefined ? [] : [[componentName(n), { summary: `A real ${CONTRACTS[n].title}`, value }]];
    }),
  );
  return {
    ...doc,
    paths: linkExamples(doc.paths, new Set(Object.keys(examples))),
    components: { ...components, schemas: { ...(components.schemas as Json | undefined), ...schemas }, examples },
  };
}

/** @fastify/swagger `transformObject`: document-level additions (tag descriptions, shared contract components). */
export function openapiFinish({ openapiObject }: { openapiObject: Json }): Json {
  const used = new Set(
    Object.values(openapiObject.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap((ops) => Object.values(ops).flatMap((o) => o.tags ?? [])),
  );
  const known = TAGS.filter((t) => used.has(t.name));
  const extra = [...used].filter((t) => !TAGS.some((k) => k.name === t)).sort().map((name) => ({ name }));
  return { ...withContractComponents(openapiObject), tags: [...known, ...extra] };
}
