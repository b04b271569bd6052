/**
 * /v1/tool-tasks: the remote worker protocol. A worker in any language claims work for its remote
 * tools (long-poll), heartbeats to keep its lease, and completes or fails — fenced by the task
 * token exactly like an in-process tool. The token travels in the path; the logger masks it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { EvidenceReview, Name, NextAction, ToolRef } from '../../contracts/common.js';
import { RailError, type FieldError } from '../../contracts/errors.js';
import { ExecutionBinding, Progress } from '../../contracts/execution-binding.js';
import { EvidenceRef, InputRef } from '../../contracts/work-order.js';
import type { ClaimedTask } from '../../queue/attempts.js';
import { completionReport } from '../../queue/completion.js';
import { parseTaskToken } from '../../queue/task-token.js';
import type { Principal } from '../../rail/api-keys.js';
import type { RailBus } from '../../rail/bus.js';
import { iso, presentBinding } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import type { BindingRow } from '../../store/types.js';
import { who } from '../auth.js';
import { pick, Problems } from '../schemas.js';

const tags = ['tool tasks'];
/** While a claim waits, it also looks again this often: work made runnable by another process or by time (not_before) raises no event here. */
const RECHECK_MS = 1_000;

const ClaimBody = Type.Object(
  {
    tools: Type.Array(Name, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Remote tools this worker runs.' }),
    max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Most tasks to lease at once (default 1).' })),
    wait_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 30_000, description: 'Long-poll: how long to wait for work when none is runnable (default 0).' })),
  },
  { additionalProperties: false },
);

export const ToolTask = Type.Object(
  {
    object: Type.Literal('tool_task'),
    task_token: Type.String({ description: 'This attempt\'s capability: heartbeat, complete or fail with it. Keep it secret; it rotates on every lease.' }),
    binding_id: Type.String(),
    work_order_id: Type.String(),
    command_id: Type.String({ description: 'Stable across attempts: the idempotency key for any side effect.' }),
    attempt: Type.Integer({ minimum: 1 }),
    max_attempts: Type.Integer({ minimum: 1 }),
    tool: ToolRef,
    operation: Type.String(),
    inputs: Type.Record(Type.String(), Type.Unknown()),
    input_refs: Type.Array(InputRef),
    evidence: Type.Array(EvidenceRef),
    deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lease_expires_at: Type.String({ format: 'date-time' }),
    heartbeat_timeout_ms: Type.Integer({ description: 'Heartbeat well within this (a third of it is a good interval) or lose the lease.' }),
  },
  { additionalProperties: false },
);

const TokenParams = Type.Object({ task_token: Type.String({ minLength: 1, maxLength: 200 }) });
const RunMs = Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'How long the attempt ran, as the worker measured it.' }));

const CompleteBody = Type.Object(
  {
    output: Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { maxProperties: 1000, description: 'The machine output; checked against the operation\'s output schema.' }),
    summary: Type.String({ maxLength: 10_000 }),
    evidence: EvidenceReview,
    next_action: Type.Optional(Type.Object({ action: NextAction, detail: Type.String({ maxLength: 2000 }) }, { additionalProperties: false })),
    receipts: Type.Optional(
      Type.Array(Type.Object({ kind: Name, body: Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), { maxProperties: 1000 }) }, { additionalProperties: false }), {
        maxItems: 20,
        description: 'Tool-specific receipts (the usage receipt is always added).',
      }),
    ),
    run_ms: RunMs,
  },
  { additionalProperties: false },
);

const FailBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,99}$', description: 'The error code; the operation\'s non_retryable codes fail the binding at once.' }),
    message: Type.String({ maxLength: 2000 }),
    retryable: Type.Optional(Type.Boolean({ description: 'false fails the binding at once (default true: retried with backoff).' })),
    run_ms: RunMs,
  },
  { additionalProperties: false },
);

const Binding409 = { ...Problems[409], description: 'stale_task_token (a newer attempt holds the work) or binding_cancelled (stop, then fail).' };

