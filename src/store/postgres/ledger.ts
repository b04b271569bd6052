/** PostgreSQL: the ledger — leaves, complete subtree nodes, checkpoints, signing keys. */
import { ledgerLeafBytes } from '../../proof/ledger-leaf.js';
import { leafHash, MerkleFrontier, type CompletedNode, type NodeCoord } from '../../proof/merkle.js';
import type { CheckpointRow } from '../store.js';
import type { LedgerDraft, LedgerRow, SigningKeyRow } from '../types.js';
import { checkpointFromRow, ledgerFromRow } from './codec.js';
import { LEDGER_LOCK } from './locks.js';
import { rows, type Sql } from './open.js';

export async function ledgerSize(sql: Sql): Promise<number> {
  const [r] = await rows<{ n: number }>(sql, 'SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM ledger_leaves');
  return r!.n;
}

/** Leaf hashes (level 0) and stored subtree hashes, in the order asked, with one query. */
export async function ledgerNodes(sql: Sql, coords: NodeCoord[]): Promise<Buffer[]> {
  if (coords.length === 0) return [];
  const found = await rows<{ hash: Buffer | null }>(
    sql,
    `SELECT COALESCE(l.leaf_hash, n.hash) AS hash
       FROM unnest($1::int[], $2::bigint[]) WITH ORDINALITY AS c(level, idx, ord)
       LEFT JOIN ledger_leaves l ON c.level = 0 AND l.seq = c.idx
       LEFT JOIN ledger_nodes n ON c.level > 0 AND n.level = c.level AND n.idx = c.idx
      ORDER BY c.ord`,
    [coords.map((c) => c.level), coords.map((c) => c.index)],
  );
  return found.map((r, i) => {
    if (!r.hash) throw new Error(`ledger node (${coords[i]!.level}, ${coords[i]!.index}) is missing`);
    return r.hash;
  });
}

/**
 * Takes the ledger's transaction lock and answers the committed tree size. Two statements on
 * purpose: in READ COMMITTED a statement's snapshot is taken when it starts, so a size read in the
 * statement that waited for the lock could miss the append that was holding it.
 */
export async function lockLedger(sql: Sql): Promise<number> {
  await sql.query('SELECT pg_advisory_xact_lock($1, $2)', [...LEDGER_LOCK]);
  return ledgerSize(sql);
}

export async function loadFrontier(sql: Sql, size: number): Promise<MerkleFrontier> {
  return MerkleFrontier.load(size, (coords) => ledgerNodes(sql, coords));
}

/** Appends leaves at the frontier's size with two statements; the caller holds the ledger lock. */
export async function appendLedger(sql: Sql, frontier: MerkleFrontier, drafts: LedgerDraft[]): Promise<LedgerRow[]> {
  if (drafts.length === 0) return [];
  const nodes: CompletedNode[] = [];
  const appended = drafts.map((d) => {
    const seq = frontier.size;
    const hash = leafHash(ledgerLeafBytes({ ...d, seq }));
    nodes.push(...frontier.append(hash));
    return { ...d, seq, leaf_hash: hash.toString('hex') };
  });
  await sql.query(
    `INSERT INTO ledger_leaves (seq, tenant_id, kind, binding_id, work_order_id, digest, at, leaf_hash)
     SELECT seq, tenant_id, kind, binding_id, work_order_id, digest, at, decode(leaf_hash, 'hex')
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS u(seq, tenant_id, kind, binding_id, work_order_id, digest, at, leaf_hash)`,
    [
      appended.map((r) => r.seq),
      appended.map((r) => r.tenant_id),
      appended.map((r) => r.kind),
      appended.map((r) => r.binding_id),
      appended.map((r) => r.work_order_id),
      appended.map((r) => r.digest),
      appended.map((r) => r.at),
      appended.map((r) => r.leaf_hash),
    ],
  );
  if (nodes.length > 0) {
    await sql.query(
      `INSERT INTO ledger_nodes (level, idx, hash)
       SELECT level, idx, decode(hash, 'hex') FROM unnest($1::int[], $2::bigint[], $3::text[]) AS u(level, idx, hash)`,
      [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash.toString('hex'))],
    );
  }
  return appended;
}

export async function getLedgerEntry(sql: Sql, seq: number): Promise<LedgerRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM ledger_leaves WHERE seq = $1', [seq]);
  return r && ledgerFromRow(r);
}

/** Leaves with seq > after, in order: a batch of a streaming read of the whole ledger. */
export async function listLedgerEntries(sql: Sql, opts: { after?: number; limit: number }): Promise<LedgerRow[]> {
  const found = await rows(sql, 'SELECT * FROM ledger_leaves WHERE seq > $1 ORDER BY seq LIMIT $2', [opts.after ?? -1, opts.limit]);
  return found.map(ledgerFromRow);
}

export async function findLedgerEntry(sql: Sql, bindingId: string, kind: string): Promise<LedgerRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM ledger_leaves WHERE binding_id = $1 AND kind = $2 ORDER BY seq LIMIT 1', [bindingId, kind]);
  return r && ledgerFromRow(r);
}

export async function insertCheckpoint(sql: Sql, row: CheckpointRow): Promise<void> {
  await sql.query(
    `INSERT INTO checkpoints (tree_size, root_hash, timestamp, key_id, signature, note)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [row.tree_size, row.root_hash, row.timestamp, row.key_id, row.signature, row.note],
  );
}

export async function latestCheckpoint(sql: Sql): Promise<CheckpointRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1');
  return r && checkpointFromRow(r);
}

export async function listCheckpoints(sql: Sql, opts: { after?: number; limit: number }): Promise<CheckpointRow[]> {
  const found = await rows(sql, 'SELECT * FROM checkpoints WHERE tree_size > $1 ORDER BY tree_size LIMIT $2', [opts.after ?? -1, opts.limit]);
  return found.map(checkpointFromRow);
}

export async function upsertSigningKey(sql: Sql, row: SigningKeyRow): Promise<void> {
  await sql.query(
    `INSERT INTO signing_keys (key_id, algorithm, public_key, created_at, retired_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (key_id) DO UPDATE SET retired_at = excluded.retired_at`,
    [row.key_id, row.algorithm, row.public_key, row.created_at, row.retired_at],
  );
}

export async function listSigningKeys(sql: Sql): Promise<SigningKeyRow[]> {
  return rows<SigningKeyRow & Record<string, unknown>>(sql, 'SELECT * FROM signing_keys ORDER BY created_at');
}
