/**
 * Reads a V8 .cpuprofile (as `node --cpu-prof` writes it) and says where the time went inside a
 * time window: self time per function, inclusive time per function (each sample counted once per
 * function on its stack), and self time per place (bindrail's own files, each package, node
 * internals, GC, idle).
 */
import { readFileSync } from 'node:fs';

const key = (cf) => `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** Where a function lives, for the per-place summary. */
function place(cf) {
  const name = cf.functionName;
  if (!cf.url) return name.startsWith('(') ? name : '(native / V8 builtins)';
  const nm = cf.url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = cf.url.slice(nm + '/node_modules/'.length).split('/');
    return `npm: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = cf.url.indexOf('/dist/');
  if (dist >= 0) return `bindrail: ${cf.url.slice(dist + 1)}`;
  if (cf.url.startsWith('node:')) return `node: ${cf.url.slice(5).split('/')[0]}`;
  return cf.url;
}

/** Analyses `file` between `startUs` and `endUs` (monotonic µs; omit for the whole profile). */
export function analyseProfile(file, { startUs = -Infinity, endUs = Infinity } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map();
  const inclusive = new Map();
  const places = new Map();
  let t = profile.startTime;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < startUs || t > endUs) continue;
    // A sample stands for the interval until the next one; the first delta is usually tiny.
    const weight = profile.timeDeltas[i + 1] ?? dt;
    const leaf = nodes.get(profile.samples[i]);
    total += weight;
    if (leaf.callFrame.functionName === '(idle)') idle += weight;
    const k = key(leaf.callFrame);
    self.set(k, (self.get(k) ?? 0) + weight);
    const p = place(leaf.callFrame);
    places.set(p, (places.get(p) ?? 0) + weight);
    const seen = new Set();
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const fk = key(nodes.get(id).callFrame);
      if (seen.has(fk)) continue;
      seen.add(fk);
      inclusive.set(fk, (inclusive.get(fk) ?? 0) + weight);
    }
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total, pctBusy: name.startsWith('(idle)') ? NaN : (100 * us) / (total - idle) }));
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    self: top(self, 40),
    inclusive: top(new Map([...inclusive].filter(([k]) => !k.startsWith('(root)'))), 40),
    places: top(places, 25),
  };
}
