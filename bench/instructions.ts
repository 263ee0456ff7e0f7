/**
 * `node dist/bench/instructions.js`: what observing a request costs in instructions, counted
 * by valgrind's callgrind rather than timed. Requests per second on a small virtual machine move
 * by a tenth between identical processes, which hides changes of a few percent; instruction
 * counts repeat to a fraction of a percent, so they show what a change to the request path did.
 *
 * The bench API's /mock route is served by two Porticos run under callgrind one after the other,
 * as observability.ts runs them: one with `--metrics off --logs off`, one with metrics on and the
 * stage's access log set through UpdateStage to AWS's JSON example format, written to a file.
 * Each gets WARMUP requests first (so the JIT has settled), then counting is switched on for
 * REQUESTS more, over keep-alive connections from this process (4 by default; wrk's 50 in the
 * throughput pair end about 48 requests per event-loop turn, which `--connections 48` comes
 * close to). Instructions per request are counted per thread (user space only: the kernel's
 * share is not counted) over that window, and printed for the whole process and for the main
 * thread, which answers the requests (the log writer thread does its part beside it). The window also holds background work
 * that happened in it (the log file's batched writes, compilation, garbage collection), so each
 * variant is run twice and both counts are printed.
 *
 * Options (flag or env): --requests / BENCH_IR_REQUESTS (15000), --warmup / BENCH_IR_WARMUP
 * (30000), --connections / BENCH_IR_CONNECTIONS (4, at most 256). Needs valgrind (Debian's
 * package); loopback only; everything it starts is stopped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { LOOPBACK, assertLoopbackUrl, freePort } from './net.js';
import { serveArgs, waitReady, writeProject } from './portico.js';
import { setJsonAccessLog } from './observability.js';
import { installExitHandlers, start, stop } from './procs.js';

const VALGRIND = process.env.BENCH_VALGRIND ?? 'valgrind';
const CALLGRIND_CONTROL = process.env.BENCH_CALLGRIND_CONTROL ?? 'callgrind_control';
const MAX_CONNECTIONS = 256;
const READY_TIMEOUT_MS = 300_000;
const REQUEST_TIMEOUT_MS = 30_000;

type Variant = 'off' | 'on';
const VARIANT_ARGS: Record<Variant, string[]> = { off: ['--metrics', 'off', '--logs', 'off'], on: ['--logs', 'file'] };
const VARIANT_NAMES: Record<Variant, string> = { off: 'metrics and logs off', on: 'metrics + JSON access log' };

function option(flag: string, env: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  const raw = at >= 0 ? process.argv[at + 1] : process.env[env];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 1_000_000) throw new Error(`${flag} must be a whole number from 1 to 1000000`);
  return value;
}

/** Sends `count` GETs over the pool, `connections` at a time; every answer must be the MOCK's. */
async function load(pool: Pool, path: string, count: number, connections: number): Promise<void> {
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent++;
      const res = await pool.request({ path, method: 'GET', headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
      const body = await res.body.text();
      if (res.statusCode !== 200 || !body.includes('"ok":true')) throw new Error(`unexpected answer: HTTP ${res.statusCode} ${body.slice(0, 120)}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

function callgrindControl(args: string[]): void {
  const r = spawnSync(CALLGRIND_CONTROL, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${CALLGRIND_CONTROL} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

/** Instructions per request of one variant in a Portico of its own under callgrind. */
/** Instructions per request: the whole process's, and the main (gateway) thread's. */
interface Count {
  all: number;
  main: number;
}

async function measure(repoRoot: string, dir: string, variant: Variant, warmup: number, requests: number, connections: number): Promise<Count> {
  const port = await freePort();
  const outFile = join(dir, 'callgrind.out');
  const args = [
    '--tool=callgrind',
    // Counting starts only for the measured window.
    '--instr-atstart=no',
    // The JIT rewrites code in place; without this callgrind may run stale translations.
    '--smc-check=all-non-file',
    // Counts per thread, so the gateway thread's share shows apart from the log writer's.
    '--separate-threads=yes',
    `--callgrind-out-file=${outFile}`,
    process.execPath,
    ...serveArgs({
      repoRoot,
      projectFile: writeProject(join(repoRoot, 'bench'), join(dir, 'project'), 1),
      dataDir: join(dir, 'data'),
      port,
      extraArgs: VARIANT_ARGS[variant],
    }),
  ];
  const proc = start(`portico-${variant}-callgrind`, VALGRIND, args, { group: true, cwd: repoRoot });
  const base = `http://${LOOPBACK}:${port}`;
  assertLoopbackUrl(base);
  const pool = new Pool(base, { connections });
  try {
    const portico = await waitReady(proc, port, READY_TIMEOUT_MS);
    if (variant === 'on') await setJsonAccessLog(portico);
    const path = new URL(`${portico.invokeBase}/mock`).pathname;
    await load(pool, path, warmup, connections);
    const pid = String(proc.child.pid);
    callgrindControl(['-i', 'on', pid]);
    await load(pool, path, requests, connections);
    callgrindControl(['-i', 'off', pid]);
    callgrindControl(['-d', pid]);
    // One file per dump and thread (`callgrind.out.{dump}-{thread}`); thread 01 is the main one.
    const dumps = new Map<string, { all: number; main: number }>();
    for (const name of readdirSync(dir)) {
      const file = /^callgrind\.out\.(\d+)-(\d+)$/.exec(name);
      if (file === null) continue;
      const totals = /^totals: (\d+)/m.exec(readFileSync(join(dir, name), 'utf8'));
      if (totals === null) continue;
      const dump = dumps.get(file[1]!) ?? { all: 0, main: 0 };
      dump.all += Number(totals[1]);
      if (Number(file[2]) === 1) dump.main += Number(totals[1]);
      dumps.set(file[1]!, dump);
    }
    // The window's dump is the one that counted anything; the one at exit holds what followed.
    const window = [...dumps.values()].sort((a, b) => b.all - a.all)[0];
    if (window === undefined || window.all === 0) throw new Error('callgrind wrote no counts');
    return { all: window.all / requests, main: window.main / requests };
  } finally {
    await pool.close().catch(() => undefined);
    await stop(proc);
  }
}

async function main(): Promise<void> {
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const requests = option('--requests', 'BENCH_IR_REQUESTS', 15_000);
  const warmup = option('--warmup', 'BENCH_IR_WARMUP', 30_000);
  const connections = option('--connections', 'BENCH_IR_CONNECTIONS', 4);
  if (connections > MAX_CONNECTIONS) throw new Error(`--connections must be at most ${MAX_CONNECTIONS}`);
  if (spawnSync(VALGRIND, ['--version']).status !== 0) throw new Error(`${VALGRIND} not found (Debian package valgrind)`);
  const dirs = new Set<string>();
  installExitHandlers(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const counts: Record<Variant, Count[]> = { off: [], on: [] };
  for (const round of [1, 2]) {
    for (const variant of ['off', 'on'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `portico-instructions-${variant}-`));
      dirs.add(dir);
      try {
        process.stderr.write(`instructions: ${VARIANT_NAMES[variant]}, run ${round} of 2 (${warmup} + ${requests} requests under callgrind)\n`);
        counts[variant].push(await measure(repoRoot, dir, variant, warmup, requests, connections));
      } finally {
        rmSync(dir, { recursive: true, force: true });
        dirs.delete(dir);
      }
    }
  }
  const least = (variant: Variant, part: keyof Count): number => Math.min(...counts[variant].map((count) => count[part]));
  const figure = (n: number): string => Math.round(n).toLocaleString('en-US');
  const rows = (['off', 'on'] as const).map(
    (variant) => `| ${VARIANT_NAMES[variant]} | ${counts[variant].map((c) => figure(c.all)).join(' / ')} | ${counts[variant].map((c) => figure(c.main)).join(' / ')} |`,
  );
  const added = (part: keyof Count): string =>
    `${figure(least('on', part) - least('off', part))} instructions per request (lower run of each), ${((least('on', part) / least('off', part) - 1) * 100).toFixed(1)}% more`;
  process.stdout.write(
    [
      `Instructions per request, Portico MOCK route, ${requests} requests after ${warmup} over ${connections} connections (callgrind, user space)`,
      '',
      '| variant | all threads | main thread |',
      '|---|---:|---:|',
      ...rows,
      '',
      `Observing adds ${added('all')} in all threads; ${added('main')} in the main thread, which answers the requests.`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(`instructions: ${(err as Error).message}`);
  process.exit(1);
});
