/** Task-token fencing: only the current attempt's token may heartbeat, complete or fail. Pure. */
import { RailError } from '../contracts/errors.js';
import type { BindingRow } from '../store/types.js';
import { sameHash, type ParsedToken } from './task-token.js';

/** Throws unless `b` is leased to exactly the attempt this token was minted for. */
export function assertCurrentAttempt(b: BindingRow | undefined, t: ParsedToken): BindingRow {
  if (!b) throw new RailError('not_found', 'no task for this token');
  const current = b.state === 'leased' && b.attempt === t.attempt && sameHash(b.token_hash, t.tokenHash);
  if (current) return b;
  // Same attempt but another hash: a forged token, not a late one. Say nothing about the binding.
  if (b.attempt === t.attempt && b.token_hash !== null && !sameHash(b.token_hash, t.tokenHash)) {
    throw new RailError('not_found', 'no task for this token');
  }
  if (b.attempt === t.attempt && b.state === 'cancelled') throw new RailError('binding_cancelled', 'the binding was cancelled');
  throw new RailError('stale_task_token', `the token is for attempt ${t.attempt}, which is no longer current`);
}
