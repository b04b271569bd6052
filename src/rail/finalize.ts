/**
 * Finalizing a binding: in the caller's transaction, store receipts, append the
 * `binding.finalized` ledger leaf, sign the attestation, write the result and its events.
 */
import type { EvidenceReview, NextAction, TerminalState } from '../contracts/common.js';
import { suggestedNextAction } from '../contracts/errors.js';
import type { Receipt, ReceiptRef, UsageReceiptBody } from '../contracts/receipt.js';
import { enqueueCallback } from '../delivery/enqueue.js';
import { buildStatement, signStatement } from '../proof/attestation.js';
import { digestJson } from '../proof/canonical.js';
import type { SigningKey } from '../proof/keys.js';
import type { StoreReader, StoreTx } from '../store/store.js';
import type { BindingRow, EventDraft, ExceptionRow } from '../store/types.js';
import { newId } from './ids.js';
import { iso, presentException } from './present.js';
import { defaultNextAction, resultContract, resultCore } from './result-contract.js';

export type TerminalOutcome =
  | {
      kind: 'succeeded';
      output: Record<string, unknown>;
      summary: string;
      evidence: EvidenceReview;
      nextAction?: { action: NextAction; detail: string };
      toolReceipts: { kind: string; body: Record<string, unknown> }[];
      runMs: number;
    }
  | { kind: 'failed'; code: string; message: string; runMs: number }
  | { kind: 'cancelled'; reason: string; runMs: number };

export interface FinalizeDeps {
  key: SigningKey;
  store: StoreReader;
}

