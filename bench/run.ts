/**
 * `npm run bench`: measures requests/s and p50/p99 latency with wrk, in one run on one
 * machine, for an upstream called directly, nginx proxy_pass, Portico HTTP_PROXY / MOCK /
 * AWS_PROXY, one MOCK route open and behind an API key + cached Lambda authorizer, and a bare
 * node:http server; then, with those servers stopped, traffic control on Porticos of its own
 * (traffic.ts: a keyed MOCK route with and without throttles, in memory and on Redis; a stage
 * method throttle under an open-loop overload; a stage cache hit against MOCK), what metrics and
 * a JSON access log cost a MOCK route (observability.ts), the cold start
 * of never-invoked Node functions through the gateway (cold.ts) and the memory 100 defined but
 * unused functions add (memory.ts). Prints a Markdown report with ratios and bars and writes
 * bench/results/latest.{json,md}.
 *
 * Options (flag or env): --duration / BENCH_DURATION seconds per target (10),
 * --connections / BENCH_CONNECTIONS (50), --threads / BENCH_THREADS (2),
 * --warmup / BENCH_WARMUP seconds (2), --timeout / BENCH_TIMEOUT wrk per-request seconds (5),
 * --quick / BENCH_QUICK=1 (3 s per target, 1 s warm-up, 5 instead of 10 cold starts, for smoke
 * runs); BENCH_ONLY=mock,cold,... measures the targets and measurements whose names contain one
 * of the words (`traffic` selects every traffic control measurement, `observability` the
 * observability pair); BENCH_PORTICO_CLI,
 * BENCH_NGINX, BENCH_WRK override the binaries; BENCH_REDIS is the Redis the traffic
 * measurements use (default redis://127.0.0.1:6379, loopback only).
 * Progress goes to stderr so stdout carries only the report.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS_HEADERS, setUpApiKey, waitForAccess } from './access.js';
import { startNginx } from './nginx.js';
import { LOOPBACK, assertLoopbackUrl, freePort, httpGet, waitForHttp200 } from './net.js';
import { porticoCli, startPortico, writeProject, type Portico } from './portico.js';
import { measureColdStart } from './cold.js';
import { measureMemory } from './memory.js';
import { TRAFFIC_NAMES, measureTraffic } from './traffic.js';
import { OBSERVABILITY_NAMES, measureObservability } from './observability.js';
import { installExitHandlers, start, stopAll, waitForLine, type Tracked } from './procs.js';
import {
  BAR,
  MEASUREMENTS,
  TARGETS,
  TRAFFIC_TARGETS,
  computeBars,
  computeRatios,
  machineInfo,
  renderMarkdown,
  type ColdStartResult,
  type MemoryResult,
  type Params,
  type Result,
  type Row,
  type TrafficResult,
} from './report.js';
import { runWrk } from './wrk.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/run.js; sources, templates and results live in <repo>/bench.
const repoRoot = join(here, '..', '..');
const benchSrc = join(repoRoot, 'bench');
const resultsDir = join(benchSrc, 'results');

/** Above this share of non-2xx responses or socket errors a row measures errors, not the target. */
const MAX_ERROR_SHARE = 0.01;
/** Never-invoked functions whose first call is timed. */
const COLD_FUNCTIONS = 10;
const COLD_FUNCTIONS_QUICK = 5;
/** Wait between a memory-measured Portico being ready and reading its RSS. */
const MEMORY_SETTLE_MS = 1000;

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

function readParams(argv: string[]): Params {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [key, inline] = a.slice(2).split('=', 2);
    if (key === 'quick') {
      flags.set('quick', inline ?? '1');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    flags.set(key, value);
  }
  const known = new Set(['quick', 'duration', 'connections', 'threads', 'warmup', 'timeout']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}`);

  const raw = (key: string) => flags.get(key) ?? process.env[`BENCH_${key.toUpperCase()}`];
  const quickRaw = raw('quick');
  const quick = quickRaw !== undefined && quickRaw !== '' && quickRaw !== '0' && quickRaw !== 'false';
  // Bounds keep a typo from turning into an hour-long run or a self-inflicted overload.
  const int = (key: string, dflt: number, min: number, max: number) => {
    const v = raw(key);
    const n = v === undefined || v === '' ? dflt : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key} must be an integer in [${min}, ${max}], got ${v}`);
    return n;
  };
  const params: Params = {
    quick,
    durationSec: int('duration', quick ? 3 : 10, 1, 300),
    warmupSec: int('warmup', quick ? 1 : 2, 0, 60),
    connections: int('connections', 50, 1, 2000),
    threads: int('threads', 2, 1, 64),
    timeoutSec: int('timeout', 5, 1, 30),
  };
  if (params.threads > params.connections) throw new Error('threads must not exceed connections (wrk requirement)');
  return params;
}

