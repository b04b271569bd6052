/**
 * A fetch that answers from a Fastify app in this process (app.inject): the MCP tools of /mcp and of
 * `bindrail mcp --embedded` call the very same HTTP API — auth, validation, problems — without a socket.
 */
import type { FastifyInstance } from 'fastify';
import type { FetchLike } from '../client/bindrail-client.js';

const NO_BODY = new Set([101, 204, 205, 304]);

export function injectFetch(app: FastifyInstance): FetchLike {
  return async (input, init) => {
    const url = new URL(input);
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    }
    return new Response(NO_BODY.has(res.statusCode) ? null : res.rawPayload, { status: res.statusCode, headers });
  };
}
