/** `bindrail submit FILE.json… [--wait]`: submits Work Orders to a running rail. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExecutionBinding } from '../contracts/execution-binding.js';
import type { ResultContract } from '../contracts/result-contract.js';
import { BindrailClient } from '../client/index.js';
import { call } from './http-client.js';
import { progress, type Progress } from './progress.js';
import { REMOTE_OPTIONS, resolveRemote } from './remote.js';

export const SUBMIT_HELP = `bindrail submit FILE.json… [--wait] [--timeout-ms N] [--json] [--url URL] [--api-key KEY]

Submits each file as a Work Order. With --wait, waits for each result contract and exits 1
if any binding did not succeed. With several files, progress goes to stderr (a bar on a terminal).
`;

/** Waiting for results of many files: this many polls in flight at once. */
const WAIT_CONCURRENCY = 8;

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
  const client = new BindrailClient({ url: remote.url, apiKey: remote.apiKey });
  const timeoutMs = Number(values['timeout-ms'] ?? 60_000);
  const many = positionals.length > 1;
  const print = (bar: Progress | undefined, text: string): void => {
    if (values.json) return;
    if (bar) bar.println(text);
    else process.stdout.write(text);
  };

  // First every file is submitted, then (with --wait) the results are awaited together.
  const submitted: { file: string; binding: ExecutionBinding; result?: ResultContract }[] = [];
  const sending = many ? progress({ label: 'submit', total: positionals.length, unit: 'files' }) : undefined;
  for (const file of positionals) {
    const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const { body: binding } = await call<ExecutionBinding>(remote, 'POST', '/v1/work-orders', body);
    submitted.push({ file, binding });
    if (!values.wait) print(sending, `${file}: ${binding.binding_id} ${binding.state} (${binding.tool.name}.${binding.operation})\n`);
    sending?.tick();
  }
  sending?.done();

  let failures = 0;
  if (values.wait) {
    const waiting = many ? progress({ label: 'results', total: submitted.length, unit: 'results' }) : undefined;
    let next = 0;
    const worker = async () => {
      while (next < submitted.length) {
        const entry = submitted[next++]!;
        const result = await client.waitForResult(entry.binding.binding_id, { timeoutMs });
        entry.result = result;
        if (result.status !== 'succeeded') failures++;
        print(waiting, `${entry.file}: ${entry.binding.binding_id} ${result.status} — evidence ${result.evidence.status}, next: ${result.next_action}\n  ${result.human_summary}\n`);
        waiting?.tick();
      }
    };
    await Promise.all(Array.from({ length: Math.min(WAIT_CONCURRENCY, submitted.length) }, worker));
    waiting?.done(failures > 0 ? `results: ${failures} of ${submitted.length} did not succeed` : undefined);
  }
  if (values.json) process.stdout.write(JSON.stringify(submitted.length === 1 ? submitted[0] : submitted, null, 2) + '\n');
  return failures > 0 ? 1 : 0;
}
