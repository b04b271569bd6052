/** The packet's Merkle leaves: what one file contributes and in which order. */
import { merkleRootHex } from './merkle-root.js';
import type { MerkleAlgorithm } from './schemas.js';

/** The part of a file entry the root commits to. */
export interface LeafEntry {
  name: string;
  sha256: string;
}

/** The leaf data of one file: UTF-8 of `name + "\n" + lowercase hex sha256`. */
export function packetLeaf(entry: LeafEntry): Buffer {
  return Buffer.from(`${entry.name}\n${entry.sha256}`, 'utf8');
}

/**
 * Canonical leaf order: names by their UTF-8 bytes (not JS UTF-16 order, so any language
 * can reproduce it), then sha256 for duplicate names.
 */
export function compareLeafEntries(a: LeafEntry, b: LeafEntry): number {
  const byName = Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8'));
  if (byName !== 0) return byName;
  return a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;
}

/** The packet root over entries already in canonical order. */
export function packetRoot(entries: readonly LeafEntry[]): string {
  return merkleRootHex(entries.map(packetLeaf));
}

/** The algorithm, described for the verification packet. */
export const PACKET_MERKLE_ALGORITHM: MerkleAlgorithm = {
  name: 'rfc9162-sha256',
  leaf_data: 'UTF-8 bytes of the file name, a line feed (0x0a), then the lowercase hex SHA-256 of the file bytes',
  leaf_order: 'files sorted by the UTF-8 bytes of name, then by sha256; one leaf per listed file',
  leaf_hash: 'SHA-256(0x00 || leaf_data)',
  node_hash: 'SHA-256(0x01 || left || right)',
  split: 'left subtree takes the largest power of two smaller than n leaves; empty tree = SHA-256("")',
  reference: 'RFC 9162 section 2.1.1 (Merkle Tree Hash)',
};
