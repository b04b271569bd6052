/** Signed attestations: an in-toto Statement v1 inside a DSSE envelope. */
import { Type, type Static } from 'typebox';

export const DsseEnvelope = Type.Object(
  {
    payloadType: Type.Literal('application/vnd.in-toto+json'),
    payload: Type.String({ description: 'base64 of the statement bytes' }),
    signatures: Type.Array(
      Type.Object({ keyid: Type.String(), sig: Type.String({ description: 'base64 Ed25519 signature over PAE' }) }, { additionalProperties: false }),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
export type DsseEnvelope = Static<typeof DsseEnvelope>;

export const PREDICATE_TYPE = 'https://bindrail.dev/attestation/execution/v1';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

export const InTotoStatement = Type.Object({
  _type: Type.Literal(STATEMENT_TYPE),
  subject: Type.Array(
    Type.Object({ name: Type.String(), digest: Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }) }),
    { minItems: 1 },
  ),
  predicateType: Type.Literal(PREDICATE_TYPE),
  predicate: Type.Record(Type.String(), Type.Unknown()),
});
export type InTotoStatement = Static<typeof InTotoStatement>;
