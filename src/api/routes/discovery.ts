/**
 * Discovery for agents that have never seen bindrail: /.well-known/bindrail.json (what is here and
 * where), /llms.txt (how to use it, in words) and /docs (the rendered OpenAPI reference). All public.
 */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { MCP_TOOL_NAMES } from '../../mcp/tools.js';
import type { Rail } from '../../rail/rail.js';
import { toolManifest } from '../../tools/manifest.js';
import { CONTRACT_NAMES, contractExample, SQL_DIALECTS, sqlScaffold } from './contracts.js';

export const KEYS_PATH = '/.well-known/bindrail/keys.json';

const Url = Type.String({ description: 'Absolute URL on this rail.' });
const UrlMap = Type.Record(Type.String(), Url);

export const DiscoveryManifest = Type.Object(
  {
    object: Type.Literal('bindrail_discovery'),
    name: Type.Literal('bindrail'),
    version: Type.String(),
    description: Type.String(),
    base_url: Url,
    openapi: Url,
    docs: Url,
    llms_txt: Url,
    contracts: Type.Object({ index: Url, schemas: UrlMap, examples: UrlMap, sql: UrlMap }),
    tools: Type.Array(
      Type.Object({
        name: Type.String(),
        version: Type.String(),
        description: Type.String(),
        runtime: Type.String(),
        operations: Type.Array(Type.Object({ name: Type.String(), capability: Type.String(), description: Type.String() })),
        manifest: Url,
      }),
    ),
    auth: Type.Object({
      type: Type.Literal('http'),
      scheme: Type.Literal('bearer'),
      header: Type.Literal('Authorization'),
      key_format: Type.String(),
      scopes: Type.Record(Type.String(), Type.String()),
      public_paths: Type.Array(Type.String()),
      obtaining_a_key: Type.String(),
    }),
    mcp: Type.Object({
      endpoint: Url,
      transport: Type.Literal('streamable-http'),
      sessions: Type.Literal('stateless'),
      required_scope: Type.String(),
      tools: Type.Array(Type.String()),
      stdio: Type.Object({ command: Type.String(), args: Type.Array(Type.String()), env: Type.Record(Type.String(), Type.String()) }),
    }),
    keys: Type.Union([Url, Type.Null()], { description: 'The published signing keys (null while this build has none).' }),
    links: UrlMap,
  },
  { description: 'Where everything is, for agents and programs.' },
);
export type DiscoveryManifest = Static<typeof DiscoveryManifest>;

const SCOPE_HELP: Record<string, string> = {
  'work:submit': 'submit and preflight Work Orders',
  'work:read': 'read bindings, results, events, receipts, ledger entries, attestations, tools',
  'work:operate': 'cancel, retry, replay, redeliver callbacks',
  'tool:execute': 'claim and run tool tasks as a remote tool worker',
  admin: 'everything, including tenants and API keys',
};

const PUBLIC_PATHS = ['/healthz', '/openapi.json', '/docs', '/.well-known/bindrail.json', '/llms.txt', '/v1/contracts', KEYS_PATH];

const DESCRIPTION =
  'Execution binding rail: a Work Order is routed to an operating tool, run on a durable queue (leases, heartbeats, retries, replay) and answered with a Result Contract whose receipts, Merkle ledger entry and signed attestation can be checked later.';

/** scheme://host[:port] of the request, as the caller reached us. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function tools(rail: Rail) {
  return rail.ctx.registry.list().map((t) => toolManifest(t));
}

export function discoveryManifest(rail: Rail, app: FastifyInstance, origin: string, version: string): DiscoveryManifest {
  const hasKeys = app.hasRoute({ method: 'GET', url: KEYS_PATH });
  return {
    object: 'bindrail_discovery',
    name: 'bindrail',
    version,
    description: DESCRIPTION,
    base_url: origin,
    openapi: `${origin}/openapi.json`,
    docs: `${origin}/docs`,
    llms_txt: `${origin}/llms.txt`,
    contracts: {
      index: `${origin}/v1/contracts`,
      schemas: Object.fromEntries(CONTRACT_NAMES.map((n) => [n, `${origin}/v1/contracts/${n}.schema.json`])),
      examples: Object.fromEntries(CONTRACT_NAMES.filter((n) => contractExample(n) !== undefined).map((n) => [n, `${origin}/v1/contracts/examples/${n}.json`])),
      sql: Object.fromEntries(SQL_DIALECTS.filter((d) => sqlScaffold(d) !== undefined).map((d) => [d, `${origin}/v1/contracts/sql/${d}.sql`])),
    },
    tools: tools(rail).map((m) => ({
      name: m.name,
      version: m.version,
      description: m.description,
      runtime: m.runtime,
      operations: Object.entries(m.operations).map(([name, op]) => ({ name, capability: op.capability, description: op.description })),
      manifest: `${origin}/v1/tools/${m.name}`,
    })),
    auth: {
      type: 'http',
      scheme: 'bearer',
      header: 'Authorization',
      key_format: 'Bearer br_<43 URL-safe characters>',
      scopes: SCOPE_HELP,
      public_paths: PUBLIC_PATHS,
      obtaining_a_key: 'An operator gives you one: the first `bindrail serve` prints an admin key; admins create scoped keys with POST /v1/api-keys.',
    },
    mcp: {
      endpoint: `${origin}/mcp`,
      transport: 'streamable-http',
      sessions: 'stateless',
      required_scope: 'authenticated',
      tools: MCP_TOOL_NAMES,
      stdio: { command: 'bindrail', args: ['mcp', '--url', origin], env: { BINDRAIL_API_KEY: '<your br_… key>' } },
    },
    keys: hasKeys ? `${origin}${KEYS_PATH}` : null,
    links: {
      submit: `${origin}/v1/work-orders`,
      submit_batch: `${origin}/v1/work-orders/batch`,
      preflight: `${origin}/v1/work-orders/preflight`,
      bindings: `${origin}/v1/bindings`,
      tools: `${origin}/v1/tools`,
      health: `${origin}/healthz`,
    },
  };
}

/** The plain-text guide (llmstxt.org shape): what the rail does and how an agent routes work through it. */
export function llmsTxt(rail: Rail, origin: string, version: string): string {
  const toolLines = tools(rail).map(
    (m) => `- ${m.name} ${m.version}: ${Object.entries(m.operations).map(([op, o]) => `\`${op}\` (${o.capability})`).join(', ')} — ${m.description}`,
  );
  return `# bindrail

