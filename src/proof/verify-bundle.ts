/**
 * Offline verification of a result bundle (GET /v1/bindings/{id}/bundle): every digest, the ledger
 * leaf, its inclusion proof against the signed checkpoint, the checkpoint signature, the DSSE
 * signature and that the signed statement says what the result contract says. No network, no
 * trust in the server: only the bundle and, optionally, keys the caller already trusts.
 */
import type { KeyObject } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { PREDICATE_TYPE, STATEMENT_TYPE } from '../contracts/attestation.js';
import { Bundle } from '../contracts/bundle.js';
import type { UsageReceiptBody } from '../contracts/receipt.js';
import { canonicalize, digestJson } from './canonical.js';
import { verifyCheckpoint, type PublishedKey } from './checkpoint.js';
import { parseNote } from './checkpoint-note.js';
import { verifyEnvelope } from './dsse.js';
import { keyIdOf, publicKeyFromRaw } from './keys.js';
import { ledgerLeafBytes } from './ledger-leaf.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { resultCoreOf } from './result-core.js';

export interface BundleCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BundleVerification {
  ok: boolean;
  checks: BundleCheck[];
  /** Name of the first check that failed. */
  failed?: string;
}

export interface VerifyBundleOptions {
  /**
   * Keys the caller trusts (e.g. the rail's keys.json fetched earlier). When given, a signature
   * counts only if its key is among them with the same public key; otherwise the bundle's own
   * keys are used, which proves the bundle consistent but not who signed it.
   */
  trustedKeys?: readonly PublishedKey[];
}

/** The checks, in the order they run; the CLI and the MCP server name them to users. */
export const BUNDLE_CHECKS = [
  'shape',
  'receipts',
  'output_digest',
  'ledger_leaf_digest',
  'leaf_hash',
  'inclusion_proof',
  'checkpoint_signature',
  'attestation_signature',
  'attestation_subjects',
  'attestation_predicate',
] as const;

const checkShape = Compile(Bundle);
const hex = (digest: string) => digest.replace(/^sha256:/, '');

