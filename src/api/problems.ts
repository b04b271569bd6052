/** RFC 9457 problem details for every error the API answers; no stack trace ever leaves. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, problemType, RailError, type ErrorCode, type FieldError } from '../contracts/errors.js';
import type { Problem } from '../contracts/problem.js';
import { fieldErrors } from '../rail/schema-check.js';
import { maskSecrets, maskUrl } from './mask-secrets.js';

export const PROBLEM_JSON = 'application/problem+json';
const INTERNAL_DETAIL = 'something went wrong on our side; it has been logged';

/** The RFC 9457 body of a catalogue error; `url` is the request's, secrets masked in it and in `detail`. */
export function problemBody(code: ErrorCode, url: string, detail?: string, errors?: FieldError[]): Problem {
  const spec = ERRORS[code];
  return {
    type: problemType(code),
    title: spec.title,
    status: spec.status,
    code,
    ...(detail ? { detail: maskSecrets(detail) } : {}),
    instance: maskUrl(url.split('?')[0]!),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** The problem body an error answers with: a RailError as itself, anything else as `internal` (its message never leaves). */
export function problemOf(err: unknown, url: string): Problem {
  return err instanceof RailError ? problemBody(err.code, url, err.message, err.errors) : problemBody('internal', url, INTERNAL_DETAIL);
}

export function sendProblem(reply: FastifyReply, code: ErrorCode, detail?: string, errors?: FieldError[], headers?: Record<string, string>) {
  if (headers) reply.headers(headers);
  return reply.code(ERRORS[code].status).type(PROBLEM_JSON).send(problemBody(code, reply.request.url, detail, errors));
}

const PART_PREFIX: Record<string, string> = { body: '', querystring: '/query', params: '/path', headers: '/headers' };

/** Fastify's own error codes that mean "your request", mapped to the catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
};

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route runs (a malformed URL, a
 * path parameter over maxParamLength) answers problem JSON too. The URL is not echoed.
 */
export function frameworkProblem(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, 'uri_too_long', 'a path parameter is longer than 100 characters');
  return sendProblem(reply, 'bad_request', 'the URL is not valid (a percent-encoding or a path segment cannot be decoded)');
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof RailError) return sendProblem(reply, err.code, err.message, err.errors, err.headers);
    if (err.validation) {
      const prefix = PART_PREFIX[err.validationContext ?? 'body'] ?? '';
      return sendProblem(reply, 'validation_failed', 'the request does not match its schema', fieldErrors(err.validation as never, prefix));
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) return sendProblem(reply, mapped, err.message);
    if (err instanceof SyntaxError || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
      return sendProblem(reply, err.statusCode === 413 ? 'payload_too_large' : err.statusCode === 415 ? 'unsupported_media_type' : 'bad_request', err.message);
    }
    request.log.error({ err }, 'unhandled error');
    return sendProblem(reply, 'internal', INTERNAL_DETAIL);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 'not_found', `no route ${request.method} ${maskUrl(request.url.split('?')[0]!)}`));
}
