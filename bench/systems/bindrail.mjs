/**
 * bindrail's full rail: a `bindrail serve` process (compiled dist/, role all: API + worker in one
 * process) with the no-op operating tool loaded, on the SQLite store or on PostgreSQL. Every task
 * gets what every bindrail task gets: work order, binding and command rows, a usage receipt, two
 * ledger leaves, a signed DSSE attestation, a result contract and its events.
 *  - intake: `POST /v1/work-orders/batch` over real HTTP in batches of 1,000, one after another
 *    (as graphile-worker's addJobs), each answered only after its transactions committed;
 *  - completion count: `GET /healthz` ledger_size, calibrated at setup with one work order
 *    (leaves per finished binding), so no count query can slow the store;
 *  - latency: `POST` then `GET /v1/bindings/{id}/events` as Server-Sent Events until
 *    `bindrail.result.ready`; if the server does not stream, `GET …/result` every 1 ms instead.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { keepAliveAgent, request, waitForEvent } from '../lib/http.mjs';
import { backendPids, createDatabase } from '../lib/pg.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const NOOP_TOOL = join(ROOT, 'dist/tools/ops/noop/index.js');
export const ADMIN_KEY = 'br_bench_admin_key_00000000000000000000000';
const HEADERS = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

const BATCH = 1000;
/**
 * Tasks in flight per process (`--concurrency`, default 64). A slot is held until the task's
 * report is durable, so for no-op tasks it bounds the claim/report batch sizes; the peers get
 * their own tuned settings the same way (BullMQ concurrency 100, graphile-worker localQueue 500).
 */
const CONCURRENCY = Number(process.env.BENCH_BINDRAIL_CONCURRENCY ?? 256);

const workOrder = (i) => ({ tool: 'noop', operation: 'run', inputs: { n: i } });
const order = (i) => JSON.stringify(workOrder(i));

