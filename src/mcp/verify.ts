/**
 * verify_bundle: fetches a result's bundle (GET /v1/bindings/{id}/bundle) and checks it locally
 * with src/proof/verify-bundle.ts — digests, ledger leaf, inclusion proof, checkpoint and DSSE
 * signatures — against the keys the rail publishes, so an agent need not take the rail's word.
 */
import type { Bundle } from '../contracts/bundle.js';
import type { BindrailClient } from '../client/bindrail-client.js';
import { verifyBundle, type BundleCheck } from '../proof/verify-bundle.js';

export interface BindingVerification {
  binding_id: string;
  /** True only when every check passed. */
  verified: boolean;
  /** Name of the first check that failed. */
  failed?: string;
  checks: BundleCheck[];
  /** Whose keys the signatures were held against. */
  trusted_keys: string;
  still_running?: boolean;
  bundle?: Bundle;
}

export async function verifyBinding(client: BindrailClient, bindingId: string, opts: { includeBundle?: boolean } = {}): Promise<BindingVerification> {
  const [bundle, keySet] = await Promise.all([client.getBundle(bindingId), client.getKeys()]);
  const trusted = `the rail's published keys (${keySet.keys.map((k) => k.key_id).join(', ')})`;
  if (bundle.object === 'result_pending') {
    const detail = `the binding is ${bundle.state}, not final yet: call get_result with wait=true, then verify again`;
    return { binding_id: bindingId, verified: false, failed: 'final', checks: [{ name: 'final', ok: false, detail }], trusted_keys: trusted, still_running: true };
  }
  const v = verifyBundle(bundle, { trustedKeys: keySet.keys });
  return {
    binding_id: bindingId,
    verified: v.ok,
    ...(v.failed ? { failed: v.failed } : {}),
    checks: v.checks,
    trusted_keys: trusted,
    ...(opts.includeBundle ? { bundle } : {}),
  };
}
