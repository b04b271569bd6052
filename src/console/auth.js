/** Who is signed in: the key's principal from GET /v1/me, and what it may do. */
import { ApiError, api, session } from './api.js';

let current = null;

/** The signed-in key's { key_id, tenant_id, scopes, tools }, or null. */
export const principal = () => current;

/** Whether the key holds `scope` (admin holds every scope). */
export function can(scope) {
  return Boolean(current && (current.scopes.includes('admin') || current.scopes.includes(scope)));
}

/** Checks a key with the rail and keeps it for this tab. Throws ApiError when the rail refuses it. */
export async function signIn(key) {
  session.set(key);
  try {
    current = (await api('GET', '/v1/me')).body;
  } catch (err) {
    session.clear();
    current = null;
    throw err;
  }
  return current;
}

/** Resumes with the key kept in this tab, if any and still valid. */
export async function resume() {
  if (!session.key) return null;
  try {
    current = (await api('GET', '/v1/me')).body;
    return current;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) session.clear();
    current = null;
    return null;
  }
}

export function signOut() {
  session.clear();
  current = null;
}
