/** Assembles the result core and the result contract of a finished binding. Pure. */
import type { EvidenceReview, NextAction, TerminalState } from '../contracts/common.js';
import type { ExceptionTicket } from '../contracts/exception-ticket.js';
import type { ReceiptRef } from '../contracts/receipt.js';
import type { CallbackState, ResultContract, ResultCore } from '../contracts/result-contract.js';

export interface ResultParts {
  bindingId: string;
  status: TerminalState;
  output: Record<string, unknown> | null;
  outputDigest: string | null;
  summary: string;
  evidence: EvidenceReview;
  receipts: ReceiptRef[];
  exception: ExceptionTicket | null;
  nextAction: NextAction;
  nextActionDetail: string;
  replay: { of: string; deterministic: boolean | null } | null;
}

/** The part of a result that is hashed into the ledger and signed. */
export function resultCore(p: ResultParts): ResultCore {
  return {
    binding_id: p.bindingId,
    status: p.status,
    output_digest: p.outputDigest,
    human_summary: p.summary,
    evidence: p.evidence,
    receipts: p.receipts,
    exception: p.exception,
    next_action: p.nextAction,
    replay: p.replay,
  };
}

export function resultContract(
  p: ResultParts,
  proof: {
    ledger: { seq: number; leaf_hash: string };
    attestation: { digest: string; key_id: string } | null;
    callbackState: CallbackState;
    issuedAt: string;
  },
): ResultContract {
  const base = `/v1/bindings/${p.bindingId}`;
  return {
    object: 'result_contract',
    ...resultCore(p),
    machine_output: p.output,
    next_action_detail: p.nextActionDetail,
    callback: { state: proof.callbackState, attempts: 0, path: `${base}/callback` },
    ledger: { ...proof.ledger, path: `/v1/ledger/entries/${proof.ledger.seq}` },
    attestation: proof.attestation && { path: `${base}/attestation`, ...proof.attestation },
    issued_at: proof.issuedAt,
  };
}

/** The next action a result suggests when the tool did not say. */
export function defaultNextAction(evidence: EvidenceReview): { action: NextAction; detail: string } {
  if (evidence.status === 'sufficient' && evidence.exceptions.length === 0) {
    return { action: 'none', detail: 'Nothing to do: the evidence is sufficient and no exceptions were found.' };
  }
  if (evidence.missing.length > 0) {
    return { action: 'supply_evidence', detail: `Supply: ${evidence.missing.join(', ')}; then replay.` };
  }
  return { action: 'review_exceptions', detail: `Review ${evidence.exceptions.length} exception(s).` };
}
