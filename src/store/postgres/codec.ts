/**
 * Row ⇄ object conversion for the PostgreSQL columns. pg parses `json` columns, BOOLEAN and BYTEA
 * itself, and the pool reads BIGINT as numbers (open.ts); JSON parameters are sent as text we
 * stringify here, because pg would turn a JS array into a PostgreSQL array literal.
 */
import type { ApiKeyRow, CheckpointRow } from '../store.js';
import type {
  AttestationRow,
  BindingRow,
  CommandRow,
  EventRow,
  ExceptionRow,
  LedgerRow,
  ReceiptRow,
  ResultRow,
  WorkOrderRow,
} from '../types.js';

type Raw = Record<string, unknown>;

/** JSON text for a json column, or null. */
export const jsonParam = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

export const bindingFromRow = (r: Raw): BindingRow => r as unknown as BindingRow;

export function bindingToParams(b: Partial<BindingRow>): Raw {
  const out: Raw = { ...b };
  if ('routing' in b) out.routing = jsonParam(b.routing);
  if ('progress' in b) out.progress = jsonParam(b.progress);
  if ('last_error' in b) out.last_error = jsonParam(b.last_error);
  return out;
}

export const workOrderFromRow = (r: Raw): WorkOrderRow => r as unknown as WorkOrderRow;
export const commandFromRow = (r: Raw): CommandRow => r as unknown as CommandRow;
export const eventFromRow = (r: Raw): EventRow => r as unknown as EventRow;
export const resultFromRow = (r: Raw): ResultRow => r as unknown as ResultRow;
export const receiptFromRow = (r: Raw): ReceiptRow => r.body as ReceiptRow;
export const attestationFromRow = (r: Raw): AttestationRow => r as unknown as AttestationRow;
export const exceptionFromRow = (r: Raw): ExceptionRow => r as unknown as ExceptionRow;
export const checkpointFromRow = (r: Raw): CheckpointRow => r as unknown as CheckpointRow;

export function ledgerFromRow(r: Raw): LedgerRow {
  return { ...(r as unknown as LedgerRow), leaf_hash: (r.leaf_hash as Buffer).toString('hex') };
}

export const apiKeyFromRow = (r: Raw): ApiKeyRow => r as unknown as ApiKeyRow;
