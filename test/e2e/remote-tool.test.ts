/**
 * The Python remote tool (examples/remote-tool/worker.py) against a real rail: real python3 child
 * processes claiming over HTTP, heartbeating, completing; a stale token refused after a retry; a
 * worker killed mid-task whose lease expires so a second worker finishes the work.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { FAST_BACKOFF } from '../helpers/test-tools.js';

const WORKER = fileURLToPath(new URL('../../examples/remote-tool/worker.py', import.meta.url));
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

interface PyWorker {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `re` in the worker's output. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const workers = new Set<PyWorker>();

function spawnWorker(rail: TestRail, args: string[]): PyWorker {
  const child = spawn('python3', [WORKER, '--url', rail.url, '--api-key', rail.adminKey, '--wait-ms', '2000', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const worker: PyWorker = {
    child,
    output: () => out,
    exited,
    waitFor: (re, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (!m) return;
          done();
          resolve(m);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`worker output never matched ${re}:\n${out}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(() => {
          check();
          if (listeners.has(check)) {
            done();
            reject(new Error(`worker exited before ${re}:\n${out}`));
          }
        });
        check();
      }),
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  workers.add(worker);
  return worker;
}

async function killAll() {
  await Promise.all([...workers].map((w) => w.kill()));
  workers.clear();
}

let rail: TestRail;
before(async () => {
  rail = await startTestRail({}, { backoff: FAST_BACKOFF });
});
after(async () => {
  await killAll();
  await rail?.close();
});

async function submit(inputs: Record<string, unknown>): Promise<string> {
  const r = await rail.api('POST', '/v1/work-orders', { capability: 'text.digest', inputs, requester: { kind: 'agent', id: 'remote-tool-test' } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body.binding_id;
}

async function eventsOf(id: string): Promise<{ type: string; data: Record<string, any> }[]> {
  return (await rail.api('GET', `/v1/bindings/${id}/events?limit=500`)).body.data;
}

describe('a remote tool written in Python (standard library only)', () => {
  test('registers, claims, heartbeats and completes: a result with receipts and an attestation', { timeout: 40_000 }, async () => {
    try {
      const w = spawnWorker(rail, ['--once', '--heartbeat-timeout-ms', '3000']);
      await w.waitFor(/registered pyhash\.digest_text/);
      const manifest = (await rail.api('GET', '/v1/tools/pyhash')).body;
      assert.equal(manifest.runtime, 'remote');
      assert.deepEqual(manifest.capabilities, ['text.digest']);

      const text = 'bindrail, from Python';
      const id = await submit({ text, expected_sha256: sha256(text), sleep_ms: 1_500 });
      const result = await waitForResult(rail, id, 20_000);
      assert.equal(result.status, 'succeeded', JSON.stringify(result));
      assert.deepEqual(result.machine_output, { sha256: sha256(text), length: Buffer.byteLength(text) });
      assert.equal(result.evidence.status, 'sufficient');
      assert.deepEqual(result.receipts.map((r: { kind: string }) => r.kind).sort(), ['text_digest', 'usage']);
      const digestReceipt = result.receipts.find((r: { kind: string }) => r.kind === 'text_digest');
      const receipt = (await rail.api('GET', digestReceipt.path)).body;
      assert.deepEqual(receipt.body, { algorithm: 'sha256', digest: `sha256:${sha256(text)}`, bytes: Buffer.byteLength(text) });
      assert.ok(result.attestation, 'attestation issued');
      const attestation = await rail.api('GET', result.attestation.path);
      assert.equal(attestation.status, 200);
      assert.equal(attestation.body.envelope.payloadType, 'application/vnd.in-toto+json');

      const binding = (await rail.api('GET', `/v1/bindings/${id}`)).body;
      assert.deepEqual(binding.tool, { name: 'pyhash', version: '1.0.0' });
      assert.equal(binding.attempt, 1);
      assert.equal(binding.routing.rule, 'capability');
      const progress = (await eventsOf(id)).filter((e) => e.type === 'bindrail.tool.progress');
      assert.ok(progress.length >= 1, 'heartbeats carried progress');
      assert.equal(progress[0]!.data.message, 'digesting');
      assert.equal(await w.exited, 0, w.output());
      assert.match(w.output(), new RegExp(`completed ${id} succeeded`));
    } finally {
      await killAll();
    }
  });

  test("after a retry, the first attempt's token is refused with 409 and the second attempt's result stands", { timeout: 40_000 }, async () => {
    try {
      const text = 'fenced';
      const id = await submit({ text });
      // The first claimant: this test, over plain HTTP. It fails attempt 1 as retryable.
      const claim = await rail.api('POST', '/v1/tool-tasks/claim', { tools: ['pyhash'], wait_ms: 5_000 });
      assert.equal(claim.status, 200, JSON.stringify(claim.body));
      const [task] = claim.body.tasks;
      assert.equal(task.binding_id, id);
      assert.equal(task.attempt, 1);
      const staleToken: string = task.task_token;
      const failed = await rail.api('POST', `/v1/tool-tasks/${staleToken}/fail`, { code: 'flaky_upstream', message: 'try again', retryable: true });
      assert.equal(failed.status, 200, JSON.stringify(failed.body));
      assert.equal(failed.body.state, 'retry_wait');

      // The second claimant: a Python worker, which runs attempt 2.
      const w = spawnWorker(rail, ['--once', '--no-register']);
      await w.waitFor(new RegExp(`claimed ${id} attempt 2`));
      const result = await waitForResult(rail, id, 20_000);
      assert.equal(result.status, 'succeeded');
      assert.equal(await w.exited, 0, w.output());

      for (const verb of ['heartbeat', 'complete', 'fail']) {
        const body =
          verb === 'complete'
            ? { output: { sha256: '0'.repeat(64), length: 0 }, summary: 'late', evidence: { status: 'sufficient', missing: [], exceptions: [] } }
            : verb === 'fail'
              ? { code: 'late', message: 'late' }
              : {};
        const late = await rail.api('POST', `/v1/tool-tasks/${staleToken}/${verb}`, body);
        assert.equal(late.status, 409, `${verb}: ${JSON.stringify(late.body)}`);
        assert.equal(late.body.code, 'stale_task_token');
      }
      const after = await rail.api('GET', `/v1/bindings/${id}/result`);
      assert.deepEqual(after.body.machine_output, { sha256: sha256(text), length: text.length });
      assert.equal((await rail.api('GET', `/v1/bindings/${id}`)).body.attempt, 2);
    } finally {
      await killAll();
    }
  });

  test('a worker killed mid-task (SIGKILL) loses its lease; a second worker process completes attempt 2', { timeout: 40_000 }, async () => {
    try {
      const first = spawnWorker(rail, ['--once', '--heartbeat-timeout-ms', '1000']);
      await first.waitFor(/registered/);
      const text = 'survives a crash';
      const id = await submit({ text, sleep_ms: 2_500 });
      await first.waitFor(new RegExp(`claimed ${id} attempt 1`));
      await first.kill('SIGKILL');
      assert.equal(first.child.signalCode, 'SIGKILL');

      const second = spawnWorker(rail, ['--once', '--no-register']);
      const result = await waitForResult(rail, id, 25_000);
      assert.equal(result.status, 'succeeded', JSON.stringify(result));
      assert.deepEqual(result.machine_output, { sha256: sha256(text), length: text.length });
      assert.equal(await second.exited, 0, second.output());
      assert.match(second.output(), new RegExp(`claimed ${id} attempt 2`));
      const binding = (await rail.api('GET', `/v1/bindings/${id}`)).body;
      assert.equal(binding.attempt, 2);
      const failures = (await eventsOf(id)).filter((e) => e.type === 'bindrail.attempt.failed');
      assert.deepEqual(
        failures.map((e) => [e.data.attempt, e.data.code]),
        [[1, 'lease_expired']],
      );
    } finally {
      await killAll();
    }
  });

  test('--stale-demo: a token held past its lease is refused with 409; the next worker runs attempt 2', { timeout: 40_000 }, async () => {
    try {
      const holder = spawnWorker(rail, ['--stale-demo', '--heartbeat-timeout-ms', '1000']);
      await holder.waitFor(/registered/);
      const id = await submit({ text: 'held too long' });
      await holder.waitFor(new RegExp(`claimed ${id} attempt 1`));
      assert.equal(await holder.exited, 0, holder.output());
      const line = /\{"stale_demo".*\}/.exec(holder.output());
      assert.ok(line, holder.output());
      assert.deepEqual(JSON.parse(line[0]), { stale_demo: { status: 409, code: 'stale_task_token' } });

      const next = spawnWorker(rail, ['--once', '--no-register']);
      const result = await waitForResult(rail, id, 20_000);
      assert.equal(result.status, 'succeeded');
      assert.equal(await next.exited, 0, next.output());
      assert.equal((await rail.api('GET', `/v1/bindings/${id}`)).body.attempt, 2);
    } finally {
      await killAll();
    }
  });
});
