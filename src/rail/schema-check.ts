/** JSON Schema validation of tool inputs and outputs (Ajv, no type coercion), with field pointers. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FieldError } from '../contracts/errors.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

const ajv = addFormats(new Ajv({ allErrors: true, coerceTypes: false, useDefaults: false, strict: false }));

export type Check = (value: unknown) => FieldError[];

/** JSON pointer of each Ajv error, naming the missing or extra property itself. */
export function fieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  return (errors ?? []).map((e) => {
    let pointer = prefix + e.instancePath;
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') pointer += `/${String(params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') pointer += `/${String(params.additionalProperty)}`;
    const detail =
      e.keyword === 'additionalProperties' ? 'is not allowed here' : e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid');
    return { pointer: pointer || '/', detail };
  });
}

/** Compiles a schema once; the returned check lists every violation with `prefix` before each pointer. */
export function compileCheck(schema: object, prefix = ''): Check {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => (validate(value) ? [] : fieldErrors(validate.errors, prefix));
}
