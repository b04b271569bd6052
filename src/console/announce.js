/* global document, setTimeout */
/** Tells screen-reader users what just happened (the page's one polite live region). */
export function announce(text) {
  const el = document.getElementById('announcer');
  if (!el) return;
  el.textContent = '';
  // A fresh text node after a tick is re-read even when the text repeats.
  setTimeout(() => (el.textContent = text), 30);
}
