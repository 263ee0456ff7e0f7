/**
 * Loopback-only networking helpers for the benchmark: the guard that keeps every target on
 * 127.0.0.1, free-port discovery, and a one-shot HTTP GET used for readiness and checks.
 */
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { Tracked } from './procs.js';
import { isRunning } from './procs.js';

export const LOOPBACK = '127.0.0.1';

/** The benchmark generates real load; it must never be pointed at anything but this machine. */
export function assertLoopbackUrl(url: string): URL {
  const u = new URL(url);
  if (u.protocol !== 'http:' || u.hostname !== LOOPBACK) {
    throw new Error(`refusing non-loopback benchmark target ${url}`);
  }
  return u;
}

export function assertLoopbackPort(port: number): void {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port ${port}`);
}

/** An ephemeral port that was free a moment ago, for servers that need the port up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('unexpected address'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

export interface HttpResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A single GET on a fresh connection, so the driver holds no keep-alive sockets open. */
export function httpGet(url: string, timeoutMs = 5000, headers: Readonly<Record<string, string>> = {}): Promise<HttpResult> {
  const u = assertLoopbackUrl(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', agent: false, headers: { ...headers, Connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 200, the process dies, or `timeoutMs` passes. */
export async function waitForHttp200(url: string, proc: Tracked, timeoutMs: number): Promise<HttpResult> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isRunning(proc)) {
      throw new Error(`${proc.name} exited (code ${proc.exitCode}, signal ${proc.exitSignal}); last output: ${proc.tail.slice(-5).join(' | ')}`);
    }
    try {
      const res = await httpGet(url, 2000);
      if (res.status === 200) return res;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${proc.name}: ${url} not ready within ${timeoutMs} ms (${last}); last output: ${proc.tail.slice(-5).join(' | ')}`);
}
