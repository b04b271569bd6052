/** Builds the one frozen Config: defaults ← environment ← flags. Invalid values fail at start. */
import { SETTINGS, type Config, type Setting } from './settings.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "1s,5s,30s,2m" → [1000, 5000, 30000, 120000]; plain numbers are milliseconds. */
export function parseDurations(text: string): number[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+)(ms|s|m|h)?\s*$/.exec(part);
    if (!m) throw new Error(`not a duration: ${part}`);
    return Number(m[1]) * UNITS[m[2] ?? 'ms']!;
  });
}

function parseValue(s: Setting, raw: string): unknown {
  switch (s.kind) {
    case 'int': {
      if (!/^\d+$/.test(raw)) throw new Error(`${s.flag} / ${s.env} must be a whole number, got ${raw}`);
      return Number(raw);
    }
    case 'bool':
      return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
    case 'durations':
      return parseDurations(raw);
    default:
      return raw;
  }
}

export function loadConfig(flags: Record<string, string | boolean | undefined> = {}, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const flagName = s.flag.slice(2);
    const flag = flags[flagName];
    const raw = flag === true ? 'true' : (flag ?? env[s.env] ?? s.default);
    out[s.key] = parseValue(s, String(raw));
  }
  const config = out as unknown as Config;
  if (!['all', 'api', 'worker'].includes(config.role)) throw new Error(`--role must be api, worker or all, got ${config.role}`);
  if (config.port > 65535) throw new Error(`--port out of range: ${config.port}`);
  if (config.concurrency < 1) throw new Error('--concurrency must be at least 1');
  return Object.freeze(config);
}

export function settingsHelp(): string {
  return SETTINGS.map((s) => `  ${(s.flag + (s.kind === 'bool' ? '' : ' <v>')).padEnd(32)} ${s.env.padEnd(34)} ${s.help} (default: ${s.default || 'none'})`).join('\n');
}
