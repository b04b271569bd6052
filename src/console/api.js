/* global fetch, sessionStorage, window, TextDecoderStream, setTimeout, clearTimeout */
/**
 * Talking to the rail: every call carries the key as a Bearer header. The key lives in
 * sessionStorage only (gone when the tab closes; never in localStorage, cookies or the URL).
 */

const KEY_NAME = 'bindrail.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY_NAME);
  },
  set(key) {
    sessionStorage.setItem(KEY_NAME, key);
  },
  clear() {
    sessionStorage.removeItem(KEY_NAME);
  },
};

/** An answer >= 400: `problem` is the RFC 9457 body (or a stand-in when the body was not JSON). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(`${status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.status = status;
    this.problem = problem;
  }
}

function headers(extra = {}) {
  const key = session.key;
  return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

async function parse(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON: a plain-text answer (e.g. /metrics)
  }
}

/**
 * One API call. Returns { status, body }; throws ApiError for problems. A 401 also tells the app
 * (event 'bindrail:unauthorized') so it can ask for a key again.
 */
export async function api(method, path, body, { signal, accept } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers({ ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(accept ? { accept } : {}) }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, { title: 'The rail did not answer', detail: String(err?.message ?? err) });
  }
  const parsed = await parse(res);
  if (res.status >= 400) {
    const problem = parsed && typeof parsed === 'object' ? parsed : { title: res.statusText, status: res.status, detail: typeof parsed === 'string' ? parsed.slice(0, 500) : '' };
    if (res.status === 401) window.dispatchEvent(new window.CustomEvent('bindrail:unauthorized'));
    throw new ApiError(res.status, problem);
  }
  return { status: res.status, body: parsed };
}

/** GET that answers null instead of throwing on 404 (an optional part, or a route this rail lacks). */
export async function getOptional(path, opts) {
  try {
    return (await api('GET', path, undefined, opts)).body;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

const wait = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/**
 * Follows a Server-Sent Events stream until `signal` aborts, resuming after the last id on every
 * reconnect. EventSource cannot send an Authorization header, so the stream is read with fetch
 * and parsed here (WHATWG HTML §9.2.6). `onStatus` hears 'open' | 'reconnecting' | 'failed'.
 */
export async function followEvents(path, { signal, onMessage, onStatus = () => {} }) {
  let lastId;
  let retryMs = 2_000;
  while (!signal.aborted) {
    try {
      const res = await fetch(path, {
        headers: headers({ accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }),
        signal,
        cache: 'no-store',
      });
      if (res.status >= 400) {
        const problem = await parse(res);
        if (res.status === 401) window.dispatchEvent(new window.CustomEvent('bindrail:unauthorized'));
        onStatus('failed', new ApiError(res.status, problem && typeof problem === 'object' ? problem : { title: res.statusText }));
        return;
      }
      onStatus('open');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let data = [];
      let id;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let nl;
        while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (id !== undefined) lastId = id;
            if (data.length > 0) onMessage({ id, data: data.join('\n') });
            data = [];
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') data.push(val);
            else if (field === 'id') id = val;
            else if (field === 'retry' && /^\d+$/.test(val)) retryMs = Number(val);
          }
        }
      }
    } catch (err) {
      if (signal.aborted || err?.name === 'AbortError') return;
    }
    if (signal.aborted) return;
    onStatus('reconnecting');
    await wait(retryMs, signal);
  }
}
