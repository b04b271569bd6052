/**
 * Remote tools: the manifest a tool that runs outside the rail registers with (PUT /v1/tools/{name}),
 * and its validation into a RegisteredTool whose operations check inputs and outputs like any other.
 */
import { Ajv, type Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { Type, type Static } from 'typebox';
import { Name } from '../contracts/common.js';
import { RailError, type FieldError } from '../contracts/errors.js';
import { fieldErrors, type Check } from '../rail/schema-check.js';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS, type RegisteredOperation, type RegisteredTool } from './registry.js';

const addFormats = addFormatsImport as unknown as <T extends Ajv>(ajv: T) => T;

/** Tool and operation names: what `Name` allows. */
export const TOOL_NAME_RE = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Largest manifest, as JSON text; one JSON Schema may take at most a quarter of it. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
const MAX_SCHEMA_BYTES = MAX_MANIFEST_BYTES / 4;

const JsonSchema = Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), {
  maxProperties: 200,
  description: 'A JSON Schema (draft-07, or 2020-12 when its $schema says so). It must compile; unknown keywords and formats are refused.',
});

export const RemoteOperationManifest = Type.Object(
  {
    capability: Name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    input_schema: JsonSchema,
    output_schema: JsonSchema,
    evidence_checklist: Type.Array(
      Type.Object(
        { item: Type.String({ minLength: 1, maxLength: 200 }), description: Type.String({ maxLength: 2000 }), required: Type.Boolean() },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
    max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: `Attempts before the binding fails; ${DEFAULT_MAX_ATTEMPTS} when absent.` })),
    heartbeat_timeout_ms: Type.Optional(
      Type.Integer({ minimum: 1000, maximum: 3_600_000, description: `A worker that does not heartbeat within this loses its lease; ${DEFAULT_HEARTBEAT_TIMEOUT_MS} when absent.` }),
    ),
    non_retryable: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, uniqueItems: true, description: 'Error codes that fail the binding at once.' }),
    ),
  },
  { additionalProperties: false },
);

export const RemoteToolManifest = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 50 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    runtime: Type.Literal('remote'),
    operations: Type.Record(Type.String({ pattern: TOOL_NAME_RE.source }), RemoteOperationManifest, {
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 50,
    }),
  },
  { additionalProperties: false },
);
export type RemoteToolManifest = Static<typeof RemoteToolManifest>;

// One Ajv per registration, not the rail's shared one: a manifest's `$id`s cannot collide with
// another's, and a replaced manifest's compiled code is garbage once nothing refers to it.
const AJV_OPTIONS: Options = {
  allErrors: true,
  coerceTypes: false,
  useDefaults: false,
  // Unknown keywords and formats are errors: a typo (`requird`) would otherwise validate nothing.
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  logger: false,
};

function newAjv(schema: Record<string, unknown>): Ajv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  return addFormats(dialect.includes('2020-12') ? new Ajv2020(AJV_OPTIONS) : new Ajv(AJV_OPTIONS));
}

function compile(schema: Record<string, unknown>, prefix: string, pointer: string, errors: FieldError[]): Check | undefined {
  if (Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES) {
    errors.push({ pointer, detail: `is larger than ${MAX_SCHEMA_BYTES} bytes` });
    return undefined;
  }
  try {
    const validate = newAjv(schema).compile(schema);
    return (value) => (validate(value) ? [] : fieldErrors(validate.errors, prefix));
  } catch (err) {
    errors.push({ pointer, detail: `does not compile: ${(err as Error).message}`.slice(0, 500) });
    return undefined;
  }
}

/**
 * Turns a manifest (already shaped by RemoteToolManifest) into a registered remote tool.
 * Throws `validation_failed` naming each bad field: a schema that does not compile, a repeated
 * checklist item, a manifest too large.
 */
export function remoteTool(name: string, manifest: RemoteToolManifest): Omit<RegisteredTool, 'runtime'> {
  const errors: FieldError[] = [];
  if (!TOOL_NAME_RE.test(name)) errors.push({ pointer: '/path/name', detail: `must match ${TOOL_NAME_RE.source}` });
  if (Buffer.byteLength(JSON.stringify(manifest)) > MAX_MANIFEST_BYTES) errors.push({ pointer: '/', detail: `is larger than ${MAX_MANIFEST_BYTES} bytes` });
  const operations = new Map<string, RegisteredOperation>();
  for (const [opName, op] of Object.entries(manifest.operations)) {
    const at = `/operations/${opName}`;
    const checkInput = compile(op.input_schema, '/inputs', `${at}/input_schema`, errors);
    const checkOutput = compile(op.output_schema, '', `${at}/output_schema`, errors);
    const items = op.evidence_checklist.map((c) => c.item);
    items.forEach((item, i) => {
      if (items.indexOf(item) !== i) errors.push({ pointer: `${at}/evidence_checklist/${i}/item`, detail: `repeats ${item}` });
    });
    if (!checkInput || !checkOutput) continue;
    operations.set(opName, {
      tool: name,
      toolVersion: manifest.version,
      name: opName,
      capability: op.capability,
      description: op.description ?? '',
      inputSchema: op.input_schema,
      outputSchema: op.output_schema,
      evidenceChecklist: op.evidence_checklist,
      maxAttempts: op.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
      heartbeatTimeoutMs: op.heartbeat_timeout_ms ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      nonRetryable: op.non_retryable ?? [],
      checkInput,
      checkOutput,
    });
  }
  if (errors.length > 0) throw new RailError('validation_failed', `the manifest of ${name} is not valid`, errors);
  return { name, version: manifest.version, description: manifest.description ?? '', operations };
}
