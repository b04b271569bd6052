/** PacketOps evidence: the checklist, and the review shared by preflight and run. */
import type { EvidenceReview, Finding } from '../../../contracts/common.js';
import type { EvidenceRef } from '../../../contracts/work-order.js';
import { reviewChecklist, type EvidenceItemSpec } from '../../sdk.js';
import { analyzePacket } from './manifest.js';
import type { VerifyPacketInput, VerifyPacketOutput } from './schemas.js';

export const PACKET_EVIDENCE_CHECKLIST: EvidenceItemSpec[] = [
  {
    item: 'packet_files',
    description: 'The packet files: inline (content_base64) or as manifest lines (name, media_type, size, sha256).',
    required: true,
  },
  {
    item: 'required_items',
    description:
      'Every file name listed in inputs.required_items is present in the packet; each missing name is reported as missing (→ insufficient).',
    required: true,
  },
];

/** Leaves room under the result contract's 10,000-exception cap. */
const MAX_EXCEPTIONS = 1000;

function capExceptions(violations: readonly Finding[]): Finding[] {
  if (violations.length <= MAX_EXCEPTIONS) return [...violations];
  return [
    ...violations.slice(0, MAX_EXCEPTIONS),
    {
      code: 'exceptions_truncated',
      message: `${violations.length - MAX_EXCEPTIONS} more violations are listed in output.violations`,
    },
  ];
}

/** Missing required items → insufficient; any violation → partial; otherwise sufficient. */
export function reviewManifest(manifest: VerifyPacketOutput): EvidenceReview {
  const { present, missing } = manifest.required_items;
  const checklist = [...present, ...missing].map((item) => ({ item, description: 'required packet file', required: true }));
  const have = new Set(present);
  return reviewChecklist(checklist, (item) => have.has(item), capExceptions(manifest.violations));
}

/**
 * Preflight review. The packet itself is the evidence, so declared evidence refs are not
 * consulted: a required item counts only when the file is in the packet.
 */
export function assessEvidence(input: VerifyPacketInput, _declared: EvidenceRef[]): EvidenceReview {
  return reviewManifest(analyzePacket(input));
}
