/**
 * Request bodies: JSON only (anything else is 415), strict UTF-8, an object or an array, at most
 * MAX_JSON_DEPTH levels of nesting, no NUL characters, no lone surrogates, no `__proto__` keys.
 * The depth is measured on the text before parsing, in one loop, so a hostile body cannot exhaust
 * the stack of the parser, the validator, the canonicaliser or the merge patch that later walk it
 * recursively.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RailError } from '../contracts/errors.js';

export const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Why `text` (valid JSON or not) is refused, or undefined: nesting deeper than `maxDepth`, a \u0000
 * escape (PostgreSQL text cannot hold it), or a \uD800–\uDFFF escape outside a surrogate pair.
 */
export function jsonTextProblem(text: string, maxDepth: number = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  let pendingHigh = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        const next = text.charCodeAt(i + 1);
        if (next === 0x75 /* u */) {
          const unit = parseInt(text.slice(i + 2, i + 6), 16);
          i += 5;
          if (unit === 0) return 'the body contains a NUL character (\\u0000)';
          const high = unit >= 0xd800 && unit <= 0xdbff;
          const low = unit >= 0xdc00 && unit <= 0xdfff;
          if (low !== pendingHigh) return 'the body contains an unpaired UTF-16 surrogate escape';
          pendingHigh = high;
          continue;
        }
        i++;
      } else if (c === 0x22 /* " */) inString = false;
      if (pendingHigh) return 'the body contains an unpaired UTF-16 surrogate escape';
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return `the body nests deeper than ${maxDepth} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return pendingHigh ? 'the body contains an unpaired UTF-16 surrogate escape' : undefined;
}

/** Parses, on the error path only: valid JSON the default parser refused carries a prototype key. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The charset a content type names, lower-cased; undefined when it names none. */
function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
}

export function installJsonBodies(app: FastifyInstance): void {
  // Fastify's default JSON parser, kept for what it checks after the text: __proto__ and constructor.prototype keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, raw: Buffer | string, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      return done(new RailError('unsupported_media_type', `JSON bodies are UTF-8; charset=${charset.slice(0, 40)} is not accepted`), undefined);
    }
    let text: string;
    try {
      text = typeof raw === 'string' ? raw : utf8.decode(raw);
    } catch {
      return done(new RailError('bad_request', 'the body is not valid UTF-8'), undefined);
    }
    const problem = jsonTextProblem(text);
    if (problem) return done(new RailError('bad_request', problem), undefined);
    parseJson(request, text, (err, body) => {
      // Every body of this API is an object or an array; a bare null would read as "no body".
      if (!err && (body === null || typeof body !== 'object')) return done(new RailError('bad_request', 'the body must be a JSON object or array'), undefined);
      if (!err) return done(null, body);
      if ((err as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return done(new RailError('bad_request', 'the body is empty but the content type says JSON'), undefined);
      done(new RailError('bad_request', isJson(text) ? 'the body uses a forbidden key (__proto__ or constructor.prototype)' : 'the body is not valid JSON'), undefined);
    });
  });
}
