/* global document */
/**
 * Builds DOM nodes from plain data. Text always becomes a text node, never markup, so nothing the
 * server sends (summaries, error details, tool names) can inject HTML into the page.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: h('button', { type: 'button', onclick }, 'Retry'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element (sparklines, the chain picture's connectors). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** Replaces all children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Like fill, for content redrawn while someone may be using it: keyboard focus moves to the
 * control at the same position in the new content.
 */
export function refill(el, ...children) {
  const controls = () => [...el.querySelectorAll('button, a[href], summary, input, select, [tabindex]')];
  const index = el.contains(document.activeElement) ? controls().indexOf(document.activeElement) : -1;
  fill(el, ...children);
  if (index >= 0) controls()[index]?.focus();
  return el;
}
