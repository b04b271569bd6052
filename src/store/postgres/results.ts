/** PostgreSQL: result contracts, receipts and attestations — what a finished binding leaves. */
import type { AttestationRow, ReceiptRow, ResultRow } from '../types.js';
import { attestationFromRow, jsonParam, receiptFromRow, resultFromRow } from './codec.js';
import { rows, type Sql } from './open.js';

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

/** One statement for the whole batch. */
export async function insertReceipts(sql: Sql, receipts: ReceiptRow[]): Promise<void> {
  if (receipts.length === 0) return;
  await sql.query(
    `INSERT INTO receipts (receipt_id, tenant_id, binding_id, kind, digest, body, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::json[], $7::bigint[])`,
    [
      receipts.map((r) => r.receipt_id),
      receipts.map((r) => r.tenant_id),
      receipts.map((r) => r.binding_id),
      receipts.map((r) => r.kind),
      receipts.map((r) => r.digest),
      receipts.map((r) => jsonParam(r)),
      receipts.map((r) => Date.parse(r.issued_at)),
    ],
  );
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

export async function insertAttestation(sql: Sql, row: AttestationRow): Promise<void> {
  await sql.query(
    'INSERT INTO attestations (binding_id, tenant_id, digest, key_id, envelope, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [row.binding_id, row.tenant_id, row.digest, row.key_id, jsonParam(row.envelope), row.created_at],
  );
}

export async function getAttestation(sql: Sql, tenantId: string, bindingId: string): Promise<AttestationRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM attestations WHERE tenant_id = $1 AND binding_id = $2', [tenantId, bindingId]);
  return r && attestationFromRow(r);
}
