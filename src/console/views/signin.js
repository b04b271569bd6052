/** Sign in: an API key, checked against GET /v1/me, kept in this tab's sessionStorage only. */
import { problemBox } from '../actions.js';
import { signIn } from '../auth.js';
import { fill, h } from '../dom.js';

export function renderSignIn(main, { onSignedIn }) {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, pattern: 'br_[A-Za-z0-9_\\-]{20,200}', 'aria-describedby': 'api-key-help', class: 'mono' });
  const out = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
  fill(
    main,
    h(
      'section',
      { class: 'signin panel', 'aria-labelledby': 'h-signin' },
      h('h1', { id: 'h-signin' }, 'Sign in'),
      h(
        'form',
        {
          onsubmit: async (e) => {
            e.preventDefault();
            button.disabled = true;
            fill(out, h('p', { class: 'muted' }, 'Checking the key…'));
            try {
              const me = await signIn(input.value.trim());
              fill(out);
              onSignedIn(me);
            } catch (err) {
              fill(out, problemBox(err));
              input.focus();
            } finally {
              button.disabled = false;
            }
          },
        },
        h('label', { for: 'api-key' }, 'API key'),
        input,
        h('p', { id: 'api-key-help', class: 'small muted' }, 'A bindrail key (br_…). It stays in this browser tab only and is sent to this rail as a Bearer header. Actions the key lacks the scope for are not offered.'),
        button,
        out,
      ),
    ),
  );
  input.focus();
}
