/**
 * /mcp: the MCP server over Streamable HTTP, stateless — each POST gets a fresh server whose tools
 * call this app in-process with the caller's own API key, so every scope and tenant rule still holds.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { RailError } from '../contracts/errors.js';
import { Problem } from '../contracts/problem.js';
import { BindrailClient } from '../client/bindrail-client.js';
import { pick } from '../api/schemas.js';
import { injectFetch } from './inject-fetch.js';
import { createMcpServer } from './server.js';

/** The base URL the in-process client pretends to talk to; injected requests never leave the process. */
const IN_PROCESS_URL = 'http://bindrail.in-process';

const JsonRpcMessage = Type.Object(
  { jsonrpc: Type.Literal('2.0') },
  { additionalProperties: true, maxProperties: 16, description: 'A JSON-RPC 2.0 message of the Model Context Protocol.' },
);

export const mcpRoutes = (): FastifyPluginAsyncTypebox => async (app) => {
  const inProcess = injectFetch(app as unknown as FastifyInstance);

  app.post(
    '/mcp',
    {
      config: { scope: 'authenticated' },
      schema: {
        summary: 'Model Context Protocol endpoint (Streamable HTTP)',
        description:
          'MCP over Streamable HTTP, stateless (no session id). Tools: list_tools, get_contract, preflight_work_order, submit_work_order, get_binding, get_result, list_events, replay_binding, cancel_binding, verify_bundle, get_receipt, list_bindings; resources: the contracts. ' +
          'Each tool call acts with the caller\'s API key and its scopes. Send Accept: application/json, text/event-stream.',
        tags: ['mcp'],
        body: Type.Union([JsonRpcMessage, Type.Array(JsonRpcMessage, { minItems: 1, maxItems: 100 })]),
        response: {
          200: {
            description: 'The JSON-RPC response(s).',
            content: { 'application/json': { schema: Type.Object({ jsonrpc: Type.Literal('2.0') }, { additionalProperties: true }) } },
          },
          202: { description: 'Accepted (notifications and responses carry no answer).', type: 'null' },
          ...pick(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const apiKey = request.headers.authorization?.slice('Bearer '.length).trim();
      const server = createMcpServer(new BindrailClient({ url: IN_PROCESS_URL, apiKey, fetch: inProcess }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (err) {
        request.log.error({ err }, 'mcp request failed');
        if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null }));
      }
    },
  );

  const notHere = {
    config: { scope: 'authenticated' as const },
    schema: {
      summary: 'Not offered: this MCP endpoint is stateless (POST only)',
      tags: ['mcp'],
      response: { 405: { ...Problem, description: 'Use POST.' }, ...pick(401, 403) },
    },
  };
  const refuse = async () => {
    throw new RailError('method_not_allowed', 'this MCP endpoint is stateless: send every message with POST', undefined, { allow: 'POST' });
  };
  app.get('/mcp', notHere, refuse);
  app.delete('/mcp', notHere, refuse);
};
