/** A Server-Sent Events client over a real fetch stream, parsing the event stream format (WHATWG HTML §9.2.6). */

export interface SseMessage {
  id: string | undefined;
  data: string;
}

export interface SseStream {
  status: number;
  contentType: string | null;
  /** The next message, waiting at most `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseMessage>;
  /** Comment lines seen so far (heartbeats). */
  comments: number;
  close(): void;
}

export async function openSse(url: string, opts: { key: string; lastEventId?: string }): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${opts.key}`, ...(opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {}) },
    signal: ac.signal,
  });
  const queue: SseMessage[] = [];
  const waiters: (() => void)[] = [];
  let failure: unknown;
  const stream: SseStream = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    comments: 0,
    async next(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (failure) throw failure;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no SSE message within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return queue.shift()!;
    },
    close: () => ac.abort(),
  };
  const wake = () => waiters.splice(0).forEach((w) => w());

  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let data: string[] = [];
    let id: string | undefined;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (data.length > 0) queue.push({ id, data: data.join('\n') });
            data = [];
            wake();
          } else if (line.startsWith(':')) {
            stream.comments++;
          } else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') data.push(val);
            else if (field === 'id') id = val;
          }
        }
      }
      failure = new Error('the event stream ended');
    } catch (err) {
      failure = err;
    }
    wake();
  })();
  return stream;
}
