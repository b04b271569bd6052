#!/usr/bin/env node
// tsc emits only .ts → .js: copy what the compiled code reads at run time from beside itself —
// the console's static files and the SQL migrations — from src/ into dist/. Run after tsc.
import { cpSync, existsSync, rmSync } from 'node:fs';
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
