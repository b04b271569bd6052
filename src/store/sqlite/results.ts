/** SQLite: result contracts, receipts and attestations — what a finished binding leaves. */
import type { AttestationRow, ReceiptRow, ResultRow } from '../types.js';
import { attestationFromRow, receiptFromRow, resultFromRow } from './codec.js';
import type { Prepare } from './open.js';

type Raw = Record<string, unknown> | undefined;

export function insertResult(p: Prepare, row: ResultRow): void {
  p(
    'INSERT INTO results (binding_id, tenant_id, status, output_digest, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(row.binding_id, row.tenant_id, row.status, row.output_digest, JSON.stringify(row.body), row.created_at);
}

export function getResult(p: Prepare, tenantId: string, bindingId: string): ResultRow | undefined {
  const r = p('SELECT * FROM results WHERE tenant_id = ? AND binding_id = ?').get(tenantId, bindingId) as Raw;
  return r && resultFromRow(r);
}

export function insertReceipts(p: Prepare, rows: ReceiptRow[]): void {
  const insert = p(
    `INSERT INTO receipts (receipt_id, tenant_id, binding_id, kind, digest, body, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const r of rows) {
    insert.run(r.receipt_id, r.tenant_id, r.binding_id, r.kind, r.digest, JSON.stringify(r), Date.parse(r.issued_at));
  }
}

export function listReceipts(p: Prepare, tenantId: string, bindingId: string): ReceiptRow[] {
  const rows = p('SELECT body FROM receipts WHERE tenant_id = ? AND binding_id = ? ORDER BY receipt_id').all(
    tenantId,
    bindingId,
  ) as Record<string, unknown>[];
  return rows.map(receiptFromRow);
}

export function getReceipt(p: Prepare, tenantId: string, receiptId: string): ReceiptRow | undefined {
  const r = p('SELECT body FROM receipts WHERE tenant_id = ? AND receipt_id = ?').get(tenantId, receiptId) as Raw;
  return r && receiptFromRow(r);
}

export function insertAttestation(p: Prepare, row: AttestationRow): void {
  p(
    'INSERT INTO attestations (binding_id, tenant_id, digest, key_id, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(row.binding_id, row.tenant_id, row.digest, row.key_id, JSON.stringify(row.envelope), row.created_at);
}

export function getAttestation(p: Prepare, tenantId: string, bindingId: string): AttestationRow | undefined {
  const r = p('SELECT * FROM attestations WHERE tenant_id = ? AND binding_id = ?').get(tenantId, bindingId) as Raw;
  return r && attestationFromRow(r);
}
