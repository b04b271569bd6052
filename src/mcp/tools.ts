/**
 * The MCP tools: each one a call (or a short sequence of calls) to the rail's HTTP API through the
 * typed client, so the same code serves stdio against any rail and /mcp in-process. Input schemas
 * are TypeBox, served to MCP clients as the plain JSON Schema they are.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { CONTRACT_NAMES } from '../api/routes/contracts.js';
import { WorkOrderRequest } from '../contracts/work-order.js';
import type { BindrailClient } from '../client/bindrail-client.js';
import { BindrailTimeoutError } from '../client/errors.js';
import { verifyBinding } from './verify.js';

export interface McpToolAnnotations {
  title: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface McpTool<S extends TSchema = TSchema> {
  name: string;
  description: string;
  inputSchema: S;
  annotations: McpToolAnnotations;
  run(client: BindrailClient, args: Static<S>): Promise<Record<string, unknown>>;
}

const BindingIdArg = Type.String({ pattern: '^bnd_[0-9a-f]{32}$', description: 'An Execution Binding id (bnd_…), as returned by submit_work_order.' });
const WaitArg = Type.Boolean({ description: 'Wait until the binding is final and return its Result Contract. Default true.' });
const TimeoutArg = Type.Integer({ minimum: 100, maximum: 300_000, description: 'How long to wait, in ms (default 30000). On timeout the binding keeps running: call get_result later.' });

const DEFAULT_WAIT_MS = 30_000;

/** Waits for a result, but answers "still running" instead of failing when the wait runs out. */
async function resultWithin(client: BindrailClient, bindingId: string, timeoutMs = DEFAULT_WAIT_MS) {
  try {
    return { result: await client.waitForResult(bindingId, { timeoutMs }), still_running: false };
  } catch (err) {
    if (!(err instanceof BindrailTimeoutError)) throw err;
    return { result: null, still_running: true, hint: `not final after ${timeoutMs} ms (state ${err.lastState}); call get_result with wait=true later` };
  }
}

function define<S extends TSchema>(tool: McpTool<S>): McpTool {
  return tool as unknown as McpTool;
}

