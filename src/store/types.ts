/** Rows as the store keeps them: times in epoch milliseconds, JSON columns parsed. */
import type { BindingState, EvidenceReview, NextAction, TerminalState } from '../contracts/common.js';
import type { Progress, Routing } from '../contracts/execution-binding.js';
import type { DsseEnvelope } from '../contracts/attestation.js';
import type { LedgerKind } from '../contracts/ledger.js';
import type { ResultContract } from '../contracts/result-contract.js';
import type { Receipt } from '../contracts/receipt.js';
import type { ToolCommand } from '../contracts/tool-command.js';
import type { WorkOrderRequest } from '../contracts/work-order.js';
import type { EventType } from '../contracts/result-event.js';

export interface WorkOrderRow {
  tenant_id: string;
  work_order_id: string;
  idempotency_key: string | null;
  digest: string;
  body: WorkOrderRequest;
  created_at: number;
}

export interface BindingRow {
  tenant_id: string;
  binding_id: string;
  work_order_id: string;
  tool_name: string;
  tool_version: string;
  operation: string;
  routing: Routing;
  command_id: string;
  state: BindingState;
  attempt: number;
  max_attempts: number;
  priority: number;
  heartbeat_timeout_ms: number;
  run_at: number;
  lease_expires_at: number | null;
  lease_owner: string | null;
  heartbeat_at: number | null;
  next_retry_at: number | null;
  token_id: string | null;
  token_hash: string | null;
  progress: Progress | null;
  replay_of: string | null;
  cancel_requested: boolean;
  last_error: { code: string; message: string } | null;
  deadline: number | null;
  first_leased_at: number | null;
  finished_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The columns a state change may touch. */
export type BindingPatch = Partial<
  Pick<
    BindingRow,
    | 'state'
    | 'attempt'
    | 'run_at'
    | 'lease_expires_at'
    | 'lease_owner'
    | 'heartbeat_at'
    | 'next_retry_at'
    | 'token_id'
    | 'token_hash'
    | 'progress'
    | 'cancel_requested'
    | 'last_error'
    | 'first_leased_at'
    | 'finished_at'
    | 'updated_at'
  >
>;

export interface CommandRow {
  tenant_id: string;
  command_id: string;
  binding_id: string;
  body: ToolCommand;
  digest: string;
}

export interface EventDraft {
  tenant_id: string;
  binding_id: string;
  type: EventType;
  time: number;
  data: Record<string, unknown>;
}

export interface EventRow extends EventDraft {
  /** Global, commit-ordered cursor for GET /v1/events?after= and SSE ids. */
  gseq: number;
  event_id: string;
  /** Per-binding sequence, 1, 2, 3… */
  seq: number;
}

export interface LedgerDraft {
  tenant_id: string;
  kind: LedgerKind;
  binding_id: string;
  work_order_id: string;
  digest: string;
  /** RFC 3339 text exactly as hashed into the leaf. */
  at: string;
}

export interface LedgerRow extends LedgerDraft {
  seq: number;
  /** hex SHA-256(0x00 ‖ canonical leaf) */
  leaf_hash: string;
}

export interface ResultRow {
  tenant_id: string;
  binding_id: string;
  status: TerminalState;
  output_digest: string | null;
  body: ResultContract;
  created_at: number;
}

export interface AttestationRow {
  tenant_id: string;
  binding_id: string;
  envelope: DsseEnvelope;
  digest: string;
  key_id: string;
  created_at: number;
}

export interface ExceptionRow {
  tenant_id: string;
  exception_id: string;
  binding_id: string;
  work_order_id: string;
  code: string;
  message: string;
  attempts: number;
  next_action: NextAction;
  status: 'open' | 'resolved';
  resolved_by: string | null;
  created_at: number;
  resolved_at: number | null;
}

export type ReceiptRow = Receipt;

export interface SigningKeyRow {
  key_id: string;
  public_key: string; // base64 raw 32 bytes
  algorithm: 'ed25519';
  created_at: number;
  retired_at: number | null;
}

export interface BindingFilter {
  state?: BindingState;
  tool?: string;
  work_order_id?: string;
  /** binding_id cursor: rows strictly after (older than) it, newest first. */
  cursor?: string;
  limit: number;
}

/** The operator switch naming paused tools (a JSON array): claims pass over their work. */
export const PAUSED_TOOLS_SWITCH = 'paused_tools';

/** A claim never leases work of a tool named in the PAUSED_TOOLS_SWITCH switch as it is when the claim runs. */
export interface ClaimRequest {
  now: number;
  limit: number;
  leaseOwner: string;
  /** Only these tools; empty = none. */
  tools: string[];
  /** Only this tenant's work (remote workers); undefined = every tenant (in-process workers). */
  tenantId?: string;
}

export interface QueueCounts {
  state: BindingState;
  tool: string;
  count: number;
}

export type { EvidenceReview };

/** A callback to deliver: one per finished binding whose command asked for one. */
export interface CallbackDeliveryRow {
  binding_id: string;
  tenant_id: string;
  /** msg_…, the same on every try (Standard Webhooks `webhook-id`). */
  webhook_id: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  /** Every try ever made. */
  attempts: number;
  /** Tries since the last (re)queue; indexes the backoff schedule. */
  round_attempts: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** The exact JSON text sent and signed on every try. */
  payload: string;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

export type CallbackDeliveryPatch = Partial<
  Pick<
    CallbackDeliveryRow,
    'state' | 'attempts' | 'round_attempts' | 'next_attempt_at' | 'lease_owner' | 'lease_expires_at' | 'last_status' | 'last_error' | 'delivered_at' | 'updated_at'
  >
>;

export interface CallbackAttemptRow {
  binding_id: string;
  attempt: number;
  tenant_id: string;
  started_at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'failed';
}

export interface WebhookSecretRow {
  tenant_id: string;
  /** whsec_ + base64 key. */
  secret: string;
  previous_secret: string | null;
  previous_expires_at: number | null;
  created_at: number;
  rotated_at: number | null;
}

export interface AuditRow {
  audit_id: number;
  tenant_id: string;
  /** The API key id that acted. */
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  at: number;
}

export type AuditDraft = Omit<AuditRow, 'audit_id'>;

export interface LeaseHolder {
  owner: string;
  count: number;
}

/** A tool that runs outside the rail: its manifest as registered with PUT /v1/tools/{name}. */
export interface RemoteToolRow {
  tool_name: string;
  /** JSON text of the validated manifest; compared byte for byte to see a change. */
  manifest: string;
  updated_at: number;
}
