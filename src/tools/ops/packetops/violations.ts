/** Packet limit and integrity checks: each problem becomes one finding naming the file. */
import type { Finding } from '../../../contracts/common.js';
import type { MeasuredFile } from './measure.js';
import type { PacketLimits } from './schemas.js';

/** `image/*` matches any image subtype; anything else must match exactly (case-insensitive). */
export function mediaTypeAllowed(mediaType: string, allowed: readonly string[]): boolean {
  const type = mediaType.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith('/*') ? type.startsWith(p.slice(0, -1)) : type === p;
  });
}

function fileViolations(file: MeasuredFile, limits: PacketLimits): Finding[] {
  const found: Finding[] = [];
  const item = file.name;
  if (file.declared_sha256 !== undefined && file.declared_sha256 !== file.sha256) {
    found.push({
      code: 'sha256_mismatch',
      message: `declared sha256 ${file.declared_sha256} but the content hashes to ${file.sha256}`,
      item,
    });
  }
  if (file.declared_size !== undefined && file.declared_size !== file.size) {
    found.push({
      code: 'size_mismatch',
      message: `declared size ${file.declared_size} bytes but the content is ${file.size} bytes`,
      item,
    });
  }
  if (file.size === 0) found.push({ code: 'empty_file', message: 'the file is 0 bytes', item });
  if (limits.max_file_bytes !== undefined && file.size > limits.max_file_bytes) {
    found.push({
      code: 'file_too_large',
      message: `${file.size} bytes exceeds the per-file limit of ${limits.max_file_bytes} bytes`,
      item,
    });
  }
  if (limits.allowed_media_types !== undefined && !mediaTypeAllowed(file.media_type, limits.allowed_media_types)) {
    found.push({
      code: 'media_type_not_allowed',
      message: `media type ${file.media_type} is not in the allowed list (${limits.allowed_media_types.join(', ')})`,
      item,
    });
  }
  return found;
}

/** All violations, in a stable order: per file (files in canonical order), duplicates, then the total. */
export function findViolations(files: readonly MeasuredFile[], totalBytes: number, limits: PacketLimits = {}): Finding[] {
  const found = files.flatMap((f) => fileViolations(f, limits));
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  for (const [name, count] of counts) {
    if (count > 1) found.push({ code: 'duplicate_name', message: `the name appears ${count} times in the packet`, item: name });
  }
  if (limits.max_total_bytes !== undefined && totalBytes > limits.max_total_bytes) {
    found.push({
      code: 'total_too_large',
      message: `the packet totals ${totalBytes} bytes, over the limit of ${limits.max_total_bytes} bytes`,
    });
  }
  return found;
}
