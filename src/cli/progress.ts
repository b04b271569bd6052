/**
 * Progress for long CLI runs, on stderr so stdout stays clean for --json and pipes. On a terminal:
 * one bar redrawn in place. Anywhere else (CI logs, files): a plain line every tenth of the way.
 */

export interface ProgressOptions {
  /** What is being counted: "submit", "ledger verify". */
  label: string;
  /** Units expected; 0 or unknown shows a count without a bar. */
  total: number;
  /** Unit name for the text, plural: "files", "leaves". */
  unit?: string;
  /** Where to draw; default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Force bar (true) or plain lines (false); default: bar only when `stream` is a TTY. */
  tty?: boolean;
  now?: () => number;
}

export interface Progress {
  /** `n` more units done (default 1). */
  tick(n?: number): void;
  /** Sets the count outright (e.g. from a position in a stream). */
  set(done: number): void;
  /** Writes a line (to stdout by default) without tearing the bar: the bar is cleared, then redrawn. */
  println(text: string, out?: NodeJS.WritableStream): void;
  /** Ends the bar with a final line; `summary` replaces the default "done in …". */
  done(summary?: string): void;
}

const REDRAW_MS = 80;
const BAR_WIDTH = 28;

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : ms < 3_600_000 ? `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s` : `${(ms / 3_600_000).toFixed(1)}h`;
}

/** The text of one progress line (no newline); exported for tests. */
export function progressLine(o: { label: string; unit: string; done: number; total: number; elapsedMs: number; bar: boolean }): string {
  const { label, unit, done, total, elapsedMs } = o;
  if (total <= 0) return `${label}: ${done} ${unit} (${seconds(elapsedMs)})`;
  const ratio = Math.min(1, done / total);
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  const eta = done > 0 && done < total ? ` eta ${seconds((elapsedMs / done) * (total - done))}` : '';
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = o.bar ? ` [${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]` : '';
  return `${label}${bar} ${pct} ${done}/${total} ${unit} ${seconds(elapsedMs)}${eta}`;
}

/** A progress reporter; see ProgressOptions. Cheap to tick millions of times (redraws are throttled). */
export function progress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const now = opts.now ?? Date.now;
  const unit = opts.unit ?? 'items';
  const started = now();
  let done = 0;
  let lastDraw = 0;
  let lastDecile = 0;
  let shown = false;
  let finished = false;

  const line = () => progressLine({ label: opts.label, unit, done, total: opts.total, elapsedMs: now() - started, bar: tty });
  const clip = (text: string) => (stream.columns ? text.slice(0, Math.max(10, stream.columns - 1)) : text);

  function draw(force = false): void {
    if (finished) return;
    if (tty) {
      const t = now();
      if (!force && t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      stream.write(`\r${clip(line())}\x1b[K`);
      shown = true;
      return;
    }
    // Plain output: one line per tenth of the way (or per 1000 units when the total is unknown).
    const decile = opts.total > 0 ? Math.floor((done / opts.total) * 10) : Math.floor(done / 1000);
    if (decile > lastDecile) {
      lastDecile = decile;
      stream.write(`${line()}\n`);
    }
  }

  function clear(): void {
    if (tty && shown) stream.write('\r\x1b[K');
  }

  return {
    tick(n = 1) {
      done += n;
      draw();
    },
    set(value) {
      done = value;
      draw();
    },
    println(text, out = process.stdout) {
      clear();
      out.write(text.endsWith('\n') ? text : `${text}\n`);
      if (tty && shown) draw(true);
    },
    done(summary) {
      if (finished) return;
      clear();
      finished = true;
      // Plain output has already said 100%; say it again only with something new.
      if (!tty && summary === undefined && opts.total > 0 && lastDecile >= 10) return;
      stream.write(`${summary ?? `${line()} — done`}\n`);
    },
  };
}
