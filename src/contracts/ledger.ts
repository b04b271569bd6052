/** Ledger entries and signed checkpoints (RFC 9162 Merkle tree). */
import { Type, type Static } from 'typebox';
import { Digest, Timestamp } from './common.js';

export const LedgerKind = Type.Union([
  Type.Literal('work_order.accepted'),
  Type.Literal('binding.replayed'),
  Type.Literal('binding.finalized'),
]);
export type LedgerKind = Static<typeof LedgerKind>;

/** The leaf: its RFC 8785 canonical JSON is what the tree hashes. */
export const LedgerLeaf = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    kind: LedgerKind,
    binding_id: Type.String(),
    work_order_id: Type.String(),
    digest: Digest,
    at: Timestamp,
  },
  { additionalProperties: false },
);
export type LedgerLeaf = Static<typeof LedgerLeaf>;

export const LedgerEntry = Type.Object(
  {
    object: Type.Literal('ledger_entry'),
    leaf: LedgerLeaf,
    leaf_hash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'hex SHA-256(0x00 ‖ canonical leaf)' }),
  },
  { additionalProperties: false },
);
export type LedgerEntry = Static<typeof LedgerEntry>;

export const Checkpoint = Type.Object(
  {
    object: Type.Literal('checkpoint'),
    origin: Type.String(),
    tree_size: Type.Integer({ minimum: 0 }),
    root_hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    timestamp: Timestamp,
    key_id: Type.String(),
    signature: Type.String({ description: 'base64 Ed25519 signature over the signed-note body' }),
    note: Type.String({ description: 'C2SP tlog-checkpoint signed note text' }),
  },
  { additionalProperties: false },
);
export type Checkpoint = Static<typeof Checkpoint>;
