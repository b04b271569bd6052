/** PostgreSQL: result contracts, receipts and attestations — what a finished binding leaves. */
import type { AttestationRow, ReceiptRow, ResultRow } from '../types.js';
import { attestationFromRow, jsonParam, receiptFromRow, resultFromRow } from './codec.js';
import { rows, type Sql } from './open.js';
import type { TableSpec } from './write-behind.js';

export const RESULTS: TableSpec = {
  name: 'results',
  columns: { binding_id: 'text', tenant_id: 'text', status: 'text', output_digest: 'text', body: 'json', created_at: 'bigint' },
};

/** Receipts as rows of their table (see receiptColumns). */
export const RECEIPTS: TableSpec = {
  name: 'receipts',
  columns: { receipt_id: 'text', tenant_id: 'text', binding_id: 'text', kind: 'text', digest: 'text', body: 'json', created_at: 'bigint' },
};

export const ATTESTATIONS: TableSpec = {
  name: 'attestations',
  columns: { binding_id: 'text', tenant_id: 'text', digest: 'text', key_id: 'text', envelope: 'json', created_at: 'bigint' },
};

/** A receipt as a row: the whole document is its body, its issue time the row's time. */
export function receiptColumns(r: ReceiptRow): Record<string, unknown> {
  return { receipt_id: r.receipt_id, tenant_id: r.tenant_id, binding_id: r.binding_id, kind: r.kind, digest: r.digest, body: r, created_at: Date.parse(r.issued_at) };
}

export async function insertResult(sql: Sql, row: ResultRow): Promise<void> {
  await sql.query(
    'INSERT INTO results (binding_id, tenant_id, status, output_digest, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [row.binding_id, row.tenant_id, row.status, row.output_digest, jsonParam(row.body), row.created_at],
  );
}

export async function getResult(sql: Sql, tenantId: string, bindingId: string): Promise<ResultRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM results WHERE tenant_id = $1 AND binding_id = $2', [tenantId, bindingId]);
  return r && resultFromRow(r);
}

export async function listReceipts(sql: Sql, tenantId: string, bindingId: string): Promise<ReceiptRow[]> {
  const found = await rows(sql, 'SELECT body FROM receipts WHERE tenant_id = $1 AND binding_id = $2 ORDER BY receipt_id', [
    tenantId,
    bindingId,
  ]);
  return found.map(receiptFromRow);
}

export async function getReceipt(sql: Sql, tenantId: string, receiptId: string): Promise<ReceiptRow | undefined> {
  const [r] = await rows(sql, 'SELECT body FROM receipts WHERE tenant_id = $1 AND receipt_id = $2', [tenantId, receiptId]);
  return r && receiptFromRow(r);
}

export async function getAttestation(sql: Sql, tenantId: string, bindingId: string): Promise<AttestationRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM attestations WHERE tenant_id = $1 AND binding_id = $2', [tenantId, bindingId]);
  return r && attestationFromRow(r);
}
