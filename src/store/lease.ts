/** What leasing a queued binding to a worker changes in its row: the same for every store. */
import type { MintedToken } from '../queue/task-token.js';
import type { BindingPatch, BindingRow, ClaimRequest } from './types.js';

/** The lease of `row` to `req.leaseOwner` under a freshly minted token, for its next attempt. */
export function leasePatch(row: BindingRow, req: ClaimRequest, minted: MintedToken): BindingPatch & { state: 'leased' } {
  return {
    state: 'leased',
    attempt: row.attempt + 1,
    lease_expires_at: req.now + row.heartbeat_timeout_ms,
    lease_owner: req.leaseOwner,
    heartbeat_at: null,
    token_id: minted.tokenId,
    token_hash: minted.tokenHash,
    first_leased_at: row.first_leased_at ?? req.now,
    updated_at: req.now,
  };
}
