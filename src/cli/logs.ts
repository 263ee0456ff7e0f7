/**
 * `portico logs`: prints the last lines of a log group that `portico serve` wrote to files
 * (`--logs file`, the default), and with `--follow` keeps printing new lines as they are
 * written, across rotations.
 *
 * The group is named directly, or found from a stage: `--execution` derives AWS's execution log
 * group name; otherwise the stage's accessLogSettings are read from the data directory's
 * database, opened read-only (SQLite in WAL mode lets it read while a server writes).
 *
 * Colours (status codes by class, failure lines in red) only when standard output is a
 * terminal and NO_COLOR is unset. Usage mistakes exit 2, a missing log file or stage exits 1,
 * each with one line on stderr.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { logFilePath } from '../observability/log-sinks.js';
import { logGroupOfArn } from '../observability/access-log-format.js';
import { executionLogGroup } from '../observability/execution-logging.js';
import { DATABASE_FILE_NAME } from '../store/sqlite.js';

export const LOGS_HELP = `Usage: portico logs GROUP [options]
       portico logs --api ID --stage NAME [--execution] [options]

Prints the last lines of a log group written by 'portico serve' (with --logs file, the
default). A stage's access logs go to the log group its accessLogSettings.destinationArn
names; its execution logs to API-Gateway-Execution-Logs_{apiId}/{stage}.

Options:
  --api ID          the REST API whose stage to read
  --stage NAME      the stage; without --execution its access log group is looked up
                    in the data directory (the stage's accessLogSettings)
  --execution       the stage's execution logs instead of its access logs
  --data-dir DIR    the data directory (default ./.portico, or PORTICO_DATA_DIR)
  -n, --lines N     print the last N lines (default 20)
  -f, --follow      keep printing lines as they are written, across file rotations
                    (stop with Ctrl+C)
  -h, --help        show this help

Status codes and failed steps are coloured when the output is a terminal and NO_COLOR
is unset.`;

/** How often --follow looks for new lines. */
const POLL_MS = 200;
/** Rotated files looked at for the last lines, at most (`.log.1` … `.log.N`). */
const MAX_ROTATED = 100;
const CHUNK = 64 * 1024;

/** A mistake in the command line: exit 2. */
class UsageError extends Error {}
/** Something the command line names that is not there: exit 1. */
class NotFound extends Error {}

