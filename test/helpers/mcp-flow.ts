/**
 * What an agent does with bindrail's MCP server, whatever the transport: discover, list the tools,
 * read a contract, preflight and submit a PacketOps work order, wait, verify the proof, replay.
 */
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { example } from './work-orders.js';

export const REQUIRED_TOOLS = [
  'list_tools',
  'get_contract',
  'preflight_work_order',
  'submit_work_order',
  'get_binding',
  'get_result',
  'list_events',
  'replay_binding',
  'cancel_binding',
  'verify_bundle',
];

/** Calls a tool and returns its structured answer; `isError` answers are returned, not thrown. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ isError: boolean; value: Record<string, any> }> {
  const r = await client.callTool({ name, arguments: args });
  const value = r.structuredContent as Record<string, any>;
  const text = (r.content as { type: string; text: string }[])[0]!.text;
  assert.deepEqual(JSON.parse(text), value, 'the text content carries the same JSON as structuredContent');
  return { isError: r.isError === true, value };
}

/** A PacketOps work order from examples/, made unique so every run binds anew. */
export function packetOpsOrder(tag: string): Record<string, any> {
  const wo = example('packetops-sufficient');
  return { ...wo, idempotency_key: `${wo.idempotency_key}-${tag}-${Date.now()}`, metadata: { run: tag } };
}

export async function discovers(client: Client): Promise<void> {
  const info = client.getServerVersion();
  assert.equal(info?.name, 'bindrail');
  assert.match(client.getInstructions() ?? '', /submit_work_order/);
  const caps = client.getServerCapabilities();
  assert.ok(caps?.tools && caps.resources);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of REQUIRED_TOOLS) assert.ok(names.includes(name), `tool ${name}`);
  for (const tool of tools) {
    assert.ok((tool.description ?? '').length >= 80, `${tool.name}: a description a model can choose by`);
    assert.equal(tool.inputSchema.type, 'object');
  }
  const submitSchema = tools.find((t) => t.name === 'submit_work_order')!.inputSchema as Record<string, any>;
  assert.deepEqual(submitSchema.required, ['work_order']);
  assert.ok(submitSchema.properties.work_order.properties.capability, 'the Work Order schema is served as it is');

  const { resources } = await client.listResources();
  const uri = 'bindrail://contracts/result-contract.schema.json';
  assert.ok(resources.some((r) => r.uri === uri));
  const read = await client.readResource({ uri });
  const schema = JSON.parse((read.contents[0] as { text: string }).text);
  assert.equal(schema.$id, 'https://bindrail.dev/contracts/v1/result-contract.schema.json');
}

/** The whole PacketOps round trip; returns the binding id. */
export async function routesPacketOps(client: Client, tag: string): Promise<string> {
  const listed = await call(client, 'list_tools');
  assert.ok(listed.value.tools.some((t: { name: string }) => t.name === 'packetops'));
  const packetops = await call(client, 'list_tools', { name: 'packetops' });
  assert.ok(packetops.value.tool.operations.verify_packet.input_schema);

  const contract = await call(client, 'get_contract', { name: 'work-order', include_example: true });
  assert.equal(contract.value.schema.title, 'Work Order');
  assert.equal(contract.value.example.tool, 'packetops');

  const order = packetOpsOrder(tag);
  const preflight = await call(client, 'preflight_work_order', { work_order: order });
  assert.equal(preflight.isError, false, JSON.stringify(preflight.value));
  assert.equal(preflight.value.preflight.would_accept, true);
  assert.equal(preflight.value.preflight.route.tool, 'packetops');

  const submitted = await call(client, 'submit_work_order', { work_order: order, timeout_ms: 30_000 });
  assert.equal(submitted.isError, false, JSON.stringify(submitted.value));
  const { binding, result } = submitted.value;
  assert.match(binding.binding_id, /^bnd_/);
  assert.equal(result.status, 'succeeded');
  assert.equal(result.evidence.status, 'sufficient');
  assert.ok(result.receipts.some((r: { kind: string }) => r.kind === 'packet_manifest'));

  const again = await call(client, 'submit_work_order', { work_order: order, wait: false });
  assert.equal(again.value.binding.binding_id, binding.binding_id, 'the idempotency key returns the same binding');
  assert.equal(again.value.created, false);

  const got = await call(client, 'get_binding', { binding_id: binding.binding_id });
  assert.equal(got.value.binding.state, 'succeeded');
  const res = await call(client, 'get_result', { binding_id: binding.binding_id });
  assert.deepEqual(res.value.result, result);
  const events = await call(client, 'list_events', { binding_id: binding.binding_id });
  const types = events.value.events.map((e: { type: string }) => e.type);
  assert.ok(types.includes('bindrail.binding.created') && types.includes('bindrail.result.ready'), types.join());
  return binding.binding_id;
}

