/** PacketOps input and output schemas: a packet of files (content or manifest) and its verified manifest. */
import { Type, type Static } from 'typebox';
import { Finding } from '../../../contracts/common.js';

const MAX_FILES = 10_000;
/** 64 MiB of base64 text ≈ 48 MiB of bytes: the largest file a Work Order can carry inline. */
const MAX_BASE64_CHARS = 67_108_864;

/** A file name: no control characters, so the `name\n sha256` leaf stays unambiguous. */
export const FileName = Type.String({ minLength: 1, maxLength: 500, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

/** RFC 6838 `type/subtype`, compared case-insensitively. */
export const MediaType = Type.String({
  maxLength: 255,
  pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$',
  examples: ['application/pdf'],
});

/** An allow-list entry: an exact media type or a `type/*` wildcard. */
export const MediaTypePattern = Type.String({
  maxLength: 255,
  pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/(\\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})$',
  examples: ['application/pdf', 'image/*'],
});

export const Sha256Hex = Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'Hex SHA-256 of the file bytes.' });
export const ByteCount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const Base64 = Type.String({
  maxLength: MAX_BASE64_CHARS,
  pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
  description: 'The file bytes, standard base64 with padding.',
});

/** A file carried inline; a declared size/sha256 is checked against the content. */
export const ContentFile = Type.Object(
  {
    name: FileName,
    media_type: MediaType,
    content_base64: Base64,
    size: Type.Optional(ByteCount),
    sha256: Type.Optional(Sha256Hex),
  },
  { additionalProperties: false },
);

/** A file held elsewhere, described by its manifest line; taken as declared. */
export const ManifestFile = Type.Object(
  { name: FileName, media_type: MediaType, size: ByteCount, sha256: Sha256Hex },
  { additionalProperties: false },
);

export const PacketFileInput = Type.Union([ContentFile, ManifestFile]);
export type PacketFileInput = Static<typeof PacketFileInput>;

export const PacketLimits = Type.Object(
  {
    max_file_bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    max_total_bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    allowed_media_types: Type.Optional(Type.Array(MediaTypePattern, { minItems: 1, maxItems: 200 })),
  },
  { additionalProperties: false },
);
export type PacketLimits = Static<typeof PacketLimits>;

export const VerifyPacketInput = Type.Object(
  {
    packet_name: Type.String({ minLength: 1, maxLength: 200 }),
    files: Type.Array(PacketFileInput, { minItems: 1, maxItems: MAX_FILES }),
    required_items: Type.Optional(
      Type.Array(FileName, { maxItems: 1000, description: 'File names that must be present in the packet.' }),
    ),
    limits: Type.Optional(PacketLimits),
  },
  { additionalProperties: false },
);
export type VerifyPacketInput = Static<typeof VerifyPacketInput>;

/** One file as the packet lists it; the Merkle leaf is `name + "\n" + sha256`. */
export const PacketFileEntry = Type.Object(
  {
    name: FileName,
    media_type: Type.String({ maxLength: 255 }),
    size: ByteCount,
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { additionalProperties: false },
);
export type PacketFileEntry = Static<typeof PacketFileEntry>;

/** How the root was built, in words a third party can implement from. */
export const MerkleAlgorithm = Type.Object(
  {
    name: Type.Literal('rfc9162-sha256'),
    leaf_data: Type.String({ maxLength: 500 }),
    leaf_order: Type.String({ maxLength: 500 }),
    leaf_hash: Type.String({ maxLength: 200 }),
    node_hash: Type.String({ maxLength: 200 }),
    split: Type.String({ maxLength: 200 }),
    reference: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type MerkleAlgorithm = Static<typeof MerkleAlgorithm>;

/** A self-contained document anyone can re-check: digests, the root and the algorithm. */
export const VerificationPacket = Type.Object(
  {
    format: Type.Literal('bindrail.packet-verification/v1'),
    packet_name: Type.String({ minLength: 1, maxLength: 200 }),
    file_digest: Type.Literal('sha-256'),
    merkle: MerkleAlgorithm,
    files: Type.Array(PacketFileEntry, { maxItems: MAX_FILES }),
    file_count: Type.Integer({ minimum: 0 }),
    total_bytes: ByteCount,
    merkle_root: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { additionalProperties: false },
);
export type VerificationPacket = Static<typeof VerificationPacket>;

export const ManifestFileOutput = Type.Object(
  {
    ...PacketFileEntry.properties,
    digest_source: Type.Union([Type.Literal('computed'), Type.Literal('declared')], {
      description: 'computed: hashed by the tool from content; declared: taken from the manifest.',
    }),
  },
  { additionalProperties: false },
);
export type ManifestFileOutput = Static<typeof ManifestFileOutput>;

export const VerifyPacketOutput = Type.Object(
  {
    packet_name: Type.String({ maxLength: 200 }),
    file_count: Type.Integer({ minimum: 0 }),
    total_bytes: ByteCount,
    files: Type.Array(ManifestFileOutput, { maxItems: MAX_FILES }),
    merkle_root: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    required_items: Type.Object(
      {
        present: Type.Array(FileName, { maxItems: 1000 }),
        missing: Type.Array(FileName, { maxItems: 1000 }),
      },
      { additionalProperties: false },
    ),
    violations: Type.Array(Finding, { maxItems: 7 * MAX_FILES + 1 }),
    verification_packet: VerificationPacket,
  },
  { additionalProperties: false },
);
export type VerifyPacketOutput = Static<typeof VerifyPacketOutput>;
