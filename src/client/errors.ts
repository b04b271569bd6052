/** What the client throws: the rail's RFC 9457 problem as it was sent, or a wait that ran out. */
import type { Problem } from '../contracts/problem.js';

/** The rail answered with an error; `problem` is its application/problem+json body. */
export class BindrailProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
    this.name = 'BindrailProblemError';
  }

  get code(): string {
    return this.problem.code;
  }
}

/** A wait for a result ended before the binding was final; the binding is still running. */
export class BindrailTimeoutError extends Error {
  constructor(
    readonly bindingId: string,
    readonly timeoutMs: number,
    readonly lastState: string,
  ) {
    super(`binding ${bindingId} not final within ${timeoutMs} ms (state ${lastState})`);
    this.name = 'BindrailTimeoutError';
  }
}

/** Turns any error body into a Problem: the rail always sends one, a proxy in between may not. */
export function asProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && typeof (body as Problem).code === 'string' && typeof (body as Problem).title === 'string') {
    return body as Problem;
  }
  const detail = typeof body === 'string' ? body.slice(0, 500) : undefined;
  return { type: 'about:blank', title: `HTTP ${status}`, status, code: `http_${status}`, ...(detail ? { detail } : {}) };
}
