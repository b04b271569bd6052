/**
 * Re-checks a verification packet offline: recomputes the Merkle root from the listed digests and,
 * when file contents are supplied, each file's size and SHA-256. Pure; the CLI calls it.
 */
import { createHash } from 'node:crypto';
import { Compile } from 'typebox/compile';
import type { Finding } from '../../../contracts/common.js';
import { compareLeafEntries, packetRoot } from './leaves.js';
import { VerificationPacket } from './schemas.js';

export interface PacketCheck {
  /** True when nothing below is a problem. Files listed but not supplied are not problems. */
  ok: boolean;
  merkle_root: { listed: string | null; computed: string | null };
  /** Listed files whose supplied content was hashed (and matched or not: see problems). */
  files_checked: string[];
  /** Listed files for which no content was supplied: only their listed digests were used. */
  files_unchecked: string[];
  problems: Finding[];
}

const packetSchema = Compile(VerificationPacket);

/** Verifies `packet` (parsed JSON of a verification packet) against optional file contents by name. */
export function verifyPacket(packet: unknown, files?: ReadonlyMap<string, Uint8Array>): PacketCheck {
  if (!packetSchema.Check(packet)) {
    const problems = packetSchema
      .Errors(packet)
      .slice(0, 20)
      .map((e) => ({ code: 'packet_malformed', message: `${e.instancePath || '/'}: ${e.message}` }));
    return { ok: false, merkle_root: { listed: null, computed: null }, files_checked: [], files_unchecked: [], problems };
  }

  const problems: Finding[] = [];
  const listed = packet.files;
  if (packet.file_count !== listed.length) {
    problems.push({ code: 'file_count_mismatch', message: `file_count is ${packet.file_count} but ${listed.length} files are listed` });
  }
  const total = listed.reduce((sum, f) => sum + f.size, 0);
  if (packet.total_bytes !== total) {
    problems.push({ code: 'total_bytes_mismatch', message: `total_bytes is ${packet.total_bytes} but the listed sizes sum to ${total}` });
  }
  for (let i = 1; i < listed.length; i++) {
    if (compareLeafEntries(listed[i - 1]!, listed[i]!) > 0) {
      problems.push({ code: 'files_not_in_canonical_order', message: 'files are not sorted as merkle.leaf_order says', item: listed[i]!.name });
      break;
    }
  }
  // The root is defined over the canonical order, whatever order the packet lists.
  const computed = packetRoot([...listed].sort(compareLeafEntries));
  if (computed !== packet.merkle_root) {
    problems.push({ code: 'merkle_root_mismatch', message: `listed root ${packet.merkle_root} but the digests give ${computed}` });
  }

  const files_checked: string[] = [];
  const files_unchecked: string[] = [];
  for (const entry of listed) {
    const content = files?.get(entry.name);
    if (content === undefined) {
      files_unchecked.push(entry.name);
      continue;
    }
    files_checked.push(entry.name);
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (sha256 !== entry.sha256) {
      problems.push({ code: 'sha256_mismatch', message: `listed sha256 ${entry.sha256} but the file hashes to ${sha256}`, item: entry.name });
    }
    if (content.length !== entry.size) {
      problems.push({ code: 'size_mismatch', message: `listed size ${entry.size} bytes but the file is ${content.length} bytes`, item: entry.name });
    }
  }
  const listedNames = new Set(listed.map((f) => f.name));
  for (const name of [...(files?.keys() ?? [])].sort()) {
    if (!listedNames.has(name)) problems.push({ code: 'file_not_in_packet', message: 'a file was supplied that the packet does not list', item: name });
  }

  return { ok: problems.length === 0, merkle_root: { listed: packet.merkle_root, computed }, files_checked, files_unchecked, problems };
}