function presentTask(t: ClaimedTask) {
  const { binding: b, command: c } = t;
  return {
    object: 'tool_task' as const,
    task_token: t.token,
    binding_id: b.binding_id,
    work_order_id: b.work_order_id,
    command_id: b.command_id,
    attempt: b.attempt,
    max_attempts: b.max_attempts,
    tool: { name: b.tool_name, version: b.tool_version },
    operation: b.operation,
    inputs: c.body.inputs,
    input_refs: c.body.input_refs,
    evidence: c.body.evidence,
    deadline: c.body.deadline,
    lease_expires_at: iso(b.lease_expires_at!),
    heartbeat_timeout_ms: b.heartbeat_timeout_ms,
  };
}

/** Resolves on the next `work` signal, after `ms`, or when `signal` aborts — whichever is first. */
function nextWork(bus: RailBus, ms: number, signal: AbortSignal): { wait: Promise<void>; cancel: () => void } {
  let resolve!: () => void;
  const wait = new Promise<void>((r) => (resolve = r));
  const done = () => {
    clearTimeout(timer);
    bus.off('work', done);
    signal.removeEventListener('abort', done);
    resolve();
  };
  const timer = setTimeout(done, ms);
  bus.on('work', done);
  signal.addEventListener('abort', done);
  return { wait, cancel: done };
}

/** Aborts when the server closes or the client goes away before the answer is sent. */
function requestSignal(reply: FastifyReply, closing: AbortSignal): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return AbortSignal.any([gone.signal, closing]);
}

/** A claim names only remote tools, and only those the key may run. */
function checkClaimable(rail: Rail, p: Principal, tools: string[]): void {
  const notAllowed = p.tools ? tools.filter((t) => !p.tools!.includes(t)) : [];
  if (notAllowed.length > 0) {
    throw new RailError(
      'forbidden',
      `this key may claim only: ${p.tools!.join(', ') || '(no tools)'}`,
      notAllowed.map((t) => ({ pointer: `/tools/${tools.indexOf(t)}`, detail: 'is not a tool this key may run' })),
    );
  }
  const errors: FieldError[] = tools.flatMap((t, i) =>
    rail.ctx.registry.get(t)?.runtime === 'remote' ? [] : [{ pointer: `/tools/${i}`, detail: 'is not a registered remote tool' }],
  );
  if (errors.length > 0) throw new RailError('validation_failed', 'claim work only for remote tools (PUT /v1/tools/{name} registers one)', errors);
}

/**
 * The binding a token names, in the caller's tenant and among the tools the key may run; the same
 * 404 as a forged token otherwise (a token is a capability, but a key limited to other tools may not use it).
 */
async function bindingOf(rail: Rail, p: Principal, token: string): Promise<BindingRow> {
  const parsed = parseTaskToken(token);
  const b = parsed && (await rail.store.getBinding(p.tenantId, parsed.bindingId));
  if (!b || (p.tools && !p.tools.includes(b.tool_name))) throw new RailError('not_found', 'no task for this token');
  return b;
}

function runMsOf(rail: Rail, b: BindingRow, reported: number | undefined): number {
  return reported ?? Math.max(0, rail.ctx.now() - (b.first_leased_at ?? rail.ctx.now()));
}

