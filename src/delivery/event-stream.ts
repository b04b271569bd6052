/**
 * Result events as Server-Sent Events (WHATWG HTML §9.2). What is sent is what the store holds, in
 * cursor order: subscribing before the first read means no commit can slip between the stored
 * events and the live ones; skipping cursors already sent means none repeats.
 *
 * Events committed in this process arrive on the bus as the rows the store wrote. Those that carry
 * a binding stream on exactly — the next per-binding seqs, without a gap — are sent as they are:
 * a binding's seqs have no gaps, so nothing can be missing between them. Anything else (a gap, a
 * tenant stream, whose gseq has gaps, events of other processes announced by `stored`, the poll)
 * makes the stream read the store after the last cursor sent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RailError } from '../contracts/errors.js';
import type { RailBus } from '../rail/bus.js';
import type { RailContext } from '../rail/context.js';
import { presentEvent } from '../rail/present.js';
import type { EventRow } from '../store/types.js';

export interface StreamScope {
  tenantId: string;
  /** One binding's events (cursor = per-binding seq); absent = all the tenant's (cursor = gseq). */
  bindingId?: string;
}

export interface StreamTiming {
  heartbeatMs: number;
  pollMs: number;
}

export const DEFAULT_STREAM_TIMING: StreamTiming = { heartbeatMs: 15_000, pollMs: 1_000 };
/** Asks browsers to reconnect after this long (the SSE `retry:` field). */
const RECONNECT_MS = 2_000;
const PAGE = 500;

/** Open streams per bus, so an app that closes can end them (they never end by themselves). */
const open = new WeakMap<RailBus, Set<() => void>>();

export function wantsEventStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

/** The cursor to resume after: `Last-Event-ID` (a reconnect) wins over `?after=`. */
export function resumeCursor(request: FastifyRequest, after: number | undefined): number {
  const header = request.headers['last-event-id'];
  if (header === undefined || header === '') return after ?? 0;
  const text = Array.isArray(header) ? header[0]! : header;
  if (!/^\d{1,15}$/.test(text)) {
    throw new RailError('validation_failed', 'Last-Event-ID must be an event cursor sent by this stream', [
      { pointer: '/headers/last-event-id', detail: 'must be a whole number' },
    ]);
  }
  return Number(text);
}

/** Ends every stream of this bus (the server is closing). */
export function closeEventStreams(bus: RailBus): void {
  for (const end of [...(open.get(bus) ?? [])]) end();
}

/** Takes over the reply and streams the scope's events after `cursor` until the client goes away. */
export function streamEvents(
  ctx: RailContext,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: StreamScope,
  cursor: number,
  timing: StreamTiming = DEFAULT_STREAM_TIMING,
): FastifyReply {
  const cursorOf = (e: EventRow) => (scope.bindingId ? e.seq : e.gseq);
  const matches = (e: EventRow) => e.tenant_id === scope.tenantId && (!scope.bindingId || e.binding_id === scope.bindingId);
  const res = reply.raw;
  let last = cursor;
  let pumping = false;
  let again = false;
  let closed = false;

  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: ${RECONNECT_MS}\n\n`);

  /** Writes, waiting while the client's buffer is full, so a slow reader cannot grow memory. */
  const write = async (chunk: string): Promise<void> => {
    if (closed || res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };

  /** Sends `rows` (in cursor order) that were not sent yet. */
  const send = async (rows: EventRow[]): Promise<void> => {
    for (const row of rows) {
      const c = cursorOf(row);
      if (closed) return;
      if (c <= last) continue;
      last = c;
      await write(`id: ${c}\ndata: ${JSON.stringify(presentEvent(row))}\n\n`);
    }
  };

  /** Sends what follows the last cursor: `next` when given (it follows on exactly), else what the store holds. */
  const pump = async (next?: EventRow[]): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      if (next) {
        await send(next);
        if (!again || closed) return;
      }
      do {
        again = false;
        for (;;) {
          const rows = await ctx.store.listEvents(scope.tenantId, { bindingId: scope.bindingId, after: last, limit: PAGE });
          await send(rows);
          if (closed) return;
          if (rows.length < PAGE) break;
        }
      } while (again && !closed);
    } catch (err) {
      request.log.warn({ err }, 'event stream read failed; closing it (the client resumes with Last-Event-ID)');
      end();
    } finally {
      pumping = false;
    }
  };

  /** Whether `fresh` (this binding's, in append order) are exactly the binding stream's next events. */
  const follows = (fresh: EventRow[]) => scope.bindingId !== undefined && fresh.every((e, i) => e.seq === last + 1 + i);
  const onEvents = (rows: EventRow[]) => {
    const fresh = rows.filter((e) => matches(e) && cursorOf(e) > last);
    if (fresh.length === 0) return;
    void pump(!pumping && follows(fresh) ? fresh : undefined);
  };
  const pumpNow = () => void pump();
  const heartbeat = setInterval(() => void write(': keep-alive\n\n'), timing.heartbeatMs);
  const poll = setInterval(() => void pump(), timing.pollMs);
  const streams = open.get(ctx.bus) ?? new Set();
  open.set(ctx.bus, streams);

  function end(): void {
    if (closed) return;
    closed = true;
    ctx.bus.off('events', onEvents);
    ctx.bus.off('stored', pumpNow);
    clearInterval(heartbeat);
    clearInterval(poll);
    streams.delete(end);
    res.end();
  }

  streams.add(end);
  ctx.bus.on('events', onEvents);
  ctx.bus.on('stored', pumpNow);
  request.raw.on('close', end);
  res.on('close', end);
  void pump();
  // Returning the hijacked reply tells Fastify the handler has answered.
  return reply;
}
