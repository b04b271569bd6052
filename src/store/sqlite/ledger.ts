/** SQLite: the ledger — leaves, complete subtree nodes, checkpoints, signing keys. */
import { ledgerLeafBytes } from '../../proof/ledger-leaf.js';
import { leafHash, MerkleFrontier, type NodeCoord } from '../../proof/merkle.js';
import type { CheckpointRow } from '../store.js';
import type { LedgerDraft, LedgerRow, SigningKeyRow } from '../types.js';
import { checkpointFromRow, ledgerFromRow } from './codec.js';
import type { Prepare } from './open.js';

export function ledgerSize(p: Prepare): number {
  const r = p('SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM ledger_leaves').get() as { n: number };
  return r.n;
}

export function ledgerNodes(p: Prepare, coords: NodeCoord[]): Buffer[] {
  const leaf = p('SELECT leaf_hash AS hash FROM ledger_leaves WHERE seq = ?');
  const node = p('SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?');
  return coords.map((c) => {
    const r = (c.level === 0 ? leaf.get(c.index) : node.get(c.level, c.index)) as { hash: Buffer } | undefined;
    if (!r) throw new Error(`ledger node (${c.level}, ${c.index}) is missing`);
    return r.hash;
  });
}

export async function loadFrontier(p: Prepare): Promise<MerkleFrontier> {
  return MerkleFrontier.load(ledgerSize(p), (coords) => ledgerNodes(p, coords));
}

/** Appends leaves at the frontier's size; the caller owns the write lock and the frontier cache. */
export function appendLedger(p: Prepare, frontier: MerkleFrontier, drafts: LedgerDraft[]): LedgerRow[] {
  const insertLeaf = p(
    `INSERT INTO ledger_leaves (seq, tenant_id, kind, binding_id, work_order_id, digest, at, leaf_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNode = p('INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)');
  return drafts.map((d) => {
    const seq = frontier.size;
    const hash = leafHash(ledgerLeafBytes({ ...d, seq }));
    insertLeaf.run(seq, d.tenant_id, d.kind, d.binding_id, d.work_order_id, d.digest, d.at, hash);
    for (const n of frontier.append(hash)) insertNode.run(n.level, n.index, n.hash);
    return { ...d, seq, leaf_hash: hash.toString('hex') };
  });
}

export function getLedgerEntry(p: Prepare, seq: number): LedgerRow | undefined {
  const r = p('SELECT * FROM ledger_leaves WHERE seq = ?').get(seq) as Record<string, unknown> | undefined;
  return r && ledgerFromRow(r);
}

/** Leaves with seq > after, in order: a batch of a streaming read of the whole ledger. */
export function listLedgerEntries(p: Prepare, opts: { after?: number; limit: number }): LedgerRow[] {
  const rows = p('SELECT * FROM ledger_leaves WHERE seq > ? ORDER BY seq LIMIT ?').all(opts.after ?? -1, opts.limit) as Record<string, unknown>[];
  return rows.map(ledgerFromRow);
}

export function findLedgerEntry(p: Prepare, bindingId: string, kind: string): LedgerRow | undefined {
  const r = p('SELECT * FROM ledger_leaves WHERE binding_id = ? AND kind = ? ORDER BY seq LIMIT 1').get(bindingId, kind) as
    | Record<string, unknown>
    | undefined;
  return r && ledgerFromRow(r);
}

export function insertCheckpoint(p: Prepare, row: CheckpointRow): void {
  p(
    `INSERT OR IGNORE INTO checkpoints (tree_size, root_hash, timestamp, key_id, signature, note)
     VALUES (@tree_size, @root_hash, @timestamp, @key_id, @signature, @note)`,
  ).run(row);
}

export function latestCheckpoint(p: Prepare): CheckpointRow | undefined {
  const r = p('SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1').get() as Record<string, unknown> | undefined;
  return r && checkpointFromRow(r);
}

export function listCheckpoints(p: Prepare, opts: { after?: number; limit: number }): CheckpointRow[] {
  const rows = p('SELECT * FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT ?').all(
    opts.after ?? -1,
    opts.limit,
  ) as Record<string, unknown>[];
  return rows.map(checkpointFromRow);
}

export function upsertSigningKey(p: Prepare, row: SigningKeyRow): void {
  p(
    `INSERT INTO signing_keys (key_id, algorithm, public_key, created_at, retired_at)
     VALUES (@key_id, @algorithm, @public_key, @created_at, @retired_at)
     ON CONFLICT (key_id) DO UPDATE SET retired_at = excluded.retired_at`,
  ).run(row);
}

export function listSigningKeys(p: Prepare): SigningKeyRow[] {
  return p('SELECT * FROM signing_keys ORDER BY created_at').all() as SigningKeyRow[];
}
