/* global setTimeout, clearTimeout, FormData, URLSearchParams */
/**
 * Bindings explorer: find anything by id (bnd_, wo_, rcp_, exc_), filter by state, tool and
 * creation time, page through newest first. The first page refreshes itself every few seconds.
 */
import { problemBox } from '../actions.js';
import { ApiError, api } from '../api.js';
import { fill, h } from '../dom.js';
import { stateLabel, when } from '../format.js';
import { syncKeyed } from '../keyed.js';
import { STATES } from './pulse.js';

const LIVE_MS = 2_000;
const PAGE = 25;
const FILTERS = ['state', 'tool', 'work_order_id', 'after', 'before', 'cursor'];
const COLUMNS = ['Binding', 'Tool · operation', 'State', 'Attempt', 'Created', 'Updated'];

/**
 * Binding ids are UUIDv7 (their first 48 bits are the creation time in ms), and the list's cursor
 * means "ids below this one": the smallest id of a millisecond lists everything created before it.
 */
export function cursorBefore(ms) {
  return `bnd_${Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0')}${'0'.repeat(20)}`;
}

/** Where an id leads: a binding page, or a filtered list. Throws ApiError when the rail has no such id. */
export async function resolveId(text) {
  const id = text.trim();
  if (/^bnd_[0-9a-f]{32}$/.test(id)) return `#/bindings/${(await api('GET', `/v1/bindings/${id}`)).body.binding_id}`;
  if (/^wo_[0-9a-f]{32}$/.test(id)) {
    const list = (await api('GET', `/v1/bindings?work_order_id=${id}&limit=2`)).body.data;
    if (list.length === 0) throw new ApiError(404, { title: 'Not found', detail: `no binding for work order ${id} in this tenant` });
    return list.length === 1 ? `#/bindings/${list[0].binding_id}` : `#/bindings?work_order_id=${id}`;
  }
  if (/^rcp_[0-9a-f]{32}$/.test(id)) return `#/bindings/${(await api('GET', `/v1/receipts/${id}`)).body.binding_id}`;
  if (/^exc_[0-9a-f]{32}$/.test(id)) return `#/bindings/${(await api('GET', `/v1/exceptions/${id}`)).body.binding_id}`;
  throw new ApiError(0, { title: 'Not an id the console can look up', detail: 'paste a whole binding (bnd_…), work order (wo_…), receipt (rcp_…) or exception (exc_…) id' });
}

function searchForm(navigate) {
  const input = h('input', { id: 'find-id', type: 'search', autocomplete: 'off', spellcheck: 'false', class: 'mono', placeholder: 'bnd_… wo_… rcp_… exc_…', required: true });
  const out = h('div');
  const form = h(
    'form',
    {
      role: 'search',
      class: 'find',
      onsubmit: async (e) => {
        e.preventDefault();
        fill(out);
        try {
          navigate(await resolveId(input.value));
        } catch (err) {
          fill(out, problemBox(err));
        }
      },
    },
    h('label', { for: 'find-id' }, 'Find by id'),
    h('div', { class: 'inline' }, input, h('button', { type: 'submit', class: 'btn primary' }, 'Find')),
    out,
  );
  return form;
}

// datetime-local speaks local time without a zone; Date reads it as local time too.
const toLocalInput = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function filterForm(params, tools, navigate) {
  const select = (id, label, options, value) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), h('select', { id, name: id }, h('option', { value: '' }, 'any'), options.map((o) => h('option', { value: o, selected: o === value }, stateLabel(o)))));
  const time = (id, label) => h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, type: 'datetime-local', value: toLocalInput(params.get(id)) }));
  return h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filter bindings',
      onsubmit: (e) => {
        e.preventDefault();
        const data = new FormData(e.target);
        const next = new URLSearchParams();
        for (const k of ['state', 'tool']) if (data.get(k)) next.set(k, String(data.get(k)));
        if (params.get('work_order_id')) next.set('work_order_id', params.get('work_order_id'));
        for (const k of ['after', 'before']) if (data.get(k)) next.set(k, new Date(String(data.get(k))).toISOString());
        navigate(`#/bindings${next.size ? `?${next}` : ''}`);
      },
    },
    select('state', 'State', STATES, params.get('state')),
    select('tool', 'Tool', tools, params.get('tool')),
    time('after', 'Created after'),
    time('before', 'Created before'),
    h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'btn primary' }, 'Apply'), h('a', { href: '#/bindings', class: 'btn secondary' }, 'Clear')),
  );
}

