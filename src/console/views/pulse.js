/* global document, setTimeout, clearTimeout, URLSearchParams */
/**
 * Pulse: the queue monitor (GET /v1/queue) once a second — counts per state and tool, throughput
 * and latency sparklines, oldest queued age, stuck alerts with the call that moves each on, tool
 * pause/resume and the callback kill switch. Rows are updated in place, so a button keeps focus.
 */
import { ACTION_LABELS, actionButton, problemBox } from '../actions.js';
import { announce } from '../announce.js';
import { ApiError, api } from '../api.js';
import { can } from '../auth.js';
import { fill, h } from '../dom.js';
import { count, duration, relative, stateLabel, when } from '../format.js';
import { syncKeyed } from '../keyed.js';
import { sparkline } from '../sparkline.js';

export const STATES = ['queued', 'leased', 'retry_wait', 'succeeded', 'failed', 'cancelled'];
const TICK_MS = 1_000;
const ALERT_COLUMNS = ['Binding', 'Tool', 'State', 'Reason', 'For', 'Move it on'];
const SAMPLES = 60;

// Kept across visits in this tab, so the sparklines do not restart from nothing.
const history = { throughput: [], latency: [], queued: [] };
let lastLatency = null;

function push(series, value) {
  series.push(value);
  if (series.length > SAMPLES) series.shift();
}

/** Mean submit→result seconds since the previous scrape, from the /metrics histogram (admin only). */
function latencySample(text) {
  let sum = 0;
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^bindrail_submit_to_result_seconds_(sum|count)(?:\{[^}]*\})? ([0-9.eE+-]+)$/.exec(line);
    if (m?.[1] === 'sum') sum += Number(m[2]);
    else if (m) n += Number(m[2]);
  }
  const prev = lastLatency;
  lastLatency = { sum, n };
  if (!prev || n <= prev.n) return null;
  return ((sum - prev.sum) / (n - prev.n)) * 1_000;
}

const link = (id) => h('a', { href: `#/bindings/${id}`, class: 'mono' }, id);
const badge = (state) => h('span', { class: `badge state-${state}` }, stateLabel(state));

function thresholdsForm(params, onApply) {
  // Empty = the rail's default (shown as the placeholder).
  const minutes = (ms) => (ms === null ? '' : String(Number(ms) / 60_000));
  const q = h('input', { id: 'th-queued', type: 'number', min: 0, step: 'any', inputmode: 'decimal', value: minutes(params.get('queued_too_long_ms')), placeholder: '5' });
  const r = h('input', { id: 'th-retry', type: 'number', min: 0, step: 'any', inputmode: 'decimal', value: minutes(params.get('retry_waiting_long_ms')), placeholder: '15' });
  return h(
    'form',
    {
      class: 'thresholds',
      onsubmit: (e) => {
        e.preventDefault();
        const next = new URLSearchParams();
        if (q.value !== '') next.set('queued_too_long_ms', String(Math.round(Number(q.value) * 60_000)));
        if (r.value !== '') next.set('retry_waiting_long_ms', String(Math.round(Number(r.value) * 60_000)));
        onApply(next);
      },
    },
    h('fieldset', {}, h('legend', {}, 'Alert when (minutes)'),
      h('label', { for: 'th-queued' }, 'queued longer than'), q,
      h('label', { for: 'th-retry' }, 'waiting to retry longer than'), r,
      h('button', { type: 'submit', class: 'btn secondary' }, 'Apply')),
  );
}

function stateCards() {
  const cards = new Map(STATES.map((st) => [st, h('strong', { class: 'count' }, '—')]));
  const el = h('ul', { class: 'cards', 'aria-label': 'Bindings per state' }, STATES.map((st) => h('li', { class: `card state-${st}` }, h('a', { href: `#/bindings?state=${st}` }, h('span', { class: 'card-label' }, stateLabel(st)), cards.get(st)))));
  el.update = (byState) => cards.forEach((node, st) => (node.textContent = count(byState[st] ?? 0)));
  return el;
}

function toolRow(refresh) {
  return (t) => {
    const cells = Object.fromEntries(STATES.map((st) => [st, h('td', { class: 'num' })]));
    const total = h('td', { class: 'num' });
    const status = h('span');
    const control = h('td', { class: 'controls' });
    const name = h('th', { scope: 'row' }, h('a', { href: `#/bindings?tool=${encodeURIComponent(t.tool)}` }, t.tool), ' ', status);
    const row = h('tr', {}, name, STATES.map((st) => cells[st]), total, control);
    let shown;
    row.update = (x) => {
      STATES.forEach((st) => (cells[st].textContent = count(x.states[st] ?? 0)));
      total.textContent = count(x.total);
      fill(status, x.paused ? h('span', { class: 'badge paused' }, 'paused') : null);
      if (shown === x.paused) return;
      shown = x.paused;
      const verb = x.paused ? 'resume' : 'pause';
      fill(control, actionButton({ label: x.paused ? 'Resume' : 'Pause', context: `tool ${x.tool}`, path: `/v1/queue/tools/${encodeURIComponent(x.tool)}/${verb}`, scope: 'admin', onDone: refresh }));
    };
    return row;
  };
}

