/** The binding state machine: which transitions are legal, and nothing else. */
import type { BindingState, TerminalState } from '../contracts/common.js';
import { RailError } from '../contracts/errors.js';

const TRANSITIONS: Record<BindingState, readonly BindingState[]> = {
  queued: ['leased', 'cancelled', 'failed'],
  // leased → queued: a worker shutting down releases its lease without spending the attempt.
  leased: ['succeeded', 'failed', 'retry_wait', 'cancelled', 'queued'],
  retry_wait: ['queued', 'cancelled', 'failed'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export const TERMINAL_STATES: readonly TerminalState[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminal(state: BindingState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export function canTransition(from: BindingState, to: BindingState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws invalid_state (409) for an illegal move. */
export function assertTransition(from: BindingState, to: BindingState): void {
  if (!canTransition(from, to)) throw new RailError('invalid_state', `a ${from} binding cannot become ${to}`);
}

export const ALL_STATES = Object.keys(TRANSITIONS) as BindingState[];
