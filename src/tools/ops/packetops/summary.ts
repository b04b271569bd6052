/** The operator-facing sentences and next action for a packet manifest. */
import type { EvidenceReview, NextAction } from '../../../contracts/common.js';
import type { VerifyPacketOutput } from './schemas.js';

/** 1234567 → "1,234,567", the same on every machine (no locale). */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function listSome(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Violation counts by code, e.g. "file_too_large ×2 (a.tif, b.tif)". */
function describeViolations(manifest: VerifyPacketOutput): string {
  const byCode = new Map<string, string[]>();
  for (const v of manifest.violations) byCode.set(v.code, [...(byCode.get(v.code) ?? []), v.item ?? 'packet']);
  return [...byCode]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, items]) => `${code} ×${items.length} (${listSome(items, 3)})`)
    .join('; ');
}

export function packetSummary(manifest: VerifyPacketOutput, evidence: EvidenceReview): string {
  const { present, missing } = manifest.required_items;
  const parts = [
    `Packet "${manifest.packet_name}": ${manifest.file_count} files, ${groupDigits(manifest.total_bytes)} bytes, Merkle root ${manifest.merkle_root}.`,
  ];
  const required = present.length + missing.length;
  if (required > 0) {
    parts.push(
      missing.length === 0
        ? `All ${required} required items present.`
        : `Required items: ${present.length} of ${required} present; missing ${listSome(missing)}.`,
    );
  }
  parts.push(manifest.violations.length === 0 ? 'No limit or integrity violations.' : `${manifest.violations.length} violations: ${describeViolations(manifest)}.`);
  parts.push(`Evidence ${evidence.status}.`);
  return parts.join(' ');
}

export function packetNextAction(manifest: VerifyPacketOutput, evidence: EvidenceReview): { action: NextAction; detail: string } {
  if (evidence.status === 'insufficient') {
    return { action: 'supply_evidence', detail: `Add the missing required files: ${listSome(manifest.required_items.missing, 20)}.` };
  }
  if (manifest.violations.length > 0) {
    return { action: 'review_exceptions', detail: `Review the ${manifest.violations.length} violations (${describeViolations(manifest)}) and resubmit a corrected packet or accept them.` };
  }
  return { action: 'none', detail: 'Packet verified; share verification_packet for third-party re-checking.' };
}
