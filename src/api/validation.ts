/**
 * Request validation: bodies are checked exactly as sent (no coercion: "12.50" stays a string,
 * money never becomes a float); query strings and path parameters are coerced, as URLs only carry text.
 */
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const common = { allErrors: true, strict: false, removeAdditional: false, useDefaults: true } as const;
const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
const urlAjv = addFormats(new Ajv({ ...common, coerceTypes: true }));

export function installValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : urlAjv).compile(schema));
  // Response schemas document the contract (OpenAPI); replies are serialised as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
