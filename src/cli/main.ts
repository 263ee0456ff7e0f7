#!/usr/bin/env node
/**
 * The `portico` command: `serve` (serve.ts) and `logs` (logs.ts). Each command's modules are
 * loaded when it runs, so reading logs does not load the server. Mistakes a user can make print
 * one line and exit 2; nothing prints a stack trace unless something is truly broken.
 */
import { VERSION } from '../version.js';
import { UsageError } from './usage-error.js';


const MAIN_HELP = `portico ${VERSION} — Amazon API Gateway on your own machine

Usage:
  portico serve [FILE...] [options]   serve OpenAPI files or a portico.yaml project
  portico logs GROUP [options]        print (and follow) a log group's access or execution logs
  portico --version                   print the version
  portico COMMAND --help              help for a command

Run 'portico serve --help' for the serve options, 'portico logs --help' for reading logs.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(MAIN_HELP);
    return;
  }
  if (command === '--version' || command === '-v') {
    console.log(VERSION);
    return;
  }
  if (command === 'serve') return (await import('./serve.js')).serve(rest);
  if (command === 'logs') {
    process.exitCode = await (await import('./logs.js')).logsCommand(rest);
    return;
  }
  throw new UsageError(`unknown command '${command}' (see 'portico --help')`);
}

main(process.argv.slice(2)).catch(async (err: unknown) => {
  // A usage mistake needs nothing more; any other error came from serve, whose module is loaded.
  const serve = err instanceof UsageError ? undefined : await import('./serve.js');
  if (err instanceof UsageError || serve?.isUserError(err)) {
    console.error(`portico: ${(serve?.describe(err) ?? (err as Error).message).split('\n').join('\n  ')}`);
    process.exit(2);
  }
  console.error('portico: unexpected error:', err);
  process.exit(1);
});
