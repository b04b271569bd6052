/** Preflight: intake's validation, routing and evidence review, with nothing stored. */
import type { EvidenceReview } from '../contracts/common.js';
import { RailError, type FieldError } from '../contracts/errors.js';
import type { WorkOrderRequest } from '../contracts/work-order.js';
import { reviewChecklist } from '../tools/sdk.js';
import type { RailContext } from './context.js';
import { checkWorkOrder } from './intake.js';
import { route } from './routing.js';

export interface PreflightAnswer {
  object: 'preflight';
  would_accept: boolean;
  route: { tool: string; tool_version: string; operation: string; capability: string; rule: string; reason: string } | null;
  evidence: EvidenceReview | null;
  refusal: { code: string; detail: string; errors: FieldError[] } | null;
}

export function preflight(ctx: RailContext, req: WorkOrderRequest, allowedTools?: readonly string[]): PreflightAnswer {
  let answer: PreflightAnswer = { object: 'preflight', would_accept: false, route: null, evidence: null, refusal: null };
  try {
    const r = route(req, ctx.registry, allowedTools);
    answer.route = { tool: r.op.tool, tool_version: r.op.toolVersion, operation: r.op.name, capability: r.op.capability, ...r.routing };
    const declared = req.evidence ?? [];
    const inputsFit = r.op.checkInput(req.inputs).length === 0;
    answer.evidence =
      inputsFit && r.op.spec?.assessEvidence
        ? r.op.spec.assessEvidence(req.inputs, declared)
        : reviewChecklist(r.op.evidenceChecklist, (item) => declared.some((d) => d.item === item));
    checkWorkOrder(ctx, req, allowedTools);
    answer = { ...answer, would_accept: true };
  } catch (err) {
    if (!(err instanceof RailError)) throw err;
    answer.refusal = { code: err.code, detail: err.message, errors: err.errors ?? [] };
  }
  return answer;
}
