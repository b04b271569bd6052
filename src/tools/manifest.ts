/** A tool's public manifest: what it does, what it accepts, what evidence it wants. */
import type { RegisteredTool } from './registry.js';

export interface ToolManifest {
  object: 'tool';
  name: string;
  version: string;
  description: string;
  runtime: 'in_process' | 'remote';
  capabilities: string[];
  operations: Record<
    string,
    {
      capability: string;
      description: string;
      input_schema: object;
      output_schema: object;
      evidence_checklist: { item: string; description: string; required: boolean }[];
      max_attempts: number;
      heartbeat_timeout_ms: number;
    }
  >;
  workflow_states: string[];
}

export function toolManifest(t: RegisteredTool): ToolManifest {
  const ops = [...t.operations.values()];
  return {
    object: 'tool',
    name: t.name,
    version: t.version,
    description: t.description,
    runtime: t.runtime,
    capabilities: [...new Set(ops.map((o) => o.capability))],
    operations: Object.fromEntries(
      ops.map((o) => [
        o.name,
        {
          capability: o.capability,
          description: o.description,
          input_schema: o.inputSchema,
          output_schema: o.outputSchema,
          evidence_checklist: o.evidenceChecklist,
          max_attempts: o.maxAttempts,
          heartbeat_timeout_ms: o.heartbeatTimeoutMs,
        },
      ]),
    ),
    workflow_states: ['queued', 'leased', 'retry_wait', 'succeeded', 'failed', 'cancelled'],
  };
}
