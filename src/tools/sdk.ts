/** The tool SDK: how an operating tool declares its operations and runs one command. */
import type { Static, TSchema } from 'typebox';
import type { EvidenceReview, EvidenceStatus, Finding, NextAction } from '../contracts/common.js';
import type { Progress } from '../contracts/execution-binding.js';
import type { EvidenceRef } from '../contracts/work-order.js';

/** One line of an operation's evidence checklist. */
export interface EvidenceItemSpec {
  item: string;
  description: string;
  /** Required items missing → insufficient; optional items missing → partial. */
  required: boolean;
}

export interface ToolLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** What a running operation can see and do. Everything with a side effect goes through here. */
export interface RunContext {
  tenantId: string;
  bindingId: string;
  workOrderId: string;
  /** Stable across attempts: the tool's idempotency key for any external side effect. */
  commandId: string;
  attempt: number;
  /** Aborted when the binding is cancelled or its lease is lost. */
  signal: AbortSignal;
  /** Evidence the Work Order declared (`evidence[]`). */
  evidence: EvidenceRef[];
  /** Extends the lease; rejects (and aborts `signal`) when the attempt is no longer current. */
  heartbeat(progress?: Progress): Promise<void>;
  /** Adds a tool-specific receipt (packet_manifest, settlement, …) to the result. */
  receipt(kind: string, body: Record<string, unknown>): void;
  log: ToolLogger;
}

export interface RunResult<O> {
  output: O;
  /** A sentence or three a person would want to read. */
  summary: string;
  evidence: EvidenceReview;
  nextAction?: { action: NextAction; detail: string };
}

export interface OperationSpec<I extends TSchema = TSchema, O extends TSchema = TSchema> {
  capability: string;
  description: string;
  input: I;
  output: O;
  evidenceChecklist: EvidenceItemSpec[];
  /** Pure evidence review of inputs, used by preflight before anything runs. */
  assessEvidence?(input: Static<I>, declared: EvidenceRef[]): EvidenceReview;
  retry?: { maxAttempts?: number; nonRetryable?: string[] };
  heartbeatTimeoutMs?: number;
  run(ctx: RunContext, input: Static<I>): Promise<RunResult<Static<O>>>;
}

export interface ToolSpec {
  name: string;
  version: string;
  description: string;
  operations: Record<string, OperationSpec>;
}

/** Declares an operating tool; the generic keeps each operation's input/output types tied to its schemas. */
export function defineTool<const T extends { name: string; version: string; description: string; operations: Record<string, unknown> }>(
  spec: T & { operations: { [K in keyof T['operations']]: T['operations'][K] extends OperationSpec<infer I, infer O> ? OperationSpec<I, O> : never } },
): ToolSpec {
  return spec as unknown as ToolSpec;
}

/** Declares one operation with its types inferred from its schemas. */
export function defineOperation<I extends TSchema, O extends TSchema>(spec: OperationSpec<I, O>): OperationSpec<I, O> {
  return spec;
}

/**
 * A failure a tool raises on purpose. `retryable: false` fails the binding at once
 * (e.g. invalid inputs); otherwise the queue retries with backoff.
 */
export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Evidence status from a checklist: a missing required item → insufficient, an optional one → partial. */
export function reviewChecklist(
  checklist: EvidenceItemSpec[],
  present: (item: string) => boolean,
  exceptions: Finding[] = [],
): EvidenceReview {
  const missing = checklist.filter((c) => !present(c.item));
  let status: EvidenceStatus = 'sufficient';
  if (missing.some((c) => c.required)) status = 'insufficient';
  else if (missing.length > 0 || exceptions.length > 0) status = 'partial';
  return { status, missing: missing.map((c) => c.item), exceptions };
}
