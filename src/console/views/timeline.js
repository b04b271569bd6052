/** One line of the live event timeline: when, what (the CloudEvents type), and its key facts. */
import { h } from '../dom.js';

const SHORT = (type) => String(type).replace(/^bindrail\./, '');

/** The few data fields worth a glance per event type; everything else is one click away. */
function gist(e) {
  const d = e.data ?? {};
  switch (e.type) {
    case 'bindrail.queue.leased':
      return `attempt ${d.attempt}${d.owner ? ` by ${d.owner}` : ''}`;
    case 'bindrail.tool.progress':
      return `attempt ${d.attempt}: ${d.percent !== undefined ? `${d.percent}% ` : ''}${d.message ?? ''}`;
    case 'bindrail.attempt.failed':
      return `attempt ${d.attempt}: ${d.code} — ${d.message}`;
    case 'bindrail.binding.retry_scheduled':
      return `attempt ${d.attempt} at ${new Date(d.next_retry_at).toLocaleTimeString()}`;
    case 'bindrail.result.ready':
      return `${d.status}, evidence ${d.evidence_status}, next ${d.next_action}`;
    case 'bindrail.receipt.issued':
      return `${d.kind} ${d.receipt_id}`;
    case 'bindrail.ledger.appended':
      return `${d.kind} at seq ${d.seq}`;
    case 'bindrail.callback.delivered':
    case 'bindrail.callback.failed':
      return `${d.status_code ?? ''} ${d.error ?? ''}`.trim();
    case 'bindrail.binding.replayed':
      return `as ${d.replay_binding_id}`;
    default:
      return '';
  }
}

export function eventLine(e) {
  const kind = SHORT(e.type);
  const level = /failed|exception|cancelled/.test(kind) ? 'bad' : /result\.ready|delivered/.test(kind) ? 'good' : 'plain';
  return h(
    'li',
    { class: `event event-${level}`, 'data-type': e.type },
    h('time', { datetime: e.time }, new Date(e.time).toLocaleTimeString()),
    ' ',
    h('strong', {}, kind),
    ' ',
    h('span', { class: 'small' }, gist(e)),
  );
}
