/**
 * Request validation: bodies are checked exactly as sent (no coercion: "12.50" stays a string,
 * money never becomes a float); query strings and path parameters are coerced, as URLs only carry text.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const common = { allErrors: true, strict: false, removeAdditional: false, useDefaults: true } as const;
const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
const urlAjv = addFormats(new Ajv({ ...common, coerceTypes: true }));

/** How a number in a URL must be written: Ajv's coercion alone would read '' or ' ' as 0. */
const NUMERAL = /^-?\d+(\.\d+)?$/;

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Path and query validation that refuses numbers not written in digits, then coerces as usual. */
function strictNumerals(schema: { properties?: Record<string, { type?: unknown }> }, validate: Validate): Validate {
  const numeric = Object.entries(schema.properties ?? {})
    .filter(([, s]) => s.type === 'integer' || s.type === 'number')
    .map(([k]) => k);
  if (numeric.length === 0) return validate;
  let errors: ErrorObject[] | null | undefined = null;
  const check = (data: unknown) => {
    const values = (data ?? {}) as Record<string, unknown>;
    const bad = numeric.filter((k) => typeof values[k] === 'string' && !NUMERAL.test(values[k]));
    if (bad.length > 0) {
      errors = bad.map((k) => ({ instancePath: `/${k}`, schemaPath: '#/type', keyword: 'type', params: {}, message: 'must be a number written in digits' }));
      return false;
    }
    const ok = validate(data);
    errors = validate.errors;
    return ok;
  };
  return Object.defineProperty(check, 'errors', { get: () => errors });
}

export function installValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate = (httpPart === 'body' ? bodyAjv : urlAjv).compile(schema);
    // A body declared Type.Optional(…) may be left out entirely (POST …/replay with no body): Fastify
    // validates a missing body as null; a JSON `null` body never gets here (json-body.ts refuses it).
    if (httpPart === 'body' && (schema as { '~optional'?: boolean })['~optional'] === true) {
      const optional = (data: unknown) => data === undefined || data === null || validate(data);
      return Object.defineProperty(optional, 'errors', { get: () => validate.errors });
    }
    return httpPart === 'params' || httpPart === 'querystring' ? strictNumerals(schema as never, validate) : validate;
  });
  // Response schemas document the contract (OpenAPI); replies are serialised as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
