/** MCP over Streamable HTTP at /mcp: the SDK's own Client, the API key as a Bearer token. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call, correctsAndOperates, discovers, packetOpsOrder, routesPacketOps, verifiesTheBundle } from '../helpers/mcp-flow.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';

function httpClient(url: string, key: string | undefined): { client: Client; transport: StreamableHTTPClientTransport } {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: key ? { authorization: `Bearer ${key}` } : {} },
  });
  return { client: new Client({ name: 'bindrail-e2e', version: '1.0.0' }), transport };
}

describe('MCP over Streamable HTTP', () => {
  let rail: TestRail;
  let mcp: ReturnType<typeof httpClient>;
  before(async () => {
    rail = await startTestRail();
    mcp = httpClient(rail.url, rail.adminKey);
    await mcp.client.connect(mcp.transport);
  });
  after(async () => {
    await mcp.client.close();
    await rail.close();
  });

  let bindingId: string;
  test('the client discovers the server, its tools and its contract resources', () => discovers(mcp.client));
  test('it routes a PacketOps work order and waits for the result', async () => {
    bindingId = await routesPacketOps(mcp.client, 'http');
  });
  test('it verifies the bundle', async () => {
    await verifiesTheBundle(mcp.client, bindingId);
  });
  test('problems come back as tool errors; cancel and replay work', () => correctsAndOperates(mcp.client, bindingId));

  test('without a key the endpoint answers 401 and the client cannot connect', async () => {
    const anonymous = httpClient(rail.url, undefined);
    await assert.rejects(anonymous.client.connect(anonymous.transport), /401|nauthorized/);
    await anonymous.client.close();
  });

  test('tools act with the caller\'s key: a read-only key cannot submit', async () => {
    const created = await rail.runtime.store.write(async (tx) => {
      const { createApiKey } = await import('../../src/rail/api-keys.js');
      return createApiKey(tx, { tenantId: 'default', name: 'reader', scopes: ['work:read'], now: Date.now() });
    });
    const reader = httpClient(rail.url, created.value);
    await reader.client.connect(reader.transport);
    try {
      const { isError, value } = await call(reader.client, 'submit_work_order', { work_order: packetOpsOrder('reader'), wait: false });
      assert.equal(isError, true);
      assert.equal(value.problem.code, 'forbidden');
      const tools = await call(reader.client, 'list_tools');
      assert.equal(tools.isError, false);
    } finally {
      await reader.client.close();
    }
  });

  test('GET and DELETE are refused: the endpoint is stateless', async () => {
    for (const method of ['GET', 'DELETE']) {
      const r = await rail.api(method, '/mcp');
      assert.equal(r.status, 405);
      assert.equal(r.body.code, 'method_not_allowed');
    }
  });
});