/** Runs `portico logs ARGS`; resolves with the exit code (never, while following). */
export async function logsCommand(argv: string[]): Promise<number> {
  try {
    await run(argv);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`portico: ${err.message} (see 'portico logs --help')`);
      return 2;
    }
    if (err instanceof NotFound) {
      console.error(`portico: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function run(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        api: { type: 'string' },
        stage: { type: 'string' },
        execution: { type: 'boolean' },
        'data-dir': { type: 'string' },
        lines: { type: 'string', short: 'n' },
        follow: { type: 'boolean', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(LOGS_HELP);
    return;
  }
  const lines = values.lines === undefined ? 20 : Number(values.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`--lines must be a whole number, not '${values.lines}'`);
  const dataDir = resolve(values['data-dir'] ?? process.env.PORTICO_DATA_DIR ?? '.portico');
  const group = groupOf(positionals, values, dataDir);
  const path = logFilePath(join(dataDir, 'logs'), group);

  const out = new Output(process.stdout.isTTY === true && !process.env.NO_COLOR);
  if (!values.follow) {
    if (!existsSync(path)) throw new NotFound(`no log file for log group '${group}': ${path} does not exist (nothing logged yet, or another --data-dir?)`);
    out.lines(await lastLines(path, lines));
    return;
  }
  await follow(path, group, lines, out);
}

function groupOf(positionals: string[], values: { api?: string; stage?: string; execution?: boolean }, dataDir: string): string {
  if (positionals.length > 1) throw new UsageError(`one log group at a time, not ${positionals.length}`);
  const named = positionals[0];
  const byStage = values.api !== undefined || values.stage !== undefined;
  if (named !== undefined && (byStage || values.execution)) throw new UsageError('give a log group or --api/--stage, not both');
  if (named !== undefined) return named;
  if (!byStage) throw new UsageError(values.execution ? '--execution needs --api and --stage' : 'name a log group, or a stage with --api and --stage');
  if (values.api === undefined || values.stage === undefined) throw new UsageError('--api and --stage go together');
  if (values.execution) return executionLogGroup(values.api, values.stage);
  return accessLogGroupOf(dataDir, values.api, values.stage);
}

/** The access log group of a stage, from its stored accessLogSettings. */
function accessLogGroupOf(dataDir: string, apiId: string, stageName: string): string {
  const file = join(dataDir, DATABASE_FILE_NAME);
  if (!existsSync(file)) throw new NotFound(`no Portico data in ${dataDir} (${DATABASE_FILE_NAME} not found; see --data-dir)`);
  let document: string | undefined;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
    try {
      document = db.prepare('SELECT document FROM stages WHERE api_id = ? AND stage_name = ?').pluck().get(apiId, stageName) as string | undefined;
    } finally {
      db.close();
    }
  } catch (err) {
    throw new NotFound(`cannot read the stage from ${file}: ${(err as Error).message}`);
  }
  if (document === undefined) throw new NotFound(`API ${apiId} has no stage '${stageName}' in ${dataDir}`);
  const settings = (JSON.parse(document) as { accessLogSettings?: { destinationArn?: string; format?: string } }).accessLogSettings;
  const arn = settings?.destinationArn;
  if (arn === undefined) {
    throw new NotFound(`stage '${stageName}' of API ${apiId} has no access logging (accessLogSettings/destinationArn); --execution reads its execution logs`);
  }
  const group = logGroupOfArn(arn);
  if (group === undefined) throw new NotFound(`stage '${stageName}' of API ${apiId} logs to ${arn}, which names no log group`);
  return group;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The last `n` complete lines of the group: its file, then its rotated files if it has fewer. */
async function lastLines(path: string, n: number): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const lines = await tailOfFile(handle, n, (await handle.stat()).size);
    return (await rotatedLines(path, n - lines.length)).concat(lines);
  } finally {
    await handle.close();
  }
}

/** The last `n` lines of the rotated files, newest (`.1`) first until there are enough. */
async function rotatedLines(path: string, n: number): Promise<string[]> {
  let lines: string[] = [];
  for (let k = 1; k <= MAX_ROTATED && lines.length < n; k++) {
    let handle: FileHandle;
    try {
      handle = await open(`${path}.${k}`, 'r');
    } catch {
      break;
    }
    try {
      lines = (await tailOfFile(handle, n - lines.length, (await handle.stat()).size)).concat(lines);
    } finally {
      await handle.close();
    }
  }
  return lines;
}

/** The last `n` complete lines of the first `size` bytes of an open file, read backwards in chunks. */
async function tailOfFile(handle: FileHandle, n: number, size: number): Promise<string[]> {
  if (n <= 0) return [];
  const chunks: Buffer[] = [];
  let newlines = 0;
  let position = size;
  // n complete lines need n + 1 newlines to be sure where the first begins (or the file's start).
  while (position > 0 && newlines <= n) {
    const length = Math.min(CHUNK, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, position);
    for (let i = 0; i < length; i++) if (chunk[i] === 0x0a) newlines++;
    chunks.unshift(chunk);
  }
  const text = Buffer.concat(chunks);
  const end = text.lastIndexOf(0x0a);
  if (end === -1) return [];
  const lines = text.subarray(0, end).toString('utf8').split('\n');
  // Without the file's start in the buffer, the first piece is the tail of an earlier line.
  if (position > 0) lines.shift();
  return lines.slice(-n);
}

interface Followed {
  handle: FileHandle;
  ino: number;
  position: number;
  partial: Buffer;
}

/** Prints the last lines, then new ones as they come, reopening the file when it is rotated. */
async function follow(path: string, group: string, n: number, out: Output): Promise<never> {
  let current: Followed | undefined;
  try {
    const handle = await open(path, 'r');
    const info = await handle.stat();
    const lines = await tailOfFile(handle, n, info.size);
    out.lines((await rotatedLines(path, n - lines.length)).concat(lines));
    // Go on after the last complete line, so that a line being written is printed whole later.
    current = { handle, ino: info.ino, position: info.size - (await trailingPartialLength(handle, info.size)), partial: Buffer.alloc(0) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    console.error(`portico: waiting for log group '${group}' (${path})`);
  }

  const drain = async (followed: Followed): Promise<void> => {
    const read = await readNew(followed.handle, followed.position, followed.partial);
    followed.position = read.position;
    followed.partial = read.partial;
    out.lines(read.lines);
  };

  for (;;) {
    if (current !== undefined) await drain(current);
    let info;
    try {
      info = await stat(path);
    } catch {
      info = undefined; // rotated away and not created again yet
    }
    if (info !== undefined && (current === undefined || info.ino !== current.ino)) {
      if (current !== undefined) {
        // The old file may have grown between the read above and its rename: finish it first.
        await drain(current);
        if (current.partial.length > 0) out.lines([current.partial.toString('utf8')]);
        await current.handle.close();
        current = undefined;
      }
      try {
        const handle = await open(path, 'r');
        current = { handle, ino: (await handle.stat()).ino, position: 0, partial: Buffer.alloc(0) };
      } catch {
        // Gone again between stat and open: the next round tries again.
      }
      continue;
    }
    if (info !== undefined && current !== undefined && info.size < current.position) {
      // Truncated in place: start again from its beginning.
      current.position = 0;
      current.partial = Buffer.alloc(0);
      continue;
    }
    await sleep(POLL_MS);
  }
}

/** Bytes after the last newline of the first `size` bytes. */
async function trailingPartialLength(handle: FileHandle, size: number): Promise<number> {
  let position = size;
  while (position > 0) {
    const length = Math.min(CHUNK, position);
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, position - length);
    const nl = chunk.lastIndexOf(0x0a);
    if (nl !== -1) return size - (position - length + nl + 1);
    position -= length;
  }
  return size;
}

/** What was appended since `position`: its complete lines, and the unfinished rest. */
async function readNew(handle: FileHandle, position: number, partial: Buffer): Promise<{ lines: string[]; position: number; partial: Buffer }> {
  const lines: string[] = [];
  let rest = partial;
  for (;;) {
    const chunk = Buffer.alloc(CHUNK);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let text = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    let nl: number;
    while ((nl = text.indexOf(0x0a)) !== -1) {
      lines.push(text.subarray(0, nl).toString('utf8'));
      text = text.subarray(nl + 1);
    }
    rest = Buffer.from(text);
  }
  return { lines, position, partial: rest };
}

// ---------------------------------------------------------------------------------------------
// Printing

const RESET = '\x1b[0m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const CYAN = '\x1b[36m';

/** Where the status code sits in the console's presets and in execution log lines. */
const STATUS_PATTERNS = [
  /"status"\s*:\s*"?(\d{3})\b/, // JSON
  /<status>(\d{3})<\/status>/, // XML
  /" (\d{3}) /, // CLF: right after the quoted request line
  /HTTP\/\d(?:\.\d)?,(\d{3}),/, // CSV: right after the protocol
  /status: (\d{3})\b/, // execution logs: "Method completed with status: 200"
];
const FAILURE = /\b(?:fail(?:ed|ure)?|error|exception|timed out|unauthorized|denied)\b/i;

class Output {
  constructor(private readonly colour: boolean) {
    // A reader that goes away (`| head`) ends the command quietly.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') console.error(`portico: cannot write to standard output: ${err.message}`);
      process.exit(err.code === 'EPIPE' ? 0 : 1);
    });
  }

  lines(lines: string[]): void {
    if (lines.length === 0) return;
    const text = this.colour ? lines.map(colourLine).join('\n') : lines.join('\n');
    process.stdout.write(`${text}\n`);
  }
}

function colourLine(line: string): string {
  for (const pattern of STATUS_PATTERNS) {
    const m = pattern.exec(line);
    if (m === null) continue;
    const code = m[1]!;
    const colour = code[0] === '2' ? GREEN : code[0] === '3' ? CYAN : code[0] === '4' ? YELLOW : code[0] === '5' ? RED : undefined;
    if (colour === undefined) return line;
    const at = m.index + m[0].indexOf(code);
    return `${line.slice(0, at)}${colour}${code}${RESET}${line.slice(at + code.length)}`;
  }
  return FAILURE.test(line) ? `${RED}${line}${RESET}` : line;
}
