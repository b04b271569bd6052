/**
 * The callback SSRF guard: a callback URL must be http(s) and every address its host resolves
 * to must be public. Checked at intake and again before every try, after DNS resolution; the
 * try then connects to the address that was checked (no second lookup to rebind).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { RailError } from '../contracts/errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses; injected so tests can resolve names without a network. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** How long a name may take to resolve: getaddrinfo has no timeout of its own, and intake waits for it. */
const LOOKUP_TIMEOUT_MS = 5_000;

export const systemLookup: HostLookup = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${hostname} did not resolve in time`), { code: 'ETIMEOUT' })), LOOKUP_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([dnsLookup(hostname, { all: true, verbatim: true }), timeout]);
    return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } finally {
    clearTimeout(timer);
  }
};

/** Ranges a callback may not reach, each with the reason the refusal names. */
const RANGES: [reason: string, family: 'ipv4' | 'ipv6', network: string, prefix: number][] = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['shared address space (carrier-grade NAT)', 'ipv4', '100.64.0.0', 10],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['reserved (IETF protocol assignments)', 'ipv4', '192.0.0.0', 24],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['reserved (benchmarking)', 'ipv4', '198.18.0.0', 15],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv6', '::1', 128],
  ['private (unique local)', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];

const BLOCKED = RANGES.map(([reason, family, network, prefix]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { reason, family, list };
});

/** IPv6 forms that carry an IPv4 address in their last 32 bits (RFC 4291 §2.5.5, RFC 6052 §2.1). */
const EMBEDS_V4 = /^(?:::ffff:(?:0:)?|::|64:ff9b::)((?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{1,4}:[0-9a-f]{1,4})$/i;

function embeddedV4(ipv6: string): string | undefined {
  const m = EMBEDS_V4.exec(ipv6);
  if (!m) return undefined;
  const tail = m[1]!;
  if (tail.includes('.')) return tail;
  const [hi, lo] = tail.split(':').map((h) => parseInt(h, 16)) as [number, number];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Why an address may not be called back, or null when it is public. */
export function refusedReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const v4 = embeddedV4(address);
    if (v4 && v4 !== '0.0.0.0' && v4 !== '0.0.0.1') {
      const inner = refusedReason(v4);
      return inner && `IPv4-mapped ${inner}`;
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const b of BLOCKED) if (b.family === type && b.list.check(address, type)) return b.reason;
  return null;
}

/** Why a callback URL is refused (no DNS involved), or null. */
function urlProblem(url: URL): string | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} is not allowed; use http or https`;
  if (!url.hostname) return 'the URL has no host';
  return null;
}

export class CallbackRefused extends Error {
  override readonly name = 'CallbackRefused';
}

/**
 * Parses and resolves a callback URL. Returns the addresses to connect to (empty when private
 * addresses are allowed: the request then resolves as usual). Throws CallbackRefused with the reason.
 */
export async function resolveCallbackTarget(
  raw: string,
  opts: { allowPrivate: boolean; lookup?: HostLookup },
): Promise<{ url: URL; addresses: ResolvedAddress[] }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackRefused('not a valid URL');
  }
  const problem = urlProblem(url);
  if (problem) throw new CallbackRefused(problem);
  if (opts.allowPrivate) return { url, addresses: [] };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (opts.lookup ?? systemLookup)(host);
    } catch (err) {
      throw new CallbackRefused(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
    }
    if (addresses.length === 0) throw new CallbackRefused(`${host} does not resolve`);
  }
  for (const a of addresses) {
    const reason = refusedReason(a.address);
    if (reason) {
      const via = a.address === host ? '' : ` (${host} resolves to ${a.address})`;
      throw new CallbackRefused(`${reason} address${via}: callbacks may only reach public addresses unless the operator allows private ones (--allow-private-callbacks)`);
    }
  }
  return { url, addresses };
}

/** Intake's check: a refused callback URL is a 422 `callback_url_refused` naming /return/callback_url. */
export async function checkCallbackUrl(raw: string, opts: { allowPrivate: boolean; lookup?: HostLookup }): Promise<void> {
  try {
    await resolveCallbackTarget(raw, opts);
  } catch (err) {
    if (!(err instanceof CallbackRefused)) throw err;
    throw new RailError('callback_url_refused', `return.callback_url is refused: ${err.message}`, [
      { pointer: '/return/callback_url', detail: err.message },
    ]);
  }
}