function alertRow(refresh) {
  return (a) => {
    // data-label names the column when a phone stacks the row (style.css, table.stack).
    const since = h('td', { 'data-label': ALERT_COLUMNS[4] });
    const row = h(
      'tr',
      {},
      h('th', { scope: 'row' }, link(a.binding_id)),
      h('td', { 'data-label': ALERT_COLUMNS[1] }, a.tool),
      h('td', { 'data-label': ALERT_COLUMNS[2] }, badge(a.state)),
      h('td', { class: 'wide' }, h('strong', {}, stateLabel(a.reason)), h('br'), h('span', { class: 'small' }, a.detail)),
      since,
      h('td', { class: 'controls wide' }, actionButton({ label: ACTION_LABELS[a.command.action] ?? a.command.action, context: a.binding_id, path: a.command.path, kind: 'primary', onDone: refresh })),
    );
    row.update = (x) => {
      since.textContent = `${duration(x.duration_ms)} (since ${when(x.since)})`;
    };
    return row;
  };
}

function killSwitch(refresh) {
  const state = h('p', { class: 'switch-state' });
  const control = h('div');
  const el = h('div', { class: 'kill-switch' }, state, control);
  let shown;
  el.update = (paused) => {
    fill(state, 'Callbacks: ', paused ? h('strong', { class: 'text-fail' }, 'stopped (kill switch on) — nothing is sent') : h('strong', { class: 'text-pass' }, 'being sent'));
    if (shown === paused) return;
    shown = paused;
    fill(
      control,
      actionButton({
        label: paused ? 'Resume callbacks' : 'Stop all callbacks',
        path: `/v1/queue/callbacks/${paused ? 'resume' : 'pause'}`,
        scope: 'admin',
        kind: paused ? 'primary' : 'danger',
        pressed: paused,
        onDone: refresh,
      }),
    );
  };
  return el;
}

const loopText = (name, clock) => {
  if (!clock) return `${name}: not run by this process (--role api)`;
  const next = clock.next_run_at && Date.parse(clock.next_run_at) > Date.now() ? relative(clock.next_run_at) : 'due now';
  return `${name}: last ran ${relative(clock.last_run_at)}, next ${next}`;
};

