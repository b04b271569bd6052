import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backoffCeiling, backoffDelay } from '../../src/queue/backoff.js';

const policy = { baseMs: 1_000, capMs: 60_000 };

test('the ceiling doubles per failed attempt and stops at the cap', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffCeiling(a, policy)), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  assert.equal(backoffCeiling(10_000, policy), 60_000);
});

test('full jitter: delays span [0, ceiling] and never leave it', () => {
  assert.equal(backoffDelay(3, policy, () => 0), 0);
  assert.equal(backoffDelay(3, policy, () => 0.999999999), 4_000);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const d = backoffDelay(attempt, policy, () => r);
      return Number.isInteger(d) && d >= 0 && d <= backoffCeiling(attempt, policy);
    }),
  );
});
