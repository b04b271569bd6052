/** The process logger: pino, with every place a secret could appear redacted. */
import pino, { type Logger } from 'pino';
import { maskSecrets, maskUrl } from '../api/mask-secrets.js';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'task_token',
  'api_key',
  'secret',
  'value',
  '*.authorization',
  '*.token',
  '*.task_token',
  '*.api_key',
  '*.secret',
];

export { maskUrl };

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with the URL masked; the logger's own serializers take precedence over Fastify's. */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: maskUrl(req.url ?? ''),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** pino's error serializer, with secret shapes masked in the message and stack. */
function serializeError(err: Error) {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  return maskDeep(out, 3);
}

/** Plain objects and arrays with every secret-shaped string masked, to `depth` levels; anything else as it is. */
function maskDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth - 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  // Class instances (a request, an Error) go through their serializers, not through here.
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, depth - 1)]));
}

export function makeLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest, err: serializeError },
      // The last line of defence: a key, token, webhook secret or private key that reached a log
      // call anyway — in the message or a field — is masked by its shape.
      formatters: { log: (obj) => maskDeep(obj, 4) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a: unknown) => (typeof a === 'string' ? maskSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
