/**
 * Remote tools in a process: registering and retiring them (stored in `remote_tools`), and keeping
 * this process's registry in step with the table, so a tool registered through one process is
 * routable, retried and validated in every process that shares the store.
 */
import { RailError } from '../contracts/errors.js';
import { audit, type Actor } from '../rail/audit.js';
import type { Store } from '../store/store.js';
import type { ToolRegistry } from './registry.js';
import { remoteTool, type RemoteToolManifest } from './remote.js';
import type { ToolLogger } from './sdk.js';

export interface RemoteToolsDeps {
  store: Store;
  registry: ToolRegistry;
  now: () => number;
}

export class RemoteTools {
  /** Manifest text of each remote tool as this process registered it: a reload skips unchanged ones. */
  readonly #loaded = new Map<string, string>();
  /** Register, retire and reload run one at a time, so the registry ends as the store does. */
  #tail: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #log: ToolLogger | undefined;

  constructor(private readonly deps: RemoteToolsDeps) {}

  /** Validates, stores and registers a remote tool; `created` is false when it replaced one. */
  register(name: string, manifest: RemoteToolManifest, actor?: Actor): Promise<{ created: boolean }> {
    return this.#serial(async () => {
      this.#refuseInProcess(name);
      const tool = remoteTool(name, manifest);
      const text = JSON.stringify(manifest);
      const created = this.deps.registry.get(name) === undefined;
      const now = this.deps.now();
      await this.deps.store.write(async (tx) => {
        await tx.upsertRemoteTool({ tool_name: name, manifest: text, updated_at: now });
        if (actor) await audit(tx, actor, 'tool.register', name, now, { version: manifest.version, operations: Object.keys(manifest.operations) });
      });
      this.deps.registry.addRemote(tool);
      this.#loaded.set(name, text);
      return { created };
    });
  }

  /** Removes a remote tool. Its queued work stays queued until it is registered again or cancelled. */
  retire(name: string, actor?: Actor): Promise<void> {
    return this.#serial(async () => {
      this.#refuseInProcess(name);
      const now = this.deps.now();
      const deleted = await this.deps.store.write(async (tx) => {
        const gone = await tx.deleteRemoteTool(name);
        if (gone && actor) await audit(tx, actor, 'tool.retire', name, now);
        return gone;
      });
      const known = this.deps.registry.get(name)?.runtime === 'remote';
      if (!deleted && !known) throw new RailError('not_found', `no remote tool ${name}`);
      this.deps.registry.remove(name);
      this.#loaded.delete(name);
    });
  }

  /** Brings the registry in step with the stored remote tools: adds, replaces and removes. */
  reload(): Promise<void> {
    return this.#serial(async () => {
      const rows = await this.deps.store.listRemoteTools();
      const stored = new Set<string>();
      for (const row of rows) {
        stored.add(row.tool_name);
        if (this.#loaded.get(row.tool_name) === row.manifest) continue;
        if (this.deps.registry.get(row.tool_name)?.runtime === 'in_process') {
          this.#log?.warn('a stored remote tool has the name of an in-process tool; the in-process tool wins', { tool: row.tool_name });
          continue;
        }
        try {
          this.deps.registry.addRemote(remoteTool(row.tool_name, JSON.parse(row.manifest) as RemoteToolManifest));
          this.#loaded.set(row.tool_name, row.manifest);
        } catch (err) {
          this.#log?.warn('a stored remote tool manifest does not load', { tool: row.tool_name, error: String(err) });
        }
      }
      for (const name of this.#loaded.keys()) {
        if (stored.has(name)) continue;
        this.deps.registry.remove(name);
        this.#loaded.delete(name);
      }
    });
  }

  /** Loads the stored remote tools, then reloads every `intervalMs`: how another process's PUT or DELETE reaches this one. */
  async start(intervalMs: number, log: ToolLogger): Promise<void> {
    if (this.#timer) return;
    this.#log = log;
    await this.reload();
    const tick = () => {
      this.reload()
        .catch((err: unknown) => this.#log?.warn('remote tool reload failed', { error: String(err) }))
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.#timer = setTimeout(tick, intervalMs).unref();
  }

  /** Stops reloading and waits for a reload in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#tail;
  }

  #refuseInProcess(name: string): void {
    if (this.deps.registry.get(name)?.runtime === 'in_process') {
      throw new RailError('tool_name_taken', `${name} is an in-process tool of this rail`);
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
