/** Row ⇄ object conversion for the SQLite columns (JSON text, 0/1 booleans). */
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
const json = <T>(v: unknown): T => JSON.parse(v as string) as T;
const jsonOrNull = <T>(v: unknown): T | null => (v === null || v === undefined ? null : json<T>(v));

export function bindingFromRow(r: Raw): BindingRow {
  return {
    ...(r as unknown as BindingRow),
    routing: json(r.routing),
    progress: jsonOrNull(r.progress),
    last_error: jsonOrNull(r.last_error),
    cancel_requested: r.cancel_requested === 1,
  };
}

export function bindingToParams(b: Partial<BindingRow>): Raw {
  const out: Raw = { ...b };
  if ('routing' in b) out.routing = JSON.stringify(b.routing);
  if ('progress' in b) out.progress = b.progress === null ? null : JSON.stringify(b.progress);
  if ('last_error' in b) out.last_error = b.last_error === null ? null : JSON.stringify(b.last_error);
  if ('cancel_requested' in b) out.cancel_requested = b.cancel_requested ? 1 : 0;
  return out;
}

export const workOrderFromRow = (r: Raw): WorkOrderRow => ({ ...(r as unknown as WorkOrderRow), body: json(r.body) });
export const commandFromRow = (r: Raw): CommandRow => ({ ...(r as unknown as CommandRow), body: json(r.body) });
export const eventFromRow = (r: Raw): EventRow => ({ ...(r as unknown as EventRow), data: json(r.data) });
export const resultFromRow = (r: Raw): ResultRow => ({ ...(r as unknown as ResultRow), body: json(r.body) });
export const receiptFromRow = (r: Raw): ReceiptRow => json(r.body);
export const attestationFromRow = (r: Raw): AttestationRow => ({ ...(r as unknown as AttestationRow), envelope: json(r.envelope) });
export const exceptionFromRow = (r: Raw): ExceptionRow => r as unknown as ExceptionRow;
export const checkpointFromRow = (r: Raw): CheckpointRow => r as unknown as CheckpointRow;

export function ledgerFromRow(r: Raw): LedgerRow {
  return { ...(r as unknown as LedgerRow), leaf_hash: (r.leaf_hash as Buffer).toString('hex') };
}

export function apiKeyFromRow(r: Raw): ApiKeyRow {
  return { ...(r as unknown as ApiKeyRow), scopes: json(r.scopes), tools: jsonOrNull(r.tools) };
}
