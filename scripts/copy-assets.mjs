#!/usr/bin/env node
// tsc emits only .ts → .js: copy what the compiled code reads at run time from beside itself —
// the console's static files and the SQL migrations — from src/ into dist/ — and make the
// `bindrail` bin executable (tsc writes it 0644; npm's own chmod runs before `prepare` builds it). Run after tsc.
import { chmodSync, cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = [
  // [from, to, keep(file)]
  ['src/console', 'dist/console', (file) => !/\.(ts|tsx|map)$/.test(file)],
  ['src/store/migrations', 'dist/store/migrations', () => true],
];

for (const [from, to, keep] of ASSETS) {
  const src = join(root, from);
  const dest = join(root, to);
  if (!existsSync(src)) continue;
  // A clean copy: a file deleted from src/ must not live on in dist/.
  rmSync(dest, { recursive: true, force: true });
  cpSync(src, dest, { recursive: true, filter: (path) => path === src || keep(path) });
  console.log(`copied ${from} → ${to}`);
}

const bin = join(root, 'dist/cli/main.js');
if (existsSync(bin)) chmodSync(bin, 0o755);
