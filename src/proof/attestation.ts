/** The execution attestation: an in-toto Statement v1 about a result, signed in a DSSE envelope. */
import { PREDICATE_TYPE, STATEMENT_TYPE, type DsseEnvelope, type InTotoStatement } from '../contracts/attestation.js';
import { canonicalize, digestJson } from './canonical.js';
import { signEnvelope } from './dsse.js';
import type { SigningKey } from './keys.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface ExecutionPredicate {
  binding_id: string;
  work_order_id: string;
  tenant_id: string;
  command_id: string;
  command_digest: string;
  input_digests: { name: string; digest: string }[];
  tool: { name: string; version: string };
  operation: string;
  attempt: number;
  status: string;
  timings: { created_at: string; started_at: string | null; finished_at: string };
  ledger: { seq: number; leaf_hash: string };
  replay_of: string | null;
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

/** Subjects: the machine output (when there is one) and the result core. */
export function buildStatement(p: {
  outputDigest: string | null;
  coreDigest: string;
  predicate: ExecutionPredicate;
}): InTotoStatement {
  const subject = [{ name: `result-core:${p.predicate.binding_id}`, digest: { sha256: hex(p.coreDigest) } }];
  if (p.outputDigest) subject.unshift({ name: `machine-output:${p.predicate.binding_id}`, digest: { sha256: hex(p.outputDigest) } });
  return { _type: STATEMENT_TYPE, subject, predicateType: PREDICATE_TYPE, predicate: { ...p.predicate } };
}

export function signStatement(statement: InTotoStatement, key: SigningKey): { envelope: DsseEnvelope; digest: string } {
  const envelope = signEnvelope(Buffer.from(canonicalize(statement)), IN_TOTO_PAYLOAD_TYPE, key.privateKey, key.keyId);
  return { envelope, digest: digestJson(envelope) };
}
