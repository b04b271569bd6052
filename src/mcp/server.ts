/**
 * The bindrail MCP server, built on the SDK's low-level Server so the TypeBox schemas are served as
 * the JSON Schema they already are. It holds no rail: every tool goes through a BindrailClient.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { BindrailClient } from '../client/bindrail-client.js';
import { BindrailProblemError } from '../client/errors.js';
import { compileCheck, type Check } from '../rail/schema-check.js';
import { VERSION } from '../version.js';
import { listResources, readResource } from './resources.js';
import { MCP_TOOLS, type McpTool } from './tools.js';

export const MCP_INSTRUCTIONS = `bindrail is an execution binding rail: you submit a Work Order, it is routed to an operating tool
(packetops, financeops, tokenops, energyops, distributionops…), run on a durable queue, and answered with a Result
Contract whose receipts, ledger entry and signed attestation can be checked later.
Typical flow: list_tools (pick tool+operation or a capability; list_tools with name=… for the input schema) →
preflight_work_order (optional: routing, evidence review, field errors) → submit_work_order (waits for the result) →
read result.status, result.evidence.status and result.next_action → verify_bundle to check the proof.
If next_action is supply_evidence or repair_inputs, call replay_binding with an input_patch. Errors are RFC 9457 problems;
errors[].pointer names each bad field. get_contract gives the JSON Schema of every object.`;

const checks = new Map<string, Check>(MCP_TOOLS.map((t) => [t.name, compileCheck(t.inputSchema, '')]));

function toolResult(value: Record<string, unknown>, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value, ...(isError ? { isError: true } : {}) };
}

/** Runs a tool; problems from the rail come back as tool errors (the model can read and correct them). */
export async function callTool(client: BindrailClient, tool: McpTool, args: Record<string, unknown>): Promise<CallToolResult> {
  const errors = checks.get(tool.name)!(args);
  if (errors.length > 0) {
    return toolResult({ problem: { code: 'validation_failed', title: 'The tool arguments are not valid', status: 400, errors } }, true);
  }
  try {
    return toolResult(await tool.run(client, args as never));
  } catch (err) {
    if (err instanceof BindrailProblemError) return toolResult({ problem: err.problem }, true);
    throw err;
  }
}

/** A Server whose tools and resources act through `client` (one per caller: it carries the caller's key). */
export function createMcpServer(client: BindrailClient): Server {
  const server = new Server(
    { name: 'bindrail', title: 'bindrail execution binding rail', version: VERSION },
    { capabilities: { tools: {}, resources: {} }, instructions: MCP_INSTRUCTIONS },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: MCP_TOOLS.map((t) => ({
      name: t.name,
      title: t.annotations.title,
      description: t.description,
      inputSchema: t.inputSchema as { type: 'object'; [k: string]: unknown },
      annotations: t.annotations,
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = MCP_TOOLS.find((t) => t.name === request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}; tools/list names them`);
    return callTool(client, tool, request.params.arguments ?? {});
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await listResources(client) }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    const found = await readResource(client, uri).catch((err: unknown) => {
      if (err instanceof BindrailProblemError && err.status === 404) return undefined;
      throw err;
    });
    if (!found) throw new McpError(ErrorCode.InvalidParams, `no resource ${uri}; resources/list names them`);
    return { contents: [{ uri, ...found }] };
  });

  return server;
}
