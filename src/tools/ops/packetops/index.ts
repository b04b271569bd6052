/** PacketOps: verifies a packet of files and issues a manifest with a Merkle root anyone can re-check. */
import { defineOperation, defineTool, ToolError } from '../../sdk.js';
import { assessEvidence, PACKET_EVIDENCE_CHECKLIST, reviewManifest } from './evidence.js';
import { buildManifest } from './manifest.js';
import { measureFile, type MeasuredFile } from './measure.js';
import { VerifyPacketInput, VerifyPacketOutput } from './schemas.js';
import { packetNextAction, packetSummary } from './summary.js';

const HEARTBEAT_EVERY_FILES = 1000;
const HEARTBEAT_EVERY_BYTES = 32 * 1024 * 1024;

export const verifyPacketOperation = defineOperation({
  capability: 'packet.verify',
  description:
    'Hashes each file (or takes its manifest digest), checks required items and size/type limits, and returns the RFC 9162 Merkle root with a self-contained verification packet.',
  input: VerifyPacketInput,
  output: VerifyPacketOutput,
  evidenceChecklist: PACKET_EVIDENCE_CHECKLIST,
  assessEvidence,
  retry: { maxAttempts: 3 },
  heartbeatTimeoutMs: 30_000,
  async run(ctx, input) {
    const measured: MeasuredFile[] = [];
    let bytesSinceBeat = 0;
    for (const [i, file] of input.files.entries()) {
      if (ctx.signal.aborted) throw new ToolError('aborted', 'packet verification stopped: the binding was cancelled or its lease lost', false);
      const m = measureFile(file);
      measured.push(m);
      bytesSinceBeat += m.digest_source === 'computed' ? m.size : 0;
      if ((i + 1) % HEARTBEAT_EVERY_FILES === 0 || bytesSinceBeat >= HEARTBEAT_EVERY_BYTES) {
        bytesSinceBeat = 0;
        await ctx.heartbeat({ percent: Math.floor(((i + 1) / input.files.length) * 90), message: `measured ${i + 1} of ${input.files.length} files` });
      }
    }
    await ctx.heartbeat({ percent: 90, message: `measured ${input.files.length} files; building the manifest` });

    const output = buildManifest(input, measured);
    const evidence = reviewManifest(output);
    ctx.receipt('packet_manifest', {
      packet_name: output.packet_name,
      merkle_algorithm: output.verification_packet.merkle.name,
      merkle_root: output.merkle_root,
      file_count: output.file_count,
      total_bytes: output.total_bytes,
      files: output.files.map(({ name, size, sha256, digest_source }) => ({ name, size, sha256, digest_source })),
      required_missing: output.required_items.missing,
      violation_count: output.violations.length,
      evidence_status: evidence.status,
    });
    return { output, summary: packetSummary(output, evidence), evidence, nextAction: packetNextAction(output, evidence) };
  },
});

export const packetops = defineTool({
  name: 'packetops',
  version: '1.0.0',
  description: 'Packet readiness: per-file SHA-256, RFC 9162 Merkle root, required items, size/type limits, and a verification packet.',
  operations: { verify_packet: verifyPacketOperation },
});
