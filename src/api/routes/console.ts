/**
 * /console: the operator's web console. Plain static files (no build step), public like /docs: the
 * page holds the API key and sends it on every API call it makes. Files are read once and kept.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { RailError } from '../../contracts/errors.js';

/** src/console beside src/api under tsx; dist/console beside dist/api once built (scripts/copy-assets.mjs). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

// Everything from this origin only: no inline script or style, no framing, no plugins.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Every servable file under `dir`, keyed by its URL path below /console/ (a/b.js). */
export function loadAssets(dir: string = CONSOLE_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const type = CONTENT_TYPES[extname(name)];
        if (!type) continue; // .ts, .map, editor files: never served
        const body = readFileSync(path);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
        assets.set(relative(dir, path).split(sep).join('/'), { body, type, etag });
      }
    }
  };
  walk(dir);
  return assets;
}

export const consoleRoutes = (dir: string = CONSOLE_DIR): FastifyPluginAsync => async (app) => {
  const assets = loadAssets(dir);

  const send = (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const asset = assets.get(path === '' ? 'index.html' : path);
    if (!asset) {
      const detail = assets.size === 0 ? 'this build has no console files (npm run build copies them into dist/console)' : `no console file ${path}`;
      throw new RailError('not_found', detail);
    }
    reply
      .header('content-type', asset.type)
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  };

  const options = { config: { scope: 'public' as const }, schema: { hide: true } };
  app.get('/console', options, (request, reply) => send(request, reply, ''));
  app.get<{ Params: { '*': string } }>('/console/*', options, (request, reply) => send(request, reply, request.params['*']));
};
