/** /v1/queue: the queue monitor, and the operator switches (tool pause, callback kill switch). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Name } from '../../contracts/common.js';
import { QueueMonitor } from '../../contracts/queue-monitor.js';
import { callbacksPaused, setCallbacksPaused } from '../../delivery/kill-switch.js';
import { queueMonitor } from '../../queue/monitor.js';
import { DEFAULT_STUCK_THRESHOLDS } from '../../queue/stuck-alerts.js';
import { setToolPaused } from '../../queue/tool-pause.js';
import type { Rail } from '../../rail/rail.js';
import { who } from '../auth.js';
import { pick } from '../schemas.js';

const tags = ['queue'];
const ToolSwitch = Type.Object({ object: Type.Literal('tool_switch'), tool: Type.String(), paused: Type.Boolean(), paused_tools: Type.Array(Type.String()) });
const CallbackSwitch = Type.Object({ object: Type.Literal('callback_switch'), paused: Type.Boolean() });

export const queueRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/queue',
    {
      config: { scope: 'work:read' },
      schema: {
        summary: 'The queue monitor',
        description:
          "Counts per state and tool, oldest queued age, lease holders, reaper and callback dispatcher runs, throughput over the last minute, and stuck alerts — each with the reason, how long, and the call that moves it on. Counts and alerts cover the caller's tenant; switches are global.",
        tags,
        querystring: Type.Object({
          queued_too_long_ms: Type.Optional(Type.Integer({ minimum: 0 })),
          retry_waiting_long_ms: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: QueueMonitor, ...pick(400, 401, 403) },
      },
    },
    async (request) =>
      queueMonitor(rail.ctx, who(request).tenantId, {
        queuedTooLongMs: request.query.queued_too_long_ms ?? DEFAULT_STUCK_THRESHOLDS.queuedTooLongMs,
        retryWaitingLongMs: request.query.retry_waiting_long_ms ?? DEFAULT_STUCK_THRESHOLDS.retryWaitingLongMs,
      }),
  );

  for (const verb of ['pause', 'resume'] as const) {
    app.post(
      `/v1/queue/tools/:name/${verb}`,
      {
        // Admin: the switches are global, so a tenant's key must not stop every tenant's work.
        config: { scope: 'admin' },
        schema: {
          summary: verb === 'pause' ? "Pause a tool's queue" : "Resume a tool's queue",
          description: verb === 'pause' ? 'No new claims for this tool (its work stays queued; running attempts finish). Audited.' : 'Claims for this tool start again. Audited.',
          tags,
          params: Type.Object({ name: Name }),
          response: { 200: ToolSwitch, ...pick(401, 403, 404) },
        },
      },
      async (request) => {
        const paused = await setToolPaused(rail.ctx, request.params.name, verb === 'pause', who(request));
        return { object: 'tool_switch' as const, tool: request.params.name, paused: verb === 'pause', paused_tools: paused };
      },
    );

    app.post(
      `/v1/queue/callbacks/${verb}`,
      {
        // Admin: the switches are global, so a tenant's key must not stop every tenant's work.
        config: { scope: 'admin' },
        schema: {
          summary: verb === 'pause' ? 'Stop sending callbacks (kill switch)' : 'Send callbacks again',
          description:
            verb === 'pause' ? 'Nothing is sent while paused; deliveries stay pending and go out after resume. Audited.' : 'Pending deliveries go out again. Audited.',
          tags,
          response: { 200: CallbackSwitch, ...pick(401, 403) },
        },
      },
      async (request) => {
        await setCallbacksPaused(rail.store, verb === 'pause', who(request), rail.ctx.now());
        return { object: 'callback_switch' as const, paused: await callbacksPaused(rail.store) };
      },
    );
  }
};