async function startUpstream(name: string): Promise<{ proc: Tracked; port: number }> {
  const proc = start(name, process.execPath, [join(here, 'upstream.js')], { group: true });
  const m = await waitForLine(proc, /PORT=(\d+)/, 10_000);
  return { proc, port: Number(m[1]) };
}

interface Target {
  name: string;
  url?: string;
  /** Substring the check response body must contain. */
  expect?: string;
  /** Headers the check and every wrk request carry. */
  headers?: Readonly<Record<string, string>>;
  /** wrk Lua script; the check still requests `url` only. */
  script?: string;
  /** Set when the server behind the target never came up. */
  unavailable?: string;
}

async function measure(t: Target, params: Params): Promise<Row> {
  if (t.unavailable !== undefined || t.url === undefined) return { target: t.name, ok: false, note: t.unavailable };
  const url = t.url;
  assertLoopbackUrl(url);
  try {
    const check = await httpGet(url, 10_000, t.headers);
    if (check.status !== 200 || (t.expect !== undefined && !check.body.includes(t.expect))) {
      return { target: t.name, url, ok: false, note: `check failed: HTTP ${check.status} ${check.body.slice(0, 120)}` };
    }
  } catch (err) {
    return { target: t.name, url, ok: false, note: `check failed: ${(err as Error).message}` };
  }
  const wrkOpts = { connections: params.connections, threads: params.threads, timeoutSec: params.timeoutSec, headers: t.headers, script: t.script };
  try {
    if (params.warmupSec > 0) {
      log(`${t.name}: warm-up ${params.warmupSec}s`);
      await runWrk(url, { ...wrkOpts, durationSec: params.warmupSec });
    }
    log(`${t.name}: measuring ${params.durationSec}s`);
    const r = await runWrk(url, { ...wrkOpts, durationSec: params.durationSec });
    const socketErrors = r.socketErrors.connect + r.socketErrors.read + r.socketErrors.write + r.socketErrors.timeout;
    const notes: string[] = [];
    if (r.non2xx > 0) notes.push(`${r.non2xx} non-2xx of ${r.requests}`);
    if (socketErrors > 0) {
      const s = r.socketErrors;
      notes.push(`socket errors: connect ${s.connect}, read ${s.read}, write ${s.write}, timeout ${s.timeout}`);
    }
    const errorShare = r.requests > 0 ? (r.non2xx + socketErrors) / r.requests : 1;
    return {
      target: t.name,
      url,
      ok: errorShare <= MAX_ERROR_SHARE,
      requestsPerSec: r.requestsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      requests: r.requests,
      non2xx: r.non2xx,
      socketErrors: r.socketErrors,
      note: notes.length > 0 ? notes.join('; ') : undefined,
    };
  } catch (err) {
    return { target: t.name, url, ok: false, note: (err as Error).message.split('\n')[0] };
  }
}

