/**
 * RFC 8785 (JCS) canonical JSON, for recomputing digests in the page. JCS serialises numbers and
 * strings exactly as ECMAScript's JSON.stringify does, and sorts object keys by UTF-16 code units,
 * which is what Array.prototype.sort compares — so this is all it takes.
 */
export function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JSON has no form for NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new TypeError(`JSON has no form for ${typeof value}`);
}
