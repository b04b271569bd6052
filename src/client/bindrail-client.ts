/** A typed client of the bindrail HTTP API: fetch-based, the public objects typed by src/contracts. */
import type { DsseEnvelope } from '../contracts/attestation.js';
import type { CallbackDelivery, CallbackSecret } from '../contracts/callback-delivery.js';
import type { Bundle, ConsistencyProof, InclusionProof, KeySet } from '../contracts/bundle.js';
import type { BindingState } from '../contracts/common.js';
import type { ExceptionTicket } from '../contracts/exception-ticket.js';
import type { ExecutionBinding } from '../contracts/execution-binding.js';
import type { Checkpoint, LedgerEntry } from '../contracts/ledger.js';
import type { Receipt } from '../contracts/receipt.js';
import type { AuditEvent, QueueMonitor } from '../contracts/queue-monitor.js';
import type { ResultContract } from '../contracts/result-contract.js';
import type { ResultEvent } from '../contracts/result-event.js';
import type { ToolCommand } from '../contracts/tool-command.js';
import type { WorkOrder, WorkOrderRequest } from '../contracts/work-order.js';
import type { WorkOrderBatch } from '../contracts/work-order-batch.js';
import type { ContractIndex } from '../api/routes/contracts.js';
import type { DiscoveryManifest } from '../api/routes/discovery.js';
import type { PreflightAnswer } from '../rail/preflight.js';
import type { ToolManifest } from '../tools/manifest.js';
import type { RemoteToolManifest } from '../tools/remote.js';
import { asProblem, BindrailProblemError, BindrailTimeoutError } from './errors.js';
import { expandPath, ROUTES, type Operation } from './routes.js';

export interface Page<T> {
  object: 'list';
  data: T[];
  next_cursor: string | null;
}

/** 202 body of GET …/result while the binding is not final. */
export interface ResultPending {
  object: 'result_pending';
  binding_id: string;
  state: string;
  attempt: number;
  retry_after_ms: number;
}

export interface AttestationRecord {
  object: 'attestation';
  binding_id: string;
  key_id: string;
  digest: string;
  envelope: DsseEnvelope;
}

export interface ToolSwitch {
  object: 'tool_switch';
  tool: string;
  paused: boolean;
  paused_tools: string[];
}

export interface CallbackSwitch {
  object: 'callback_switch';
  paused: boolean;
}

export interface Principal {
  object: 'principal';
  key_id: string;
  tenant_id: string;
  scopes: string[];
  /** tool:execute limited to these tools; null = any. */
  tools: string[] | null;
}

