/** `bindrail status`: the queue monitor (GET /v1/queue) in the terminal, once or --watch. */
import { parseArgs } from 'node:util';
import type { QueueMonitor } from '../contracts/queue-monitor.js';
import { call, HttpError } from './http-client.js';
import { REMOTE_OPTIONS, resolveRemote } from './remote.js';

export const STATUS_HELP = `bindrail status [--watch] [--interval-ms N] [--json] [--fail-on-stuck] [--url URL] [--api-key KEY]

The pulse of the rail: bindings per state and tool, throughput, the oldest queued binding,
callbacks and the kill switch, the reaper, and stuck alerts with the call that moves each on.

  --watch                  redraw every --interval-ms (default 2000) until Ctrl-C
  --json                   the queue monitor JSON (with --watch: one JSON object per line)
  --queued-too-long-ms N   alert on work queued longer than N ms (the rail's default: 5 min)
  --retry-waiting-long-ms N  alert on retries waiting longer than N ms (default: 15 min)
  --fail-on-stuck          exit 1 when there is any stuck alert (for scripts and cron)
`;

const STATES = ['queued', 'leased', 'retry_wait', 'succeeded', 'failed', 'cancelled'] as const;

function ms(n: number): string {
  if (n < 1_000) return `${n} ms`;
  if (n < 60_000) return `${(n / 1_000).toFixed(1)} s`;
  if (n < 3_600_000) return `${Math.floor(n / 60_000)} min ${Math.round((n % 60_000) / 1_000)} s`;
  return `${Math.floor(n / 3_600_000)} h ${Math.round((n % 3_600_000) / 60_000)} min`;
}

const ago = (iso: string | null, now: number) => (iso ? (Date.parse(iso) <= now ? `${ms(now - Date.parse(iso))} ago` : `in ${ms(Date.parse(iso) - now)}`) : 'never');

function table(rows: string[][], rightFrom: number): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i >= rightFrom ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** The pulse as terminal text. Pure: `style` adds emphasis (ANSI on a terminal, nothing elsewhere). */
export function renderStatus(q: QueueMonitor, opts: { url: string; style?: (kind: 'bold' | 'bad' | 'warn', text: string) => string }): string {
  const style = opts.style ?? ((_k, t) => t);
  const now = Date.parse(q.at);
  const lines: string[] = [];
  lines.push(`${style('bold', 'bindrail pulse')} — tenant ${q.tenant_id} — ${q.at} (${opts.url})`, '');
  lines.push(STATES.map((s) => `${s.replace('_', ' ')} ${q.counts.by_state[s] ?? 0}`).join(' · '));
  lines.push(
    `throughput ${q.throughput.per_minute.toFixed(1)}/min (last ${ms(q.throughput.window_ms)})` +
      ` · oldest queued ${q.oldest_queued ? `${q.oldest_queued.binding_id} waiting ${ms(q.oldest_queued.age_ms)}` : 'none'}`,
  );
  const cb = Object.entries(q.callbacks.by_state).map(([s, n]) => `${s} ${n}`).join(', ') || 'none yet';
  lines.push(`callbacks ${q.callbacks.paused ? style('bad', 'STOPPED (kill switch on)') : 'sending'} (${cb})`);
  lines.push(
    `reaper ${q.reaper ? `last ${ago(q.reaper.last_run_at, now)}` : 'not in this process'}` +
      ` · callback dispatcher ${q.callbacks.dispatcher ? `last ${ago(q.callbacks.dispatcher.last_run_at, now)}` : 'not in this process'}` +
      ` · leases ${q.lease_holders.map((h) => `${h.owner} ${h.leased}`).join(', ') || 'none'}`,
  );
  if (q.paused_tools.length) lines.push(style('warn', `paused tools: ${q.paused_tools.join(', ')}`));
  lines.push('');
  const rows = [['tool', ...STATES, 'total'], ...q.counts.by_tool.map((t) => [`${t.tool}${t.paused ? ' (paused)' : ''}`, ...STATES.map((s) => String(t.states[s] ?? 0)), String(t.total)])];
  lines.push(...table(rows, 1));
  lines.push('');
  if (q.stuck.length === 0) lines.push('nothing is stuck');
  else {
    lines.push(style('bad', `stuck: ${q.stuck.length}, longest first`));
    for (const a of q.stuck) {
      lines.push(`  ${a.binding_id}  ${a.tool}  ${a.state}  ${a.reason}  for ${ms(a.duration_ms)}  → ${a.command.action}: ${a.command.method} ${a.command.path}`);
      lines.push(`      ${a.detail}`);
    }
  }
  return lines.join('\n') + '\n';
}

const ANSI = { bold: '\x1b[1m', bad: '\x1b[1;31m', warn: '\x1b[33m' } as const;

export async function status(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...REMOTE_OPTIONS,
      watch: { type: 'boolean' },
      'interval-ms': { type: 'string' },
      'queued-too-long-ms': { type: 'string' },
      'retry-waiting-long-ms': { type: 'string' },
      'fail-on-stuck': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(STATUS_HELP);
    return 0;
  }
  const remote = resolveRemote(values);
  const query = new URLSearchParams();
  if (values['queued-too-long-ms']) query.set('queued_too_long_ms', values['queued-too-long-ms']);
  if (values['retry-waiting-long-ms']) query.set('retry_waiting_long_ms', values['retry-waiting-long-ms']);
  const path = `/v1/queue${query.size ? `?${query}` : ''}`;
  const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const style = tty ? (kind: keyof typeof ANSI, text: string) => `${ANSI[kind]}${text}\x1b[0m` : undefined;
  const fetchPulse = async () => (await call<QueueMonitor>(remote, 'GET', path)).body;

  if (!values.watch) {
    const q = await fetchPulse();
    process.stdout.write(values.json ? `${JSON.stringify(q, null, 2)}\n` : renderStatus(q, { url: remote.url, style }));
    return values['fail-on-stuck'] && q.stuck.length > 0 ? 1 : 0;
  }

  const interval = Math.max(200, Number(values['interval-ms'] ?? 2_000));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop.signal.aborted) {
      let frame: string;
      try {
        const q = await fetchPulse();
        frame = values.json ? `${JSON.stringify(q)}\n` : renderStatus(q, { url: remote.url, style });
      } catch (err) {
        // A rail that restarts or a network blip should not end a watch: say so, try again.
        const text = err instanceof HttpError ? err.message : err instanceof Error ? err.message : String(err);
        frame = values.json ? `${JSON.stringify({ error: text, at: new Date().toISOString() })}\n` : `bindrail status: ${text} (retrying)\n`;
      }
      if (tty && !values.json) process.stdout.write('\x1b[H\x1b[2J');
      else if (!values.json) process.stdout.write('\n');
      process.stdout.write(frame);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, interval);
        stop.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}
