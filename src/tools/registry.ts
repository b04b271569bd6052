/** The tool registry: which tools exist, what each operation accepts, and how capabilities route. */
import type { TSchema } from 'typebox';
import { RailError } from '../contracts/errors.js';
import { compileCheck, type Check } from '../rail/schema-check.js';
import type { EvidenceItemSpec, OperationSpec, ToolSpec } from './sdk.js';

export interface RegisteredOperation {
  tool: string;
  toolVersion: string;
  name: string;
  capability: string;
  description: string;
  inputSchema: TSchema | object;
  outputSchema: TSchema | object;
  evidenceChecklist: EvidenceItemSpec[];
  maxAttempts: number;
  heartbeatTimeoutMs: number;
  nonRetryable: string[];
  checkInput: Check;
  checkOutput: Check;
  /** Present for in-process tools; remote tools run elsewhere and report over HTTP. */
  spec?: OperationSpec;
}

export interface RegisteredTool {
  name: string;
  version: string;
  description: string;
  runtime: 'in_process' | 'remote';
  operations: Map<string, RegisteredOperation>;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();

  /** Registers an in-process tool built with defineTool. */
  add(tool: ToolSpec): this {
    const operations = new Map<string, RegisteredOperation>();
    for (const [name, spec] of Object.entries(tool.operations)) {
      operations.set(name, {
        tool: tool.name,
        toolVersion: tool.version,
        name,
        capability: spec.capability,
        description: spec.description,
        inputSchema: spec.input,
        outputSchema: spec.output,
        evidenceChecklist: spec.evidenceChecklist,
        maxAttempts: spec.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        heartbeatTimeoutMs: spec.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
        nonRetryable: spec.retry?.nonRetryable ?? [],
        checkInput: compileCheck(spec.input, '/inputs'),
        checkOutput: compileCheck(spec.output, ''),
        spec,
      });
    }
    this.#tools.set(tool.name, { name: tool.name, version: tool.version, description: tool.description, runtime: 'in_process', operations });
    return this;
  }

  /** Registers (or replaces) a tool that runs outside the rail. */
  addRemote(tool: Omit<RegisteredTool, 'runtime'>): this {
    this.#tools.set(tool.name, { ...tool, runtime: 'remote' });
    return this;
  }

  remove(name: string): boolean {
    return this.#tools.delete(name);
  }

  get(name: string): RegisteredTool | undefined {
    return this.#tools.get(name);
  }

  list(): RegisteredTool[] {
    return [...this.#tools.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  operation(tool: string, operation: string): RegisteredOperation | undefined {
    return this.#tools.get(tool)?.operations.get(operation);
  }

  /** Every operation that offers a capability, in tool-name order. */
  byCapability(capability: string): RegisteredOperation[] {
    return this.list().flatMap((t) => [...t.operations.values()].filter((o) => o.capability === capability));
  }

  inProcessToolNames(): string[] {
    return this.list().filter((t) => t.runtime === 'in_process').map((t) => t.name);
  }

  require(tool: string, operation: string): RegisteredOperation {
    const op = this.operation(tool, operation);
    if (!op) throw new RailError('tool_unavailable', `tool ${tool} has no operation ${operation}`);
    return op;
  }
}
