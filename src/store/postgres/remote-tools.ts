/** PostgreSQL: remote tools — the manifests of tools that run outside the rail. */
import type { RemoteToolRow } from '../types.js';
import { rows, type Sql } from './open.js';

export async function upsertRemoteTool(sql: Sql, row: RemoteToolRow): Promise<void> {
  await sql.query(
    `INSERT INTO remote_tools (tool_name, manifest, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (tool_name) DO UPDATE SET manifest = excluded.manifest, updated_at = excluded.updated_at`,
    [row.tool_name, row.manifest, row.updated_at],
  );
}

export async function deleteRemoteTool(sql: Sql, toolName: string): Promise<boolean> {
  const r = await sql.query('DELETE FROM remote_tools WHERE tool_name = $1', [toolName]);
  return (r.rowCount ?? 0) > 0;
}

export async function listRemoteTools(sql: Sql): Promise<RemoteToolRow[]> {
  return rows<RemoteToolRow>(sql, 'SELECT tool_name, manifest, updated_at FROM remote_tools ORDER BY tool_name');
}
