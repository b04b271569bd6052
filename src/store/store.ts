/**
 * The Store: the only way the rail touches durable state. Two implementations (SQLite,
 * PostgreSQL) pass one conformance suite. Reads are tenant-scoped here, not only in routes.
 */
import type { SignedCheckpoint } from '../proof/checkpoint.js';
import type { MintedToken } from '../queue/task-token.js';
import type {
  AttestationRow,
  AuditDraft,
  AuditRow,
  BindingFilter,
  BindingPatch,
  BindingRow,
  CallbackAttemptRow,
  CallbackDeliveryPatch,
  CallbackDeliveryRow,
  ClaimRequest,
  CommandRow,
  EventDraft,
  EventRow,
  ExceptionRow,
  LeaseHolder,
  LedgerDraft,
  LedgerRow,
  QueueCounts,
  ReceiptRow,
  RemoteToolRow,
  ResultRow,
  SigningKeyRow,
  WebhookSecretRow,
  WorkOrderRow,
} from './types.js';
import type { CallbackState } from '../contracts/result-contract.js';

export interface NodeCoord {
  level: number;
  index: number;
}

export interface ApiKeyRow {
  key_id: string;
  tenant_id: string;
  key_hash: string;
  name: string;
  scopes: string[];
  tools: string[] | null;
  created_at: number;
  revoked_at: number | null;
}

export interface TenantRow {
  tenant_id: string;
  name: string;
  created_at: number;
}

/** A signed checkpoint as stored: the proof layer's own shape. */
export type CheckpointRow = SignedCheckpoint;

/** Reads. Those that take a tenantId never return another tenant's rows. */
export interface StoreReader {
  getWorkOrder(tenantId: string, workOrderId: string): Promise<WorkOrderRow | undefined>;
  getBinding(tenantId: string, bindingId: string): Promise<BindingRow | undefined>;
  listBindings(tenantId: string, filter: BindingFilter): Promise<BindingRow[]>;
  getCommand(tenantId: string, bindingId: string): Promise<CommandRow | undefined>;
  getResult(tenantId: string, bindingId: string): Promise<ResultRow | undefined>;
  listEvents(tenantId: string, opts: { bindingId?: string; after?: number; limit: number }): Promise<EventRow[]>;
  listReceipts(tenantId: string, bindingId: string): Promise<ReceiptRow[]>;
  getReceipt(tenantId: string, receiptId: string): Promise<ReceiptRow | undefined>;
  getAttestation(tenantId: string, bindingId: string): Promise<AttestationRow | undefined>;
  getException(tenantId: string, exceptionId: string): Promise<ExceptionRow | undefined>;
  listExceptions(
    tenantId: string,
    opts: { status?: 'open' | 'resolved'; limit: number; after?: { status: 'open' | 'resolved'; exceptionId: string } },
  ): Promise<ExceptionRow[]>;
  /** Public: the ledger reveals digests, never payloads. */
  getLedgerEntry(seq: number): Promise<LedgerRow | undefined>;
  findLedgerEntry(bindingId: string, kind: LedgerRow['kind']): Promise<LedgerRow | undefined>;
  /** Leaves with seq > after, in seq order: batches of a streaming read (`bindrail ledger verify`). */
  listLedgerEntries(opts: { after?: number; limit: number }): Promise<LedgerRow[]>;
  ledgerSize(): Promise<number>;
  /** Hashes of complete subtrees, in the order asked. */
  ledgerNodes(coords: NodeCoord[]): Promise<Buffer[]>;
  latestCheckpoint(): Promise<CheckpointRow | undefined>;
  listCheckpoints(opts: { after?: number; limit: number }): Promise<CheckpointRow[]>;
  listSigningKeys(): Promise<SigningKeyRow[]>;
  queueCounts(tenantId?: string): Promise<QueueCounts[]>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** Tenants and API keys are the admin's view: not tenant-scoped. Ordered by id; `after` is the last id seen. */
  getTenant(tenantId: string): Promise<TenantRow | undefined>;
  listTenants(opts: { after?: string; limit: number }): Promise<TenantRow[]>;
  getApiKey(keyId: string): Promise<ApiKeyRow | undefined>;
  /** Revoked keys included; no tenant = every tenant's keys. */
  listApiKeys(opts: { tenantId?: string; after?: string; limit: number }): Promise<ApiKeyRow[]>;
  getSwitch(name: string): Promise<string | undefined>;
  // Delivery and operations (migration 002).
  getCallbackDelivery(tenantId: string, bindingId: string): Promise<CallbackDeliveryRow | undefined>;
  listCallbackAttempts(tenantId: string, bindingId: string): Promise<CallbackAttemptRow[]>;
  listCallbackDeliveries(tenantId: string, opts: { state: CallbackDeliveryRow['state']; limit: number }): Promise<CallbackDeliveryRow[]>;
  callbackCounts(tenantId?: string): Promise<{ state: CallbackDeliveryRow['state']; count: number }[]>;
  getWebhookSecret(tenantId: string): Promise<WebhookSecretRow | undefined>;
  /** Newest first; no tenant = every tenant's rows. */
  listAudit(tenantId: string | undefined, opts: { before?: number; limit: number }): Promise<AuditRow[]>;
  leaseHolders(tenantId?: string): Promise<LeaseHolder[]>;
  oldestQueued(tenantId?: string): Promise<{ binding_id: string; run_at: number } | undefined>;
  /** Bindings finished at or after `since`, counted by final state. */
  completionsSince(tenantId: string | undefined, since: number): Promise<{ state: BindingRow['state']; count: number }[]>;
  stuckCandidates(tenantId: string, opts: { queuedBefore: number; retryWaitBefore: number; limit: number }): Promise<BindingRow[]>;
  /** Tools that run outside the rail (migration 003); not tenant-scoped: the tool registry is shared. */
  listRemoteTools(): Promise<RemoteToolRow[]>;
}

