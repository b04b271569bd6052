/** Our RFC 8785 writer against the `canonicalize` package (an independent implementation) and the RFC's examples. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import reference from 'canonicalize';
import { canonicalize } from '../../src/proof/canonical.js';

const oracle = reference as (v: unknown) => string | undefined;

test('RFC 8785 §3.2.2 number examples and §3.2.3 sorting', () => {
  const numbers: [number, string][] = [
    [0, '0'], [-0, '0'], [1e30, '1e+30'], [4.5, '4.5'], [0.002, '0.002'], [1e-7, '1e-7'],
    [333333333.3333333, '333333333.3333333'], [-1.7976931348623157e308, '-1.7976931348623157e+308'],
    [9007199254740992, '9007199254740992'], [295147905179352830000, '295147905179352830000'],
  ];
  for (const [n, text] of numbers) assert.equal(canonicalize(n), text, String(n));
  // Keys sort by UTF-16 code units: '\\r' < '1' < '\\u0080' < 'ö' < '€' < '😀' < 'ﬂ'.
  const sorted = canonicalize({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' });
  assert.equal(
    sorted,
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
  assert.equal(canonicalize({ b: [1, undefined, 'x'], a: { d: undefined, c: null } }), '{"a":{"c":null},"b":[1,null,"x"]}');
  assert.equal(canonicalize('\u000f\u2028"\\'), '"\\u000f\u2028\\"\\\\"');
});

test('values JSON cannot carry are refused', () => {
  for (const bad of [NaN, Infinity, -Infinity, '\ud800', { k: '\udc00' }, undefined, 10n]) {
    assert.throws(() => canonicalize(bad));
  }
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.throws(() => canonicalize(loop));
});

test('matches the canonicalize package on generated JSON values', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => canonicalize(v) === oracle(v)),
    { numRuns: 2_000 },
  );
  fc.assert(
    fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'grapheme' }))), (v) => canonicalize(v) === oracle(v)),
    { numRuns: 2_000 },
  );
});
