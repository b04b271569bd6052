/**
 * A parameterised statement rewritten with its parameters as SQL literals, so that it can travel
 * in one simple query together with BEGIN: the extended protocol that carries parameters takes one
 * statement per message, and node-postgres waits for each answer, so BEGIN alone would cost a
 * round trip of its own. Only plain values are rewritten — numbers, strings, booleans, null and flat
 * arrays of those; anything else answers undefined and the statement goes with its parameters.
 *
 * Literals are built as PostgreSQL reads them whatever `standard_conforming_strings` says: a string
 * is escaped as node-postgres's escapeLiteral escapes it (E'…' with backslashes doubled when it has
 * any); an array becomes the text of an array literal (elements double-quoted, `"` and `\`
 * backslash-escaped), written as such a string. Each literal is parenthesised, so a neighbouring
 * `-` cannot turn a negative number into a comment.
 */

type Plain = string | number | boolean | null;

// A NUL would end the query text early (the protocol's strings are NUL-terminated); as a parameter
// it is refused as a bad value, the answer a caller should get.
function isPlain(v: unknown): v is Plain {
  return v === null || (typeof v === 'string' && !v.includes('\u0000')) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * `s` as a string constant, exactly as node-postgres's escapeLiteral writes it (quotes doubled;
 * backslashes doubled in an E'…' string), by regular expressions: escapeLiteral appends one
 * character at a time, which measured 43 ms for a 0.7 MB string (a batch's write-behind), against
 * 1 ms here.
 */
export function stringLiteral(s: string): string {
  const quoted = s.replace(/'/g, "''");
  return s.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

function arrayElement(v: Plain): string {
  if (v === null) return 'NULL';
  return `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function literal(v: unknown): string | undefined {
  if (v === undefined || v === null) return '(NULL)';
  if (typeof v === 'number') return Number.isFinite(v) ? `(${String(v)})` : undefined;
  if (typeof v === 'boolean') return v ? '(TRUE)' : '(FALSE)';
  if (typeof v === 'string') return v.includes('\u0000') ? undefined : `(${stringLiteral(v)})`;
  if (Array.isArray(v) && v.every(isPlain)) return `(${stringLiteral(`{${v.map(arrayElement).join(',')}}`)})`;
  return undefined;
}

/** `text` with `$1`, `$2`, … replaced by `values` as literals; undefined when one cannot be. */
export function inlineParams(text: string, values: readonly unknown[]): string | undefined {
  const literals = values.map(literal);
  if (literals.some((l) => l === undefined)) return undefined;
  let missing = false;
  const inlined = text.replace(/\$(\d+)/g, (_, n: string) => {
    const l = literals[Number(n) - 1];
    if (l === undefined) missing = true;
    return l ?? '';
  });
  return missing ? undefined : inlined;
}