function bindingRow(b) {
  // data-label names the column when a phone stacks the row (style.css, table.stack).
  const state = h('td', { 'data-label': COLUMNS[2] });
  const attempt = h('td', { class: 'num', 'data-label': COLUMNS[3] });
  const updated = h('td', { 'data-label': COLUMNS[5] });
  const row = h(
    'tr',
    {},
    h('th', { scope: 'row' }, h('a', { href: `#/bindings/${b.binding_id}`, class: 'mono' }, b.binding_id)),
    h('td', { 'data-label': COLUMNS[1] }, `${b.tool.name} · ${b.operation}`),
    state,
    attempt,
    h('td', { 'data-label': COLUMNS[4] }, when(b.created_at)),
    updated,
  );
  row.update = (x) => {
    fill(state, h('span', { class: `badge state-${x.state}` }, stateLabel(x.state)));
    attempt.textContent = `${x.attempt}/${x.max_attempts}`;
    updated.textContent = when(x.updated_at);
  };
  return row;
}

export function renderExplorer(main, params, { navigate }) {
  let timer;
  let stopped = false;
  const query = new URLSearchParams([...params].filter(([k]) => FILTERS.includes(k)));
  const after = query.get('after') ? Date.parse(query.get('after')) : undefined;
  const before = query.get('before') ? Date.parse(query.get('before')) : undefined;

  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading…');
  const errorBox = h('div');
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'stack' },
    h('caption', { class: 'visually-hidden' }, 'Bindings, newest first'),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col', class: c === 'Attempt' ? 'num' : undefined }, c)))),
    body,
  );
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const filters = h('div');
  const woNote = query.get('work_order_id') ? h('p', {}, 'Bindings of work order ', h('span', { class: 'mono' }, query.get('work_order_id')), ' (the first run and its replays).') : null;

  fill(main, h('div', { class: 'view-head' }, h('h1', {}, 'Bindings')), searchForm(navigate), filters, woNote, errorBox, status, h('div', { class: 'table-wrap' }, table), pager);
  api('GET', '/v1/tools')
    .then((r) => r.body.data.map((t) => t.name))
    .catch(() => [])
    .then((tools) => !stopped && fill(filters, filterForm(query, tools, navigate)));

  const listPath = () => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const k of ['state', 'tool', 'work_order_id']) if (query.get(k)) q.set(k, query.get(k));
    const cursors = [query.get('cursor'), before !== undefined ? cursorBefore(before) : null].filter(Boolean).sort();
    if (cursors.length) q.set('cursor', cursors[0]);
    return `/v1/bindings?${q}`;
  };

  async function load() {
    if (stopped) return;
    try {
      const page = (await api('GET', listPath())).body;
      if (stopped) return;
      const rows = after === undefined ? page.data : page.data.filter((b) => Date.parse(b.created_at) >= after);
      const more = page.next_cursor && rows.length === page.data.length;
      fill(errorBox);
      syncKeyed(body, rows, (b) => b.binding_id, bindingRow);
      table.hidden = rows.length === 0;
      status.textContent = rows.length === 0 ? 'No bindings match.' : `${rows.length} binding${rows.length === 1 ? '' : 's'} on this page${query.get('cursor') ? '' : ', refreshing live'}.`;
      const older = new URLSearchParams(query);
      if (more) older.set('cursor', page.next_cursor);
      const newest = new URLSearchParams(query);
      newest.delete('cursor');
      fill(
        pager,
        query.get('cursor') ? h('a', { href: `#/bindings${newest.size ? `?${newest}` : ''}`, class: 'btn secondary' }, '← Newest') : null,
        more ? h('a', { href: `#/bindings?${older}`, class: 'btn secondary', rel: 'next' }, 'Older →') : null,
      );
    } catch (err) {
      if (!stopped) fill(errorBox, problemBox(err));
    }
    // Only the first page moves on its own; older pages stay still while being read.
    clearTimeout(timer);
    if (!query.get('cursor') && !stopped) timer = setTimeout(load, LIVE_MS);
  }

  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