/** verify_bundle: every check of the bundle passes, signatures held against the rail's published keys. */
export async function verifiesTheBundle(client: Client, bindingId: string): Promise<void> {
  const { isError, value } = await call(client, 'verify_bundle', { binding_id: bindingId, include_bundle: true });
  assert.equal(isError, false, JSON.stringify(value));
  assert.equal(value.verified, true, JSON.stringify(value.checks, null, 2));
  const names = value.checks.map((c: { name: string }) => c.name);
  for (const name of ['receipts', 'output_digest', 'ledger_leaf_digest', 'leaf_hash', 'inclusion_proof', 'checkpoint_signature', 'attestation_signature', 'attestation_subjects']) {
    assert.ok(names.includes(name), name);
  }
  assert.equal(value.bundle.binding_id, bindingId);
  assert.match(value.trusted_keys, /published keys/);
}

/** Problems come back as tool errors naming the field; operator tools act on the binding. */
export async function correctsAndOperates(client: Client, bindingId: string): Promise<void> {
  const bad = await call(client, 'submit_work_order', { work_order: { tool: 'packetops', operation: 'verify_packet', inputs: {}, priority: 12 } });
  assert.equal(bad.isError, true);
  assert.equal(bad.value.problem.code, 'validation_failed');
  assert.ok(bad.value.problem.errors.some((e: { pointer: string }) => e.pointer === '/work_order/priority'), JSON.stringify(bad.value));

  const unroutable = await call(client, 'submit_work_order', { work_order: { capability: 'nothing.here', inputs: {} } });
  assert.equal(unroutable.isError, true);
  assert.equal(unroutable.value.problem.status, 422, JSON.stringify(unroutable.value));
  assert.equal(unroutable.value.problem.code, 'unroutable');

  const badArgs = await call(client, 'get_binding', { binding_id: 'nope' });
  assert.equal(badArgs.isError, true);
  assert.equal(badArgs.value.problem.errors[0].pointer, '/binding_id');

  const cancelFinished = await call(client, 'cancel_binding', { binding_id: bindingId });
  assert.equal(cancelFinished.isError, true);
  assert.equal(cancelFinished.value.problem.status, 409);

  const replay = await call(client, 'replay_binding', { binding_id: bindingId, timeout_ms: 30_000 });
  assert.equal(replay.isError, false, JSON.stringify(replay.value));
  assert.equal(replay.value.binding.replay_of, bindingId);
  assert.equal(replay.value.result.replay.deterministic, true);

  const queued = await call(client, 'submit_work_order', { work_order: { ...packetOpsOrder('cancel'), not_before: new Date(Date.now() + 3_600_000).toISOString() }, wait: false });
  const cancelled = await call(client, 'cancel_binding', { binding_id: queued.value.binding.binding_id });
  assert.equal(cancelled.isError, false, JSON.stringify(cancelled.value));
  assert.equal(cancelled.value.binding.state, 'cancelled');
}
