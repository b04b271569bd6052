/** SQLite: remote tools — the manifests of tools that run outside the rail. */
import type { RemoteToolRow } from '../types.js';
import type { Prepare } from './open.js';

export function upsertRemoteTool(p: Prepare, row: RemoteToolRow): void {
  p(
    `INSERT INTO remote_tools (tool_name, manifest, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (tool_name) DO UPDATE SET manifest = excluded.manifest, updated_at = excluded.updated_at`,
  ).run(row.tool_name, row.manifest, row.updated_at);
}

export function deleteRemoteTool(p: Prepare, toolName: string): boolean {
  return p('DELETE FROM remote_tools WHERE tool_name = ?').run(toolName).changes > 0;
}

export function listRemoteTools(p: Prepare): RemoteToolRow[] {
  return p('SELECT tool_name, manifest, updated_at FROM remote_tools ORDER BY tool_name').all() as RemoteToolRow[];
}