/** Starts the servers the wanted wrk targets need and measures those targets into `rows`. */
async function measureThroughput(params: Params, tmp: string, wanted: (name: string) => boolean, rows: Row[]): Promise<void> {
  const upstream = await startUpstream('upstream');
  const fixed = await startUpstream('node-fixed');
  log(`upstream on ${upstream.port}, node:http fixed on ${fixed.port}`);

  const nginxPort = await freePort();
  let nginxUnavailable: string | undefined;
  try {
    const nginx = startNginx(join(tmp, 'nginx'), nginxPort, upstream.port);
    await waitForHttp200(`http://${LOOPBACK}:${nginxPort}/proxy/ready`, nginx, 10_000);
    log(`nginx on ${nginxPort}`);
  } catch (err) {
    nginxUnavailable = `nginx failed to start: ${(err as Error).message}`;
    log(nginxUnavailable);
  }

  let portico: Portico | undefined;
  let porticoUnavailable: string | undefined;
  if (!existsSync(porticoCli(repoRoot))) {
    porticoUnavailable = 'portico not built';
  } else {
    try {
      const projectFile = writeProject(benchSrc, join(tmp, 'project'), upstream.port);
      portico = await startPortico({
        repoRoot,
        projectFile,
        dataDir: join(tmp, 'portico-data'),
        port: await freePort(),
        readyTimeoutMs: 60_000,
      });
      log(`portico on ${portico.port}, api ${portico.apiId}`);
    } catch (err) {
      porticoUnavailable = (err as Error).message === 'portico not built' ? 'portico not built' : `portico failed to start: ${(err as Error).message}`;
    }
  }
  if (porticoUnavailable !== undefined) log(porticoUnavailable);

  // The authorized target's API key and usage plan, made through the management API.
  let accessUnavailable = porticoUnavailable;
  if (portico && accessUnavailable === undefined && wanted(TARGETS.accessAuthorized)) {
    try {
      await setUpApiKey(portico);
      await waitForAccess(`${portico.invokeBase}/access/authorized`, 10_000);
      log('access: API key in a usage plan for the bench stage; authorizer answer cached');
    } catch (err) {
      accessUnavailable = `API key setup failed: ${(err as Error).message.split('\n')[0]}`;
      log(accessUnavailable);
    }
  }

  const targets: Target[] = [
    { name: TARGETS.direct, url: `http://${LOOPBACK}:${upstream.port}/bench`, expect: '"ok":true' },
    { name: TARGETS.nginx, url: `http://${LOOPBACK}:${nginxPort}/proxy/bench`, expect: '"ok":true', unavailable: nginxUnavailable },
    { name: TARGETS.httpProxy, url: portico && `${portico.invokeBase}/proxy/bench`, expect: '"ok":true', unavailable: porticoUnavailable },
    { name: TARGETS.mock, url: portico && `${portico.invokeBase}/mock`, expect: '"ok":true', unavailable: porticoUnavailable },
    {
      name: TARGETS.mockTemplates,
      url: portico && `${portico.invokeBase}/mock-templates?name=bench&size=20`,
      expect: '"who": "bench"',
      unavailable: porticoUnavailable,
    },
    // Measured back to back, with the same request headers (the open route ignores them), so
    // the two differ in nothing but the access control.
    {
      name: TARGETS.accessOpen,
      url: portico && `${portico.invokeBase}/access/open`,
      expect: '"ok":true',
      headers: ACCESS_HEADERS,
      unavailable: porticoUnavailable,
    },
    {
      name: TARGETS.accessAuthorized,
      url: portico && `${portico.invokeBase}/access/authorized`,
      expect: '"ok":true',
      headers: ACCESS_HEADERS,
      unavailable: accessUnavailable,
    },
    { name: TARGETS.awsProxy, url: portico && `${portico.invokeBase}/hello`, expect: 'hello', unavailable: porticoUnavailable },
    { name: TARGETS.nodeFixed, url: `http://${LOOPBACK}:${fixed.port}/`, expect: '"ok":true' },
  ];
  for (const t of targets) {
    if (!wanted(t.name)) continue;
    rows.push(await measure(t, params));
  }
}

