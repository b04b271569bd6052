/** `bindrail show BINDING_ID`: a binding and, once final, its result contract. */
import { parseArgs } from 'node:util';
import type { ExecutionBinding } from '../contracts/execution-binding.js';
import type { ResultContract } from '../contracts/result-contract.js';
import { call } from './http-client.js';
import { REMOTE_OPTIONS, resolveRemote } from './remote.js';

export async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: REMOTE_OPTIONS, allowPositionals: true });
  const id = positionals[0];
  if (!id) {
    process.stdout.write('bindrail show BINDING_ID [--json] [--url URL] [--api-key KEY]\n');
    return 2;
  }
  const remote = resolveRemote(values);
  const { body: binding } = await call<ExecutionBinding>(remote, 'GET', `/v1/bindings/${id}`);
  const r = await call<ResultContract | { state: string }>(remote, 'GET', `/v1/bindings/${id}/result`);
  const result = r.status === 200 ? (r.body as ResultContract) : null;
  if (values.json) {
    process.stdout.write(JSON.stringify({ binding, result }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `${binding.binding_id}  ${binding.state}  attempt ${binding.attempt}/${binding.max_attempts}`,
    `  work order  ${binding.work_order_id}`,
    `  tool        ${binding.tool.name}@${binding.tool.version} ${binding.operation}  (${binding.routing.rule}: ${binding.routing.reason})`,
    `  command     ${binding.command_id}`,
  ];
  if (result) {
    lines.push(
      `  result      ${result.status}, evidence ${result.evidence.status}${result.evidence.missing.length ? ` (missing: ${result.evidence.missing.join(', ')})` : ''}`,
      `  summary     ${result.human_summary}`,
      `  next        ${result.next_action}: ${result.next_action_detail}`,
      `  receipts    ${result.receipts.map((x) => `${x.kind} ${x.receipt_id}`).join(', ')}`,
      `  ledger      seq ${result.ledger.seq} leaf ${result.ledger.leaf_hash.slice(0, 16)}…`,
      `  attestation ${result.attestation ? `${result.attestation.digest.slice(0, 23)}… key ${result.attestation.key_id}` : 'none'}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