/** Checks a bundle; `ok` only when every check passed. Never throws. */
export function verifyBundle(bundle: unknown, opts: VerifyBundleOptions = {}): BundleVerification {
  const checks: BundleCheck[] = [];
  const add = (name: (typeof BUNDLE_CHECKS)[number], ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const done = (): BundleVerification => {
    const failed = checks.find((c) => !c.ok)?.name;
    return failed === undefined ? { ok: true, checks } : { ok: false, checks, failed };
  };

  if (!checkShape.Check(bundle)) {
    const first = [...checkShape.Errors(bundle)][0];
    add('shape', false, first ? `${first.instancePath || '/'}: ${first.message}` : 'not a bundle');
    return done();
  }
  const b = bundle as Bundle;
  const r = b.result_contract;
  const jsonProblem = notJson(b);
  if (jsonProblem !== undefined) {
    add('shape', false, jsonProblem);
    return done();
  }
  if (r.binding_id !== b.binding_id) {
    add('shape', false, `result_contract is for ${r.binding_id}, the bundle for ${b.binding_id}`);
    return done();
  }
  add('shape', true, `a version ${b.version} bundle for ${b.binding_id}`);

  add(...checkReceipts(b));

  const outputDigest = r.machine_output === null ? null : digestJson(r.machine_output);
  add(
    'output_digest',
    outputDigest === r.output_digest,
    outputDigest === r.output_digest
      ? `output_digest is the SHA-256 of the canonical machine_output${outputDigest === null ? ' (no output)' : ''}`
      : `output_digest ${r.output_digest} is not the SHA-256 of the canonical machine_output (${outputDigest})`,
  );

  const coreDigest = digestJson(resultCoreOf(r));
  const leaf = b.ledger.entry.leaf;
  const leafOk = leaf.digest === coreDigest && leaf.kind === 'binding.finalized' && leaf.binding_id === r.binding_id;
  add(
    'ledger_leaf_digest',
    leafOk,
    leafOk
      ? `ledger leaf ${leaf.seq} (binding.finalized) carries the result core digest ${coreDigest}`
      : `ledger leaf ${leaf.seq} (${leaf.kind} of ${leaf.binding_id}) carries ${leaf.digest}, but the result core digest is ${coreDigest}`,
  );

  const hash = leafHash(ledgerLeafBytes(leaf));
  const hashHex = hash.toString('hex');
  const hashOk = hashHex === b.ledger.entry.leaf_hash && hashHex === r.ledger.leaf_hash && leaf.seq === r.ledger.seq;
  add(
    'leaf_hash',
    hashOk,
    hashOk
      ? `leaf hash ${hashHex} = SHA-256(0x00 ‖ canonical leaf), as the result's ledger ref says`
      : `SHA-256(0x00 ‖ canonical leaf ${leaf.seq}) is ${hashHex}; the entry says ${b.ledger.entry.leaf_hash}, the result says seq ${r.ledger.seq} leaf ${r.ledger.leaf_hash}`,
  );

  const cp = b.checkpoint;
  const proof = b.ledger.inclusion_proof.map((h) => Buffer.from(h, 'hex'));
  const included =
    b.ledger.tree_size === cp.tree_size && verifyInclusion(hash, leaf.seq, cp.tree_size, proof, Buffer.from(cp.root_hash, 'hex'));
  add(
    'inclusion_proof',
    included,
    included
      ? `leaf ${leaf.seq} is in the tree of ${cp.tree_size} leaves with root ${cp.root_hash}`
      : b.ledger.tree_size !== cp.tree_size
        ? `the proof is for a tree of ${b.ledger.tree_size} leaves, the checkpoint for ${cp.tree_size}`
        : `the inclusion proof of leaf ${leaf.seq} does not lead to the checkpoint root ${cp.root_hash}${noteRootDiffers(cp) ? ' (and that root_hash is not the root in the signed note)' : ''}`,
  );

  const keys = usableKeys(b.public_keys, opts.trustedKeys);
  const cpKey = keys.problem(cp.key_id);
  const cpCheck = cpKey ?? verifyCheckpoint(cp, keys.usable);
  const cpOk = cpCheck.ok && cpCheck.origin === cp.origin;
  add(
    'checkpoint_signature',
    cpOk,
    cpOk
      ? `checkpoint ${cp.tree_size} of ${cp.origin} is signed by key ${cp.key_id}${opts.trustedKeys ? ' (trusted)' : ''}`
      : !cpCheck.ok
        ? `checkpoint ${cp.tree_size}: ${cpCheck.reason}`
        : `checkpoint origin ${cp.origin} differs from its signed note's ${cpCheck.origin}`,
  );

  checks.push(...checkAttestation(b, coreDigest, keys));
  return done();
}

/** A bundle read from a file is JSON; one built in code might hold values JSON cannot carry. */
function notJson(b: Bundle): string | undefined {
  try {
    canonicalize(b);
    return undefined;
  } catch (err) {
    return `not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function noteRootDiffers(cp: Bundle['checkpoint']): boolean {
  const note = parseNote(cp.note);
  return note.ok && note.rootHash.toString('hex') !== cp.root_hash;
}

function checkReceipts(b: Bundle): [name: 'receipts', ok: boolean, detail: string] {
  const refs = b.result_contract.receipts;
  const byId = new Map(b.receipts.map((doc) => [doc.receipt_id, doc]));
  for (const ref of refs) {
    const doc = byId.get(ref.receipt_id);
    if (!doc) return ['receipts', false, `receipt ${ref.receipt_id} is listed in the result but missing from the bundle`];
    const { digest, ...rest } = doc;
    const recomputed = digestJson(rest);
    if (recomputed !== digest) return ['receipts', false, `receipt ${ref.receipt_id}: its digest ${digest} is not the SHA-256 of its body (${recomputed})`];
    if (digest !== ref.digest || doc.kind !== ref.kind) return ['receipts', false, `receipt ${ref.receipt_id}: the result refers to ${ref.kind} ${ref.digest}, the bundle holds ${doc.kind} ${digest}`];
    if (doc.binding_id !== b.binding_id) return ['receipts', false, `receipt ${ref.receipt_id} belongs to ${doc.binding_id}`];
  }
  const extra = b.receipts.find((doc) => !refs.some((ref) => ref.receipt_id === doc.receipt_id));
  if (extra) return ['receipts', false, `receipt ${extra.receipt_id} is in the bundle but not in the result`];
  return ['receipts', true, `${refs.length} receipt(s), each content-addressed and matching the result's refs`];
}

interface UsableKeys {
  usable: PublishedKey[];
  /** Why a key id cannot be used, as a failed verification; undefined when it can. */
  problem(keyId: string): { ok: false; reason: string } | undefined;
  objects(): Map<string, KeyObject>;
}

/** Bundled keys whose id is the hash of their key and, when some are trusted, that are trusted. */
function usableKeys(bundled: readonly PublishedKey[], trusted: readonly PublishedKey[] | undefined): UsableKeys {
  const why = new Map<string, string>();
  const usable: PublishedKey[] = [];
  for (const k of bundled) {
    const raw = Buffer.from(k.public_key, 'base64');
    if (raw.length !== 32 || keyIdOf(raw) !== k.key_id) why.set(k.key_id, `key ${k.key_id} is not the SHA-256 key id of its public key`);
    else if (trusted && !trusted.some((t) => t.key_id === k.key_id && t.public_key === k.public_key)) {
      why.set(k.key_id, `key ${k.key_id} is not among the trusted keys`);
    } else usable.push(k);
  }
  return {
    usable,
    problem: (keyId) => {
      const reason = why.get(keyId) ?? (usable.some((k) => k.key_id === keyId) ? undefined : `key ${keyId} is not in the bundle's public_keys`);
      return reason === undefined ? undefined : { ok: false, reason };
    },
    objects: () => new Map(usable.map((k) => [k.key_id, publicKeyFromRaw(Buffer.from(k.public_key, 'base64'))])),
  };
}

function checkAttestation(b: Bundle, coreDigest: string, keys: UsableKeys): BundleCheck[] {
  const r = b.result_contract;
  const a = b.attestation;
  const names = ['attestation_signature', 'attestation_subjects', 'attestation_predicate'] as const;
  if (r.attestation === null && a === null) {
    return names.map((name) => ({ name, ok: true, detail: 'skipped: the work order asked for no attestation' }));
  }
  if (r.attestation === null || a === null) {
    const detail = a === null ? 'the result names an attestation the bundle does not carry' : 'the bundle carries an attestation the result does not name';
    return names.map((name) => ({ name, ok: false, detail }));
  }
  const out: BundleCheck[] = [];
  const envDigest = digestJson(a.envelope);
  const keyProblem = keys.problem(a.key_id);
  let signature: BundleCheck;
  if (envDigest !== a.digest || a.digest !== r.attestation.digest) {
    signature = { name: 'attestation_signature', ok: false, detail: `the envelope's digest is ${envDigest}; the bundle says ${a.digest}, the result ${r.attestation.digest}` };
  } else if (a.key_id !== r.attestation.key_id) {
    signature = { name: 'attestation_signature', ok: false, detail: `signed by ${a.key_id}, the result says ${r.attestation.key_id}` };
  } else if (keyProblem) {
    signature = { name: 'attestation_signature', ok: false, detail: keyProblem.reason };
  } else {
    const v = verifyEnvelope(a.envelope, keys.objects());
    const ok = v.ok && v.keyid === a.key_id;
    signature = { name: 'attestation_signature', ok, detail: ok ? `DSSE Ed25519 signature by key ${a.key_id} verifies over PAE` : v.ok ? `verified by ${v.keyid}, not ${a.key_id}` : v.reason };
  }
  out.push(signature);

  let statement: Record<string, unknown>;
  try {
    statement = JSON.parse(Buffer.from(a.envelope.payload, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    const detail = 'the envelope payload is not JSON';
    return [...out, { name: 'attestation_subjects', ok: false, detail }, { name: 'attestation_predicate', ok: false, detail }];
  }
  out.push(checkSubjects(statement, r.binding_id, r.output_digest, coreDigest));
  out.push(checkPredicate(statement, b));
  return out;
}

function checkSubjects(statement: Record<string, unknown>, bindingId: string, outputDigest: string | null, coreDigest: string): BundleCheck {
  const name = 'attestation_subjects';
  if (statement._type !== STATEMENT_TYPE || statement.predicateType !== PREDICATE_TYPE) {
    return { name, ok: false, detail: `not an in-toto Statement v1 with predicate type ${PREDICATE_TYPE}` };
  }
  const expected = [...(outputDigest === null ? [] : [`machine-output:${bindingId}=${hex(outputDigest)}`]), `result-core:${bindingId}=${hex(coreDigest)}`];
  const subjects = Array.isArray(statement.subject) ? (statement.subject as { name?: unknown; digest?: { sha256?: unknown } }[]) : [];
  const actual = subjects.map((s) => `${String(s?.name)}=${String(s?.digest?.sha256)}`);
  const ok = actual.length === expected.length && expected.every((e) => actual.includes(e));
  return {
    name,
    ok,
    detail: ok ? 'the signed subjects are the machine output and the result core, by SHA-256' : `signed subjects ${actual.join(', ')}; expected ${expected.join(', ')}`,
  };
}

function checkPredicate(statement: Record<string, unknown>, b: Bundle): BundleCheck {
  const name = 'attestation_predicate';
  const r = b.result_contract;
  const p = (statement.predicate ?? {}) as Record<string, unknown>;
  const usage = b.receipts.find((x) => x.kind === 'usage')?.body as UsageReceiptBody | undefined;
  const mismatches: string[] = [];
  const expect = (field: string, actual: unknown, wanted: unknown) => {
    // Canonical JSON: key order is not a difference. undefined (a missing field) never equals.
    const same = actual !== undefined && canonicalize(actual) === canonicalize(wanted);
    if (!same) mismatches.push(`${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  expect('binding_id', p.binding_id, r.binding_id);
  expect('work_order_id', p.work_order_id, b.ledger.entry.leaf.work_order_id);
  expect('status', p.status, r.status);
  expect('ledger', p.ledger, { seq: r.ledger.seq, leaf_hash: r.ledger.leaf_hash });
  expect('replay_of', p.replay_of, r.replay?.of ?? null);
  if (!usage) mismatches.push('no usage receipt names the tool');
  else {
    expect('tool', p.tool, { name: usage.tool, version: usage.tool_version });
    expect('operation', p.operation, usage.operation);
    expect('attempt', p.attempt, usage.attempts);
  }
  const ok = mismatches.length === 0;
  return { name, ok, detail: ok ? `the predicate names this binding, its ledger leaf ${r.ledger.seq} and ${usage?.tool}@${usage?.tool_version}` : mismatches.join('; ') };
}
