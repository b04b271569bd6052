/** `bindrail submit FILE.json… [--wait]`: submits Work Orders to a running rail. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExecutionBinding } from '../contracts/execution-binding.js';
import type { ResultContract } from '../contracts/result-contract.js';
import { call, type Remote } from './http-client.js';
import { REMOTE_OPTIONS, resolveRemote } from './remote.js';

export const SUBMIT_HELP = `bindrail submit FILE.json… [--wait] [--timeout-ms N] [--json] [--url URL] [--api-key KEY]

Submits each file as a Work Order. With --wait, waits for each result contract and exits 1
if any binding did not succeed.
`;

export async function waitForResult(remote: Remote, bindingId: string, timeoutMs: number): Promise<ResultContract> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    const r = await call<ResultContract>(remote, 'GET', `/v1/bindings/${bindingId}/result`);
    if (r.status === 200) return r.body;
    if (Date.now() > deadline) throw new Error(`no result for ${bindingId} within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 500);
  }
}

export async function submit(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...REMOTE_OPTIONS, wait: { type: 'boolean' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(SUBMIT_HELP);
    return values.help ? 0 : 2;
  }
  const remote = resolveRemote(values);
  const timeoutMs = Number(values['timeout-ms'] ?? 60_000);
  let failures = 0;
  const out: unknown[] = [];
  for (const file of positionals) {
    const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const { body: binding } = await call<ExecutionBinding>(remote, 'POST', '/v1/work-orders', body);
    if (!values.wait) {
      out.push({ file, binding });
      if (!values.json) process.stdout.write(`${file}: ${binding.binding_id} ${binding.state} (${binding.tool.name}.${binding.operation})\n`);
      continue;
    }
    const result = await waitForResult(remote, binding.binding_id, timeoutMs);
    if (result.status !== 'succeeded') failures++;
    out.push({ file, binding, result });
    if (!values.json) {
      process.stdout.write(
        `${file}: ${binding.binding_id} ${result.status} — evidence ${result.evidence.status}, next: ${result.next_action}\n  ${result.human_summary}\n`,
      );
    }
  }
  if (values.json) process.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out, null, 2) + '\n');
  return failures > 0 ? 1 : 0;
}
