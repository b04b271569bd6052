/** `npx bindrail …` after `npm install`: the bin that package.json names is built and executable. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const bin = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: Record<string, string> }).bin.bindrail!;

test('the bindrail bin exists after the build and is executable', (t) => {
  const path = new URL(bin, root);
  // npm install (and npm ci in CI) run `prepare`, which builds dist/; a bare checkout has none yet.
  if (!existsSync(path)) return t.skip(`${bin} is not built: run npm install or npm run build`);
  assert.ok(readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node'), 'the bin starts with a node shebang');
  assert.notEqual(statSync(path).mode & 0o111, 0, `${bin} is not executable`);
});
