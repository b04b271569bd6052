/** The callback schedule: n delays = n + 1 tries, then failed; 2xx ends it; a refusal ends it at once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextStep } from '../../src/delivery/callback-schedule.js';

const schedule = [1_000, 5_000, 30_000];

test('each failed try waits its delay; the try after the last delay fails for good', () => {
  const fail = { statusCode: 500, refused: false };
  assert.deepEqual(nextStep(fail, 1, schedule, 0), { state: 'pending', retryAt: 1_000 });
  assert.deepEqual(nextStep(fail, 2, schedule, 100), { state: 'pending', retryAt: 5_100 });
  assert.deepEqual(nextStep(fail, 3, schedule, 0), { state: 'pending', retryAt: 30_000 });
  assert.deepEqual(nextStep(fail, 4, schedule, 0), { state: 'failed' });
  assert.deepEqual(nextStep({ statusCode: null, refused: false }, 1, [], 0), { state: 'failed' });
});

test('any 2xx delivers; 3xx and 4xx are failures; a refused URL fails at once', () => {
  for (const s of [200, 201, 204, 299]) assert.deepEqual(nextStep({ statusCode: s, refused: false }, 9, schedule, 0), { state: 'delivered' });
  for (const s of [199, 301, 400, 410, 503]) assert.equal(nextStep({ statusCode: s, refused: false }, 1, schedule, 0).state, 'pending');
  assert.deepEqual(nextStep({ statusCode: null, refused: true }, 1, schedule, 0), { state: 'failed' });
});
