/* global TextDecoder */
/**
 * The two proof checks of the binding page, recomputed in this browser from the binding's bundle
 * (GET /v1/bindings/{id}/bundle) — the console takes none of the rail's claims on trust:
 *  - ledger: the leaf hash, the leaf's commitment to this result, the checkpoint's signature, and
 *    the inclusion proof folded up to the signed root (RFC 9162);
 *  - attestation: the Ed25519 signature over the DSSE PAE, the in-toto subjects, and the digest
 *    the result names.
 * Each check is { title, status: pass|fail|unavailable, summary, steps: [{label, status, detail}] }.
 */
import { getOptional } from '../api.js';
import { digestText, fromBase64, hashBytes, sameBytes, toHex, utf8 } from './bytes.js';
import { verifyEnvelope } from './dsse.js';
import { canonicalJson } from './jcs.js';
import { loadKeys } from './keys.js';
import { foldInclusionProof, leafHash } from './merkle.js';
import { verifyCheckpointNote } from './note.js';

export const LEDGER = 'Ledger inclusion';
export const ATTESTATION = 'Attestation signature';

const hexOf = (digest) => String(digest ?? '').replace(/^sha256:/, '');
const step = (label, ok, detail) => ({ label, status: ok ? 'pass' : 'fail', detail });

/** The fields of a result the ledger hashes and the attestation signs (src/proof/result-core.ts). */
function resultCore(r) {
  const { binding_id, status, output_digest, human_summary, evidence, receipts, exception, next_action, replay } = r;
  return { binding_id, status, output_digest, human_summary, evidence, receipts, exception, next_action, replay };
}

function verdict(title, steps) {
  const failed = steps.find((x) => x.status === 'fail');
  if (failed) return { title, status: 'fail', summary: `Failed — ${failed.label}: ${failed.detail}`, steps };
  const missing = steps.find((x) => x.status === 'unavailable');
  if (missing) return { title, status: 'unavailable', summary: `Not checked — ${missing.detail}`, steps };
  return { title, status: 'pass', summary: 'Passed: every step recomputed in this browser.', steps };
}

async function ledgerCheck(result, bundle, keys) {
  const steps = [];
  const entry = bundle.ledger?.entry;
  if (!entry?.leaf) return verdict(LEDGER, [step('Ledger entry', false, 'the bundle carries no ledger entry')]);
  const { seq, kind, binding_id, work_order_id, digest, at } = entry.leaf;
  const leaf = await leafHash(utf8(canonicalJson({ seq, kind, binding_id, work_order_id, digest, at })));
  const leafHex = toHex(leaf);
  const leafOk = leafHex === entry.leaf_hash && leafHex === result.ledger?.leaf_hash && seq === result.ledger?.seq && binding_id === result.binding_id;
  steps.push(step('Leaf hash', leafOk, leafOk ? `SHA-256(0x00 ‖ canonical leaf ${seq}) = ${leafHex}` : `recomputed ${leafHex} for leaf ${seq}; the rail says ${entry.leaf_hash} (entry), ${result.ledger?.leaf_hash} at ${result.ledger?.seq} (result)`));

  const core = await digestText(canonicalJson(resultCore(result)));
  steps.push(step('Leaf commits to this result', digest === core, digest === core ? `the leaf digest is the SHA-256 of this result's canonical core (${core})` : `the leaf says ${digest}; this result's core hashes to ${core}`));

  if (!keys.available) return verdict(LEDGER, [...steps, { label: 'Signed checkpoint', status: 'unavailable', detail: keys.problems[0] }]);
  const note = await verifyCheckpointNote(bundle.checkpoint?.note, keys.keys);
  steps.push(step('Signed checkpoint', note.ok, note.ok ? `tree of ${note.treeSize} leaves, root ${toHex(note.rootHash)}, ${note.reason}` : note.reason));
  if (!note.ok) return verdict(LEDGER, steps);

  const hashes = (bundle.ledger.inclusion_proof ?? []).map(hashBytes);
  if (!hashes.every(Boolean)) return verdict(LEDGER, [...steps, step('Inclusion proof', false, 'the proof is not a list of 32-byte hashes')]);
  // The signed note says which tree the proof must reach; the bundle's own tree_size is not trusted.
  const folded = await foldInclusionProof(leaf, seq, note.treeSize, hashes);
  const ok = folded.root !== undefined && sameBytes(folded.root, note.rootHash);
  steps.push(
    step(
      'Inclusion proof',
      ok,
      folded.root === undefined
        ? folded.reason
        : ok
          ? `leaf ${seq} folds up to the signed root through ${hashes.length} sibling hash${hashes.length === 1 ? '' : 'es'} (RFC 9162 §2.1.3.2)`
          : `the proof folds to ${toHex(folded.root)}, not to the signed root ${toHex(note.rootHash)}`,
    ),
  );
  return verdict(LEDGER, steps);
}

