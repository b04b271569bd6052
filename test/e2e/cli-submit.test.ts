/**
 * `bindrail submit … --wait` as a real child process against a real server: every example
 * succeeds (partial and insufficient evidence are succeeded bindings: exit 0); a binding that
 * fails, or a file the rail refuses, exits 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestRail, type TestRail } from '../helpers/rail.js';
import { ROOT } from '../helpers/serve-process.js';
import { packetOrder } from '../helpers/work-orders.js';

const EXAMPLES = readdirSync(join(ROOT, 'examples/work-orders'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => join('examples/work-orders', f));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bindrail submit ARGS` from the source tree; killed if it outlives `timeoutMs`. */
function bindrailSubmit(rail: TestRail, args: string[], timeoutMs = 60_000): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'submit', ...args, '--url', rail.url, '--api-key', rail.adminKey], {
    cwd: ROOT,
    env: { ...process.env, BINDRAIL_URL: '', BINDRAIL_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

let rail: TestRail;
let tmp: string;
before(async () => {
  rail = await startTestRail();
  tmp = mkdtempSync(join(tmpdir(), 'bindrail-cli-'));
});
after(async () => {
  await rail?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('bindrail submit --wait', () => {
  test('every example: one line per file, all succeeded, exit 0 — whatever their evidence status', { timeout: 100_000 }, async () => {
    const run = await bindrailSubmit(rail, [...EXAMPLES, '--wait'], 90_000);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const file of EXAMPLES) {
      const line = run.stdout.split('\n').find((l) => l.startsWith(`${file}: `));
      assert.ok(line, `no line for ${file}:\n${run.stdout}`);
      assert.match(line, /^\S+: bnd_[0-9a-f]{32} succeeded — evidence (sufficient|partial|insufficient), next: \S+$/);
      const promised = /-(sufficient|partial|insufficient)\.json$/.exec(file)?.[1];
      if (promised) assert.ok(line.includes(`evidence ${promised},`), line);
    }
    assert.ok(EXAMPLES.some((f) => f.endsWith('-insufficient.json')), 'insufficient examples are among them');
  });

  test('--json prints the bindings and result contracts', { timeout: 60_000 }, async () => {
    const file = join(tmp, 'packet.json');
    writeFileSync(file, JSON.stringify(packetOrder(4242)));
    const run = await bindrailSubmit(rail, [file, '--wait', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.file, file);
    assert.equal(out.result.status, 'succeeded');
    assert.equal(out.result.binding_id, out.binding.binding_id);
  });

  test('a binding that fails makes the exit code 1', { timeout: 90_000 }, async () => {
    const manifest = {
      version: '1.0.0',
      runtime: 'remote',
      operations: {
        run: {
          capability: 'test.doomed',
          input_schema: { type: 'object' },
          output_schema: { type: 'object' },
          evidence_checklist: [],
        },
      },
    };
    assert.equal((await rail.api('PUT', '/v1/tools/doomed', manifest)).status, 201);
    const file = join(tmp, 'doomed.json');
    writeFileSync(file, JSON.stringify({ tool: 'doomed', operation: 'run', inputs: {}, requester: { kind: 'agent', id: 'cli-test' } }));
    let exited = false;
    const running = bindrailSubmit(rail, [file, '--wait'], 80_000).finally(() => (exited = true));
    // This test is the remote tool: it claims the work (once the CLI, slow to start under load, submitted it) and fails it for good.
    let tasks: { task_token: string }[] = [];
    while (tasks.length === 0 && !exited) {
      tasks = (await rail.api('POST', '/v1/tool-tasks/claim', { tools: ['doomed'], wait_ms: 2_000 })).body.tasks;
    }
    if (tasks.length === 0) assert.fail(`the CLI exited before submitting: ${JSON.stringify(await running)}`);
    const fail = await rail.api('POST', `/v1/tool-tasks/${tasks[0]!.task_token}/fail`, { code: 'doomed', message: 'never works', retryable: false });
    assert.equal(fail.body.state, 'failed', JSON.stringify(fail.body));
    const run = await running;
    assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /doomed\.json: bnd_[0-9a-f]{32} failed/);
  });

  test('a Work Order the rail refuses exits 1 with the problem on stderr', { timeout: 60_000 }, async () => {
    const file = join(tmp, 'unroutable.json');
    writeFileSync(file, JSON.stringify({ capability: 'nobody.offers.this', inputs: {}, requester: { kind: 'agent', id: 'cli-test' } }));
    const run = await bindrailSubmit(rail, [file, '--wait']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /422/);
    assert.match(run.stderr, /\/capability/);
  });
});
