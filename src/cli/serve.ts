/** `bindrail serve`: the API, the workers and the reaper in one process (or one --role). */
import { parseArgs } from 'node:util';
import { startRail } from '../boot/start.js';
import { loadConfig, settingsHelp } from '../config/load-config.js';
import { SETTINGS } from '../config/settings.js';

export const SERVE_HELP = `bindrail serve [options]

Runs the rail. Every option has a BINDRAIL_* environment twin; flags win over the environment.

${settingsHelp()}
`;

export async function serve(argv: string[]): Promise<number> {
  const options = Object.fromEntries(
    SETTINGS.map((s) => [s.flag.slice(2), { type: s.kind === 'bool' ? ('boolean' as const) : ('string' as const) }]),
  );
  const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const config = loadConfig(values as Record<string, string | boolean | undefined>);
  const runtime = await startRail(config);
  const url = runtime.url ?? '(no HTTP: worker role)';
  process.stdout.write(`bindrail serving on ${url} — store ${runtime.store.dialect}, data dir ${config.dataDir}, role ${config.role}\n`);
  if (runtime.createdAdminKey) {
    process.stdout.write(
      `\nAdmin API key (shown once; also saved to ${config.dataDir}/admin.key, mode 0600):\n  ${runtime.createdAdminKey}\n\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`${signal}: stopping — no new claims, finishing running tasks…\n`);
      void runtime.close().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