async function attestationCheck(result, bundle, keys) {
  if (!result.attestation) return { title: ATTESTATION, status: 'unavailable', summary: 'Not checked — the work order did not ask for an attestation.', steps: [] };
  const envelope = bundle.attestation?.envelope;
  if (!envelope) return verdict(ATTESTATION, [step('Envelope', false, 'the result names an attestation the bundle does not carry')]);
  const steps = [];

  if (!keys.available) steps.push({ label: 'Ed25519 signature', status: 'unavailable', detail: keys.problems[0] });
  else {
    const v = await verifyEnvelope(envelope, keys.keys);
    steps.push(step('Ed25519 signature', v.ok, v.reason));
  }

  const core = await digestText(canonicalJson(resultCore(result)));
  const output = result.machine_output === null ? null : await digestText(canonicalJson(result.machine_output));
  let statement;
  try {
    statement = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(envelope.payload)));
  } catch {
    statement = undefined; // not a JSON statement: the subjects step fails below
  }
  const subject = (name) => statement?.subject?.find((x) => x.name === `${name}:${result.binding_id}`)?.digest?.sha256;
  const outputOk = output === result.output_digest;
  const subjectsOk = outputOk && subject('result-core') === hexOf(core) && (output === null || subject('machine-output') === hexOf(output));
  steps.push(
    step(
      'Subjects',
      subjectsOk,
      subjectsOk
        ? "the signed in-toto subjects are the SHA-256 of this result's core and of its machine output"
        : !outputOk
          ? `machine_output hashes to ${output}; the result says ${result.output_digest}`
          : 'the signed subjects do not name this result',
    ),
  );

  const envDigest = await digestText(canonicalJson(envelope));
  steps.push(step('Envelope digest', envDigest === result.attestation.digest, envDigest === result.attestation.digest ? `SHA-256 of the canonical envelope is the digest the result names (${envDigest})` : `the envelope hashes to ${envDigest}; the result names ${result.attestation.digest}`));
  return verdict(ATTESTATION, steps);
}


/** Runs both checks for a final result; never throws (a check that cannot run says why). */
export async function proofChecks(result) {
  try {
    const bundle = await getOptional(`/v1/bindings/${result.binding_id}/bundle`);
    if (!bundle || bundle.object !== 'bundle') {
      const summary = bundle ? 'Not checked — the bundle is not ready yet.' : 'Not checked — GET …/bundle is not available on this rail.';
      return [LEDGER, ATTESTATION].map((title) => ({ title, status: 'unavailable', summary, steps: [] }));
    }
    // Only the rail's published key set may vouch for a signature, never keys the bundle brings along.
    const keys = await loadKeys();
    return await Promise.all([ledgerCheck(result, bundle, keys), attestationCheck(result, bundle, keys)]);
  } catch (err) {
    return [LEDGER, ATTESTATION].map((title) => ({ title, status: 'fail', summary: `Could not check — ${err?.message ?? err}`, steps: [] }));
  }
}
