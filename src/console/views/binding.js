/* global setTimeout, clearTimeout, AbortController */
/**
 * One binding as one picture: work order → routing → command → attempts → result → receipts →
 * ledger entry → attestation → callback, each part with its state; below it the parts in full,
 * both proof checks recomputed in the page, and the live event timeline (SSE).
 */
import { actionButton, problemBox } from '../actions.js';
import { announce } from '../announce.js';
import { ApiError, api, followEvents, getOptional } from '../api.js';
import { can } from '../auth.js';
import { fill, h, refill } from '../dom.js';
import { duration, relative, stateLabel, when } from '../format.js';
import { canonicalJson } from '../proof/jcs.js';
import { digestText } from '../proof/bytes.js';
import { proofChecks } from '../proof/checks.js';
import { attemptsOf } from './attempts.js';
import { eventLine } from './timeline.js';

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
const POLL_MS = 3_000;

const mono = (text) => h('span', { class: 'mono' }, text);
const badge = (state, text = stateLabel(state)) => h('span', { class: `badge state-${state}` }, text);
const json = (label, value) => h('details', {}, h('summary', {}, label), h('pre', { tabindex: 0 }, JSON.stringify(value, null, 2)));

/** A definition list from [term, value] pairs; null values are left out. */
const facts = (pairs) => h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

const STEPS = [
  ['work-order', 'Work order'],
  ['routing', 'Routing'],
  ['command', 'Command'],
  ['attempts', 'Attempts'],
  ['result', 'Result'],
  ['receipts', 'Receipts'],
  ['ledger', 'Ledger entry'],
  ['attestation', 'Attestation'],
  ['callback', 'Callback'],
];

const STATUS_WORDS = { done: 'done', active: 'in progress', waiting: 'not yet', failed: 'failed', pass: 'verified', none: 'not requested', unknown: 'unknown' };

/** Each step's status from what the page knows: done | active | waiting | failed | pass | none. */
function stepStatuses(d) {
  const b = d.binding;
  const r = d.result;
  const final = FINAL.has(b.state);
  const check = (title) => d.checks?.find((c) => c.title === title);
  const proof = (c, present) => (!present ? 'waiting' : !c ? 'done' : c.status === 'pass' ? 'pass' : c.status === 'fail' ? 'failed' : 'done');
  const cb = d.callback?.state ?? r?.callback?.state;
  return {
    'work-order': 'done',
    routing: 'done',
    command: 'done',
    attempts: b.state === 'succeeded' ? 'done' : b.state === 'failed' ? 'failed' : final ? 'done' : b.attempt > 0 || b.state === 'leased' ? 'active' : 'waiting',
    result: !r ? (final ? 'active' : 'waiting') : r.status === 'succeeded' ? 'done' : r.status === 'failed' ? 'failed' : 'done',
    receipts: r ? (r.receipts.length ? 'done' : 'none') : 'waiting',
    ledger: proof(check('Ledger inclusion'), Boolean(r)),
    attestation: r && !r.attestation ? 'none' : proof(check('Attestation signature'), Boolean(r)),
    callback: !r ? 'waiting' : cb === 'none' || !cb ? 'none' : cb === 'delivered' ? 'done' : cb === 'failed' ? 'failed' : 'active',
  };
}

function stepSummary(id, d) {
  const b = d.binding;
  const r = d.result;
  switch (id) {
    case 'work-order':
      return d.workOrder ? `priority ${d.workOrder.priority}` : b.work_order_id.slice(0, 11) + '…';
    case 'routing':
      return `${b.tool.name} · ${b.operation}`;
    case 'command':
      return b.command_id.slice(0, 12) + '…';
    case 'attempts':
      return `${b.attempt} of ${b.max_attempts}`;
    case 'result':
      return r ? `${r.status}, evidence ${r.evidence.status}` : stateLabel(b.state);
    case 'receipts':
      return r ? `${r.receipts.length}` : '—';
    case 'ledger':
      return r ? `seq ${r.ledger.seq}` : '—';
    case 'attestation':
      return r ? (r.attestation ? `key ${r.attestation.key_id.slice(0, 8)}…` : 'not asked for') : '—';
    case 'callback':
      return d.callback ? `${d.callback.state}, ${d.callback.attempts} ${d.callback.attempts === 1 ? 'try' : 'tries'}` : (r?.callback.state ?? '—');
    default:
      return '';
  }
}

