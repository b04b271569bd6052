/** One file's size and digest: hashed from content, or taken from its manifest line. */
import { createHash } from 'node:crypto';
import type { PacketFileInput } from './schemas.js';

export interface MeasuredFile {
  name: string;
  /** Lowercased: media types compare case-insensitively (RFC 6838 §4.2). */
  media_type: string;
  size: number;
  sha256: string;
  digest_source: 'computed' | 'declared';
  /** What the input declared beside inline content, to be checked against it. */
  declared_size?: number;
  declared_sha256?: string;
}

/** Measures one file. Pure: the same input always gives the same measurement. */
export function measureFile(file: PacketFileInput): MeasuredFile {
  const media_type = file.media_type.toLowerCase();
  if ('content_base64' in file) {
    const bytes = Buffer.from(file.content_base64, 'base64');
    const measured: MeasuredFile = {
      name: file.name,
      media_type,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      digest_source: 'computed',
    };
    if (file.size !== undefined) measured.declared_size = file.size;
    if (file.sha256 !== undefined) measured.declared_sha256 = file.sha256.toLowerCase();
    return measured;
  }
  return { name: file.name, media_type, size: file.size, sha256: file.sha256.toLowerCase(), digest_source: 'declared' };
}