/** Starts `bindrail serve` and resolves with its URL once it listens. */
export async function spawnServe({ dataDir, store, execArgv = [], extraArgs = [], timeoutMs = 120_000 }) {
  if (!existsSync(MAIN) || !existsSync(NOOP_TOOL)) throw new Error('dist/ is missing the CLI or the noop tool: run `npm run build` in the repository root first');
  const args = [...execArgv, MAIN, 'serve', '--port', '0', '--log-level', 'warn', '--concurrency', String(CONCURRENCY), '--data-dir', dataDir, '--store', store, '--tools', NOOP_TOOL, ...extraArgs];
  // The per-key rate limiter stays on (its cost per request is part of the rail) with a budget no
  // benchmark reaches; an env var, so builds without the setting ignore it.
  const env = { ...process.env, BINDRAIL_ADMIN_KEY: ADMIN_KEY, BINDRAIL_RATE_LIMIT: '1000000000' };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bindrail serve did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const m = /serving on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bindrail serve exited (${code}):\n${output}`));
    });
  });
  return {
    pid: child.pid,
    url,
    output: () => output,
    /** SIGTERM (a clean exit: --cpu-prof writes its profile then), SIGKILL after `graceMs`. */
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The HTTP side of a running rail: intake, completion count, latency probe. */
export async function railClient(url) {
  const agent = keepAliveAgent(8);
  const submitted = [];
  const ledgerSize = async () => JSON.parse((await request(`${url}/healthz`, { agent })).text).ledger_size;
  const submit = async (i) => {
    const res = await request(`${url}/v1/work-orders`, { method: 'POST', headers: HEADERS, body: order(i), agent });
    if (res.status !== 202) throw new Error(`POST /v1/work-orders answered ${res.status}: ${res.text.slice(0, 300)}`);
    return JSON.parse(res.text).binding_id;
  };
  /** Submits work orders from..from+count-1 in one batch request; every one must be accepted. */
  const submitBatch = async (from, count) => {
    const body = JSON.stringify({ work_orders: Array.from({ length: count }, (_, k) => workOrder(from + k)) });
    const res = await request(`${url}/v1/work-orders/batch`, { method: 'POST', headers: HEADERS, body, agent });
    const answer = res.status === 200 ? JSON.parse(res.text) : undefined;
    if (!answer || answer.accepted !== count) throw new Error(`POST /v1/work-orders/batch answered ${res.status}: ${res.text.slice(0, 300)}`);
    return answer.items.map((item) => item.binding_id);
  };
  const resultReady = async (id) => (await request(`${url}/v1/bindings/${id}/result`, { headers: HEADERS, agent })).status === 200;
  let via = 'sse';

  // Calibration: how many ledger leaves one finished binding adds (intake + finalize today).
  const base = await ledgerSize();
  const first = await submit(0);
  while (!(await resultReady(first))) await sleep(2);
  const leavesPerBinding = (await ledgerSize()) - base;
  if (leavesPerBinding < 1) throw new Error('a finished binding added no ledger leaf: cannot count completions');

  return {
    agent,
    leavesPerBinding,
    /** Submits n work orders in batches of BATCH, one request after another. */
    async enqueue(n) {
      for (let from = 0; from < n; from += BATCH) submitted.push(...(await submitBatch(from, Math.min(BATCH, n - from))));
    },
    /**
     * Finished bindings since setup, exact once every submit has been answered: all of a binding's
     * leaves are in the ledger only when it is finished (while intake runs, this over-counts).
     */
    async completed() {
      return Math.floor(((await ledgerSize()) - base) / leavesPerBinding);
    },
    async verify(sample = 20) {
      for (let k = 0; k < Math.min(sample, submitted.length); k++) {
        const id = submitted[Math.floor((k / sample) * submitted.length)];
        if (!(await resultReady(id))) throw new Error(`binding ${id} was counted finished but has no result`);
      }
    },
    async latencyOnce(i) {
      const started = performance.now();
      const id = await submit(1_000_000 + i);
      if (via === 'sse') {
        const outcome = await waitForEvent(`${url}/v1/bindings/${id}/events`, {
          headers: { authorization: HEADERS.authorization },
          done: (e) => e.type === 'bindrail.result.ready',
        });
        if (outcome === 'not-sse') via = 'poll';
      }
      if (via === 'poll') while (!(await resultReady(id))) await sleep(1);
      return performance.now() - started;
    },
    latencyVia: () =>
      via === 'sse' ? 'SSE GET /v1/bindings/{id}/events until bindrail.result.ready' : 'GET /v1/bindings/{id}/result every 1 ms (no SSE on this build)',
  };
}

function makeSystem(store) {
  return {
    name: `bindrail/${store}`,
    backend: store,
    async setup({ execArgv = [], dataDir } = {}) {
      const ownDir = !dataDir;
      const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'bindrail-bench-'));
      const db = store === 'postgres' ? await createDatabase('bindrail') : undefined;
      let serve;
      try {
        serve = await spawnServe({ dataDir: dir, store: db ? db.url : 'sqlite', execArgv });
        const client = await railClient(serve.url);
        return {
          ...client,
          url: serve.url,
          dbUrl: db?.url,
          notes: [`bindrail serve --role all, --concurrency ${CONCURRENCY}, rate limiter on with a budget of 10⁹/min; intake POST /v1/work-orders/batch in batches of ${BATCH}`],
          pids: () => [serve.pid],
          dbPids: () => (db ? backendPids(db.name) : Promise.resolve([])),
          async teardown() {
            client.agent.destroy();
            try {
              await serve.stop();
              if (db) await db.drop();
            } finally {
              if (ownDir) rmSync(dir, { recursive: true, force: true });
            }
          },
        };
      } catch (err) {
        await serve?.stop();
        if (db) await db.drop();
        if (ownDir) rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    },
  };
}

export const bindrailSqlite = makeSystem('sqlite');
export const bindrailPostgres = makeSystem('postgres');
