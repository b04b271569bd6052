/**
 * The result core read back from a published Result Contract: the fields the `binding.finalized`
 * ledger leaf hashes and the attestation signs. It must pick exactly what src/rail/result-contract.ts
 * `resultCore()` builds; test/proof/result-core.test.ts holds the two together.
 */
import type { ResultContract, ResultCore } from '../contracts/result-contract.js';

export function resultCoreOf(r: ResultContract): ResultCore {
  return {
    binding_id: r.binding_id,
    status: r.status,
    output_digest: r.output_digest,
    human_summary: r.human_summary,
    evidence: r.evidence,
    receipts: r.receipts,
    exception: r.exception,
    next_action: r.next_action,
    replay: r.replay,
  };
}
