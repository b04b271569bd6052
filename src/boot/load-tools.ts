/** Loads extra in-process tools from modules named by --tools: every export built with defineTool. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ToolSpec } from '../tools/sdk.js';
import type { ToolRegistry } from '../tools/registry.js';

function isToolSpec(v: unknown): v is ToolSpec {
  const t = v as ToolSpec;
  return typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.version === 'string' && typeof t.operations === 'object';
}

export async function loadToolModules(registry: ToolRegistry, modules: string): Promise<string[]> {
  const added: string[] = [];
  for (const spec of modules.split(',').map((m) => m.trim()).filter(Boolean)) {
    const mod = (await import(pathToFileURL(resolve(spec)).href)) as Record<string, unknown>;
    const tools = Object.values(mod).filter(isToolSpec);
    if (tools.length === 0) throw new Error(`--tools ${spec}: the module exports no tool built with defineTool`);
    for (const tool of tools) {
      if (registry.get(tool.name)) continue;
      registry.add(tool);
      added.push(tool.name);
    }
  }
  return added;
}
