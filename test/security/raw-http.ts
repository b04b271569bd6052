/**
 * Sends exactly the bytes asked for: any path (no URL normalisation), any headers, any body — the
 * things fetch() would fix up or refuse. One keep-alive agent; every request bounded in time.
 */
import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent as is: already percent-encoded where it needs to be. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export function rawRequest(base: string, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}) },
        agent,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

export function closeRawAgent(): void {
  agent.destroy();
}
