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
  const failed = await new Promise<boolean>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second signal: the operator will not wait. Leases still held expire and are retried.
        process.stdout.write(`${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stdout.write(
        `${signal}: stopping — no new claims; running tasks get ${config.shutdownGraceMs} ms, then their leases are given back…\n`,
      );
      runtime.close().then(
        () => resolve(false),
        (err: unknown) => {
          process.stderr.write(`bindrail: shutdown did not finish cleanly: ${err instanceof Error ? err.message : String(err)}\n`);
          resolve(true);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return failed ? 1 : 0;
}
