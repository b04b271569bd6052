/** Starts a real rail (SQLite in a temp dir, a listening server on a free port) for a test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRail, type Runtime, type StartOptions } from '../../src/boot/start.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/settings.js';
import { makeLogger } from '../../src/boot/logger.js';

export const TEST_ADMIN_KEY = 'br_test_admin_key_000000000000000000000000';

export interface TestRail {
  runtime: Runtime;
  url: string;
  dataDir: string;
  adminKey: string;
  /** Calls the API over real HTTP with the admin key (or `key`). */
  api<T = any>(method: string, path: string, body?: unknown, opts?: { key?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestRail(
  overrides: Partial<Record<string, string | boolean>> = {},
  opts: StartOptions & { dataDir?: string; keepDataDir?: boolean } = {},
): Promise<TestRail> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bindrail-test-'));
  const config: Readonly<Config> = loadConfig(
    // No rate limit unless a test sets one: tests poll one key far faster than any client should.
    { 'data-dir': dataDir, port: '0', 'log-level': 'silent', 'admin-key': TEST_ADMIN_KEY, 'reaper-interval-ms': '50', 'poll-ms': '50', 'rate-limit': '0', ...overrides },
    {},
  );
  const runtime = await startRail(config, { logger: makeLogger('silent'), ...opts });
  const url = runtime.url!;
  const api: TestRail['api'] = async (method, path, body, o = {}) => {
    const key = o.key === undefined ? TEST_ADMIN_KEY : o.key;
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (SSE, text): keep the text
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };
  return {
    runtime,
    url,
    dataDir,
    adminKey: TEST_ADMIN_KEY,
    api,
    close: async () => {
      await runtime.close();
      if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls GET …/result until the binding is final. */
export async function waitForResult<T = any>(rail: TestRail, bindingId: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await rail.api<T>('GET', `/v1/bindings/${bindingId}/result`);
    if (r.status === 200) return r.body;
    if (r.status !== 202) throw new Error(`result answered ${r.status}: ${JSON.stringify(r.body)}`);
    if (Date.now() > deadline) throw new Error(`binding ${bindingId} not final within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
