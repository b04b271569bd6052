/** A small HTTP client for CLI commands that talk to a running rail (--url, --api-key). */

export interface Remote {
  url: string;
  apiKey: string | undefined;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${String(problem.title ?? '')}: ${String(problem.detail ?? '')}`);
  }
}

export async function call<T>(remote: Remote, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, remote.url), {
    method,
    headers: {
      ...(remote.apiKey ? { authorization: `Bearer ${remote.apiKey}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : null;
  if (res.status >= 400) throw new HttpError(res.status, (parsed ?? {}) as Record<string, unknown>);
  return { status: res.status, body: parsed as T };
}

