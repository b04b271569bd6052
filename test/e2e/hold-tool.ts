/**
 * `holdkit.hold`: keeps a lease for `ms`, heartbeating, then succeeds — work that is in flight when a
 * process is stopped, killed or loses its database. Loaded into child processes with
 * `--tools test/e2e/hold-tool.ts`. Its lease (3 s, heartbeats every 250 ms) is short, so a killed
 * worker's leases expire quickly, yet long enough that a loaded 2-core box does not miss it.
 * A heartbeat the database cannot take is not fatal: the local lease timer decides when to stop.
 */
import { Type } from 'typebox';
import { defineOperation, defineTool } from '../../src/tools/sdk.js';

export const HOLD_LEASE_MS = 3_000;
const HEARTBEAT_EVERY_MS = 250;

const Input = Type.Object({ value: Type.String(), ms: Type.Integer({ minimum: 0, maximum: 600_000 }) }, { additionalProperties: false });
const Output = Type.Object({ value: Type.String(), attempt: Type.Integer() }, { additionalProperties: false });

export const holdkit = defineTool({
  name: 'holdkit',
  version: '0.0.1',
  description: 'Holds a lease for a while, heartbeating.',
  operations: {
    hold: defineOperation({
      capability: 'test.hold',
      description: 'holds its lease for `ms`, then echoes `value`',
      input: Input,
      output: Output,
      evidenceChecklist: [],
      heartbeatTimeoutMs: HOLD_LEASE_MS,
      retry: { maxAttempts: 5 },
      async run(ctx, input) {
        const end = Date.now() + input.ms;
        while (Date.now() < end) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          await new Promise((r) => setTimeout(r, Math.min(HEARTBEAT_EVERY_MS, Math.max(0, end - Date.now()))));
          await ctx.heartbeat({ message: 'holding' });
        }
        return { output: { value: input.value, attempt: ctx.attempt }, summary: `held ${input.value}`, evidence: { status: 'sufficient', missing: [], exceptions: [] } };
      },
    }),
  },
});

export function holdOrder(value: string, ms: number, extra: Record<string, unknown> = {}) {
  return { tool: 'holdkit', operation: 'hold', inputs: { value, ms }, ...extra };
}
