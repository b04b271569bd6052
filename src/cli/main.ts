#!/usr/bin/env node
/** The bindrail command: one subcommand per file in src/cli. */
import { COMMANDS } from './commands.js';
import { BindrailProblemError } from '../client/errors.js';
import { HttpError } from './http-client.js';

function usage(): string {
  return `bindrail — execution binding rail\n\nUsage: bindrail <command> [options]\n\n${Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`)
    .join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof HttpError || err instanceof BindrailProblemError) process.stderr.write(`bindrail: ${err.message}\n${JSON.stringify(err.problem.errors ?? '', null, 0)}\n`);
    else process.stderr.write(`bindrail: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
