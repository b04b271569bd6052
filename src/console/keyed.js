/**
 * Keeps a list of elements in step with data without rebuilding it: rows that stay keep their DOM
 * (and so keyboard focus, and any problem shown beside a button), rows that go are removed.
 */
export function syncKeyed(container, items, keyOf, create) {
  const existing = new Map([...container.children].map((el) => [el.dataset.key, el]));
  let previous = null;
  for (const item of items) {
    const key = keyOf(item);
    let el = existing.get(key);
    if (el) existing.delete(key);
    else {
      el = create(item);
      el.dataset.key = key;
    }
    el.update?.(item);
    const want = previous ? previous.nextSibling : container.firstChild;
    if (want !== el) container.insertBefore(el, want);
    previous = el;
  }
  for (const el of existing.values()) el.remove();
}
