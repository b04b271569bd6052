/**
 * A rail of separate processes on one PostgreSQL database — one `--role api`, any number of
 * `--role worker`, each with its own data dir — and the load that drives it over HTTP. Shared by
 * the scale-out and PostgreSQL-restart tests and by `bench/scale-out.ts`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';

export const CLUSTER_ADMIN_KEY = 'br_test_admin_key_000000000000000000000000';

/** A process of the cluster, with the lease owner id it claims under (`<host>/<worker-id of its data dir>`). */
export type ClusterProcess = ServeProcess & { dataDir: string; owner: string };

export interface Cluster {
  api: ClusterProcess;
  workers: ClusterProcess[];
  /** Starts one more worker process on a fresh data dir. */
  addWorker(extraArgs?: string[]): Promise<ClusterProcess>;
  /** Stops every process still running (SIGTERM) and removes the data dirs. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  storeUrl: string;
  workers: number;
  /** Arguments for every process (e.g. `--tools …`). */
  commonArgs?: string[];
  workerArgs?: string[];
}

/** The load comes from one key: the per-key rate limit would throttle it, so the API runs without. */
const API_ARGS = ['--rate-limit', '0'];

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const dirs: string[] = [];
  const spawned: ServeProcess[] = [];
  const env = { BINDRAIL_ADMIN_KEY: CLUSTER_ADMIN_KEY };
  const start = async (role: 'api' | 'worker', extra: string[]) => {
    const dataDir = mkdtempSync(join(tmpdir(), `bindrail-${role}-`));
    dirs.push(dataDir);
    const p = await spawnServe(['--role', role, '--store', opts.storeUrl, '--data-dir', dataDir, ...(opts.commonArgs ?? []), ...extra], env, 60_000);
    spawned.push(p);
    // The worker id is written at start (src/boot/worker-identity.ts); an api process has none.
    const idFile = join(dataDir, 'worker-id');
    const owner = existsSync(idFile) ? `${hostname()}/${readFileSync(idFile, 'utf8').trim()}` : '';
    return Object.assign(p, { dataDir, owner });
  };
  const cluster: Cluster = {
    api: undefined as unknown as ClusterProcess,
    workers: [],
    addWorker: async (extra = []) => {
      const w = await start('worker', [...(opts.workerArgs ?? []), ...extra]);
      cluster.workers.push(w);
      return w;
    },
    close: async () => {
      await Promise.all(spawned.map((p) => p.stop()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  try {
    // The API first: it applies the migrations the workers then find in place.
    cluster.api = await start('api', API_ARGS);
    await Promise.all(Array.from({ length: opts.workers }, () => cluster.addWorker()));
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return cluster;
}

export interface LoadResult {
  bindingIds: string[];
  /** Answers that were retried: 503 problems and connections that failed. */
  retries: number;
}

/**
 * Submits `n` work orders with `clients` concurrent keep-alive clients. Every request carries an
 * idempotency key; a 503 or a broken connection is retried with the same key and body, which is how
 * a client rides out a database restart without creating anything twice.
 */
export async function submitAll(
  url: string,
  n: number,
  order: (i: number) => Record<string, unknown>,
  opts: { clients: number; keyPrefix?: string; giveUpMs?: number; onAccepted?: (count: number) => void },
): Promise<LoadResult> {
  const headers = { authorization: `Bearer ${CLUSTER_ADMIN_KEY}`, 'content-type': 'application/json' };
  const bindingIds: string[] = new Array<string>(n);
  let next = 0;
  let accepted = 0;
  let retries = 0;
  const client = async () => {
    while (next < n) {
      const i = next++;
      const body = JSON.stringify(order(i));
      const giveUpAt = Date.now() + (opts.giveUpMs ?? 120_000);
      for (;;) {
        let status = 0;
        let answer = '';
        try {
          const res = await fetch(`${url}/v1/work-orders`, { method: 'POST', headers: { ...headers, 'idempotency-key': `${opts.keyPrefix ?? 'load'}-${i}` }, body });
          status = res.status;
          answer = await res.text();
        } catch (err) {
          answer = String(err);
        }
        if (status === 200 || status === 202) {
          bindingIds[i] = (JSON.parse(answer) as { binding_id: string }).binding_id;
          opts.onAccepted?.(++accepted);
          break;
        }
        if ((status !== 503 && status !== 0) || Date.now() > giveUpAt) throw new Error(`work order ${i}: ${status} ${answer.slice(0, 300)}`);
        retries++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, client));
  return { bindingIds, retries };
}

/**
 * Waits until `count` bindings exist and all are terminal; throws after `timeoutMs`. A poll that
 * fails (the database restarting) is simply tried again.
 */
export async function waitAllFinished(db: pg.Pool, count: number, timeoutMs: number, pollMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const r = await db.query<{ total: number; open: number }>(
        `SELECT COUNT(*)::int AS total, COUNT(*) FILTER (WHERE state NOT IN ('succeeded', 'failed', 'cancelled'))::int AS open FROM bindings`,
      );
      const { total, open } = r.rows[0]!;
      if (total >= count && open === 0) return;
      last = `${open} of ${total} bindings unfinished`;
    } catch (err) {
      last = `poll failed: ${(err as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`not finished after ${timeoutMs} ms: ${last}`);
    await new Promise((res) => setTimeout(res, pollMs));
  }
}

/** A small pool on the cluster's database, for checks the API does not expose. */
export function connectDb(url: string): pg.Pool {
  const db = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection dropped by a database restart must not crash the test process.
  db.on('error', () => undefined);
  return db;
}
