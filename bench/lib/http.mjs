/**
 * A small HTTP/1.1 client over node:http with keep-alive: cheaper per request than fetch, so the
 * load generator (which shares the two cores with the system under test) takes less from it.
 */
import http from 'node:http';

export function keepAliveAgent(maxSockets = 64) {
  return new http.Agent({ keepAlive: true, maxSockets });
}

/** One request; resolves with the status, headers and body text. */
export function request(url, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/**
 * Opens a Server-Sent Events stream and resolves when an event's parsed `data` satisfies `done`;
 * resolves 'not-sse' when the server answers with something other than text/event-stream.
 */
export function waitForEvent(url, { headers = {}, done, timeoutMs = 30_000 }) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { ...headers, accept: 'text/event-stream' }, agent: false }, (res) => {
      if (!String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
        res.resume();
        return resolve('not-sse');
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        // WHATWG HTML §9.2.6: events are separated by a blank line; only `data:` lines matter here.
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data && done(JSON.parse(data))) {
            clearTimeout(timer);
            req.destroy();
            return resolve('ok');
          }
        }
      });
      // After resolve, the destroy() above surfaces here as an error: rejecting then is a no-op.
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no matching event on ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
