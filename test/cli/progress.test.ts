/** The CLI progress reporter: a bar redrawn in place on a terminal, a line per tenth elsewhere. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { progress, progressLine } from '../../src/cli/progress.js';

/** A stream that keeps what is written to it, standing in for stderr. */
function sink(tty: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: tty, columns: tty ? 100 : undefined });
  return { stream, text: () => text };
}

test('progressLine: bar, percent, count, elapsed and eta', () => {
  assert.equal(progressLine({ label: 'ledger verify', unit: 'leaves', done: 25, total: 100, elapsedMs: 2_000, bar: false }), 'ledger verify  25% 25/100 leaves 2.0s eta 6.0s');
  const bar = progressLine({ label: 'submit', unit: 'files', done: 1, total: 2, elapsedMs: 500, bar: true });
  assert.match(bar, /^submit \[█{14}░{14}\] {2}50% 1\/2 files 0\.5s eta 0\.5s$/);
  assert.equal(progressLine({ label: 'scan', unit: 'rows', done: 7, total: 0, elapsedMs: 65_000, bar: true }), 'scan: 7 rows (1m05s)');
});

test('not a terminal: one plain line per tenth, none repeated at the end', () => {
  const out = sink(false);
  const p = progress({ label: 'verify', total: 20, unit: 'leaves', stream: out.stream, now: () => 0 });
  for (let i = 0; i < 20; i++) p.tick();
  p.done();
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines.length, 10);
  assert.ok(lines.every((l) => !l.includes('\r') && !l.includes('\x1b')));
  assert.equal(lines.at(-1), 'verify 100% 20/20 leaves 0.0s');
});

test('a terminal: the bar is redrawn in place, lines printed above it, and a final line', () => {
  const out = sink(true);
  const printed = sink(false);
  let t = 0;
  const p = progress({ label: 'submit', total: 4, unit: 'files', stream: out.stream, now: () => (t += 100) });
  p.tick();
  p.println('a.json: bnd_1 queued', printed.stream);
  p.tick(3);
  p.done('submit: 4 files');
  const text = out.text();
  assert.ok(text.startsWith('\rsubmit ['), JSON.stringify(text));
  assert.ok(text.includes('\r\x1b[K'), 'the bar is cleared before a printed line');
  assert.ok(text.endsWith('\r\x1b[Ksubmit: 4 files\n'), JSON.stringify(text));
  assert.equal(printed.text(), 'a.json: bnd_1 queued\n');
});