export const MCP_TOOLS: McpTool[] = [
  define({
    name: 'list_tools',
    annotations: { title: 'List operating tools', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'List the operating tools this bindrail rail can run (e.g. packetops, financeops, tokenops, energyops, distributionops) — the tools a Work Order is routed to, not MCP tools. ' +
      'Each entry gives the operations, the capability each serves (e.g. finance.reconcile) and its evidence checklist. ' +
      'Pass `name` to get one tool\'s full manifest with every operation\'s input JSON Schema: read it before writing a Work Order\'s `inputs`.',
    inputSchema: Type.Object(
      { name: Type.Optional(Type.String({ maxLength: 64, description: 'A tool name; omit to list all tools briefly.' })) },
      { additionalProperties: false },
    ),
    async run(client, args) {
      if (args.name) return { tool: await client.getTool(args.name) };
      const { data } = await client.listTools();
      return {
        tools: data.map((t) => ({
          name: t.name,
          version: t.version,
          description: t.description,
          operations: Object.entries(t.operations).map(([name, op]) => ({
            name,
            capability: op.capability,
            description: op.description,
            evidence_checklist: op.evidence_checklist.map((e) => `${e.item}${e.required ? '' : ' (optional)'}`),
          })),
        })),
        hint: 'Call list_tools with name=<tool> for the input schema of its operations.',
      };
    },
  }),

  define({
    name: 'get_contract',
    annotations: { title: 'Get a contract schema', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'Get the published JSON Schema (2020-12) of a bindrail object, optionally with a real example: work-order (what you submit), execution-binding, tool-command, ' +
      'result-event, result-contract (what a finished binding returns), receipt, exception-ticket, ledger-entry, checkpoint, attestation (DSSE envelope), ' +
      'in-toto-statement (the attestation payload), bundle (a result with all its proof), inclusion-proof, consistency-proof, key-set, problem (every error). ' +
      'Use it to know an exact shape before writing or parsing one.',
    inputSchema: Type.Object(
      {
        name: Type.Union(CONTRACT_NAMES.map((n) => Type.Literal(n)), { description: 'The contract name.' }),
        include_example: Type.Optional(Type.Boolean({ description: 'Also return a real example object. Default false.' })),
      },
      { additionalProperties: false },
    ),
    async run(client, args) {
      const schema = await client.getContract(args.name);
      return args.include_example ? { schema, example: await client.getContractExample(args.name) } : { schema };
    },
  }),

  define({
    name: 'preflight_work_order',
    annotations: { title: 'Preflight a Work Order', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'Check a Work Order without submitting it; nothing is stored. Answers would_accept, the route (tool, operation, and why — a capability is resolved here), ' +
      'the evidence review (sufficient | partial | insufficient, with the missing checklist items) and, when refused, the reason with each bad field as a JSON pointer. ' +
      'Use it before submit_work_order when you are unsure of the inputs or the evidence.',
    inputSchema: Type.Object({ work_order: WorkOrderRequest }, { additionalProperties: false }),
    async run(client, args) {
      return { preflight: await client.preflightWorkOrder(args.work_order) };
    },
  }),

  define({
    name: 'submit_work_order',
    annotations: { title: 'Submit a Work Order', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    description:
      'Submit a Work Order to the rail: it is validated, routed to an operating tool (give tool+operation, or a capability) and bound to an Execution Binding that runs on a durable queue. ' +
      'By default waits for the result and returns the binding and its Result Contract (status, machine_output, human_summary, evidence review, receipts, ledger and attestation references, next_action). ' +
      'Set an idempotency_key so a retried submit returns the same binding instead of running twice. Errors come back as RFC 9457 problems naming each bad field.',
    inputSchema: Type.Object(
      {
        work_order: WorkOrderRequest,
        idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Same key + same body → the same binding; same key + another body → a 409 problem.' })),
        wait: Type.Optional(WaitArg),
        timeout_ms: Type.Optional(TimeoutArg),
      },
      { additionalProperties: false },
    ),
    async run(client, args) {
      const { binding, created } = await client.submitWorkOrder(args.work_order, { idempotencyKey: args.idempotency_key });
      if (args.wait === false) return { binding, created };
      return { binding, created, ...(await resultWithin(client, binding.binding_id, args.timeout_ms)) };
    },
  }),

  define({
    name: 'get_binding',
    annotations: { title: 'Get an Execution Binding', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'Get an Execution Binding: its state (queued | leased | retry_wait | succeeded | failed | cancelled), attempt and max_attempts, routing, tool, lease and heartbeat times, ' +
      'last_error, replay_of, and links to its command, result, events, receipts, ledger and attestation. Use it to see where running work stands.',
    inputSchema: Type.Object({ binding_id: BindingIdArg }, { additionalProperties: false }),
    async run(client, args) {
      return { binding: await client.getBinding(args.binding_id) };
    },
  }),

  define({
    name: 'get_result',
    annotations: { title: 'Get a Result Contract', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'Get the Result Contract of a binding: status (succeeded | failed | cancelled), machine_output, human_summary, evidence (status, missing, exceptions), receipts, ' +
      'exception ticket, next_action and next_action_detail, ledger and attestation references. While the binding still runs, answers result_pending — or, with wait=true, waits for it.',
    inputSchema: Type.Object(
      { binding_id: BindingIdArg, wait: Type.Optional(Type.Boolean({ description: 'Wait until final. Default false.' })), timeout_ms: Type.Optional(TimeoutArg) },
      { additionalProperties: false },
    ),
    async run(client, args) {
      if (args.wait) return resultWithin(client, args.binding_id, args.timeout_ms);
      const r = await client.getResult(args.binding_id);
      return r.object === 'result_contract' ? { result: r, still_running: false } : { result: null, still_running: true, pending: r };
    },
  }),

  define({
    name: 'list_events',
    annotations: { title: 'List result events', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'List the Result Events of a binding in order (CloudEvents 1.0: binding.created, queue.leased, tool.progress, attempt.failed, receipt.issued, ledger.appended, ' +
      'attestation.issued, result.ready, binding.cancelled…). Use it to see what happened and when; pass `after` (an event seq) to continue from the last one you saw.',
    inputSchema: Type.Object(
      {
        binding_id: BindingIdArg,
        after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only events with seq greater than this.' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Default 100.' })),
      },
      { additionalProperties: false },
    ),
    async run(client, args) {
      const page = await client.listEvents(args.binding_id, { after: args.after, limit: args.limit });
      return { events: page.data, next_after: page.next_cursor === null ? null : Number(page.next_cursor) };
    },
  }),

  define({
    name: 'replay_binding',
    annotations: { title: 'Replay a binding', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    description:
      'Run a finished binding again as a new binding (replay_of points back), with the same inputs — or repaired ones: `input_patch` is merged into the original inputs (RFC 7386 JSON Merge Patch). ' +
      'Use it when a result\'s next_action is replay, repair_inputs or supply_evidence. The new result says whether the output matched the original (replay.deterministic). Waits for the result by default.',
    inputSchema: Type.Object(
      {
        binding_id: BindingIdArg,
        input_patch: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Merge Patch applied to the original inputs.' })),
        wait: Type.Optional(WaitArg),
        timeout_ms: Type.Optional(TimeoutArg),
      },
      { additionalProperties: false },
    ),
    async run(client, args) {
      const binding = await client.replayBinding(args.binding_id, args.input_patch ? { input_patch: args.input_patch } : {});
      if (args.wait === false) return { binding };
      return { binding, ...(await resultWithin(client, binding.binding_id, args.timeout_ms)) };
    },
  }),

  define({
    name: 'cancel_binding',
    annotations: { title: 'Cancel a binding', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'Cancel a binding: queued or retry-waiting work is cancelled at once; running work is asked to stop and ends cancelled. A finished binding cannot be cancelled (409 problem). ' +
      'Returns the binding in its new state.',
    inputSchema: Type.Object({ binding_id: BindingIdArg }, { additionalProperties: false }),
    async run(client, args) {
      return { binding: await client.cancelBinding(args.binding_id) };
    },
  }),

  define({
    name: 'verify_bundle',
    annotations: { title: 'Verify a result\'s proof bundle', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'Check a finished binding\'s proof without trusting the rail\'s word: fetches its verification bundle and re-checks, locally, every receipt digest, the output digest, ' +
      'the ledger leaf and its hash, the RFC 9162 inclusion proof against the signed checkpoint, the checkpoint\'s and the attestation\'s Ed25519 signatures (against the keys the rail publishes) ' +
      'and the in-toto subjects and predicate. Returns verified (true only if every check passed), the first failed check, and each check with its detail. Set include_bundle to keep the bundle itself.',
    inputSchema: Type.Object(
      { binding_id: BindingIdArg, include_bundle: Type.Optional(Type.Boolean({ description: 'Also return the bundle JSON (large). Default false.' })) },
      { additionalProperties: false },
    ),
    async run(client, args) {
      return { ...(await verifyBinding(client, args.binding_id, { includeBundle: args.include_bundle })) };
    },
  }),

  define({
    name: 'get_receipt',
    annotations: { title: 'Get a receipt', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description:
      'Get a receipt document by id (rcp_…, listed in a Result Contract\'s receipts): usage, or a tool-specific one such as packet_manifest, reconciliation_statement, payout_schedule. ' +
      'Its digest is the SHA-256 of its RFC 8785 canonical JSON without the digest field.',
    inputSchema: Type.Object({ receipt_id: Type.String({ pattern: '^rcp_[0-9a-f]{32}$' }) }, { additionalProperties: false }),
    async run(client, args) {
      return { receipt: await client.getReceipt(args.receipt_id) };
    },
  }),

  define({
    name: 'list_bindings',
    annotations: { title: 'List bindings', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    description: 'List Execution Bindings newest first, optionally filtered by state, tool or work order. Use it to find earlier work or everything still queued.',
    inputSchema: Type.Object(
      {
        state: Type.Optional(Type.Union(['queued', 'leased', 'retry_wait', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s)))),
        tool: Type.Optional(Type.String({ maxLength: 64 })),
        work_order_id: Type.Optional(Type.String({ pattern: '^wo_[0-9a-f]{32}$' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Default 50.' })),
        cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page.' })),
      },
      { additionalProperties: false },
    ),
    async run(client, args) {
      const page = await client.listBindings(args as Parameters<BindrailClient['listBindings']>[0]);
      return { bindings: page.data, next_cursor: page.next_cursor };
    },
  }),
];

export const MCP_TOOL_NAMES = MCP_TOOLS.map((t) => t.name);