/** Writes inside one transaction. Nothing here is visible to others until the transaction commits. */
export interface StoreTx {
  ensureTenant(tenantId: string, name: string, now: number): Promise<void>;
  findWorkOrderByKey(tenantId: string, idempotencyKey: string): Promise<{ work_order: WorkOrderRow; binding_id: string } | undefined>;
  /**
   * Inserts unless another transaction already holds the same (tenant, idempotency key):
   * false then, and nothing written, so a race between processes is an answer, not an error.
   */
  insertWorkOrder(row: WorkOrderRow): Promise<boolean>;
  insertBinding(row: BindingRow): Promise<void>;
  insertCommand(row: CommandRow): Promise<void>;
  /** The command of a binding, including one written earlier in this transaction. Internal: no tenant filter. */
  getCommand(bindingId: string): Promise<CommandRow | undefined>;
  /** The binding as it is now, locked for the rest of the transaction. No tenant filter: internal use. */
  lockBinding(bindingId: string): Promise<BindingRow | undefined>;
  /**
   * Locks a batch of bindings at once, in binding_id order (two transactions locking overlapping
   * batches cannot deadlock), and returns those that exist, in that order. No tenant filter. With
   * `commands`, their commands are read too. Later lockBinding and getCommand calls for these ids in
   * the same transaction are then answered without another statement where the store can
   * (PostgreSQL: one statement for the batch instead of two per item).
   */
  lockBindings(bindingIds: string[], opts?: { commands?: boolean }): Promise<BindingRow[]>;
  updateBinding(bindingId: string, patch: BindingPatch): Promise<void>;
  /** Assigns each event its per-binding seq and global cursor. */
  appendEvents(drafts: EventDraft[]): Promise<EventRow[]>;
  /** Assigns contiguous seqs, hashes each leaf (RFC 9162) and stores the completed subtree nodes. */
  appendLedger(drafts: LedgerDraft[]): Promise<LedgerRow[]>;
  insertReceipts(rows: ReceiptRow[]): Promise<void>;
  insertResult(row: ResultRow): Promise<void>;
  insertAttestation(row: AttestationRow): Promise<void>;
  insertException(row: ExceptionRow): Promise<void>;
  resolveException(exceptionId: string, resolvedBy: string, now: number): Promise<void>;
  openExceptionFor(bindingId: string): Promise<ExceptionRow | undefined>;
  /** Leases up to `limit` runnable bindings, minting a fresh task token for each. */
  claim(req: ClaimRequest, mint: (bindingId: string, attempt: number) => MintedToken): Promise<{ row: BindingRow; token: string }[]>;
  expiredLeases(now: number, limit: number): Promise<BindingRow[]>;
  /** Leased bindings held by `owner` (a worker's stable id): after its restart they are orphans. */
  leasedBy(owner: string, limit: number): Promise<BindingRow[]>;
  dueRetries(now: number, limit: number): Promise<BindingRow[]>;
  /** Queued or waiting bindings whose deadline has passed. */
  pastDeadline(now: number, limit: number): Promise<BindingRow[]>;
  insertCheckpoint(row: CheckpointRow): Promise<void>;
  upsertSigningKey(row: SigningKeyRow): Promise<void>;
  insertApiKey(row: ApiKeyRow): Promise<void>;
  countApiKeys(): Promise<number>;
  /** false when a tenant with this id exists (it is left as it was). */
  insertTenant(row: TenantRow): Promise<boolean>;
  /** Sets revoked_at unless already set; the key as it is afterwards, undefined when there is none. */
  revokeApiKey(keyId: string, now: number): Promise<ApiKeyRow | undefined>;
  setSwitch(name: string, value: string, now: number): Promise<void>;
  getSwitch(name: string): Promise<string | undefined>;
  // Delivery and operations (migration 002).
  insertCallbackDelivery(row: CallbackDeliveryRow): Promise<void>;
  /** Leases up to `limit` due pending deliveries for `leaseMs`. */
  claimCallbackDeliveries(req: { now: number; limit: number; owner: string; leaseMs: number }): Promise<CallbackDeliveryRow[]>;
  /** Frees the leases a restarted process held before it died. */
  releaseCallbackLeases(owner: string): Promise<number>;
  lockCallbackDelivery(bindingId: string): Promise<CallbackDeliveryRow | undefined>;
  updateCallbackDelivery(bindingId: string, patch: CallbackDeliveryPatch): Promise<void>;
  insertCallbackAttempts(rows: CallbackAttemptRow[]): Promise<void>;
  /** Keeps the stored result contract's `callback` state and attempts current. */
  setResultCallback(bindingId: string, callback: { state: CallbackState; attempts: number }): Promise<void>;
  getWebhookSecret(tenantId: string): Promise<WebhookSecretRow | undefined>;
  upsertWebhookSecret(row: WebhookSecretRow): Promise<void>;
  insertAudit(row: AuditDraft): Promise<number>;
  // Remote tools (migration 003).
  upsertRemoteTool(row: RemoteToolRow): Promise<void>;
  /** false when there was no such tool. */
  deleteRemoteTool(toolName: string): Promise<boolean>;
}

export interface Store extends StoreReader {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe when several processes start at once. */
  migrate(): Promise<void>;
  /** Runs `fn` in one transaction; commits if it resolves, rolls back if it throws. */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Calls `cb` when any process commits runnable work (PostgreSQL: LISTEN/NOTIFY); returns the
   * unsubscribe. Absent where one process owns the store (SQLite: the in-process bus suffices).
   */
  onWork?(cb: () => void): () => void;
  /** Cross-process event notice (PostgreSQL): another process committed events; streams read again. */
  onEvents?(cb: () => void): () => void;
  close(): Promise<void>;
}
