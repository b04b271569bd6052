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

function problemExample(status: string, instance: string): Json {
  const real = contractExample('problem') as Json | undefined;
  if (status === '400' && real?.code === 'validation_failed') return real;
  const code = STATUS_CODES[status] ?? 'internal';
  return { type: problemType(code), title: ERRORS[code].title, status: ERRORS[code].status, code, detail: ERRORS[code].title, instance };
}

/** JSON text of each contract schema → its name, to recognise contract-shaped bodies. */
let contractsByJson: Map<string, (typeof CONTRACT_NAMES)[number]> | undefined;
function contractNamed(schema: unknown): (typeof CONTRACT_NAMES)[number] | undefined {
  contractsByJson ??= new Map(CONTRACT_NAMES.map((n) => [JSON.stringify(CONTRACTS[n].schema), n]));
  return schema && typeof schema === 'object' ? contractsByJson.get(JSON.stringify(schema)) : undefined;
}

/** The schema with a real example attached, when it is a contract or a list of one. */
function withExample(schema: Json): Json {
  const name = contractNamed(schema);
  if (name) {
    const example = contractExample(name);
    return example === undefined ? schema : { ...schema, examples: [example] };
  }
  const props = schema.properties as Json | undefined;
  const item = (props?.data as Json | undefined)?.items;
  const itemName = (props?.object as Json | undefined)?.const === 'list' ? contractNamed(item) : undefined;
  const example = itemName && contractExample(itemName);
  return example ? { ...schema, examples: [{ object: 'list', data: [example], next_cursor: null }] } : schema;
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
      responses[status] = {
        description: description ?? ERRORS[STATUS_CODES[status] ?? 'internal'].title,
        content: { [PROBLEM_JSON]: { schema: problem, example: problemExample(status, path.replace(/\{[a-z_]+\}/g, 'x')) } },
      };
    } else {
      responses[status] = withExample(raw);
    }
  }

  const operationId = operationIds.get(`${method} ${path}` as never);
  const scopeNote = isPublic ? 'Public: no API key needed.' : `Needs an API key with the \`${scope ?? 'admin'}\` scope (or admin).`;
  return {
    url,
    schema: {
      ...schema,
      ...(operationId ? { operationId } : {}),
      ...(schema.body ? { body: withExample(schema.body as Json) } : {}),
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
  { name: 'tools', description: 'The operating tools and their manifests.' },
  { name: 'contracts', description: 'Published JSON Schemas (2020-12), real examples and the SQL scaffold.' },
  { name: 'discovery', description: 'For agents: the discovery manifest, llms.txt and this document.' },
  { name: 'mcp', description: 'The Model Context Protocol endpoint.' },
  { name: 'meta', description: 'Health.' },
];

/** @fastify/swagger `transformObject`: document-level additions (tag descriptions, the problem schema). */
export function openapiFinish({ openapiObject }: { openapiObject: Json }): Json {
  const used = new Set(
    Object.values(openapiObject.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap((ops) => Object.values(ops).flatMap((o) => o.tags ?? [])),
  );
  const known = TAGS.filter((t) => used.has(t.name));
  const extra = [...used].filter((t) => !TAGS.some((k) => k.name === t)).sort().map((name) => ({ name }));
  return { ...openapiObject, tags: [...known, ...extra] };
}
