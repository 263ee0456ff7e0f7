/**
 * Runs wrk against one loopback URL and turns its `--latency` report into numbers.
 */
import { assertLoopbackUrl } from './net.js';
import { start, stop } from './procs.js';

export const WRK_BIN = process.env.BENCH_WRK ?? '/usr/bin/wrk';

export interface WrkOptions {
  durationSec: number;
  connections: number;
  threads: number;
  /** Per-request timeout passed to wrk; slower responses count as timeouts, not latency. */
  timeoutSec: number;
  /** Request headers, sent on every request (`-H 'Name: value'`). */
  headers?: Readonly<Record<string, string>>;
  /** A Lua script (`-s`), e.g. one that spreads requests over several paths of the URL's host. */
  script?: string;
}

export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  raw: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** wrk prints durations as e.g. `512.00us`, `1.23ms`, `2.01s`. */
export function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(value.trim());
  if (!m) throw new Error(`unrecognised wrk duration "${value}"`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

export function parseWrk(out: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p50 = /^\s*50%\s+(\S+)/m.exec(out);
  const p99 = /^\s*99%\s+(\S+)/m.exec(out);
  if (!rps || !p50 || !p99) throw new Error(`could not parse wrk output:\n${out}`);
  const total = /^\s*(\d+) requests in/m.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSec: Number(rps[1]),
    p50Ms: toMs(p50[1]),
    p99Ms: toMs(p99[1]),
    requests: total ? Number(total[1]) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: sock ? Number(sock[1]) : 0,
      read: sock ? Number(sock[2]) : 0,
      write: sock ? Number(sock[3]) : 0,
      timeout: sock ? Number(sock[4]) : 0,
    },
    raw: out,
  };
}

export async function runWrk(url: string, opts: WrkOptions): Promise<WrkResult> {
  assertLoopbackUrl(url);
  const args = [
    '--latency',
    '-t', String(opts.threads),
    '-c', String(opts.connections),
    '-d', `${opts.durationSec}s`,
    '--timeout', `${opts.timeoutSec}s`,
    ...Object.entries(opts.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    ...(opts.script === undefined ? [] : ['-s', opts.script]),
    url,
  ];
  const proc = start('wrk', WRK_BIN, args);
  let out = '';
  proc.child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  // wrk stops itself after -d; the guard covers a wedged wrk so the run stays bounded.
  const guardMs = (opts.durationSec + opts.timeoutSec + 15) * 1000;
  const guard = setTimeout(() => void stop(proc, 1000), guardMs);
  await proc.exited;
  clearTimeout(guard);
  if (proc.exitCode !== 0) {
    throw new Error(`wrk exited with code ${proc.exitCode} signal ${proc.exitSignal}: ${proc.tail.slice(-5).join(' | ')}`);
  }
  return parseWrk(out);
}
