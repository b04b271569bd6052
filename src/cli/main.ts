#!/usr/bin/env node
/** The bindrail command: one subcommand per file in src/cli. */
import { HttpError } from './http-client.js';
import { keys } from './keys.js';
import { ledger } from './ledger.js';
import { mcp } from './mcp.js';
import { serve } from './serve.js';
import { show } from './show.js';
import { status } from './status.js';
import { submit } from './submit.js';
import { verify } from './verify.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  serve: { run: serve, help: 'run the rail (API + workers) — see bindrail serve --help' },
  submit: { run: submit, help: 'submit Work Order files to a running rail, --wait for results' },
  show: { run: show, help: 'show a binding and its result contract' },
  status: { run: status, help: 'the queue pulse in the terminal (--watch, --json)' },
  mcp: { run: mcp, help: 'serve the MCP protocol on stdio (for agents), against --url or --embedded' },
  verify: { run: verify, help: 'check a result bundle offline (GET /v1/bindings/{id}/bundle); names the first failed check' },
  ledger: { run: ledger, help: 'ledger verify: recompute the whole ledger from the store; names the first tampered row' },
  keys: { run: keys, help: 'keys create|list|revoke: API keys; keys rotate: a new signing key (the old one stays published)' },
};

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
    if (err instanceof HttpError) process.stderr.write(`bindrail: ${err.message}\n${JSON.stringify(err.problem.errors ?? '', null, 0)}\n`);
    else process.stderr.write(`bindrail: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
