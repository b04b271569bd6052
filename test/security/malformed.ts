/**
 * fast-check arbitraries of malformed requests for one API operation, read from its OpenAPI entry.
 * Every request carries at least one defect the operation must refuse — a missing, unknown, revoked
 * or under-scoped key; a path parameter that is junk or names nothing; a query parameter or header
 * that breaks its schema; a body of the wrong content type, invalid UTF-8, nested too deep, too
 * large, not JSON, with a NUL or a lone surrogate or a __proto__ key, or breaking the body schema —
 * and may carry noise besides (unknown query parameters, odd headers).
 */
import fc from 'fast-check';

type Json = Record<string, any>;

export interface Operation {
  method: string;
  /** OpenAPI path, {param} placeholders. */
  path: string;
  scope: string | undefined;
  isPublic: boolean;
  params: Json[];
  body: Json | undefined;
}

export interface Keys {
  /** The key with the operation's scope that owns the real objects (tenant A's, or the admin's). */
  owner: string;
  /** A valid key without the operation's scope, or undefined when every key has it. */
  underScoped: string | undefined;
  revoked: string;
}

export interface Malformed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** What makes it malformed, for failure messages. */
  defect: string;
  /** False only for noise sent to a route nothing can break (a public read without parameters). */
  mustReject?: boolean;
}

/** Junk for a path segment: never a valid id or name, percent-encoded or sent raw. */
const JUNK_SEGMENTS = [
  "' OR '1'='1",
  '1; DROP TABLE bindings; --',
  "bnd_0' UNION SELECT key_hash FROM api_keys --",
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '%',
  '..',
  '.',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  'bnd_ZZZZ',
  'wo_' + '0'.repeat(32),
  'x'.repeat(5000),
  '🦄',
  ' ',
];

const SQL_OR_PATH = fc.constantFrom(...JUNK_SEGMENTS);
/** Junk that breaks any anchored id or name pattern: it holds a character outside [a-z0-9_.-], or is longer than any. */
const junkSegment = fc.oneof(
  SQL_OR_PATH,
  fc.string({ minLength: 1, maxLength: 40 }).map((s) => `${s}'/ ;`),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => `é${s}`),
  fc.integer({ min: 300, max: 3000 }).map((n) => 'a'.repeat(n)),
);

/** A path segment as it goes on the wire: encoded, or raw when every character may be. */
const wire = (segment: string, raw: boolean) => (raw && /^[\x21-\x7e]+$/.test(segment) && !/[?#]/.test(segment) ? segment : encodeURIComponent(segment));

/** The JSON types a schema admits; undefined when it admits anything. */
function typesOf(schema: Json | undefined, resolve: (s: Json) => Json): Set<string> | undefined {
  if (!schema) return undefined;
  const s = resolve(schema);
  if (s.const !== undefined) return new Set([jsonType(s.const)]);
  if (Array.isArray(s.enum)) return new Set(s.enum.map(jsonType));
  if (typeof s.type === 'string') return new Set(s.type === 'integer' ? ['integer', 'number'] : [s.type]);
  if (Array.isArray(s.type)) return new Set(s.type.flatMap((t: string) => (t === 'integer' ? ['integer', 'number'] : [t])));
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives)) {
    const sets: (Set<string> | undefined)[] = alternatives.map((a: Json) => typesOf(a, resolve));
    if (sets.some((x) => x === undefined)) return undefined;
    return new Set(sets.flatMap((x) => [...x!]));
  }
  return undefined;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const VALUES_BY_TYPE: [string, fc.Arbitrary<unknown>][] = [
  ['string', fc.string({ maxLength: 20 })],
  ['number', fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((x) => !Number.isInteger(x))],
  ['integer', fc.integer()],
  ['boolean', fc.boolean()],
  ['null', fc.constant(null)],
  ['array', fc.array(fc.integer(), { maxLength: 3 })],
  ['object', fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 })],
];

