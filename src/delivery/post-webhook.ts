/**
 * One HTTP POST of a webhook. node:http rather than fetch because the connection must go to the
 * address the SSRF guard checked: the request's `lookup` answers with those addresses only, so a
 * DNS answer that changes between check and connect (rebinding) cannot redirect it. Redirects are
 * not followed.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { VERSION } from '../version.js';
import type { ResolvedAddress } from './ssrf.js';

/** Bytes of a receiver's answer read before the connection is dropped; the body is never used. */
const MAX_ANSWER_BYTES = 64 * 1024;

function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}

/** Resolves with the status code once the answer's headers arrive; rejects on network errors and aborts. */
export function postWebhook(p: {
  url: URL;
  addresses: ResolvedAddress[];
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}): Promise<number> {
  return new Promise((resolve, reject) => {
    const transport = p.url.protocol === 'https:' ? https : http;
    const req = transport.request(p.url, {
      method: 'POST',
      agent: false,
      signal: p.signal,
      ...(p.addresses.length > 0 ? { lookup: pinnedLookup(p.addresses) } : {}),
      headers: {
        ...p.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(p.body)),
        'user-agent': `bindrail/${VERSION} (webhooks)`,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      // The status is already taken; a broken or aborted answer body changes nothing.
      res.on('error', () => undefined);
    });
    req.end(p.body);
  });
}

/** A short, secret-free description of a failed try. */
export function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || (err.name === 'AbortError' && String(err.cause ?? '').includes('TimeoutError')))) {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code) return code;
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}