function chainPicture(d, focusPart) {
  const statuses = stepStatuses(d);
  return h(
    'ol',
    { class: 'chain', 'aria-label': 'The chain of this binding, in order' },
    STEPS.map(([id, label], i) =>
      h(
        'li',
        { class: `chain-step status-${statuses[id]}` },
        h('span', { class: 'chain-marker', 'aria-hidden': 'true' }, String(i + 1)),
        h(
          'button',
          { type: 'button', class: 'chain-link', onclick: () => focusPart(id) },
          h('span', { class: 'chain-label' }, label),
          h('span', { class: 'chain-status' }, STATUS_WORDS[statuses[id]] ?? statuses[id]),
          h('span', { class: 'chain-summary' }, stepSummary(id, d)),
        ),
      ),
    ),
  );
}

function checkBox(c) {
  if (!c) return h('p', { class: 'muted' }, 'Checked in this browser once the result is final.');
  const icon = { pass: '✓', fail: '✗', unavailable: '–' }[c.status] ?? '…';
  return h(
    'div',
    { class: `check check-${c.status}`, 'data-check': c.title },
    h('p', { class: 'check-head' }, h('span', { 'aria-hidden': 'true', class: 'check-icon' }, icon), h('strong', {}, `${c.title}: `), h('span', { class: 'check-status' }, { pass: 'passed', fail: 'FAILED', unavailable: 'not checked' }[c.status] ?? c.status)),
    h('p', { class: 'check-summary' }, c.summary),
    c.steps.length
      ? h('ol', { class: 'check-steps' }, c.steps.map((x) => h('li', { class: `step-${x.status}` }, h('strong', {}, `${{ pass: '✓', fail: '✗' }[x.status] ?? '–'} ${x.label}: `), x.detail)))
      : null,
  );
}

function receiptItem(rcp, doc, ok) {
  return h(
    'li',
    {},
    h('strong', {}, rcp.kind), ' ', mono(rcp.receipt_id), h('br'),
    h('span', { class: 'small' }, mono(rcp.digest), ' ', ok === undefined ? '' : ok ? h('span', { class: 'text-pass' }, '✓ digest recomputed') : h('span', { class: 'text-fail' }, '✗ digest does not match the document')),
    doc ? json('Receipt document', doc) : null,
  );
}

/** A time, and while the binding still moves, how far from now it is. */
const at = (iso, moving) => (moving ? `${when(iso)} (${relative(iso)})` : when(iso));

