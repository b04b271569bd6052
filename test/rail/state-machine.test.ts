import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_STATES, assertTransition, canTransition, isTerminal } from '../../src/rail/state-machine.js';

const LEGAL = new Set([
  'queued>leased', 'queued>cancelled', 'queued>failed',
  'leased>succeeded', 'leased>failed', 'leased>retry_wait', 'leased>cancelled', 'leased>queued',
  'retry_wait>queued', 'retry_wait>cancelled', 'retry_wait>failed',
]);

test('every pair of states is legal exactly when the design says so', () => {
  for (const from of ALL_STATES) {
    for (const to of ALL_STATES) {
      const legal = LEGAL.has(`${from}>${to}`);
      assert.equal(canTransition(from, to), legal, `${from} → ${to}`);
      if (legal) assert.doesNotThrow(() => assertTransition(from, to));
      else assert.throws(() => assertTransition(from, to), /cannot become/);
    }
  }
  assert.equal(ALL_STATES.length, 6);
});

test('terminal states leave no way out', () => {
  for (const s of ALL_STATES) {
    assert.equal(isTerminal(s), ['succeeded', 'failed', 'cancelled'].includes(s));
    if (isTerminal(s)) assert.ok(ALL_STATES.every((t) => !canTransition(s, t)));
  }
});
