/**
 * `bindrail status` and `bindrail submit` progress as real child processes against a real rail:
 * the pulse as text and as JSON, stuck alerts with the call that moves them on, --watch until
 * Ctrl-C, and plain progress lines on stderr when it is not a terminal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startTestRail, type TestRail } from '../helpers/rail.js';
import { ROOT } from '../helpers/serve-process.js';
import { packetOrder } from '../helpers/work-orders.js';

let rail: TestRail;
let tmp: string;
let remote: string[];
before(async () => {
  rail = await startTestRail();
  tmp = mkdtempSync(join(tmpdir(), 'bindrail-status-'));
  remote = ['--url', rail.url, '--api-key', rail.adminKey];
});
after(async () => {
  await rail?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const env = { BINDRAIL_URL: '', BINDRAIL_API_KEY: '', NO_COLOR: '1' };

test('status: the pulse as text and JSON; --fail-on-stuck names the call that moves a binding on', { timeout: 120_000 }, async () => {
  assert.equal((await rail.api('POST', '/v1/queue/tools/packetops/pause')).status, 200);
  const id: string = (await rail.api('POST', '/v1/work-orders', packetOrder(7001))).body.binding_id;

  const text = await runCli(['status', ...remote], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^bindrail pulse — tenant default — /);
  assert.match(text.stdout, /queued 1 · leased 0 · retry wait 0/);
  assert.match(text.stdout, /^packetops \(paused\)\s+1\s+0\s+0\s+0\s+0\s+0\s+1$/m);
  assert.match(text.stdout, /paused tools: packetops/);
  assert.match(text.stdout, /nothing is stuck/);

  const json = await runCli(['status', ...remote, '--json'], { env });
  assert.equal(json.code, 0, json.stderr);
  const q = JSON.parse(json.stdout);
  assert.equal(q.object, 'queue_monitor');
  assert.equal(q.oldest_queued.binding_id, id);

  const stuck = await runCli(['status', ...remote, '--queued-too-long-ms', '0', '--fail-on-stuck'], { env });
  assert.equal(stuck.code, 1, stuck.stdout);
  assert.match(stuck.stdout, new RegExp(`${id}  packetops  queued  queued_too_long  for .* → resume_tool: POST /v1/queue/tools/packetops/resume`));
  assert.equal((await rail.api('POST', '/v1/queue/tools/packetops/resume')).status, 200);
});

test('status --watch --json: one pulse per line until interrupted', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'status', ...remote, '--watch', '--json', '--interval-ms', '200'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (out.split('\n').filter(Boolean).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  const frames = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(frames.length >= 2 && frames.every((f) => f.object === 'queue_monitor'), out);
});

test('submit of many files: plain progress lines on stderr when it is not a terminal, stdout unchanged', { timeout: 120_000 }, async () => {
  const files = [1, 2, 3].map((n) => {
    const file = join(tmp, `p${n}.json`);
    writeFileSync(file, JSON.stringify(packetOrder(7100 + n)));
    return file;
  });
  const run = await runCli(['submit', ...files, '--wait', ...remote], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.split('\n').filter((l) => / succeeded — evidence /.test(l)).length, 3);
  assert.ok(!run.stderr.includes('\r') && !run.stderr.includes('\x1b'), JSON.stringify(run.stderr));
  assert.match(run.stderr, /^submit 100% 3\/3 files /m);
  assert.match(run.stderr, /^results 100% 3\/3 results /m);

  const json = await runCli(['submit', ...files, '--json', ...remote], { env });
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).map((x: any) => x.file), files);
});
