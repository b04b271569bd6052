/**
 * `bindrail mcp`: the MCP server on stdio. It talks to a running rail (--url, --api-key), or with
 * --embedded runs a rail inside this process (no port; the tools call its API in-process).
 * stdout carries the protocol, so everything else — logs included — goes to stderr.
 */
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import pino from 'pino';
import { readAdminKey } from '../boot/first-start.js';
import { makeLogger } from '../boot/logger.js';
import { startRail, type Runtime } from '../boot/start.js';
import { BindrailClient } from '../client/bindrail-client.js';
import { loadConfig } from '../config/load-config.js';
import { injectFetch } from '../mcp/inject-fetch.js';
import { createMcpServer } from '../mcp/server.js';
import { REMOTE_OPTIONS, resolveRemote } from './remote.js';

export const MCP_HELP = `bindrail mcp [--url URL] [--api-key KEY]
bindrail mcp --embedded [--data-dir DIR] [--store SPEC] [--api-key KEY]

Serves the Model Context Protocol on stdin/stdout for an MCP client (Claude Desktop, an agent SDK…).
Without --embedded it talks to the rail at --url / BINDRAIL_URL (default http://127.0.0.1:8080) with
--api-key / BINDRAIL_API_KEY (default: the admin key in --data-dir). With --embedded it runs a rail in
this process on the data dir's store. Logs go to stderr.
`;

export async function mcp(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...REMOTE_OPTIONS, embedded: { type: 'boolean' }, store: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(MCP_HELP);
    return 0;
  }
  let runtime: Runtime | undefined;
  let client: BindrailClient;
  if (values.embedded) {
    const config = loadConfig({ 'data-dir': values['data-dir'], store: values.store, 'log-level': values['log-level'] });
    runtime = await startRail(config, { listen: false, logger: makeLogger(config.logLevel, pino.destination(2)) });
    const apiKey = values['api-key'] ?? process.env.BINDRAIL_API_KEY ?? readAdminKey(config.dataDir);
    client = new BindrailClient({ url: 'http://bindrail.in-process', apiKey, fetch: injectFetch(runtime.app!) });
  } else {
    const remote = resolveRemote(values);
    client = new BindrailClient({ url: remote.url, apiKey: remote.apiKey });
  }

  const server = createMcpServer(client);
  const transport = new StdioServerTransport();
  // The client ends the session by closing our stdin (or with a signal): finish and exit.
  const done = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  await done;
  await server.close();
  await runtime?.close();
  return 0;
}
