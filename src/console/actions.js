/**
 * Operator buttons: one POST each, offered only when the key holds the scope. A refusal shows the
 * rail's problem JSON right beside the button, so the operator sees exactly why.
 */
import { announce } from './announce.js';
import { ApiError, api } from './api.js';
import { can } from './auth.js';
import { fill, h } from './dom.js';

export const ACTION_LABELS = {
  retry: 'Retry now',
  replay: 'Replay',
  redeliver_callback: 'Redeliver callback',
  cancel: 'Cancel',
  resume_tool: 'Resume tool',
  pause_tool: 'Pause tool',
};

/** The problem as the rail sent it: title, detail, each bad field, and the raw JSON. */
export function problemBox(err) {
  const p = err instanceof ApiError ? err.problem : { title: 'Error', detail: String(err?.message ?? err) };
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', {}, h('strong', {}, `${err?.status ? `${err.status} ` : ''}${p.title ?? 'Error'}`), p.detail ? ` — ${p.detail}` : ''),
    Array.isArray(p.errors) && p.errors.length
      ? h('ul', {}, p.errors.map((e) => h('li', {}, h('code', {}, e.pointer ?? ''), ` ${e.detail ?? e.message ?? ''}`)))
      : null,
    h('details', {}, h('summary', {}, 'Problem JSON'), h('pre', {}, JSON.stringify(p, null, 2))),
  );
}

/**
 * A button that POSTs `path`. Without `scope` it renders a short note instead. `onDone(body)` runs
 * after success; `label` is what the button says; `context` names the target for screen readers.
 */
export function actionButton({ label, path, scope = 'work:operate', context, onDone, kind = 'secondary', pressed }) {
  if (!can(scope)) return h('span', { class: 'muted small' }, `${label}: needs ${scope}`);
  const out = h('span', { class: 'action-result' });
  const button = h(
    'button',
    {
      type: 'button',
      class: `btn ${kind}`,
      'aria-label': context ? `${label} ${context}` : undefined,
      'aria-pressed': pressed === undefined ? undefined : String(pressed),
      onclick: async () => {
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
        fill(out);
        try {
          const res = await api('POST', path);
          announce(`${label}: done${context ? ` for ${context}` : ''}`);
          await onDone?.(res.body);
        } catch (err) {
          fill(out, problemBox(err));
          announce(`${label} failed: ${err.message}`);
        } finally {
          button.disabled = false;
          button.removeAttribute('aria-busy');
        }
      },
    },
    label,
  );
  return h('span', { class: 'action' }, button, out);
}