const STATUS: Record<TerminalOutcome['kind'], TerminalState> = { succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled' };

function makeReceipt(b: BindingRow, kind: string, body: Record<string, unknown>, issuedAt: string): Receipt {
  const doc = {
    object: 'receipt' as const,
    receipt_id: newId('rcp'),
    kind,
    binding_id: b.binding_id,
    work_order_id: b.work_order_id,
    tenant_id: b.tenant_id,
    issued_at: issuedAt,
    body,
  };
  return { ...doc, digest: digestJson(doc) };
}

/** Writes everything a terminal binding leaves; returns the event drafts to append. */
export async function finalizeBinding(
  deps: FinalizeDeps,
  tx: StoreTx,
  b: BindingRow,
  outcome: TerminalOutcome,
  now: number,
): Promise<EventDraft[]> {
  const at = iso(now);
  const cmd = await tx.getCommand(b.binding_id);
  if (!cmd) throw new Error(`binding ${b.binding_id} has no command`);
  const status = STATUS[outcome.kind];
  const succeeded = outcome.kind === 'succeeded' ? outcome : undefined;
  const output = succeeded?.output ?? null;
  const outputDigest = output ? digestJson(output) : null;

  const usage: UsageReceiptBody = {
    tool: b.tool_name,
    tool_version: b.tool_version,
    operation: b.operation,
    attempts: b.attempt,
    queue_wait_ms: Math.max(0, (b.first_leased_at ?? now) - b.run_at),
    run_ms: Math.max(0, Math.round(outcome.runMs)),
    output_bytes: output ? Buffer.byteLength(JSON.stringify(output)) : 0,
  };
  const receipts = [
    makeReceipt(b, 'usage', usage as unknown as Record<string, unknown>, at),
    ...(succeeded?.toolReceipts ?? []).map((r) => makeReceipt(b, r.kind, r.body, at)),
  ];
  const receiptRefs: ReceiptRef[] = receipts.map((r) => ({
    receipt_id: r.receipt_id,
    kind: r.kind,
    digest: r.digest,
    path: `/v1/receipts/${r.receipt_id}`,
  }));

  let exception: ExceptionRow | null = null;
  if (outcome.kind === 'failed') {
    exception = {
      tenant_id: b.tenant_id,
      exception_id: newId('exc'),
      binding_id: b.binding_id,
      work_order_id: b.work_order_id,
      code: outcome.code,
      message: outcome.message,
      attempts: b.attempt,
      next_action: suggestedNextAction(outcome.code),
      status: 'open',
      resolved_by: null,
      created_at: now,
      resolved_at: null,
    };
  }

  let evidence: EvidenceReview;
  let next: { action: NextAction; detail: string };
  let summary: string;
  const title = `${b.tool_name}.${b.operation}`;
  if (outcome.kind === 'succeeded') {
    evidence = outcome.evidence;
    next = outcome.nextAction ?? defaultNextAction(evidence);
    summary = outcome.summary;
  } else if (outcome.kind === 'failed') {
    evidence = { status: 'insufficient', missing: [], exceptions: [{ code: outcome.code, message: outcome.message }] };
    next = { action: exception!.next_action, detail: `${outcome.code}: ${outcome.message}` };
    summary = `${title} failed after ${b.attempt} attempt(s): ${outcome.message}`;
  } else {
    evidence = { status: 'insufficient', missing: [], exceptions: [] };
    next = { action: 'none', detail: 'Cancelled; replay to run it again.' };
    summary = `${title} was cancelled (${outcome.reason}) after ${b.attempt} attempt(s).`;
  }

  let replay: { of: string; deterministic: boolean | null } | null = null;
  if (b.replay_of) {
    const original = await deps.store.getResult(b.tenant_id, b.replay_of);
    const comparable = original?.output_digest && outputDigest;
    replay = { of: b.replay_of, deterministic: comparable ? original.output_digest === outputDigest : null };
  }

  const parts = {
    bindingId: b.binding_id,
    status,
    output,
    outputDigest,
    summary,
    evidence,
    receipts: receiptRefs,
    exception: exception && presentException(exception),
    nextAction: next.action,
    nextActionDetail: next.detail,
    replay,
  };
  const coreDigest = digestJson(resultCore(parts));
  const [leaf] = await tx.appendLedger([
    { tenant_id: b.tenant_id, kind: 'binding.finalized', binding_id: b.binding_id, work_order_id: b.work_order_id, digest: coreDigest, at },
  ]);

  const wantsAttestation = cmd.body.return.attestation;
  let attestation: { digest: string; key_id: string } | null = null;
  if (wantsAttestation) {
    const statement = buildStatement({
      outputDigest,
      coreDigest,
      predicate: {
        binding_id: b.binding_id,
        work_order_id: b.work_order_id,
        tenant_id: b.tenant_id,
        command_id: b.command_id,
        command_digest: cmd.digest,
        input_digests: [
          { name: 'inputs', digest: cmd.body.inputs_digest },
          ...cmd.body.input_refs.map((r) => ({ name: r.name, digest: r.digest })),
        ],
        tool: { name: b.tool_name, version: b.tool_version },
        operation: b.operation,
        attempt: b.attempt,
        status,
        timings: { created_at: iso(b.created_at), started_at: b.first_leased_at ? iso(b.first_leased_at) : null, finished_at: at },
        ledger: { seq: leaf!.seq, leaf_hash: leaf!.leaf_hash },
        replay_of: b.replay_of,
      },
    });
    const signed = signStatement(statement, deps.key);
    await tx.insertAttestation({
      tenant_id: b.tenant_id,
      binding_id: b.binding_id,
      envelope: signed.envelope,
      digest: signed.digest,
      key_id: deps.key.keyId,
      created_at: now,
    });
    attestation = { digest: signed.digest, key_id: deps.key.keyId };
  }

  const callbackState = cmd.body.return.callback_url ? 'pending' : 'none';
  const body = resultContract(parts, {
    ledger: { seq: leaf!.seq, leaf_hash: leaf!.leaf_hash },
    attestation,
    callbackState,
    issuedAt: at,
  });
  await tx.insertReceipts(receipts);
  if (exception) await tx.insertException(exception);
  await tx.insertResult({ tenant_id: b.tenant_id, binding_id: b.binding_id, status, output_digest: outputDigest, body, created_at: now });
  if (cmd.body.return.callback_url) await enqueueCallback(tx, b, cmd.body.return.callback_url, body, now);
  await tx.updateBinding(b.binding_id, {
    state: status,
    lease_expires_at: null,
    lease_owner: null,
    token_hash: null,
    finished_at: now,
    updated_at: now,
    ...(outcome.kind === 'failed' ? { last_error: { code: outcome.code, message: outcome.message } } : {}),
  });

  const ev = (type: EventDraft['type'], data: Record<string, unknown>): EventDraft => ({
    tenant_id: b.tenant_id,
    binding_id: b.binding_id,
    type,
    time: now,
    data,
  });
  const events: EventDraft[] = receipts.map((r) => ev('bindrail.receipt.issued', { receipt_id: r.receipt_id, kind: r.kind, digest: r.digest }));
  events.push(ev('bindrail.ledger.appended', { seq: leaf!.seq, kind: 'binding.finalized', leaf_hash: leaf!.leaf_hash }));
  if (attestation) events.push(ev('bindrail.attestation.issued', attestation));
  if (exception) events.push(ev('bindrail.exception.raised', { exception_id: exception.exception_id, code: exception.code, next_action: exception.next_action }));
  if (outcome.kind === 'cancelled') events.push(ev('bindrail.binding.cancelled', { reason: outcome.reason }));
  events.push(
    ev('bindrail.result.ready', {
      status,
      output_digest: outputDigest,
      evidence_status: evidence.status,
      next_action: next.action,
      tool: b.tool_name,
      callback: callbackState,
      // Intake to result: what a client waits; the latency histogram reads it from here.
      elapsed_ms: Math.max(0, now - b.created_at),
    }),
  );
  return events;
}
