/** A RunContext for calling an operation's run() directly: records receipts and heartbeats. */
import type { Progress } from '../../src/contracts/execution-binding.js';
import type { EvidenceRef } from '../../src/contracts/work-order.js';
import type { RunContext } from '../../src/tools/sdk.js';

export function toolContext(evidence: EvidenceRef[] = [], controller = new AbortController()) {
  const receipts: { kind: string; body: Record<string, unknown> }[] = [];
  const heartbeats: Progress[] = [];
  const ctx: RunContext = {
    tenantId: 'acme',
    bindingId: 'bnd_00000000000000000000000000000001',
    workOrderId: 'wo_00000000000000000000000000000001',
    commandId: 'cmd_00000000000000000000000000000001',
    attempt: 1,
    signal: controller.signal,
    evidence,
    heartbeat: async (p) => {
      heartbeats.push(p ?? {});
    },
    receipt: (kind, body) => receipts.push({ kind, body }),
    log: { info: () => {}, warn: () => {} },
  };
  return { ctx, receipts, heartbeats, controller };
}