export const toolTaskRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  const closing = new AbortController();
  // A long-poll must not hold a shutdown for up to 30 s: waiting claims answer at once.
  app.addHook('preClose', async () => closing.abort());

  app.post(
    '/v1/tool-tasks/claim',
    {
      config: { scope: 'tool:execute' },
      schema: {
        summary: 'Claim work for remote tools (long-poll)',
        description:
          "Leases up to `max` runnable bindings of the named remote tools, in the key's tenant, each with a fresh task token. With `wait_ms`, waits for work when none is runnable; answers `{tasks: []}` when none came.",
        tags,
        body: ClaimBody,
        response: { 200: Type.Object({ tasks: Type.Array(ToolTask) }), ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const p = who(request);
      const { tools, max = 1, wait_ms: waitMs = 0 } = request.body;
      checkClaimable(rail, p, tools);
      const signal = requestSignal(reply, closing.signal);
      const until = performance.now() + waitMs;
      for (;;) {
        // Listen before claiming, so work committed between the claim and the wait is not missed.
        const next = nextWork(rail.ctx.bus, Math.min(RECHECK_MS, Math.max(0, until - performance.now())), signal);
        const claimed = signal.aborted ? [] : await rail.attempts.claim({ tools, limit: max, owner: `remote:${p.keyId}`, tenantId: p.tenantId });
        if (claimed.length > 0 || signal.aborted || performance.now() >= until) {
          next.cancel();
          return { tasks: claimed.map(presentTask) };
        }
        await next.wait;
      }
    },
  );

  app.post(
    '/v1/tool-tasks/:task_token/heartbeat',
    {
      config: { scope: 'tool:execute' },
      schema: {
        summary: 'Extend the lease of a task, with optional progress',
        description: 'Answers 409 stale_task_token when a newer attempt holds the work, and 409 binding_cancelled when the binding was cancelled: stop, then fail.',
        tags,
        params: TokenParams,
        body: Type.Optional(Type.Object({ progress: Type.Optional(Progress) }, { additionalProperties: false })),
        response: {
          200: Type.Object({ lease_expires_at: Type.String({ format: 'date-time' }), cancel_requested: Type.Boolean() }),
          ...pick(400, 401, 403, 404),
          409: Binding409,
        },
      },
    },
    async (request) => {
      const p = who(request);
      // Heartbeats are hot: the extra read is paid only by keys limited to named tools.
      if (p.tools) await bindingOf(rail, p, request.params.task_token);
      const answer = await rail.attempts.heartbeat(request.params.task_token, request.body?.progress, p.tenantId);
      return { lease_expires_at: iso(answer.lease_expires_at), cancel_requested: answer.cancel_requested };
    },
  );

  app.post(
    '/v1/tool-tasks/:task_token/complete',
    {
      config: { scope: 'tool:execute' },
      schema: {
        summary: 'Complete a task with its output',
        description:
          "The output is checked against the operation's output schema: output that breaks it fails the binding (tool_output_invalid, not retried) and is answered 422 naming each bad field.",
        tags,
        params: TokenParams,
        body: CompleteBody,
        response: {
          200: ExecutionBinding,
          ...pick(400, 401, 403, 404),
          409: Binding409,
          422: { ...Problems[422], description: 'tool_output_invalid: the output breaks the output schema; the attempt has failed.' },
        },
      },
    },
    async (request) => {
      const p = who(request);
      const tenantId = p.tenantId;
      const { task_token: token } = request.params;
      const body = request.body;
      const b = await bindingOf(rail, p, token);
      const runMs = runMsOf(rail, b, body.run_ms);
      const op = rail.ctx.registry.operation(b.tool_name, b.operation);
      if (!op) {
        await rail.attempts.report(token, { kind: 'failed', code: 'tool_unavailable', message: `${b.tool_name}.${b.operation} was retired`, retryable: false, runMs }, tenantId);
        throw new RailError('tool_unavailable', `${b.tool_name}.${b.operation} was retired while this task ran`);
      }
      const ret = { output: body.output, summary: body.summary, evidence: body.evidence, nextAction: body.next_action, receipts: body.receipts ?? [] };
      const { report, outputErrors } = completionReport(op, ret, runMs);
      const after = await rail.attempts.report(token, report, tenantId);
      if (outputErrors.length > 0) {
        const errors = outputErrors.map((e) => ({ ...e, pointer: `/output${e.pointer === '/' ? '' : e.pointer}` }));
        throw new RailError('tool_output_invalid', `the output breaks ${op.tool}.${op.name}'s output schema; the binding failed`, errors);
      }
      return presentBinding(after);
    },
  );

  app.post(
    '/v1/tool-tasks/:task_token/fail',
    {
      config: { scope: 'tool:execute' },
      schema: {
        summary: 'Fail a task',
        description: 'A retryable failure is retried with backoff until max_attempts; a non-retryable one fails the binding with an exception ticket.',
        tags,
        params: TokenParams,
        body: FailBody,
        response: { 200: ExecutionBinding, ...pick(400, 401, 403, 404), 409: Binding409 },
      },
    },
    async (request) => {
      const p = who(request);
      const tenantId = p.tenantId;
      const { task_token: token } = request.params;
      const { code, message, retryable = true, run_ms } = request.body;
      const b = await bindingOf(rail, p, token);
      const after = await rail.attempts.report(token, { kind: 'failed', code, message, retryable, runMs: runMsOf(rail, b, run_ms) }, tenantId);
      return presentBinding(after);
    },
  );
};
