/**
 * Cold start of Node.js functions through the gateway. A Portico of its own serves the bench
 * API plus `cold0..coldN-1`, each with its own code directory behind its own AWS_PROXY route
 * (`/cold/<i>`). After a few MOCK requests have warmed the gateway itself, the driver calls each
 * function once (cold: the worker thread starts and the handler loads inside the request) and
 * at once again (warm), one call at a time, timing request to full response. The handler says
 * whether its instance had answered before, so a call that was not cold (or not warm) when it
 * should have been fails the measurement instead of skewing it.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, httpGet } from './net.js';
import { lambdaUri, startPortico, writeProjectVariant, type Portico } from './portico.js';
import { stop } from './procs.js';
import { median, type ColdSample, type ColdStartResult } from './report.js';

/** Per call; a cold start is expected in well under a second. */
const CALL_TIMEOUT_MS = 10_000;
/** MOCK requests sent before measuring so the first cold call does not also pay for the gateway's first request. */
const GATEWAY_WARMUP_REQUESTS = 20;
/** Pause between functions, so one function's aftermath (its code watcher, GC) is not the next one's cost. */
const PAUSE_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ColdStartOptions {
  repoRoot: string;
  benchSrc: string;
  /** Scratch directory for the project and the data directory. */
  dir: string;
  /** Placeholder for the bench API's HTTP_PROXY routes, which this measurement never calls. */
  upstreamPort: number;
  functions: number;
  log(msg: string): void;
}

export function coldFunctionNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `cold${i}`);
}

function writeColdProject(opts: ColdStartOptions, projectDir: string): string {
  const names = coldFunctionNames(opts.functions);
  return writeProjectVariant(opts.benchSrc, projectDir, opts.upstreamPort, (project, api) => {
    project.functions ??= [];
    names.forEach((name, i) => {
      // A directory per function, as real functions have; each gets its own code watcher.
      cpSync(join(projectDir, 'functions', 'cold'), join(projectDir, 'functions', name), { recursive: true });
      project.functions!.push({ name, runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory: `./functions/${name}` });
      api.paths[`/cold/${i}`] = {
        get: {
          responses: { '200': { description: 'handler response' } },
          'x-amazon-apigateway-integration': {
            type: 'aws_proxy',
            httpMethod: 'POST',
            uri: lambdaUri(name),
            passthroughBehavior: 'when_no_match',
          },
        },
      };
    });
  });
}

/** One timed GET that must answer 200 with `{"cold": expectCold}`; throws otherwise. */
async function timedCall(url: string, expectCold: boolean): Promise<number> {
  const started = performance.now();
  const res = await httpGet(url, CALL_TIMEOUT_MS);
  const elapsed = performance.now() - started;
  let cold: unknown;
  try {
    cold = (JSON.parse(res.body) as { cold?: unknown }).cold;
  } catch {
    cold = undefined;
  }
  if (res.status !== 200 || cold !== expectCold) {
    throw new Error(`expected a ${expectCold ? 'cold' : 'warm'} call, got HTTP ${res.status} ${res.body.slice(0, 120)}`);
  }
  return elapsed;
}

export async function measureColdStart(opts: ColdStartOptions): Promise<ColdStartResult> {
  const names = coldFunctionNames(opts.functions);
  const samples: ColdSample[] = [];
  const result = (ok: boolean, note?: string): ColdStartResult => {
    const cold = samples.map((s) => s.coldMs);
    const warm = samples.map((s) => s.warmMs);
    return {
      ok: ok && samples.length === names.length,
      functions: names.length,
      samples,
      coldMedianMs: cold.length > 0 ? median(cold) : undefined,
      coldMaxMs: cold.length > 0 ? Math.max(...cold) : undefined,
      warmMedianMs: warm.length > 0 ? median(warm) : undefined,
      warmMaxMs: warm.length > 0 ? Math.max(...warm) : undefined,
      note,
    };
  };

  let portico: Portico | undefined;
  try {
    const projectFile = writeColdProject(opts, join(opts.dir, 'project'));
    portico = await startPortico({
      name: 'portico-cold',
      repoRoot: opts.repoRoot,
      projectFile,
      dataDir: join(opts.dir, 'data'),
      port: await freePort(),
      readyTimeoutMs: 60_000,
      // Room for every function's instance: evicting another function's idle instance is
      // the instance cap at work, not the cost of a cold start.
      extraArgs: ['--max-instances', String(names.length + 4)],
    });
    opts.log(`cold start: portico on ${portico.port}, ${names.length} functions`);
    for (let i = 0; i < GATEWAY_WARMUP_REQUESTS; i++) {
      const res = await httpGet(`${portico.invokeBase}/mock`, CALL_TIMEOUT_MS);
      if (res.status !== 200) return result(false, `gateway warm-up: HTTP ${res.status} ${res.body.slice(0, 120)}`);
    }
    for (const [i, name] of names.entries()) {
      await sleep(PAUSE_MS);
      const url = `${portico.invokeBase}/cold/${i}`;
      try {
        const coldMs = await timedCall(url, true);
        const warmMs = await timedCall(url, false);
        samples.push({ functionName: name, coldMs, warmMs });
      } catch (err) {
        return result(false, `${name}: ${(err as Error).message}`);
      }
    }
    return result(true);
  } catch (err) {
    return result(false, (err as Error).message.split('\n')[0]);
  } finally {
    if (portico) await stop(portico.proc);
  }
}
