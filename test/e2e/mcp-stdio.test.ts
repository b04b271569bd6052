/**
 * MCP over stdio, as an agent host runs it: the SDK's own Client spawns `bindrail mcp` as a child
 * process — once against a running rail (--url, --api-key), once with an embedded rail.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { correctsAndOperates, discovers, routesPacketOps, verifiesTheBundle } from '../helpers/mcp-flow.js';
import { startTestRail, TEST_ADMIN_KEY, type TestRail } from '../helpers/rail.js';
import { ROOT } from '../helpers/serve-process.js';

function stdioClient(args: string[]): { client: Client; transport: StdioClientTransport; stderr: () => string } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', ...args],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BINDRAIL_LOG_LEVEL: 'warn' },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { client: new Client({ name: 'bindrail-e2e', version: '1.0.0' }), transport, stderr: () => err };
}

describe('bindrail mcp --url (against a running rail)', () => {
  let rail: TestRail;
  let mcp: ReturnType<typeof stdioClient>;
  before(async () => {
    rail = await startTestRail();
    mcp = stdioClient(['--url', rail.url, '--api-key', TEST_ADMIN_KEY]);
    await mcp.client.connect(mcp.transport);
  });
  after(async () => {
    await mcp.client.close();
    await rail.close();
  });

  let bindingId: string;
  test('the client discovers the server, its tools and its contract resources', () => discovers(mcp.client));
  test('it routes a PacketOps work order and waits for the result', async () => {
    bindingId = await routesPacketOps(mcp.client, 'stdio');
  });
  test('it verifies the bundle', async () => {
    await verifiesTheBundle(mcp.client, bindingId);
  });
  test('problems come back as tool errors; cancel and replay work', () => correctsAndOperates(mcp.client, bindingId));
  test('the child process exits when the client closes', async () => {
    const pid = mcp.transport.pid;
    assert.ok(pid);
    await mcp.client.close();
    assert.throws(() => process.kill(pid, 0), 'the mcp process is gone');
    assert.doesNotMatch(mcp.stderr(), /Error/);
  });
});

describe('bindrail mcp --embedded (a rail inside the MCP process)', () => {
  let dataDir: string;
  let mcp: ReturnType<typeof stdioClient>;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bindrail-mcp-embedded-'));
    mcp = stdioClient(['--embedded', '--data-dir', dataDir]);
    await mcp.client.connect(mcp.transport);
  });
  after(async () => {
    await mcp.client.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('discovers, routes a PacketOps work order and verifies it', async () => {
    await discovers(mcp.client);
    const bindingId = await routesPacketOps(mcp.client, 'embedded');
    await verifiesTheBundle(mcp.client, bindingId);
  });
});