async function main(): Promise<void> {
  const params = readParams(process.argv.slice(2));
  const machine = machineInfo();
  const date = new Date().toISOString();
  const tmp = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  installExitHandlers(() => rmSync(tmp, { recursive: true, force: true }));

  // BENCH_ONLY=mock,nginx measures a subset (matched against target and measurement names),
  // e.g. to look at one target without the others' residue; the full report needs them all.
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const wanted = (name: string) => only.length === 0 || only.some((o) => name.toLowerCase().includes(o));
  const allNames = [...Object.values(TARGETS), ...Object.values(MEASUREMENTS), ...TRAFFIC_NAMES, ...OBSERVABILITY_NAMES];
  for (const o of only) if (!allNames.some((n) => n.toLowerCase().includes(o))) log(`BENCH_ONLY: '${o}' matches nothing in ${allNames.join(', ')}`);
  const throughputWanted = Object.values(TARGETS).some(wanted);
  const coldWanted = wanted(MEASUREMENTS.coldStart);
  const memoryWanted = wanted(MEASUREMENTS.memory);
  const trafficWanted = TRAFFIC_NAMES.some(wanted);
  const observabilityWanted = OBSERVABILITY_NAMES.some(wanted);

  // Hard ceiling on the whole run, whatever hangs: startup, the wanted targets, teardown, and the
  // cold start (a Portico start, 20 gateway warm-up calls, two calls per function, 10 s each
  // at most) and memory (two Portico starts and stops) measurements.
  const perTargetSec = params.warmupSec + params.durationSec + 2 * params.timeoutSec + 30;
  const coldFunctions = params.quick ? COLD_FUNCTIONS_QUICK : COLD_FUNCTIONS;
  const coldBudgetSec = coldWanted ? 60 + 10 * (20 + 2 * coldFunctions) + 10 : 0;
  const memoryBudgetSec = memoryWanted ? 2 * (60 + MEMORY_SETTLE_MS / 1000 + 10) : 0;
  const wrkTargets = [...Object.values(TARGETS), ...Object.values(TRAFFIC_TARGETS)].filter(wanted).length;
  // Traffic: three Portico starts and their setup, two 10 s accuracy runs and the cache pair's
  // six runs plus warm-ups, each with its request timeout and slack.
  const trafficBudgetSec = trafficWanted ? 3 * 90 + 2 * (10 + 30) + 6 * (params.warmupSec + params.durationSec) + 60 : 0;
  // Observability: three rounds of two Portico starts, their setup and a wrk target each.
  const observabilityBudgetSec = observabilityWanted ? 6 * (30 + params.warmupSec + params.durationSec) : 0;
  const budgetMs = (120 + wrkTargets * perTargetSec + trafficBudgetSec + observabilityBudgetSec + coldBudgetSec + memoryBudgetSec) * 1000;
  const watchdog = setTimeout(() => {
    log(`run exceeded its ${budgetMs / 1000}s budget; stopping`);
    process.exit(2);
  }, budgetMs);
  watchdog.unref();

  const rows: Row[] = [];
  let coldStart: ColdStartResult | undefined;
  let memory: MemoryResult | undefined;
  let traffic: TrafficResult | undefined;
  try {
    log(`temp dir ${tmp}`);
    if (throughputWanted) {
      await measureThroughput(params, tmp, wanted, rows);
      // The wrk targets' servers would only sit beside the measurements below.
      await stopAll();
    }
    const porticoBuilt = existsSync(porticoCli(repoRoot));
    // The bench API's HTTP_PROXY routes need an upstream port; nothing below calls them.
    const unusedPort = await freePort();
    if (trafficWanted) {
      if (existsSync(porticoCli(repoRoot))) {
        traffic = await measureTraffic(
          {
            repoRoot,
            benchSrc,
            dir: join(tmp, 'traffic'),
            upstreamPort: unusedPort,
            params,
            wanted,
            measure: (t) => measure(t, params),
            redisUrl: process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379',
            log,
          },
          rows,
        );
      } else {
        log('traffic: portico not built');
      }
      await stopAll();
    }
    if (observabilityWanted) {
      if (porticoBuilt) {
        await measureObservability(
          { repoRoot, benchSrc, dir: join(tmp, 'observability'), upstreamPort: unusedPort, wanted, measure: (t) => measure(t, params), log },
          rows,
        );
      } else {
        log('observability: portico not built');
      }
      await stopAll();
    }
    if (coldWanted) {
      log(`cold start: ${coldFunctions} functions`);
      coldStart = porticoBuilt
        ? await measureColdStart({ repoRoot, benchSrc, dir: join(tmp, 'cold'), upstreamPort: unusedPort, functions: coldFunctions, log })
        : { ok: false, functions: coldFunctions, samples: [], note: 'portico not built' };
      if (!coldStart.ok) log(`cold start failed: ${coldStart.note}`);
    }
    if (memoryWanted) {
      log(`memory: ${BAR.unusedFunctions} unused functions`);
      memory = porticoBuilt
        ? await measureMemory({
            repoRoot,
            benchSrc,
            dir: join(tmp, 'memory'),
            upstreamPort: unusedPort,
            functions: BAR.unusedFunctions,
            settleMs: MEMORY_SETTLE_MS,
            log,
          })
        : { ok: false, functions: BAR.unusedFunctions, settleMs: MEMORY_SETTLE_MS, note: 'portico not built' };
      if (!memory.ok) log(`memory failed: ${memory.note}`);
    }
  } finally {
    clearTimeout(watchdog);
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }

  machine.loadAvgAtEnd = loadavg().map((n) => Math.round(n * 100) / 100);
  const ratios = computeRatios(rows, coldStart, memory, traffic);
  const result: Result = { date, machine, params, rows, coldStart, memory, traffic, ratios, bars: computeBars(ratios) };
  const md = renderMarkdown(result);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), md);
  process.stdout.write(md);
  log(`wrote ${join('bench', 'results', 'latest.json')} and latest.md`);
}

main().catch(async (err) => {
  log(`failed: ${(err as Error).stack ?? err}`);
  await stopAll();
  process.exitCode = 1;
});
