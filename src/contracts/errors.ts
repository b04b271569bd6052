/**
 * The error catalogue: every error the rail can answer, declared once.
 * A code becomes the `type` (https://bindrail.dev/problems/<code>) and `code` of an RFC 9457
 * problem, and the `code` of an exception ticket.
 */
import type { NextAction } from './common.js';

interface ErrorSpec {
  status: number;
  title: string;
  /** What an exception ticket with this code suggests. */
  nextAction?: NextAction;
  retryable?: boolean;
}

export const ERRORS = {
  validation_failed: { status: 400, title: 'The request is not valid', nextAction: 'repair_inputs' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Missing or unknown API key' },
  forbidden: { status: 403, title: 'The API key lacks the scope this needs' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  idempotency_conflict: { status: 409, title: 'Idempotency key reused with a different body' },
  stale_task_token: { status: 409, title: 'The task token belongs to an attempt that is no longer current' },
  binding_cancelled: { status: 409, title: 'The binding was cancelled' },
  invalid_state: { status: 409, title: 'The binding is not in a state that allows this' },
  tool_name_taken: { status: 409, title: 'An in-process tool has this name; a remote tool cannot replace or retire it' },
  tenant_exists: { status: 409, title: 'A tenant with this id exists' },
  last_admin_key: { status: 409, title: 'The last active admin key cannot be revoked' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  uri_too_long: { status: 414, title: 'A path parameter is too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unroutable: { status: 422, title: 'No tool can take this Work Order', nextAction: 'repair_inputs' },
  callback_url_refused: { status: 422, title: 'The callback URL is not allowed', nextAction: 'repair_inputs' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'The rail is not ready' },
  // Codes that end a run (exception tickets); the tool's own codes join these at run time.
  retry_exhausted: { status: 500, title: 'Every attempt failed', nextAction: 'replay' },
  tool_output_invalid: { status: 422, title: 'The tool returned output that breaks its output schema', nextAction: 'contact_tool_owner', retryable: false },
  tool_input_invalid: { status: 400, title: 'The inputs break the operation\'s input schema', nextAction: 'repair_inputs', retryable: false },
  tool_error: { status: 500, title: 'The tool failed', nextAction: 'replay', retryable: true },
  lease_expired: { status: 500, title: 'The lease expired before the tool reported', nextAction: 'replay', retryable: true },
  worker_restarted: { status: 500, title: 'The worker running the attempt restarted', nextAction: 'replay', retryable: true },
  tool_unavailable: { status: 500, title: 'The tool is no longer registered', nextAction: 'contact_tool_owner', retryable: false },
  deadline_exceeded: { status: 500, title: 'The deadline passed before the work finished', nextAction: 'replay', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldError {
  pointer: string;
  detail: string;
}

/** An error the rail raises on purpose; the API turns it into problem JSON. */
export class RailError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? ERRORS[code].title);
    this.name = 'RailError';
    this.status = ERRORS[code].status;
  }
}

export function problemType(code: string): string {
  return `https://bindrail.dev/problems/${code}`;
}

export function suggestedNextAction(code: string): NextAction {
  const spec = (ERRORS as Record<string, ErrorSpec>)[code];
  return spec?.nextAction ?? 'replay';
}
