/** Builds the packet manifest: sorted files, Merkle root, required items, violations, verification packet. */
import { compareLeafEntries, packetRoot, PACKET_MERKLE_ALGORITHM } from './leaves.js';
import { measureFile, type MeasuredFile } from './measure.js';
import type { VerificationPacket, VerifyPacketInput, VerifyPacketOutput } from './schemas.js';
import { findViolations } from './violations.js';

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Required names split into present and missing, in the order first listed (duplicates dropped). */
export function checkRequiredItems(required: readonly string[], names: ReadonlySet<string>) {
  const unique = [...new Set(required)];
  return { present: unique.filter((n) => names.has(n)), missing: unique.filter((n) => !names.has(n)) };
}

/** The manifest for already-measured files (any order). */
export function buildManifest(input: VerifyPacketInput, measured: readonly MeasuredFile[]): VerifyPacketOutput {
  // Beyond name and sha256 (the leaf order), media type and size only settle exact duplicates' order.
  const sorted = [...measured].sort(
    (a, b) => compareLeafEntries(a, b) || compareCodeUnits(a.media_type, b.media_type) || a.size - b.size,
  );
  const files = sorted.map(({ name, media_type, size, sha256, digest_source }) => ({ name, media_type, size, sha256, digest_source }));
  const total_bytes = files.reduce((sum, f) => sum + f.size, 0);
  const merkle_root = packetRoot(files);
  const verification_packet: VerificationPacket = {
    format: 'bindrail.packet-verification/v1',
    packet_name: input.packet_name,
    file_digest: 'sha-256',
    merkle: PACKET_MERKLE_ALGORITHM,
    files: files.map(({ name, media_type, size, sha256 }) => ({ name, media_type, size, sha256 })),
    file_count: files.length,
    total_bytes,
    merkle_root,
  };
  return {
    packet_name: input.packet_name,
    file_count: files.length,
    total_bytes,
    files,
    merkle_root,
    required_items: checkRequiredItems(input.required_items ?? [], new Set(files.map((f) => f.name))),
    violations: findViolations(sorted, total_bytes, input.limits),
    verification_packet,
  };
}

/** Measures every file and builds the manifest in one pure step (used by preflight). */
export function analyzePacket(input: VerifyPacketInput): VerifyPacketOutput {
  return buildManifest(input, input.files.map(measureFile));
}
