/**
 * The attempts of a binding, rebuilt from its events: each lease (queue.leased), the progress its
 * heartbeats reported (tool.progress) and how it ended (attempt.failed, result.ready,
 * binding.cancelled). Pure: events in, attempts out.
 */

/** [{ attempt, leasedAt, owner, tokenId, heartbeats: [{time, percent, message}], outcome: {state, text} }] */
export function attemptsOf(events, binding) {
  const byNumber = new Map();
  const get = (n) => {
    if (!byNumber.has(n)) byNumber.set(n, { attempt: n, leasedAt: null, owner: null, tokenId: null, heartbeats: [], outcome: { state: 'leased', text: 'running' } });
    return byNumber.get(n);
  };
  let current = 0;
  for (const e of events) {
    const data = e.data ?? {};
    switch (e.type) {
      case 'bindrail.queue.leased': {
        current = Number(data.attempt ?? current + 1);
        const a = get(current);
        a.leasedAt = e.time;
        a.owner = data.owner ?? null;
        a.tokenId = data.token_id ?? null;
        break;
      }
      case 'bindrail.tool.progress':
        get(Number(data.attempt ?? current)).heartbeats.push({ time: e.time, percent: data.percent, message: data.message });
        break;
      case 'bindrail.attempt.failed':
        get(Number(data.attempt ?? current)).outcome = { state: 'failed', text: `failed: ${data.code ?? 'error'}${data.retryable === false ? ' (not retryable)' : ''}` };
        break;
      case 'bindrail.result.ready':
        if (current > 0) get(current).outcome = data.status === 'succeeded' ? { state: 'succeeded', text: 'succeeded' } : get(current).outcome.state === 'failed' ? get(current).outcome : { state: data.status, text: data.status };
        break;
      case 'bindrail.binding.cancelled':
        if (current > 0 && get(current).outcome.state === 'leased') get(current).outcome = { state: 'cancelled', text: 'cancelled' };
        break;
      default:
        break;
    }
  }
  // The binding row is newer than the last event when a lease is running without progress.
  if (binding.state === 'leased' && binding.attempt > 0) get(binding.attempt);
  return [...byNumber.values()].sort((a, b) => a.attempt - b.attempt);
}