export function renderPulse(main, params, { navigate }) {
  let timer;
  let stopped = false;
  let paused = false;
  let lastAlertCount;
  const query = new URLSearchParams([...params].filter(([k]) => k === 'queued_too_long_ms' || k === 'retry_waiting_long_ms'));

  const updated = h('span', { class: 'muted' }, 'Loading…');
  const errorBox = h('div');
  const cards = stateCards();
  const sparks = h('div', { class: 'sparks' });
  const oldest = h('p');
  const alertsSummary = h('p', { 'aria-live': 'polite', class: 'alerts-summary' });
  const alertsBody = h('tbody');
  const alertsTable = h('table', { class: 'stack' }, h('caption', { class: 'visually-hidden' }, 'Stuck alerts'), h('thead', {}, h('tr', {}, ALERT_COLUMNS.map((c) => h('th', { scope: 'col' }, c)))), alertsBody);
  const toolsBody = h('tbody');
  const toolsTable = h('table', {}, h('caption', { class: 'visually-hidden' }, 'Bindings per tool and state'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Tool'), STATES.map((st) => h('th', { scope: 'col', class: 'num' }, stateLabel(st))), h('th', { scope: 'col', class: 'num' }, 'total'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Pause or resume')))), toolsBody);
  const loops = h('ul', { class: 'plain' });
  const holders = h('ul', { class: 'plain' });
  const callbacks = h('p');
  const refresh = () => tick();
  const kill = killSwitch(refresh);
  const pauseButton = h('button', { type: 'button', class: 'btn secondary', 'aria-pressed': 'false', onclick: () => {
    paused = !paused;
    pauseButton.setAttribute('aria-pressed', String(paused));
    pauseButton.textContent = paused ? 'Resume updates' : 'Pause updates';
    if (!paused) tick();
  } }, 'Pause updates');

  fill(
    main,
    h('div', { class: 'view-head' }, h('h1', {}, 'Pulse'), h('p', { class: 'head-meta' }, updated, ' ', pauseButton)),
    errorBox,
    h('section', { 'aria-labelledby': 'h-states' }, h('h2', { id: 'h-states', class: 'visually-hidden' }, 'Bindings per state'), cards),
    h('section', { 'aria-labelledby': 'h-flow', class: 'panel' }, h('h2', { id: 'h-flow' }, 'Flow'), sparks, oldest),
    h('section', { 'aria-labelledby': 'h-stuck', class: 'panel' }, h('h2', { id: 'h-stuck' }, 'Stuck'), alertsSummary, h('div', { class: 'table-wrap' }, alertsTable), thresholdsForm(query, (next) => navigate(`#/pulse${next.size ? `?${next}` : ''}`))),
    h('section', { 'aria-labelledby': 'h-tools', class: 'panel' }, h('h2', { id: 'h-tools' }, 'Tools'), h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Tools (the table scrolls sideways on narrow screens)' }, toolsTable)),
    h('section', { 'aria-labelledby': 'h-ops', class: 'panel' }, h('h2', { id: 'h-ops' }, 'Workers and callbacks'), h('div', { class: 'two-col' }, h('div', {}, h('h3', {}, 'Lease holders'), holders, h('h3', {}, 'Loops'), loops), h('div', {}, h('h3', {}, 'Callbacks'), callbacks, kill))),
  );

  function draw(q) {
    cards.update(q.counts.by_state);
    push(history.throughput, q.throughput.per_minute);
    push(history.queued, q.counts.by_state.queued ?? 0);
    fill(
      sparks,
      sparkline(history.throughput, { title: 'Throughput', describe: (v, max) => `${count(v)} finished per minute (last ${duration(q.throughput.window_ms)}); peak ${count(max)}` }),
      sparkline(history.latency, {
        title: 'Latency, submit → result',
        describe: (v, max) => `mean ${duration(v)} in the last interval; peak ${duration(max)}`,
        empty: can('admin') ? 'no work finished since the page opened' : 'needs the admin scope (read from /metrics)',
      }),
      sparkline(history.queued, { title: 'Queued', describe: (v, max) => `${count(v)} waiting now; peak ${count(max)}` }),
    );
    fill(oldest, 'Oldest queued: ', q.oldest_queued ? [link(q.oldest_queued.binding_id), `, waiting ${duration(q.oldest_queued.age_ms)}`] : 'nothing is queued');

    syncKeyed(alertsBody, q.stuck, (a) => `${a.binding_id}:${a.reason}:${a.command.action}`, alertRow(refresh));
    alertsTable.hidden = q.stuck.length === 0;
    if (lastAlertCount !== q.stuck.length) {
      lastAlertCount = q.stuck.length;
      alertsSummary.textContent = q.stuck.length === 0 ? 'Nothing is stuck.' : `${q.stuck.length} stuck ${q.stuck.length === 1 ? 'binding' : 'bindings'}, longest first.`;
    }
    syncKeyed(toolsBody, q.counts.by_tool, (t) => t.tool, toolRow(refresh));

    fill(holders, q.lease_holders.length ? q.lease_holders.map((x) => h('li', {}, h('span', { class: 'mono' }, x.owner), ` holds ${count(x.leased)}`)) : h('li', { class: 'muted' }, 'no leases held'));
    fill(loops, h('li', {}, loopText('Reaper', q.reaper)), h('li', {}, loopText('Callback dispatcher', q.callbacks.dispatcher)));
    const cb = Object.entries(q.callbacks.by_state);
    fill(callbacks, cb.length ? cb.map(([st, n]) => `${stateLabel(st)} ${count(n)}`).join(' · ') : 'no callbacks yet');
    kill.update(q.callbacks.paused);
    updated.textContent = `Updated ${new Date(q.at).toLocaleTimeString()}`;
  }

  /** One poll; then the next is scheduled (only one is ever pending, however ticks overlap). */
  async function tick() {
    if (stopped) return;
    try {
      const path = `/v1/queue${query.size ? `?${query}` : ''}`;
      const [q, metrics] = await Promise.all([
        api('GET', path).then((r) => r.body),
        can('admin') ? api('GET', '/metrics').then((r) => r.body).catch(() => null) : null,
      ]);
      if (stopped) return;
      if (typeof metrics === 'string') push(history.latency, latencySample(metrics));
      fill(errorBox);
      draw(q);
    } catch (err) {
      if (stopped) return;
      fill(errorBox, problemBox(err));
      if (err instanceof ApiError && err.status === 403) {
        announce('This key cannot read the queue monitor.');
        return; // no point polling what the key may not read
      }
    }
    clearTimeout(timer);
    if (!paused && !stopped) timer = setTimeout(tick, document.hidden ? TICK_MS * 5 : TICK_MS);
  }

  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
