/**
 * Noop: an operating tool that does nothing, so a benchmark measures the rail alone. It adds no
 * tool receipt; the rail still issues the usage receipt, ledger leaves, attestation and events.
 * Not registered by default: load it with `bindrail serve --tools dist/tools/ops/noop/index.js`.
 */
import { Type } from 'typebox';
import { defineOperation, defineTool } from '../../sdk.js';

const NoopInput = Type.Object({ n: Type.Optional(Type.Integer()) }, { additionalProperties: false });
const NoopOutput = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });

export const noopRunOperation = defineOperation({
  capability: 'test.noop',
  description: 'Returns {ok: true} at once; for measuring the rail without a tool in the way.',
  input: NoopInput,
  output: NoopOutput,
  evidenceChecklist: [],
  async run() {
    return { output: { ok: true as const }, summary: 'Did nothing, as asked.', evidence: { status: 'sufficient', missing: [], exceptions: [] } };
  },
});

export const noop = defineTool({
  name: 'noop',
  version: '1.0.0',
  description: 'A tool that does nothing: the benchmark workload.',
  operations: { run: noopRunOperation },
});
