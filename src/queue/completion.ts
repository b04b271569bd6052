/**
 * What a tool's return becomes, for in-process and remote tools alike: a success report, or —
 * when the output breaks the operation's output schema — a non-retryable `tool_output_invalid`.
 */
import type { EvidenceReview, NextAction } from '../contracts/common.js';
import type { FieldError } from '../contracts/errors.js';
import type { RegisteredOperation } from '../tools/registry.js';
import type { Report } from './attempts.js';

export interface ToolReturn {
  output: unknown;
  summary: string;
  evidence: EvidenceReview;
  nextAction?: { action: NextAction; detail: string };
  receipts: { kind: string; body: Record<string, unknown> }[];
}

/** `outputErrors` point into the output itself (`/total`, not `/output/total`). */
export function completionReport(op: RegisteredOperation, ret: ToolReturn, runMs: number): { report: Report; outputErrors: FieldError[] } {
  const outputErrors = op.checkOutput(ret.output);
  if (outputErrors.length > 0) {
    const listed = outputErrors
      .slice(0, 5)
      .map((e) => `${e.pointer} ${e.detail}`)
      .join('; ');
    return {
      outputErrors,
      report: { kind: 'failed', code: 'tool_output_invalid', message: `output breaks ${op.tool}.${op.name}'s output schema: ${listed}`, retryable: false, runMs },
    };
  }
  return {
    outputErrors,
    report: {
      kind: 'succeeded',
      output: ret.output as Record<string, unknown>,
      summary: ret.summary,
      evidence: ret.evidence,
      nextAction: ret.nextAction,
      toolReceipts: ret.receipts,
      runMs,
    },
  };
}
