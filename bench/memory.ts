/**
 * What defined-but-unused functions cost in memory: the resident memory (VmRSS from
 * /proc/<pid>/status) of `portico serve` with the bench API and no functions, and of the same
 * API with N Node functions (sharing one code directory) that are never invoked. Each runs as
 * its own process, one after the other, is read `settleMs` after it is ready, and is stopped.
 * Nothing but the health endpoint is called, so no function ever starts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './net.js';
import { startPortico, writeProjectVariant, type Portico } from './portico.js';
import { stop } from './procs.js';
import type { MemoryResult } from './report.js';

export interface MemoryOptions {
  repoRoot: string;
  benchSrc: string;
  /** Scratch directory for the projects and data directories. */
  dir: string;
  /** Placeholder for the bench API's HTTP_PROXY routes, which this measurement never calls. */
  upstreamPort: number;
  functions: number;
  settleMs: number;
  log(msg: string): void;
}

interface ProcStatus {
  rssKb: number;
  threads: number;
}

function readStatus(pid: number): ProcStatus {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  const threads = /^Threads:\s+(\d+)$/m.exec(text);
  if (!rss || !threads) throw new Error(`no VmRSS/Threads in /proc/${pid}/status`);
  return { rssKb: Number(rss[1]), threads: Number(threads[1]) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

async function residentMemory(opts: MemoryOptions, label: string, functions: number): Promise<ProcStatus> {
  const projectDir = join(opts.dir, label);
  const projectFile = writeProjectVariant(opts.benchSrc, join(projectDir, 'project'), opts.upstreamPort, (project) => {
    project.functions = Array.from({ length: functions }, (_, i) => ({
      name: `unused${String(i).padStart(3, '0')}`,
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      codeDirectory: './functions/hello',
    }));
  });
  let portico: Portico | undefined;
  try {
    portico = await startPortico({
      name: `portico-${label}`,
      repoRoot: opts.repoRoot,
      projectFile,
      dataDir: join(projectDir, 'data'),
      port: await freePort(),
      readyTimeoutMs: 60_000,
    });
    await sleep(opts.settleMs);
    const pid = portico.proc.child.pid;
    if (pid === undefined) throw new Error(`portico-${label} has no pid`);
    const status = readStatus(pid);
    opts.log(`memory: ${label} (${functions} functions) VmRSS ${mb(status.rssKb)} MB, ${status.threads} threads`);
    return status;
  } finally {
    if (portico) await stop(portico.proc);
  }
}

export async function measureMemory(opts: MemoryOptions): Promise<MemoryResult> {
  const base: MemoryResult = { ok: false, functions: opts.functions, settleMs: opts.settleMs };
  if (process.platform !== 'linux') return { ...base, note: 'needs /proc (Linux)' };
  try {
    const baseline = await residentMemory(opts, 'no-functions', 0);
    const withFunctions = await residentMemory(opts, 'unused-functions', opts.functions);
    return {
      ...base,
      ok: true,
      baselineRssMb: mb(baseline.rssKb),
      withFunctionsRssMb: mb(withFunctions.rssKb),
      addedRssMb: mb(withFunctions.rssKb - baseline.rssKb),
      threads: { baseline: baseline.threads, withFunctions: withFunctions.threads },
    };
  } catch (err) {
    return { ...base, note: (err as Error).message.split('\n')[0] };
  }
}
