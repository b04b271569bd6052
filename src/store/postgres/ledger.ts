/** PostgreSQL: the ledger — leaves, complete subtree nodes, checkpoints, signing keys. */
import { ledgerLeafBytes } from '../../proof/ledger-leaf.js';
import { leafHash, MerkleFrontier, type NodeCoord } from '../../proof/merkle.js';
import type { CheckpointRow } from '../store.js';
import type { LedgerDraft, LedgerRow, SigningKeyRow } from '../types.js';
import { checkpointFromRow, ledgerFromRow } from './codec.js';
import { LEDGER_LOCK } from './locks.js';
import { rows, type Sql } from './open.js';
import type { TableSpec, WriteBehind } from './write-behind.js';

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
 * statement that waited for the lock could miss the append that was holding it. They travel in one
 * round trip: a multi-statement simple query, which takes a fresh snapshot for each statement.
 */
export async function lockLedger(sql: Sql): Promise<number> {
  const answer = (await sql.query(
    `SELECT pg_advisory_xact_lock(${LEDGER_LOCK[0]}, ${LEDGER_LOCK[1]}); SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM ledger_leaves`,
  )) as unknown as { rows: { n: number }[] }[];
  return answer[answer.length - 1]!.rows[0]!.n;
}

export async function loadFrontier(sql: Sql, size: number): Promise<MerkleFrontier> {
  return MerkleFrontier.load(size, (coords) => ledgerNodes(sql, coords));
}

export const LEDGER_LEAVES: TableSpec = {
  name: 'ledger_leaves',
  columns: { seq: 'bigint', tenant_id: 'text', kind: 'text', binding_id: 'text', work_order_id: 'text', digest: 'text', at: 'text', leaf_hash: 'bytea' },
};

export const LEDGER_NODES: TableSpec = { name: 'ledger_nodes', columns: { level: 'int', idx: 'bigint', hash: 'bytea' } };

/**
 * Appends leaves at the frontier's size; the caller holds the ledger lock. The leaves and the
 * subtree nodes they complete are queued with the transaction's other writes (one statement).
 */
export function appendLedger(pending: WriteBehind, frontier: MerkleFrontier, drafts: LedgerDraft[]): LedgerRow[] {
  return drafts.map((d) => {
    const seq = frontier.size;
    const hash = leafHash(ledgerLeafBytes({ ...d, seq }));
    for (const n of frontier.append(hash)) pending.insert(LEDGER_NODES, { level: n.level, idx: n.index, hash: n.hash });
    const row = { ...d, seq, leaf_hash: hash.toString('hex') };
    pending.insert(LEDGER_LEAVES, row);
    return row;
  });
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
