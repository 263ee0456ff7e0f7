/**
 * What the benchmark reports: the machine it ran on, the per-target rows, the ratios that
 * compare Portico with nginx and bare node:http, and their Markdown rendering.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { NGINX_BIN } from './nginx.js';
import { WRK_BIN } from './wrk.js';

export const TARGETS = {
  direct: 'direct',
  nginx: 'nginx proxy_pass',
  httpProxy: 'portico HTTP_PROXY',
  mock: 'portico MOCK',
  awsProxy: 'portico AWS_PROXY',
  nodeFixed: 'node:http fixed',
} as const;

export interface Row {
  target: string;
  url?: string;
  /** False when the target could not be checked or measured; the numbers are then absent or untrustworthy. */
  ok: boolean;
  requestsPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  requests?: number;
  non2xx?: number;
  socketErrors?: { connect: number; read: number; write: number; timeout: number };
  note?: string;
}

export interface Machine {
  cpu: string;
  nproc: number;
  node: string;
  nginx: string;
  wrk: string;
  loadAvgAtStart: number[];
  loadAvgAtEnd?: number[];
}

export interface Params {
  quick: boolean;
  durationSec: number;
  warmupSec: number;
  connections: number;
  threads: number;
  timeoutSec: number;
}

export interface Ratios {
  httpProxyOverNginxThroughput: number | null;
  httpProxyOverDirectThroughput: number | null;
  httpProxyAddedP50Ms: number | null;
  httpProxyAddedP99Ms: number | null;
  mockOverNodeFixedThroughput: number | null;
  awsProxyRequestsPerSec: number | null;
}

export interface Result {
  date: string;
  machine: Machine;
  params: Params;
  rows: Row[];
  ratios: Ratios;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '');
  return text?.trim() ?? `unavailable (${r.error?.message ?? `exit ${r.status}`})`;
}

export function machineInfo(): Machine {
  let cpu = 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // Not Linux; the model stays unknown.
  }
  const nprocOut = Number(firstLine('nproc', []));
  return {
    cpu,
    nproc: Number.isInteger(nprocOut) && nprocOut > 0 ? nprocOut : availableParallelism(),
    node: process.version,
    nginx: firstLine(NGINX_BIN, ['-v']).replace(/^nginx version:\s*/, ''),
    // `wrk -v` prints the version then usage; keep only the version.
    wrk: firstLine(WRK_BIN, ['-v']).replace(/\s*Copyright.*$/, ''),
    loadAvgAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export function computeRatios(rows: Row[]): Ratios {
  const get = (name: string) => rows.find((r) => r.target === name && r.ok);
  const direct = get(TARGETS.direct);
  const nginx = get(TARGETS.nginx);
  const proxy = get(TARGETS.httpProxy);
  const mock = get(TARGETS.mock);
  const fixed = get(TARGETS.nodeFixed);
  const aws = get(TARGETS.awsProxy);
  const div = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? a / b : null);
  const sub = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a - b : null);
  return {
    httpProxyOverNginxThroughput: div(proxy?.requestsPerSec, nginx?.requestsPerSec),
    httpProxyOverDirectThroughput: div(proxy?.requestsPerSec, direct?.requestsPerSec),
    httpProxyAddedP50Ms: sub(proxy?.p50Ms, direct?.p50Ms),
    httpProxyAddedP99Ms: sub(proxy?.p99Ms, direct?.p99Ms),
    mockOverNodeFixedThroughput: div(mock?.requestsPerSec, fixed?.requestsPerSec),
    awsProxyRequestsPerSec: aws?.requestsPerSec ?? null,
  };
}

const num = (n: number | undefined, digits: number) => (n === undefined ? '-' : n.toFixed(digits));
const ratio = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(2)}x`);
const ms = (n: number | null) => (n === null ? 'n/a' : `${n >= 0 ? '+' : ''}${n.toFixed(2)} ms`);

export function renderMarkdown(res: Result): string {
  const p = res.params;
  const m = res.machine;
  const lines: string[] = [];
  lines.push('# Portico benchmark', '');
  lines.push(`- Date: ${res.date}`);
  lines.push(`- Machine: ${m.cpu}, nproc ${m.nproc}, load average at start ${m.loadAvgAtStart.join(' / ')}${m.loadAvgAtEnd ? `, at end ${m.loadAvgAtEnd.join(' / ')}` : ''}`);
  lines.push(`- Software: Node ${m.node}, ${m.nginx}, wrk ${m.wrk.replace(/^wrk\s+/, "")}`);
  lines.push(
    `- Load: \`wrk --latency -t${p.threads} -c${p.connections} -d${p.durationSec}s --timeout ${p.timeoutSec}s\`, ${p.warmupSec}s warm-up per target${p.quick ? ' (quick mode)' : ''}; servers, wrk and the driver are separate processes on the same machine`,
  );
  lines.push('');
  lines.push('| target | req/s | p50 ms | p99 ms | notes |');
  lines.push('|---|---:|---:|---:|---|');
  for (const r of res.rows) {
    const note = (r.note ?? '').replace(/\|/g, '\\|').replace(/\s+/g, ' ');
    const failed = r.ok ? '' : 'FAILED';
    const notes = [failed, note].filter((s) => s !== '').join(': ');
    lines.push(`| ${r.target} | ${num(r.requestsPerSec, 0)} | ${num(r.p50Ms, 2)} | ${num(r.p99Ms, 2)} | ${notes} |`);
  }
  const q = res.ratios;
  lines.push('', '## Ratios', '');
  lines.push('| comparison | value |');
  lines.push('|---|---:|');
  lines.push(`| Portico HTTP_PROXY / nginx proxy_pass (req/s) | ${ratio(q.httpProxyOverNginxThroughput)} |`);
  lines.push(`| Portico HTTP_PROXY / direct (req/s) | ${ratio(q.httpProxyOverDirectThroughput)} |`);
  lines.push(`| Portico HTTP_PROXY added p50 over direct | ${ms(q.httpProxyAddedP50Ms)} |`);
  lines.push(`| Portico HTTP_PROXY added p99 over direct | ${ms(q.httpProxyAddedP99Ms)} |`);
  lines.push(`| Portico MOCK / node:http fixed (req/s) | ${ratio(q.mockOverNodeFixedThroughput)} |`);
  lines.push(`| Portico AWS_PROXY (req/s) | ${q.awsProxyRequestsPerSec === null ? 'n/a' : q.awsProxyRequestsPerSec.toFixed(0)} |`);
  lines.push('');
  return lines.join('\n');
}
