/** Every bindrail subcommand, with the one line `bindrail --help` shows for it. */
import { keys } from './keys.js';
import { ledger } from './ledger.js';
import { mcp } from './mcp.js';
import { serve } from './serve.js';
import { show } from './show.js';
import { status } from './status.js';
import { submit } from './submit.js';
import { verify } from './verify.js';

export const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  serve: { run: serve, help: 'run the rail (API + workers) — see bindrail serve --help' },
  submit: { run: submit, help: 'submit Work Order files to a running rail, --wait for results' },
  show: { run: show, help: 'show a binding and its result contract' },
  status: { run: status, help: 'the queue pulse in the terminal (--watch, --json)' },
  mcp: { run: mcp, help: 'serve the MCP protocol on stdio (for agents), against --url or --embedded' },
  verify: { run: verify, help: 'check a result bundle offline (GET /v1/bindings/{id}/bundle); names the first failed check' },
  ledger: { run: ledger, help: 'ledger verify: recompute the whole ledger from the store; names the first tampered row' },
  keys: { run: keys, help: 'keys create|list|revoke: API keys; keys rotate: a new signing key (the old one stays published)' },
};