/** A value of a JSON type `allowed` does not contain. */
function wrongTyped(allowed: Set<string>): fc.Arbitrary<unknown> | undefined {
  const options = VALUES_BY_TYPE.filter(([t]) => !allowed.has(t) && !(t === 'integer' && allowed.has('number'))).map(([, a]) => a);
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

const nested = (depth: number, arrays: boolean) => (arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

/** Body-level defects any body-taking route refuses before it reads the body (parser level). */
function parserDefects(bodyLimit: number): fc.Arbitrary<{ defect: string; headers: Record<string, string>; body: Uint8Array | string }>[] {
  const json = { 'content-type': 'application/json' };
  return [
    fc
      .record({
        type: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'text/html', 'application/jsonx', 'json'),
        body: fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), fc.constant('{"tool":"packetops"}')),
      })
      .map(({ type, body }) => ({ defect: `content-type ${type}`, headers: { 'content-type': type }, body })),
    fc.constant({ defect: 'a body without a content type', headers: {}, body: '{}' }),
    fc.constantFrom('latin1', 'utf-16', 'iso-8859-1').map((cs) => ({ defect: `charset ${cs}`, headers: { 'content-type': `application/json; charset=${cs}` }, body: '{}' })),
    fc
      .tuple(fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]), fc.string({ maxLength: 10 }))
      .map(([bad, s]) => ({ defect: 'invalid UTF-8', headers: json, body: Buffer.concat([Buffer.from(`{"tool":"${s.replace(/["\\]/g, '')}`), Buffer.from(bad), Buffer.from('"}')]) })),
    fc.tuple(fc.integer({ min: 33, max: 20_000 }), fc.boolean()).map(([d, arrays]) => ({ defect: `nested ${d} deep`, headers: json, body: nested(d, arrays) })),
    fc.integer({ min: 1, max: 1000 }).map((extra) => ({ defect: 'larger than the body limit', headers: json, body: `{"x":"${'a'.repeat(bodyLimit + extra)}"}` })),
    fc
      .constantFrom('{', '{"a":', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":1} trailing', '[1,2', '"unterminated', 'undefined', '{"a":01}', '\u0000', '{"a":"\\x41"}')
      .map((body) => ({ defect: `not JSON: ${body.slice(0, 20)}`, headers: json, body })),
    fc.constantFrom('{"a":"\\u0000"}', '{"tool":"x\\u0000y"}', '{"a":"\\ud800"}', '{"a":"\\udc00\\ud800"}', '{"a":"\\ud83d x"}').map((body) => ({ defect: `escape ${body}`, headers: json, body })),
    fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"inputs":{"__proto__":{"x":1}}}').map((body) => ({ defect: 'prototype key', headers: json, body })),
  ];
}

/** Body-schema defects: only for routes that declare a body, each certain to break it. */
function schemaDefects(schema: Json, resolve: (s: Json) => Json): fc.Arbitrary<{ defect: string; headers: Record<string, string>; body: string }>[] {
  const json = { 'content-type': 'application/json' };
  const s = resolve(schema);
  const out: fc.Arbitrary<{ defect: string; headers: Record<string, string>; body: string }>[] = [];
  const allowed = typesOf(s, resolve);
  const wrong = allowed && wrongTyped(new Set([...allowed].filter((t) => t !== 'object' && t !== 'array')));
  if (allowed && wrong && !allowed.has('string') && !allowed.has('number')) {
    out.push(fc.oneof(fc.integer(), fc.string({ maxLength: 30 }), fc.boolean(), fc.constant(null)).map((v) => ({ defect: `a ${jsonType(v)} for the body`, headers: json, body: JSON.stringify(v) })));
  }
  const objectSchema = s.type === 'object' ? s : (s.anyOf ?? s.oneOf ?? []).map(resolve).find((x: Json) => x.type === 'object');
  if (!objectSchema) return out;
  const required: string[] = objectSchema.required ?? [];
  const closed = objectSchema.additionalProperties === false;
  if (required.length > 0 || closed) {
    out.push(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }).map((k) => `zz_${k}`), fc.jsonValue({ maxDepth: 2 }), { minKeys: closed ? 1 : 0, maxKeys: 4 }).map((o) => ({
        defect: 'missing required fields / unknown fields',
        headers: json,
        body: JSON.stringify(o),
      })),
    );
  }
  for (const [name, propSchema] of Object.entries<Json>(objectSchema.properties ?? {})) {
    const types = typesOf(propSchema, resolve);
    const bad = types && wrongTyped(types);
    if (bad) out.push(bad.map((v) => ({ defect: `${name} of the wrong type`, headers: json, body: JSON.stringify({ [name]: v }) })));
    const p = resolve(propSchema);
    if (typeof p.maxLength === 'number') {
      out.push(fc.integer({ min: p.maxLength + 1, max: p.maxLength + 100 }).map((n) => ({ defect: `${name} too long`, headers: json, body: JSON.stringify({ [name]: 'x'.repeat(n) }) })));
    }
    if (typeof p.maxItems === 'number' && p.maxItems < 2000) {
      out.push(fc.constant({ defect: `${name} too many items`, headers: json, body: JSON.stringify({ [name]: Array.from({ length: p.maxItems + 1 }, () => 'x') }) }));
    }
  }
  return out;
}

