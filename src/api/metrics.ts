/**
 * Prometheus metrics of one process, names prefixed `bindrail_`. Counters follow the events this
 * process's bus carries (with --role api|worker each process counts its own part); gauges read
 * the store when scraped, so they are the same in every process.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Rail } from '../rail/rail.js';
import type { EventRow } from '../store/types.js';

/** Seconds from submit to result: from a blink to the longest callback-era job. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export class RailMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly #claims: Counter;
  readonly #completions: Counter<'status'>;
  readonly #failures: Counter<'code'>;
  readonly #latency: Histogram<'tool' | 'status'>;
  readonly #callbacks: Counter<'outcome'>;
  readonly #onEvents = (events: EventRow[]) => this.#observe(events);

  constructor(private readonly rail: Rail) {
    const registers = [this.registry];
    const store = rail.store;
    new Gauge({
      name: 'bindrail_queue_depth',
      help: 'Bindings per state and tool (all tenants), read from the store at scrape time.',
      labelNames: ['state', 'tool'],
      registers,
      async collect() {
        this.reset();
        for (const c of await store.queueCounts()) this.set({ state: c.state, tool: c.tool }, c.count);
      },
    });
    new Gauge({
      name: 'bindrail_callback_deliveries',
      help: 'Callback deliveries per state (all tenants), read from the store at scrape time.',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const c of await store.callbackCounts()) this.set({ state: c.state }, c.count);
      },
    });
    this.#claims = new Counter({ name: 'bindrail_claims_total', help: 'Attempts leased (claims).', registers });
    this.#completions = new Counter({ name: 'bindrail_completions_total', help: 'Bindings finished, by final status.', labelNames: ['status'], registers });
    this.#failures = new Counter({ name: 'bindrail_attempt_failures_total', help: 'Failed attempts, by error code.', labelNames: ['code'], registers });
    this.#latency = new Histogram({
      name: 'bindrail_submit_to_result_seconds',
      help: 'Time from intake to the result contract.',
      labelNames: ['tool', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#callbacks = new Counter({
      name: 'bindrail_callback_outcomes_total',
      help: 'Callbacks that ended delivered or failed (after the last try).',
      labelNames: ['outcome'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'bindrail_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    rail.ctx.bus.on('events', this.#onEvents);
  }

  close(): void {
    this.rail.ctx.bus.off('events', this.#onEvents);
  }

  #observe(events: EventRow[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'bindrail.queue.leased':
          this.#claims.inc();
          break;
        case 'bindrail.attempt.failed':
          this.#failures.inc({ code: String(e.data.code ?? 'unknown') });
          break;
        case 'bindrail.callback.delivered':
          this.#callbacks.inc({ outcome: 'delivered' });
          break;
        case 'bindrail.callback.failed':
          this.#callbacks.inc({ outcome: 'failed' });
          break;
        case 'bindrail.result.ready': {
          const status = String(e.data.status);
          this.#completions.inc({ status });
          const elapsed = Number(e.data.elapsed_ms);
          if (Number.isFinite(elapsed)) this.#latency.observe({ tool: String(e.data.tool), status }, elapsed / 1000);
          break;
        }
      }
    }
  }
}
