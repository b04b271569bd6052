/**
 * Proof objects: inclusion and consistency proofs, the published signing keys, and the
 * self-contained verification bundle of one result (checked offline by `bindrail verify`).
 */
import { Type, type Static } from 'typebox';
import { DsseEnvelope } from './attestation.js';
import { BindingId, Digest, Timestamp } from './common.js';
import { Checkpoint, LedgerEntry } from './ledger.js';
import { Receipt } from './receipt.js';
import { ResultContract } from './result-contract.js';

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'hex SHA-256' });
const KeyId = Type.String({ pattern: '^[0-9a-f]{16}$', description: 'first 16 hex chars of SHA-256(raw public key)' });
const TreeSize = Type.Integer({ minimum: 0 });

export const InclusionProof = Type.Object(
  {
    object: Type.Literal('inclusion_proof'),
    seq: Type.Integer({ minimum: 0 }),
    tree_size: TreeSize,
    leaf_hash: Hash,
    root_hash: Type.Unsafe<string>({ ...Hash, description: 'the root of the tree of tree_size leaves; compare it with a signed checkpoint' }),
    proof: Type.Array(Hash, { description: 'RFC 9162 §2.1.3 audit path, deepest sibling first' }),
  },
  { additionalProperties: false },
);
export type InclusionProof = Static<typeof InclusionProof>;

export const ConsistencyProof = Type.Object(
  {
    object: Type.Literal('consistency_proof'),
    from: TreeSize,
    to: TreeSize,
    from_root: Hash,
    to_root: Hash,
    proof: Type.Array(Hash, { description: 'RFC 9162 §2.1.4 consistency proof' }),
  },
  { additionalProperties: false },
);
export type ConsistencyProof = Static<typeof ConsistencyProof>;

export const PublicKey = Type.Object(
  {
    key_id: KeyId,
    algorithm: Type.Literal('ed25519'),
    public_key: Type.String({ description: 'base64 of the 32-byte raw Ed25519 public key' }),
  },
  { additionalProperties: false },
);
export type PublicKey = Static<typeof PublicKey>;

export const PublishedKey = Type.Object(
  {
    key_id: KeyId,
    algorithm: Type.Literal('ed25519'),
    public_key: Type.String({ description: 'base64 of the 32-byte raw Ed25519 public key' }),
    jwk: Type.Object(
      {
        kty: Type.Literal('OKP'),
        crv: Type.Literal('Ed25519'),
        x: Type.String({ description: 'base64url raw public key (RFC 8037)' }),
        kid: Type.String(),
        alg: Type.Literal('EdDSA'),
        use: Type.Literal('sig'),
      },
      { additionalProperties: false },
    ),
    status: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
    created_at: Timestamp,
    retired_at: Type.Union([Timestamp, Type.Null()]),
    valid: Type.Object(
      { from: Timestamp, until: Type.Union([Timestamp, Type.Null()]) },
      { additionalProperties: false, description: 'when the key signed: from its creation until its retirement (null: still signing)' },
    ),
  },
  { additionalProperties: false },
);
export type PublishedKey = Static<typeof PublishedKey>;

export const KeySet = Type.Object(
  {
    object: Type.Literal('key_set'),
    origin: Type.String({ description: 'the checkpoint origin line, also the key name of checkpoint note signatures' }),
    keys: Type.Array(PublishedKey),
  },
  { additionalProperties: false, description: 'Every key that ever signed, retired ones included.' },
);
export type KeySet = Static<typeof KeySet>;

export const Bundle = Type.Object(
  {
    object: Type.Literal('bundle'),
    version: Type.Literal(1),
    binding_id: BindingId,
    result_contract: ResultContract,
    receipts: Type.Array(Receipt),
    attestation: Type.Union([
      Type.Object({ envelope: DsseEnvelope, digest: Digest, key_id: KeyId }, { additionalProperties: false }),
      Type.Null(),
    ]),
    ledger: Type.Object(
      {
        entry: LedgerEntry,
        inclusion_proof: Type.Array(Hash),
        tree_size: TreeSize,
      },
      { additionalProperties: false },
    ),
    checkpoint: Checkpoint,
    public_keys: Type.Array(PublicKey),
  },
  { additionalProperties: false, description: 'Everything needed to check one result offline: `bindrail verify bundle.json`.' },
);
export type Bundle = Static<typeof Bundle>;