export interface Health {
  status: 'ok';
  version: string;
  store: string;
  ledger_size: number;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface BindrailClientOptions {
  /** Base URL of the rail, e.g. http://127.0.0.1:8080. */
  url: string;
  /** An API key (br_…); public routes work without one. */
  apiKey?: string;
  /** Another fetch (tests, in-process transports); defaults to the global one. */
  fetch?: FetchLike;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

export interface WaitOptions {
  /** Give up after this long (BindrailTimeoutError); default 60 s. */
  timeoutMs?: number;
  /** Longest pause between polls; default 1 s. */
  maxPollMs?: number;
  signal?: AbortSignal;
}

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export class BindrailClient {
  readonly url: string;
  readonly #apiKey: string | undefined;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;

  constructor(opts: BindrailClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.#apiKey = opts.apiKey;
    this.#fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Sends one operation of ROUTES; any status ≥ 400 throws BindrailProblemError. */
  async #send<T>(op: Operation, call: Call = {}): Promise<Answer<T>> {
    const [method, template] = ROUTES[op].split(' ') as [string, string];
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) search.set(k, String(v));
    const qs = search.size > 0 ? `?${search}` : '';
    const res = await this.#fetch(this.url + expandPath(template, call.params ?? {}) + qs, {
      method,
      headers: {
        accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1',
        ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
        ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...call.headers,
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await res.text();
    const isJson = /\bjson\b/.test(res.headers.get('content-type') ?? '');
    let body: unknown = text;
    if (isJson && text !== '') body = JSON.parse(text) as unknown;
    if (res.status >= 400) throw new BindrailProblemError(res.status, asProblem(res.status, body));
    return { status: res.status, body: body as T, headers: res.headers };
  }

  async #get<T>(op: Operation, call?: Call): Promise<T> {
    return (await this.#send<T>(op, call)).body;
  }

  // ---- discovery and contracts (public) ----

  health(): Promise<Health> {
    return this.#get('health');
  }
  /** The calling key: its tenant, scopes and tools. */
  me(): Promise<Principal> {
    return this.#get('me');
  }
  /** The OpenAPI 3.1 document. */
  openapi(): Promise<Record<string, unknown>> {
    return this.#get('openapi');
  }
  /** /.well-known/bindrail.json: version, contract URLs, tools, auth, MCP endpoint. */
  discovery(): Promise<DiscoveryManifest> {
    return this.#get('discovery');
  }
  /** The plain-text guide for LLM agents. */
  llmsTxt(): Promise<string> {
    return this.#get('llmsTxt');
  }
  listContracts(): Promise<ContractIndex> {
    return this.#get('listContracts');
  }
  /** A contract's JSON Schema (2020-12), e.g. getContract('result-contract'). */
  getContract(name: string): Promise<Record<string, unknown>> {
    return this.#get('getContract', { params: { name } });
  }
  getContractExample(name: string): Promise<unknown> {
    return this.#get('getContractExample', { params: { name } });
  }
  /** The SQL scaffold of a store dialect: the migrations, in order. */
  getSqlScaffold(dialect: 'sqlite' | 'postgres'): Promise<string> {
    return this.#get('getSqlScaffold', { params: { dialect } });
  }

  // ---- work orders ----

  /** Submits a Work Order; `created` is false when an idempotency key matched an earlier submit. */
  async submitWorkOrder(workOrder: WorkOrderRequest, opts: { idempotencyKey?: string } = {}): Promise<{ binding: ExecutionBinding; created: boolean }> {
    const headers: Record<string, string> = opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {};
    const r = await this.#send<ExecutionBinding>('submitWorkOrder', { body: workOrder, headers });
    return { binding: r.body, created: r.status === 202 };
  }
  /**
   * Submits 1 to 1000 Work Orders in one request. Resolves with one item per order, in order: an
   * accepted one (`status` 202 or 200, the binding) or a refused one (`status`, `problem`); a body
   * that breaks the schema throws BindrailProblemError (400) and stores nothing.
   */
  submitBatch(workOrders: WorkOrderRequest[]): Promise<WorkOrderBatch> {
    return this.#get('submitBatch', { body: { work_orders: workOrders } });
  }
  /** Validation, routing and evidence review without storing anything. */
  preflightWorkOrder(workOrder: WorkOrderRequest): Promise<PreflightAnswer> {
    return this.#get('preflightWorkOrder', { body: workOrder });
  }
  getWorkOrder(workOrderId: string): Promise<WorkOrder> {
    return this.#get('getWorkOrder', { params: { work_order_id: workOrderId } });
  }

  /** Submits and waits until the binding is final. */
  async submitAndWait(
    workOrder: WorkOrderRequest,
    opts: WaitOptions & { idempotencyKey?: string } = {},
  ): Promise<{ binding: ExecutionBinding; result: ResultContract }> {
    const { binding } = await this.submitWorkOrder(workOrder, opts);
    const result = await this.waitForResult(binding.binding_id, opts);
    return { binding, result };
  }

  // ---- bindings ----

  listBindings(q: { state?: BindingState; tool?: string; work_order_id?: string; cursor?: string; limit?: number } = {}): Promise<Page<ExecutionBinding>> {
    return this.#get('listBindings', { query: q });
  }
  getBinding(bindingId: string): Promise<ExecutionBinding> {
    return this.#get('getBinding', { params: { binding_id: bindingId } });
  }
  getCommand(bindingId: string): Promise<ToolCommand> {
    return this.#get('getCommand', { params: { binding_id: bindingId } });
  }
  /** The Result Contract, or a `result_pending` answer while the binding runs. */
  getResult(bindingId: string): Promise<ResultContract | ResultPending> {
    return this.#get('getResult', { params: { binding_id: bindingId } });
  }
  /** Polls the result (following the rail's retry hint) until the binding is final. */
  async waitForResult(bindingId: string, opts: WaitOptions = {}): Promise<ResultContract> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const maxPollMs = opts.maxPollMs ?? 1_000;
    const deadline = Date.now() + timeoutMs;
    let pause = 25;
    for (;;) {
      opts.signal?.throwIfAborted();
      const r = await this.getResult(bindingId);
      if (r.object === 'result_contract') return r;
      const left = deadline - Date.now();
      if (left <= 0) throw new BindrailTimeoutError(bindingId, timeoutMs, r.state);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, r.retry_after_ms, maxPollMs, left)));
      pause = Math.min(pause * 2, maxPollMs);
    }
  }
  /** Result events in order; pass `after` (a seq) to continue. */
  listEvents(bindingId: string, q: { after?: number; limit?: number } = {}): Promise<Page<ResultEvent>> {
    return this.#get('listEvents', { params: { binding_id: bindingId }, query: q });
  }
  listReceipts(bindingId: string): Promise<Page<Receipt>> {
    return this.#get('listReceipts', { params: { binding_id: bindingId } });
  }
  getAttestation(bindingId: string): Promise<AttestationRecord> {
    return this.#get('getAttestation', { params: { binding_id: bindingId } });
  }
  /** The ledger entries of a binding (work_order.accepted, binding.replayed, binding.finalized). */
  listBindingLedger(bindingId: string): Promise<Page<LedgerEntry>> {
    return this.#get('listBindingLedger', { params: { binding_id: bindingId } });
  }
  /** Everything needed to check a result offline (verifyBundle in src/proof); result_pending until final. */
  getBundle(bindingId: string): Promise<Bundle | ResultPending> {
    return this.#get('getBundle', { params: { binding_id: bindingId } });
  }
  cancelBinding(bindingId: string): Promise<ExecutionBinding> {
    return this.#get('cancelBinding', { params: { binding_id: bindingId } });
  }
  retryBinding(bindingId: string): Promise<ExecutionBinding> {
    return this.#get('retryBinding', { params: { binding_id: bindingId } });
  }
  /** A new binding for the same Work Order; `input_patch` (RFC 7386) repairs inputs. */
  replayBinding(bindingId: string, body: { input_patch?: Record<string, unknown> } = {}): Promise<ExecutionBinding> {
    return this.#get('replayBinding', { params: { binding_id: bindingId }, body });
  }

  // ---- the ledger and its keys (public) ----

  /** The latest signed checkpoint. */
  getCheckpoint(): Promise<Checkpoint> {
    return this.#get('getCheckpoint');
  }
  listCheckpoints(q: { after?: number; limit?: number } = {}): Promise<Page<Checkpoint>> {
    return this.#get('listCheckpoints', { query: q });
  }
  getLedgerEntry(seq: number): Promise<LedgerEntry> {
    return this.#get('getLedgerEntry', { params: { seq: String(seq) } });
  }
  getInclusionProof(q: { seq: number; tree_size: number }): Promise<InclusionProof> {
    return this.#get('getInclusionProof', { query: q });
  }
  getConsistencyProof(q: { from: number; to: number }): Promise<ConsistencyProof> {
    return this.#get('getConsistencyProof', { query: q });
  }
  /** Every key that ever signed checkpoints or attestations. */
  getKeys(): Promise<KeySet> {
    return this.#get('getKeys');
  }

  // ---- receipts and tools ----

  getReceipt(receiptId: string): Promise<Receipt> {
    return this.#get('getReceipt', { params: { receipt_id: receiptId } });
  }
  listTools(): Promise<{ object: 'list'; data: ToolManifest[] }> {
    return this.#get('listTools');
  }
  getTool(name: string): Promise<ToolManifest> {
    return this.#get('getTool', { params: { name } });
  }
  /** Registers (or replaces) a remote tool (admin); its workers then claim over /v1/tool-tasks. */
  async registerTool(name: string, manifest: RemoteToolManifest): Promise<{ tool: ToolManifest; created: boolean }> {
    const r = await this.#send<ToolManifest>('registerTool', { params: { name }, body: manifest });
    return { tool: r.body, created: r.status === 201 };
  }
  async retireTool(name: string): Promise<void> {
    await this.#send('retireTool', { params: { name } });
  }

  // ---- callbacks, events, exceptions ----

  getCallback(bindingId: string): Promise<CallbackDelivery> {
    return this.#get('getCallback', { params: { binding_id: bindingId } });
  }
  redeliverCallback(bindingId: string): Promise<CallbackDelivery> {
    return this.#get('redeliverCallback', { params: { binding_id: bindingId } });
  }
  getCallbackSecret(): Promise<CallbackSecret> {
    return this.#get('getCallbackSecret');
  }
  rotateCallbackSecret(): Promise<CallbackSecret> {
    return this.#get('rotateCallbackSecret');
  }
  /** Every event of the tenant in commit order; pass next_cursor back as `after`. */
  listAllEvents(q: { after?: number; limit?: number } = {}): Promise<Page<ResultEvent>> {
    return this.#get('listAllEvents', { query: q });
  }
  listExceptions(q: { status?: 'open' | 'resolved'; cursor?: string; limit?: number } = {}): Promise<Page<ExceptionTicket>> {
    return this.#get('listExceptions', { query: q });
  }
  getException(exceptionId: string): Promise<ExceptionTicket> {
    return this.#get('getException', { params: { exception_id: exceptionId } });
  }

  // ---- operators ----

  /** The queue monitor: counts, lease holders, throughput, stuck alerts. */
  getQueue(q: { queued_too_long_ms?: number; retry_waiting_long_ms?: number } = {}): Promise<QueueMonitor> {
    return this.#get('getQueue', { query: q });
  }
  pauseTool(name: string): Promise<ToolSwitch> {
    return this.#get('pauseTool', { params: { name } });
  }
  resumeTool(name: string): Promise<ToolSwitch> {
    return this.#get('resumeTool', { params: { name } });
  }
  /** The callback kill switch. */
  pauseCallbacks(): Promise<CallbackSwitch> {
    return this.#get('pauseCallbacks');
  }
  resumeCallbacks(): Promise<CallbackSwitch> {
    return this.#get('resumeCallbacks');
  }
  listAudit(q: { cursor?: string; limit?: number } = {}): Promise<Page<AuditEvent>> {
    return this.#get('listAudit', { query: q });
  }
  /** Prometheus text (admin). */
  metrics(): Promise<string> {
    return this.#get('metrics');
  }
}
