/** Sparklines as inline SVG: one polyline per unbroken run of samples (null = a gap). */
import { h, s } from './dom.js';

const W = 240;
const H = 48;
const PAD = 3;

/**
 * `values`: oldest first. `describe(latest, max)` says it in words for screen readers (the SVG is
 * an image with that text as its name) and under the line for everyone.
 */
export function sparkline(values, { title, describe, empty = 'no samples yet' }) {
  const known = values.filter((v) => typeof v === 'number');
  const max = Math.max(1e-9, ...known);
  const step = values.length > 1 ? (W - 2 * PAD) / (values.length - 1) : 0;
  const y = (v) => H - PAD - (v / max) * (H - 2 * PAD);
  const runs = [];
  let run = [];
  values.forEach((v, i) => {
    if (typeof v === 'number') run.push(`${(PAD + i * step).toFixed(1)},${y(v).toFixed(1)}`);
    else if (run.length) runs.push(run.splice(0));
  });
  if (run.length) runs.push(run);
  const latest = [...values].reverse().find((v) => typeof v === 'number');
  const text = known.length === 0 ? empty : describe(latest, Math.max(...known));
  const lastRun = runs.at(-1);
  const dot = lastRun ? lastRun.at(-1).split(',') : undefined;

  return h(
    'figure',
    { class: 'spark' },
    h('figcaption', {}, title),
    s(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${text}`, preserveAspectRatio: 'none' },
      s('line', { x1: 0, y1: H - PAD, x2: W, y2: H - PAD, class: 'spark-base' }),
      runs.map((r) => (r.length === 1 ? s('circle', { cx: r[0].split(',')[0], cy: r[0].split(',')[1], r: 2, class: 'spark-dot' }) : s('polyline', { points: r.join(' '), class: 'spark-line' }))),
      dot ? s('circle', { cx: dot[0], cy: dot[1], r: 3, class: 'spark-dot' }) : null,
    ),
    h('p', { class: 'spark-text' }, text),
  );
}
