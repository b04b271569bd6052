/** The README is what a newcomer reads first: it must name every setting and command that exists. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { SETTINGS } from '../../src/config/settings.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README keeps the two set-up commands', () => {
  assert.ok(readme.includes('npm install && npm start'));
  assert.ok(readme.includes('npm test'));
});

test('the README lists every serve setting with its environment twin and default', () => {
  for (const s of SETTINGS) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${s.flag}\` |`));
    assert.ok(row, `README has no row for ${s.flag}`);
    assert.ok(row.includes(`\`${s.env}\``), `${s.flag}: ${s.env} missing`);
    if (s.default) assert.ok(row.includes(`\`${s.default}\``), `${s.flag}: default ${s.default} missing`);
  }
});

test('the README names every command', () => {
  for (const name of Object.keys(COMMANDS)) assert.ok(readme.includes(`bindrail ${name}`), `README does not mention bindrail ${name}`);
});