/** A query value certain to break `schema`, or undefined when this test cannot be sure of one. */
function badQueryValue(schema: Json): fc.Arbitrary<string> | undefined {
  if (schema.type === 'integer' || schema.type === 'number') {
    const options: fc.Arbitrary<string>[] = [fc.constantFrom('abc', 'NaN', '1x', "1' OR '1'='1", '0x10zz', '--1')];
    if (typeof schema.maximum === 'number') options.push(fc.integer({ min: 1, max: 1e6 }).map((n) => String(schema.maximum + n)));
    if (typeof schema.minimum === 'number') options.push(fc.integer({ min: 1, max: 1e6 }).map((n) => String(schema.minimum - n)));
    return fc.oneof(...options);
  }
  if (Array.isArray(schema.enum) || schema.const !== undefined || (Array.isArray(schema.anyOf) && schema.anyOf.every((x: Json) => x.const !== undefined))) {
    return fc.constantFrom('zzz', "queued' OR 1=1 --", '../..');
  }
  if (typeof schema.pattern === 'string' && schema.pattern.startsWith('^') && schema.pattern.endsWith('$')) return junkSegment.filter((x) => !new RegExp(schema.pattern).test(x));
  if (typeof schema.maxLength === 'number') return fc.integer({ min: schema.maxLength + 1, max: schema.maxLength + 200 }).map((n) => 'q'.repeat(n));
  return undefined;
}

const noiseQuery = fc.dictionary(fc.constantFrom('zz', 'debug', 'tenant_id', 'admin', '__proto__', 'q'), fc.constantFrom('1', 'true', "' OR 1=1", '../', '%00'), { maxKeys: 3 });

export interface Context {
  keys: Keys;
  /** A real value for every path parameter name (A's objects, an existing tool…). */
  realParams: Record<string, string>;
  /** A well-formed value naming nothing, per parameter (404 rather than 400). */
  madeUpParams: Record<string, string>;
  bodyLimit: number;
  resolve: (s: Json) => Json;
}