> ${DESCRIPTION}

Version ${version}. Base URL ${origin}. Every request but the public discovery routes needs \`Authorization: Bearer br_…\` (an API key with scopes work:submit, work:read, work:operate). Errors are RFC 9457 problem JSON; \`errors[].pointer\` names each bad field, so you can fix exactly that field and retry.

## How to route work through the rail

1. Pick the tool: GET /v1/tools lists the operating tools, their operations, the capability each serves and its evidence checklist; GET /v1/tools/{name} adds each operation's input JSON Schema.
2. Check first (optional): POST /v1/work-orders/preflight with the Work Order. Nothing is stored; it answers the route, the evidence review (sufficient | partial | insufficient, missing items) and any field errors.
3. Submit: POST /v1/work-orders with an \`Idempotency-Key\` header. Body: \`tool\` + \`operation\` (or a \`capability\` such as finance.reconcile), \`inputs\`, \`evidence\` ([{item, ref}]), \`requester\` ({"kind": "agent", "id": "<you>"}). The 202 answer is the Execution Binding: \`binding_id\`, \`state\`, \`links\`. Resubmitting with the same key and body returns the same binding. Many at once: POST /v1/work-orders/batch with {"work_orders": [up to 1,000 Work Orders]} (per-order \`idempotency_key\` in the body); each order is answered on its own, in order — its binding, or the problem it would have got alone.
4. Wait: GET /v1/bindings/{binding_id}/result answers 202 \`result_pending\` (poll again after \`retry_after_ms\`) until it answers 200 with the Result Contract.
5. Read the result: \`status\` (succeeded | failed | cancelled), \`evidence.status\` and \`evidence.missing\`, \`machine_output\`, \`human_summary\`, \`next_action\` and \`next_action_detail\`. Partial evidence is a result, not a failure: do what next_action says.
6. Act: for supply_evidence or repair_inputs, POST /v1/bindings/{binding_id}/replay with {"input_patch": {…}} (JSON Merge Patch on the inputs); POST …/cancel stops queued or running work. GET …/events lists what happened, in order.
7. Verify instead of trusting: GET /v1/bindings/{binding_id}/bundle is the result with all of its proof — receipts (digest = SHA-256 of RFC 8785 JSON without the digest), the ledger leaf with an RFC 9162 inclusion proof, the signed checkpoint, the DSSE attestation (in-toto Statement, Ed25519). Check it offline with \`bindrail verify bundle.json\`, against the keys at /.well-known/bindrail/keys.json.

Money and quantities are decimal strings ("1250.00"), never JSON numbers.

## MCP

- Streamable HTTP: ${origin}/mcp (stateless; any valid API key as a Bearer token — each tool call needs that key's scopes).
- stdio: \`bindrail mcp --url ${origin} --api-key br_…\`
- Tools: ${MCP_TOOL_NAMES.join(', ')}. Resources: the contracts.

## Operating tools

${toolLines.join('\n')}

## Reference

- [Discovery manifest](${origin}/.well-known/bindrail.json): version, contract URLs, tools, auth, MCP
- [Contracts](${origin}/v1/contracts): JSON Schema 2020-12 of ${CONTRACT_NAMES.join(', ')}, each with a real example
- [OpenAPI 3.1](${origin}/openapi.json) and the [rendered reference](${origin}/docs)
`;
}

export const discoveryRoutes = (rail: Rail, version: string): FastifyPluginAsyncTypebox => async (app) => {
  const base = app as unknown as FastifyInstance;
  app.get(
    '/.well-known/bindrail.json',
    {
      config: { scope: 'public' },
      schema: { summary: 'Discovery manifest for agents', description: 'Version, contract URLs, operating tools, auth, the MCP endpoint and the signing-key URL.', tags: ['discovery'], response: { 200: DiscoveryManifest } },
    },
    async (request) => discoveryManifest(rail, base, originOf(request), version),
  );

  app.get(
    '/llms.txt',
    {
      config: { scope: 'public' },
      schema: { summary: 'How an LLM agent should use this rail', tags: ['discovery'], produces: ['text/plain'], response: { 200: Type.String({ description: 'Plain text (llmstxt.org).' }) } },
    },
    async (request, reply) => reply.type('text/plain; charset=utf-8').send(llmsTxt(rail, originOf(request), version)),
  );

  // The rendered reference; its own assets, no CDN. Its routes are made public here, where they are registered.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), scope: 'public' };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null, deepLinking: true } });
  });
};
