/**
 * Masks the secrets the rail hands out — API keys (br_…), task tokens (tt.bnd_….n.…) and webhook
 * secrets (whsec_…) — wherever text might carry one to a log line or a problem answer.
 */

const SECRET_SHAPES: [RegExp, string][] = [
  [/tt\.bnd_[0-9a-f]{32}\.[0-9]+\.[A-Za-z0-9_-]+/g, '[redacted]'],
  [/\bbr_[A-Za-z0-9_-]{16,}/g, 'br_[redacted]'],
  [/\bwhsec_[A-Za-z0-9+/=_-]{8,}/g, 'whsec_[redacted]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
];

/** `text` with every secret-shaped part replaced. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of SECRET_SHAPES) out = out.replace(re, replacement);
  return out;
}

/**
 * Task tokens travel in the path (/v1/tool-tasks/<token>/complete): a masked URL shows
 * `[redacted]` in their place, whatever the segment holds, and any other secret shape in it too.
 */
export function maskUrl(url: string): string {
  return maskSecrets(url.replace(/(\/v1\/tool-tasks\/)(?!claim(?:[/?#]|$))[^/?#]+/g, '$1[redacted]'));
}