/** Requests to `op` each with at least one defect it must refuse. */
export function malformedRequests(op: Operation, ctx: Context): fc.Arbitrary<Malformed> {
  const pathParams = op.params.filter((p) => p.in === 'path').map((p) => p.name as string);
  const queryParams = op.params.filter((p) => p.in === 'query');
  const headerParams = op.params.filter((p) => p.in === 'header');
  const takesBody = op.method !== 'GET' && op.method !== 'HEAD';
  const fill = (values: Record<string, string>) => op.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ctx.realParams[name] ?? 'x'));
  const realPath = fill({});
  const auth = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
  const ownerHeaders = op.isPublic ? {} : auth(ctx.keys.owner);
  const withQuery = (path: string, q: Record<string, string>) => (Object.keys(q).length > 0 ? `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(q)}` : path);
  /** Leaves out required query parameters; fills the others with real values. */
  const requiredQuery: Record<string, string> = Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name as string, '0']));

  const defects: fc.Arbitrary<Malformed>[] = [];
  if (!op.isPublic) {
    defects.push(
      fc
        .tuple(
          fc.constantFrom<[string, Record<string, string>]>(
            ['no key', {}],
            ['a malformed key', { authorization: 'Bearer not-a-key' }],
            ['basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
            ['an unknown key', auth(`br_${'A'.repeat(43)}`)],
            ['a revoked key', auth(ctx.keys.revoked)],
            ['a key with SQL', { authorization: "Bearer br_' OR 1=1 --aaaaaaaaaaaaaaaaaaaaa" }],
          ),
          noiseQuery,
        )
        .map(([[defect, headers], q]) => ({ method: op.method, path: withQuery(realPath, { ...requiredQuery, ...q }), headers, defect })),
    );
    if (ctx.keys.underScoped) {
      defects.push(fc.constant({ method: op.method, path: withQuery(realPath, requiredQuery), headers: auth(ctx.keys.underScoped), defect: 'a key without the scope' }));
    }
  }
  for (const name of pathParams) {
    // A wildcard tail of '.' or '..' names the static folder itself (its index page), which is no defect.
    const junkFor = name === 'wild' ? junkSegment.filter((j) => !/^\.{1,2}$/.test(j)) : junkSegment;
    defects.push(
      fc.tuple(junkFor, fc.boolean(), noiseQuery).map(([junk, raw, q]) => ({
        method: op.method,
        path: withQuery(op.path.replace(/\{([a-z_]+)\}/g, (_, n: string) => (n === name ? wire(junk, raw) : encodeURIComponent(ctx.realParams[n] ?? 'x'))), { ...requiredQuery, ...q }),
        headers: ownerHeaders,
        defect: `junk ${name}: ${junk.slice(0, 40)}`,
      })),
    );
    if (ctx.madeUpParams[name]) {
      defects.push(fc.constant({ method: op.method, path: withQuery(fill({ [name]: ctx.madeUpParams[name]! }), requiredQuery), headers: ownerHeaders, defect: `${name} that names nothing` }));
    }
  }
  for (const p of queryParams) {
    const bad = badQueryValue(ctx.resolve(p.schema ?? {}));
    if (bad) {
      defects.push(fc.tuple(bad, noiseQuery).map(([v, q]) => ({ method: op.method, path: withQuery(realPath, { ...requiredQuery, ...q, [p.name]: v }), headers: ownerHeaders, defect: `query ${p.name}=${v.slice(0, 30)}` })));
    }
    if (p.required) {
      const rest = Object.fromEntries(Object.entries(requiredQuery).filter(([k]) => k !== p.name));
      defects.push(fc.constant({ method: op.method, path: withQuery(realPath, rest), headers: ownerHeaders, defect: `query ${p.name} missing` }));
    }
  }
  for (const h of headerParams) {
    const s = ctx.resolve(h.schema ?? {});
    if (typeof s.maxLength === 'number') {
      defects.push(
        fc.integer({ min: s.maxLength + 1, max: s.maxLength + 500 }).map((n) => ({
          method: op.method,
          path: realPath,
          headers: { ...ownerHeaders, [h.name]: 'k'.repeat(n), 'content-type': 'application/json' },
          body: '{"tool":"packetops","operation":"verify_packet","inputs":{}}',
          defect: `header ${h.name} too long`,
        })),
      );
    }
  }
  if (op.method === 'GET' && /\/events$/.test(op.path)) {
    defects.push(
      fc.constantFrom('abc', '-1', "1' OR '1'='1", '1e9x').map((id) => ({
        method: op.method,
        path: realPath,
        headers: { ...ownerHeaders, accept: 'text/event-stream', 'last-event-id': id },
        defect: `Last-Event-ID ${id}`,
      })),
    );
  }
  if (takesBody) {
    const bodyDefects = [...parserDefects(ctx.bodyLimit), ...(op.body ? schemaDefects(op.body, ctx.resolve) : [])];
    defects.push(
      fc.tuple(fc.oneof(...bodyDefects), noiseQuery).map(([b, q]) => ({
        method: op.method,
        // Noise in the query only where the route declares no query: a declared one might be valid noise.
        path: withQuery(realPath, queryParams.length > 0 ? requiredQuery : { ...requiredQuery, ...q }),
        headers: { ...ownerHeaders, ...b.headers },
        body: b.body,
        defect: b.defect,
      })),
    );
  }
  if (defects.length === 0) {
    // A public read without parameters: nothing to break, so noise it is; it must still never fail or write.
    if (!op.isPublic || takesBody) throw new Error(`${op.method} ${op.path}: no defect applies; give the fuzz test a way to break it`);
    return noiseQuery.map((q) => ({ method: op.method, path: withQuery(realPath, q), headers: { 'x-forwarded-for': "' OR 1=1" }, defect: 'noise only', mustReject: false }));
  }
  return fc.oneof(...defects);
}
