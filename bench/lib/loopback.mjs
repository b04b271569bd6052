/** The benchmark talks to local services only: refuse any other host before connecting. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function assertLoopback(url, name) {
  const host = new URL(url).hostname;
  if (!LOOPBACK.has(host)) throw new Error(`${name} must point at a loopback address, not ${host}`);
}
