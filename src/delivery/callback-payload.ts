/**
 * The body of a result callback (Standard Webhooks shape: `type`, `timestamp`, `data`): the
 * result's outcome, its links, and what the receiver can do next. Pure.
 */
import type { ResultContract } from '../contracts/result-contract.js';
import { bindingLinks } from '../rail/present.js';
import type { BindingRow } from '../store/types.js';

export function callbackPayload(b: BindingRow, result: ResultContract) {
  const links = bindingLinks(b.binding_id, b.work_order_id);
  return {
    type: 'bindrail.result.ready',
    timestamp: result.issued_at,
    data: {
      object: 'result_callback',
      binding_id: b.binding_id,
      work_order_id: b.work_order_id,
      tenant_id: b.tenant_id,
      tool: { name: b.tool_name, version: b.tool_version },
      operation: b.operation,
      attempt: b.attempt,
      status: result.status,
      output_digest: result.output_digest,
      human_summary: result.human_summary,
      evidence: result.evidence,
      exception: result.exception,
      next_action: result.next_action,
      next_action_detail: result.next_action_detail,
      replay: result.replay,
      receipts: result.receipts,
      ledger: result.ledger,
      attestation: result.attestation,
      links,
      instructions: {
        fetch_result: { method: 'GET', path: links.result, note: 'the full result contract, machine output included' },
        replay: {
          method: 'POST',
          path: `${links.self}/replay`,
          body: { input_patch: '(optional) an RFC 7386 merge patch of the inputs, to repair them' },
          note: 'runs the work again as a new binding (replay_of points back); a patch closes an open exception ticket',
        },
        redeliver: { method: 'POST', path: `${links.callback}/redeliver`, note: 'sends this callback again, with the same webhook-id' },
        retries:
          'answer 2xx to acknowledge; any other answer, or none within the timeout, is retried on the operator\'s backoff schedule with the same webhook-id',
        deduplicate: 'webhook-id is the same on every try of this callback: process each id once',
        verify: 'webhook-signature is Standard Webhooks v1 (HMAC-SHA256 of "webhook-id.webhook-timestamp.body") with your tenant\'s whsec_ secret (GET /v1/callbacks/secret)',
      },
    },
  };
}
