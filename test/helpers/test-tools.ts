/** A tool whose operations misbehave on purpose, to drive the queue through every path. */
import { Type } from 'typebox';
import { defineOperation, defineTool, ToolError, type RunContext } from '../../src/tools/sdk.js';
import { referenceTools } from '../../src/boot/tools.js';

const Input = Type.Object({ value: Type.String(), ms: Type.Optional(Type.Integer({ minimum: 0 })), fail_until: Type.Optional(Type.Integer()) }, { additionalProperties: false });
const Output = Type.Object({ value: Type.String(), attempt: Type.Integer() }, { additionalProperties: false });
const ok = { status: 'sufficient' as const, missing: [], exceptions: [] };

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

function op(run: (ctx: RunContext, input: { value: string; ms?: number; fail_until?: number }) => Promise<unknown>, extra: { heartbeatTimeoutMs?: number; maxAttempts?: number } = {}) {
  return defineOperation({
    capability: 'test.run',
    description: 'test',
    input: Input,
    output: Output,
    evidenceChecklist: [],
    heartbeatTimeoutMs: extra.heartbeatTimeoutMs ?? 5_000,
    retry: { maxAttempts: extra.maxAttempts ?? 3 },
    async run(ctx, input) {
      const output = (await run(ctx, input)) as { value: string; attempt: number };
      return { output, summary: `ran ${input.value}`, evidence: ok };
    },
  });
}

export const testkit = defineTool({
  name: 'testkit',
  version: '0.0.1',
  description: 'Operations that misbehave on purpose.',
  operations: {
    echo: op(async (ctx, i) => ({ value: i.value, attempt: ctx.attempt })),
    /** Sleeps `ms` without a heartbeat: the lease (300 ms) expires first. */
    sleepy: op(async (ctx, i) => {
      await sleep(i.ms ?? 1_000, ctx.signal).catch(() => undefined);
      return { value: i.value, attempt: ctx.attempt };
    }, { heartbeatTimeoutMs: 300, maxAttempts: 2 }),
    /** Sleeps `ms` but heartbeats every 100 ms under a 300 ms lease. */
    slow: op(async (ctx, i) => {
      const end = Date.now() + (i.ms ?? 1_000);
      while (Date.now() < end) {
        await sleep(100);
        await ctx.heartbeat({ message: 'working' });
      }
      return { value: i.value, attempt: ctx.attempt };
    }, { heartbeatTimeoutMs: 300 }),
    /** Fails until attempt `fail_until` (retryable). */
    flaky: op(async (ctx, i) => {
      if (ctx.attempt <= (i.fail_until ?? 1)) throw new Error(`flake on attempt ${ctx.attempt}`);
      return { value: i.value, attempt: ctx.attempt };
    }),
    always_fail: op(async () => {
      throw new ToolError('upstream_down', 'the upstream is down');
    }),
    refuse: op(async () => {
      throw new ToolError('inputs_contradict', 'the inputs contradict each other', false);
    }),
    bad_output: op(async () => ({ value: 42, attempt: 'x' })),
    /** Runs until cancelled. */
    until_cancelled: op(async (ctx, i) => {
      while (!ctx.signal.aborted) {
        await sleep(50);
        await ctx.heartbeat().catch(() => undefined);
      }
      return { value: i.value, attempt: ctx.attempt };
    }),
  },
});

export function registryWithTestkit() {
  return referenceTools().add(testkit);
}

export const FAST_BACKOFF = { baseMs: 10, capMs: 40 };

export function testOrder(operation: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { tool: 'testkit', operation, inputs, ...extra };
}

import { compileCheck } from '../../src/rail/schema-check.js';

/** A tool the in-process worker never runs: tests claim its work by hand, like a remote worker. */
export function registryWithRemoteKit(heartbeatTimeoutMs = 200) {
  const registry = registryWithTestkit();
  const operations = new Map([
    [
      'work',
      {
        tool: 'remotekit',
        toolVersion: '1.0.0',
        name: 'work',
        capability: 'test.remote',
        description: 'claimed by hand',
        inputSchema: Input,
        outputSchema: Output,
        evidenceChecklist: [],
        maxAttempts: 3,
        heartbeatTimeoutMs,
        nonRetryable: [],
        checkInput: compileCheck(Input, '/inputs'),
        checkOutput: compileCheck(Output),
      },
    ],
  ]);
  return registry.addRemote({ name: 'remotekit', version: '1.0.0', description: 'remote test tool', operations });
}