function attemptsPart(d) {
  const b = d.binding;
  const moving = !FINAL.has(b.state);
  const attempts = attemptsOf(d.events, b);
  return [
    facts([
      ['Attempts', `${b.attempt} of ${b.max_attempts}`],
      ['Task token', b.task.token_id ? mono(b.task.token_id) : null],
      ['Lease until', b.lease_expires_at ? at(b.lease_expires_at, moving) : null],
      ['Last heartbeat', b.heartbeat_at ? at(b.heartbeat_at, moving) : null],
      ['Progress', b.progress ? `${b.progress.percent ?? '?'}% ${b.progress.message ?? ''}` : null],
      ['Next retry', b.next_retry_at ? at(b.next_retry_at, moving) : null],
      ['Last error', b.last_error ? `${b.last_error.code}: ${b.last_error.message}` : null],
    ]),
    attempts.length
      ? h(
          'ol',
          { class: 'attempts' },
          attempts.map((a) =>
            h(
              'li',
              {},
              h('strong', {}, `Attempt ${a.attempt}`), ' ', badge(a.outcome.state, a.outcome.text),
              h('br'),
              h('span', { class: 'small' }, a.leasedAt ? `leased ${when(a.leasedAt)}${a.owner ? ` by ${a.owner}` : ''}` : 'lease not recorded', a.tokenId ? [', token ', mono(a.tokenId)] : ''),
              a.heartbeats.length
                ? h('ul', { class: 'heartbeats', 'aria-label': `Heartbeats of attempt ${a.attempt}` }, a.heartbeats.map((x) => h('li', {}, `${when(x.time)}: ${x.percent !== undefined ? `${x.percent}% ` : ''}${x.message ?? 'heartbeat'}`)))
                : h('p', { class: 'small muted' }, 'No progress reported (plain heartbeats only move the lease).'),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No attempt has started.'),
  ];
}

function callbackPart(d) {
  const c = d.callback;
  if (c === undefined) return h('p', { class: 'muted' }, 'Loading…');
  if (c === null) return h('p', { class: 'muted' }, 'Not available on this rail.');
  return [
    facts([
      ['State', badge({ delivered: 'succeeded', failed: 'failed', pending: 'queued' }[c.state] ?? 'cancelled', c.state)],
      ['URL', c.url ? mono(c.url) : 'none asked for'],
      ['Webhook id', c.webhook_id ? mono(c.webhook_id) : null],
      ['Next try', c.next_attempt_at ? at(c.next_attempt_at, c.state === 'pending') : null],
      ['Delivered', c.delivered_at ? when(c.delivered_at) : null],
      ['Last error', c.last_error],
    ]),
    c.attempt_log.length
      ? h('ol', { class: 'attempts' }, c.attempt_log.map((a) => h('li', {}, `Try ${a.attempt} at ${when(a.started_at)}: `, badge(a.outcome === 'delivered' ? 'succeeded' : a.outcome === 'failed' ? 'failed' : 'retry_wait', a.outcome), ` ${a.status_code ?? 'no answer'} in ${duration(a.latency_ms)}${a.error ? ` — ${a.error}` : ''}`)))
      : null,
  ];
}

function actionsFor(d, refresh, navigate) {
  const b = d.binding;
  if (!can('work:operate')) return h('p', { class: 'small muted' }, 'Actions (cancel, retry, replay, redeliver) need a key with work:operate.');
  const id = b.binding_id;
  const final = FINAL.has(b.state);
  const list = [];
  if (!final) list.push(actionButton({ label: 'Cancel', context: id, path: `/v1/bindings/${id}/cancel`, kind: 'danger', onDone: refresh }));
  if (b.state === 'retry_wait') list.push(actionButton({ label: 'Retry now', context: id, path: `/v1/bindings/${id}/retry`, kind: 'primary', onDone: refresh }));
  if (final) list.push(actionButton({ label: 'Replay', context: id, path: `/v1/bindings/${id}/replay`, onDone: (nb) => navigate(`#/bindings/${nb.binding_id}`) }));
  const cb = d.callback?.state;
  if (final && (cb === 'delivered' || cb === 'failed')) list.push(actionButton({ label: 'Redeliver callback', context: id, path: `/v1/bindings/${id}/callback/redeliver`, onDone: refresh }));
  if (list.length === 0) return null;
  return h('div', { class: 'actions', role: 'group', 'aria-label': 'Operator actions' }, list);
}

export function renderBinding(main, id, { navigate }) {
  const abort = new AbortController();
  let stopped = false;
  let refreshTimer;
  let pollTimer;
  let checking = false;
  const d = { binding: null, workOrder: null, command: null, result: null, receipts: [], receiptChecks: new Map(), callback: undefined, events: [], checks: null };
  const seen = new Set();

  const head = h('div', { class: 'view-head' }, h('h1', {}, 'Binding ', mono(id)));
  const status = h('p', { class: 'status-line', 'aria-live': 'polite' }, 'Loading…');
  const errorBox = h('div');
  const actions = h('div');
  const picture = h('div', { class: 'chain-wrap' });
  const parts = Object.fromEntries(STEPS.map(([pid, label]) => [pid, h('section', { class: 'part', id: `part-${pid}`, tabindex: -1, 'aria-labelledby': `h-${pid}` }, h('h2', { id: `h-${pid}` }, label), h('div', { class: 'part-body' }))]));
  const streamState = h('span', { class: 'muted small' }, 'connecting…');
  const timeline = h('ol', { class: 'timeline', role: 'log', 'aria-label': 'Event timeline', 'aria-live': 'polite' });

  const focusPart = (pid) => {
    parts[pid].scrollIntoView({ block: 'start' });
    parts[pid].focus({ preventScroll: true });
  };

  fill(
    main,
    head,
    status,
    errorBox,
    actions,
    h('section', { 'aria-labelledby': 'h-chain', class: 'panel' }, h('h2', { id: 'h-chain', class: 'visually-hidden' }, 'Chain'), picture),
    h(
      'div',
      { class: 'binding-layout' },
      h('div', { class: 'parts' }, STEPS.map(([pid]) => parts[pid])),
      h('aside', { class: 'panel timeline-panel', 'aria-labelledby': 'h-timeline' }, h('h2', { id: 'h-timeline' }, 'Live events ', streamState), timeline),
    ),
  );

  const body = (pid) => parts[pid].querySelector('.part-body');

  const drawn = new Map();
  /** Redraws a region only when what it shows changed, so open <details> and focus survive live updates. */
  const region = (key, el, deps, build) => {
    const sig = JSON.stringify(deps);
    if (drawn.get(key) === sig) return;
    drawn.set(key, sig);
    refill(el, build());
  };
  const check = (title) => d.checks?.find((c) => c.title === title) ?? null;

  function draw() {
    const b = d.binding;
    if (!b) return;
    const r = d.result;
    const wo = d.workOrder;
    // A live region: redrawn (and so announced) only when the state or the attempt moves.
    region('status', status, [b.state, b.attempt], () => ['State: ', badge(b.state), ` · attempt ${b.attempt} of ${b.max_attempts} · ${b.tool.name}@${b.tool.version} ${b.operation}`]);
    region('actions', actions, [b.state, d.callback?.state ?? null], () => actionsFor(d, refresh, navigate));
    region('chain', picture, [stepStatuses(d), STEPS.map(([pid]) => stepSummary(pid, d))], () => chainPicture(d, focusPart));
    region('work-order', body('work-order'), [wo, b.work_order_id, b.replay_of], () => [
      facts([
        ['Work order', h('a', { href: `#/bindings?work_order_id=${b.work_order_id}`, class: 'mono' }, b.work_order_id)],
        ['Requester', wo?.requester ? `${wo.requester.kind} ${wo.requester.id}` : null],
        ['Priority', wo ? String(wo.priority) : null],
        ['Deadline', wo?.deadline ? when(wo.deadline) : null],
        ['Digest', wo ? mono(wo.digest) : null],
        ['Replay of', b.replay_of ? h('a', { href: `#/bindings/${b.replay_of}`, class: 'mono' }, b.replay_of) : null],
      ]),
      wo ? json('Work order JSON', wo) : null,
    ]);
    region('routing', body('routing'), [b.tool, b.operation, b.routing], () =>
      facts([['Tool', `${b.tool.name}@${b.tool.version}`], ['Operation', b.operation], ['Rule', b.routing.rule], ['Why', b.routing.reason]]),
    );
    region('command', body('command'), [b.command_id, d.command], () => [
      facts([
        ['Command', mono(b.command_id)],
        ['Inputs digest', d.command ? mono(d.command.inputs_digest) : null],
        ['Command digest', d.command ? mono(d.command.digest) : null],
        ['Callback URL', d.command?.return.callback_url ? mono(d.command.return.callback_url) : null],
      ]),
      d.command ? json('Command JSON', d.command) : null,
    ]);
    region('attempts', body('attempts'), [b, d.events.length], () => attemptsPart(d));
    region('result', body('result'), [r, b.state], () =>
      r
        ? [
            facts([
              ['Status', badge(r.status)],
              ['Evidence', `${r.evidence.status}${r.evidence.missing.length ? ` (missing: ${r.evidence.missing.join(', ')})` : ''}`],
              ['Summary', r.human_summary],
              ['Next action', `${r.next_action}: ${r.next_action_detail}`],
              ['Output digest', r.output_digest ? mono(r.output_digest) : null],
              ['Exception', r.exception ? `${r.exception.code}: ${r.exception.message}` : null],
              ['Replay', r.replay ? `of ${r.replay.of}; deterministic: ${r.replay.deterministic ?? 'unknown'}` : null],
            ]),
            json('Machine output', r.machine_output),
          ]
        : h('p', { class: 'muted' }, `Not final yet (${stateLabel(b.state)}).`),
    );
    region('receipts', body('receipts'), [r?.receipts ?? null, d.receipts.length, [...d.receiptChecks]], () =>
      !r
        ? h('p', { class: 'muted' }, 'Issued with the result.')
        : r.receipts.length
          ? h('ul', { class: 'receipts' }, r.receipts.map((x) => receiptItem(x, d.receipts.find((y) => y.receipt_id === x.receipt_id), d.receiptChecks.get(x.receipt_id))))
          : h('p', { class: 'muted' }, 'No receipts.'),
    );
    region('ledger', body('ledger'), [r?.ledger ?? null, check('Ledger inclusion')], () =>
      r ? [facts([['Seq', String(r.ledger.seq)], ['Leaf hash', mono(r.ledger.leaf_hash)]]), checkBox(check('Ledger inclusion'))] : h('p', { class: 'muted' }, 'Appended with the result.'),
    );
    region('attestation', body('attestation'), [r?.attestation ?? null, Boolean(r), check('Attestation signature')], () =>
      !r
        ? h('p', { class: 'muted' }, 'Signed with the result.')
        : r.attestation
          ? [facts([['Key', mono(r.attestation.key_id)], ['Digest', mono(r.attestation.digest)]]), checkBox(check('Attestation signature'))]
          : h('p', { class: 'muted' }, 'The work order did not ask for an attestation.'),
    );
    region('callback', body('callback'), [d.callback ?? 'loading'], () => callbackPart(d));
  }

  async function verifyReceipts() {
    for (const doc of d.receipts) {
      if (d.receiptChecks.has(doc.receipt_id)) continue;
      const { digest, ...rest } = doc;
      d.receiptChecks.set(doc.receipt_id, (await digestText(canonicalJson(rest))) === digest);
    }
  }

  async function runChecks() {
    if (checking || d.checks) return;
    checking = true;
    try {
      d.checks = await proofChecks(d.result);
      if (stopped) return;
      announce(d.checks.map((c) => `${c.title}: ${c.status === 'pass' ? 'passed' : c.status === 'fail' ? 'failed' : 'not checked'}`).join('. '));
      draw();
    } finally {
      checking = false;
    }
  }

  async function load(first = false) {
    try {
      const [binding, result, callback] = await Promise.all([
        api('GET', `/v1/bindings/${id}`).then((x) => x.body),
        api('GET', `/v1/bindings/${id}/result`).then((x) => (x.status === 200 ? x.body : null)),
        getOptional(`/v1/bindings/${id}/callback`).catch(() => null),
      ]);
      if (stopped) return;
      const wasFinal = Boolean(d.result);
      d.binding = binding;
      d.result = result;
      d.callback = callback;
      if (first) {
        const [wo, cmd] = await Promise.all([getOptional(`/v1/work-orders/${binding.work_order_id}`).catch(() => null), getOptional(`/v1/bindings/${id}/command`).catch(() => null)]);
        d.workOrder = wo;
        d.command = cmd;
      }
      if (result && !wasFinal) {
        d.receipts = (await api('GET', `/v1/bindings/${id}/receipts`)).body.data;
        await verifyReceipts();
        if (!first) announce(`The binding is ${result.status}.`);
      }
      fill(errorBox);
      draw();
      if (result) void runChecks();
    } catch (err) {
      if (stopped) return;
      if (err instanceof ApiError && err.status === 404) fill(status, `No binding ${id} in this tenant.`);
      fill(errorBox, problemBox(err));
    }
  }

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void load(), 150);
  }

  // Heartbeats move the lease without an event: poll gently until the binding is final.
  function poll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      if (stopped) return;
      if (!d.binding || !FINAL.has(d.binding.state) || d.callback?.state === 'pending') await load();
      poll();
    }, POLL_MS);
  }

  void load(true).then(poll);
  void followEvents(`/v1/bindings/${id}/events`, {
    signal: abort.signal,
    onStatus: (s, err) => {
      fill(streamState, { open: '● live', reconnecting: 'reconnecting…', failed: 'not available' }[s] ?? s);
      if (err) fill(errorBox, problemBox(err));
    },
    onMessage: (m) => {
      let e;
      try {
        e = JSON.parse(m.data);
      } catch {
        return; // not an event: ignore the line, keep the stream
      }
      if (seen.has(e.id)) return;
      seen.add(e.id);
      d.events.push(e);
      timeline.append(eventLine(e));
      refresh();
    },
  });

  return () => {
    stopped = true;
    abort.abort();
    clearTimeout(refreshTimer);
    clearTimeout(pollTimer);
  };
}
