/* global window, document, URLSearchParams */
/**
 * The console: sign in, then hash routes — #/pulse, #/bindings (explorer), #/bindings/bnd_… (one
 * binding). Each view renders into <main> and returns a function that stops its timers and streams.
 */
import { announce } from './announce.js';
import { principal, resume, signOut } from './auth.js';
import { renderBinding } from './views/binding.js';
import { renderExplorer } from './views/explorer.js';
import { renderPulse } from './views/pulse.js';
import { renderSignIn } from './views/signin.js';

const main = document.getElementById('main');
let stop = () => {};

const navigate = (hash) => {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
};

function chrome(signedIn) {
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  const me = principal();
  document.getElementById('who-text').textContent = me ? `${me.tenant_id} · ${me.scopes.join(', ')}` : '';
}

function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/pulse';
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

function route() {
  stop();
  stop = () => {};
  if (!principal()) {
    chrome(false);
    document.title = 'Sign in · bindrail console';
    renderSignIn(main, { onSignedIn: () => route() });
    return;
  }
  chrome(true);
  const { path, params } = parseHash();
  const binding = /^\/bindings\/(bnd_[0-9a-f]{32})$/.exec(path);
  let title;
  let section;
  if (binding) {
    title = `Binding ${binding[1]}`;
    section = 'bindings';
    stop = renderBinding(main, binding[1], { navigate });
  } else if (path === '/bindings') {
    title = 'Bindings';
    section = 'bindings';
    stop = renderExplorer(main, params, { navigate });
  } else {
    title = 'Pulse';
    section = 'pulse';
    stop = renderPulse(main, params, { navigate });
  }
  document.title = `${title} · bindrail console`;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Moving to a new view: put keyboard and screen-reader users at its start.
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  announce(`${title} view`);
}

document.getElementById('sign-out').addEventListener('click', () => {
  signOut();
  route();
});
window.addEventListener('bindrail:unauthorized', () => {
  if (!principal()) return;
  signOut();
  route();
});
window.addEventListener('hashchange', route);

resume().then(route, route);
