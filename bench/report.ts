/**
 * What the benchmark reports: the machine it ran on, the per-target rows, the cold start and
 * memory measurements of Portico's function runtime, the ratios that compare Portico with
 * nginx and bare node:http, the bars Portico is held to, and their Markdown rendering.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { NGINX_BIN } from './nginx.js';
import type { OpenLoopWindow } from './open-loop.js';
import { WRK_BIN } from './wrk.js';

export const TARGETS = {
  direct: 'direct',
  nginx: 'nginx proxy_pass',
  httpProxy: 'portico HTTP_PROXY',
  mock: 'portico MOCK',
  mockTemplates: 'portico MOCK + VTL templates',
  /** The access-control pair: one MOCK integration, open and behind an API key + cached Lambda authorizer. */
  accessOpen: 'portico access: MOCK open',
  accessAuthorized: 'portico access: MOCK + API key + Lambda authorizer',
  awsProxy: 'portico AWS_PROXY',
  nodeFixed: 'node:http fixed',
} as const;

/**
 * The traffic control pairs (bench/traffic.ts), on Porticos of their own, so apart from
 * TARGETS: one MOCK route behind an API key, called with a key whose usage plan sets no
 * throttle and with one whose plan throttles (plan and plan method) far above what the machine
 * serves, in memory and then on Redis; and copies of /mock, plain and with method caching on,
 * wrk spreading its requests over them. The names leave out "MOCK" so that `BENCH_ONLY=mock`
 * still means the main Portico's MOCK targets.
 */
export const TRAFFIC_TARGETS = {
  keyed: 'portico traffic: API key without limits',
  throttled: 'portico traffic: API key + plan throttles',
  plain: 'portico traffic: 10 routes uncached',
  cached: 'portico traffic: 10 routes from cache',
  redisKeyed: 'portico traffic on Redis: API key without limits',
  redisThrottled: 'portico traffic on Redis: API key + plan throttles',
} as const;

/**
 * The observability pair (bench/observability.ts): /mock on a Portico started with metrics and
 * logs off, and on one with metrics on and the stage's access log in AWS's JSON format.
 */
export const OBSERVABILITY_TARGETS = {
  off: 'portico observability: metrics and logs off',
  on: 'portico observability: metrics + JSON access log',
} as const;

/** Measurements besides the wrk rows; BENCH_ONLY matches these names too (e.g. `cold`, `memory`). */
export const MEASUREMENTS = {
  coldStart: 'portico cold start',
  memory: 'portico memory of unused functions',
  accuracyMemory: 'portico traffic: throttle accuracy in memory',
  accuracyRedis: 'portico traffic: throttle accuracy on Redis with 2 processes',
} as const;

/** What the issue tracker holds Portico to. */
export const BAR = {
  /** AWS_PROXY to a hello-world handler keeps at least this share of MOCK's req/s. */
  awsProxyOverMock: 0.5,
  /** A MOCK route with 20-line request and response templates keeps this share of plain MOCK's req/s. */
  templatesOverMock: 0.5,
  /** The same MOCK route behind an API key and a cached Lambda TOKEN authorizer keeps this share of its open req/s. */
  authorizedOverOpen: 0.8,
  /** A never-invoked Node function's first call through the gateway, in ms. */
  coldStartMs: 150,
  /** Defined but never invoked Node functions in the memory measurement... */
  unusedFunctions: 100,
  /** ...and the resident memory they may add, in MB. */
  unusedFunctionsMb: 50,
  /** A keyed MOCK route whose throttles never refuse keeps this share of its req/s without them, buckets in memory... */
  throttledOverKeyedMemory: 0.9,
  /** ...and on Redis. */
  throttledOverKeyedRedis: 0.7,
  /** A response served from the stage cache is at least as cheap as plain MOCK. */
  cacheHitOverMock: 1.0,
  /** MOCK with metrics and a JSON access log keeps this share of its req/s with both off. */
  observedOverUnobserved: 0.9,
  /** A method throttled to this many requests/s... */
  throttleRate: 500,
  /** ...offered this many open loop... */
  throttleOffer: 2000,
  /** ...admits its rate within this share, per second on average. */
  throttleTolerance: 0.03,
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

export interface ColdSample {
  functionName: string;
  /** Request to full response of the function's first invocation. */
  coldMs: number;
  /** The same for the call right after, on the instance the first one started. */
  warmMs: number;
}

export interface ColdStartResult {
  /** False when a call failed or was not the cold/warm call it should have been. */
  ok: boolean;
  /** Functions measured, each called once cold and once warm, one after another. */
  functions: number;
  samples: ColdSample[];
  coldMedianMs?: number;
  coldMaxMs?: number;
  warmMedianMs?: number;
  warmMaxMs?: number;
  note?: string;
}

export interface MemoryResult {
  ok: boolean;
  /** Node functions defined in the project and never invoked. */
  functions: number;
  /** Wait between ready and reading VmRSS. */
  settleMs: number;
  /** Portico serving the bench API with no functions. */
  baselineRssMb?: number;
  /** Portico serving the same API with `functions` defined. */
  withFunctionsRssMb?: number;
  addedRssMb?: number;
  /** OS threads of each process (a worker started for a function would add some). */
  threads?: { baseline: number; withFunctions: number };
  note?: string;
}

/** One stage method throttle under an open-loop overload (bench/traffic.ts). */
export interface AccuracyResult {
  name: string;
  backend: 'memory' | 'redis';
  /** Porticos the offer was split over (sharing one Redis when more than one). */
  processes: number;
  ok: boolean;
  rateLimit: number;
  burstLimit: number;
  offeredRps: number;
  durationSec: number;
  /** Per second of sending, over every process. */
  windows?: OpenLoopWindow[];
  /** Admitted in the first second, which also spends the full bucket's burst. */
  firstSecondAdmitted?: number;
  /** Mean admitted per second over seconds 2 to N: the steady rate the bar is about. */
  steadyAdmittedPerSec?: number;
  steadyMin?: number;
  steadyMax?: number;
  /** (all admitted - burst) / N: the whole run with the initial burst taken out. */
  burstAccountedPerSec?: number;
  /** Admitted by each process over the run. */
  perProcessAdmitted?: number[];
  maxLagMs?: number;
  maxInFlight?: number;
  note?: string;
}

export interface TrafficResult {
  accuracy: AccuracyResult[];
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
  awsProxyOverMockThroughput: number | null;
  templatesOverMockThroughput: number | null;
  accessAuthorizedOverOpenThroughput: number | null;
  trafficThrottledOverKeyedThroughput: number | null;
  trafficRedisThrottledOverKeyedThroughput: number | null;
  /** What keeping the (account) bucket in Redis costs a keyed route, against the same route in memory; no bar. */
  trafficRedisKeyedOverMemoryKeyedThroughput: number | null;
  cacheHitOverMockThroughput: number | null;
  observedOverUnobservedThroughput: number | null;
  throttleAccuracyMemoryRps: number | null;
  throttleAccuracyRedisRps: number | null;
  coldStartMedianMs: number | null;
  coldStartMaxMs: number | null;
  unusedFunctionsAddedRssMb: number | null;
}

/** One bar: the measured value, the limit, and whether it is met (null when not measured). */
export interface BarCheck {
  name: string;
  value: number | null;
  unit: 'x' | 'ms' | 'MB' | 'req/s';
  /** The value must be at least (`>=`) or below (`<`) the limit, or within `tolerance` of it (`±`). */
  comparison: '>=' | '<' | '±';
  limit: number;
  /** For `±`: the share of the limit the value may be off by. */
  tolerance?: number;
  /** The issue that set the bar, when the report names it. */
  issue?: string;
  pass: boolean | null;
}

export interface Result {
  date: string;
  machine: Machine;
  params: Params;
  rows: Row[];
  coldStart?: ColdStartResult;
  memory?: MemoryResult;
  traffic?: TrafficResult;
  ratios: Ratios;
  bars: BarCheck[];
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

export function computeRatios(rows: Row[], coldStart?: ColdStartResult, memory?: MemoryResult, traffic?: TrafficResult): Ratios {
  const get = (name: string) => rows.find((r) => r.target === name && r.ok);
  const direct = get(TARGETS.direct);
  const nginx = get(TARGETS.nginx);
  const proxy = get(TARGETS.httpProxy);
  const mock = get(TARGETS.mock);
  const fixed = get(TARGETS.nodeFixed);
  const aws = get(TARGETS.awsProxy);
  const templated = get(TARGETS.mockTemplates);
  const open = get(TARGETS.accessOpen);
  const authorized = get(TARGETS.accessAuthorized);
  const keyed = get(TRAFFIC_TARGETS.keyed);
  const throttled = get(TRAFFIC_TARGETS.throttled);
  const redisKeyed = get(TRAFFIC_TARGETS.redisKeyed);
  const redisThrottled = get(TRAFFIC_TARGETS.redisThrottled);
  const accuracy = (name: string) => {
    const a = traffic?.accuracy.find((r) => r.name === name && r.ok);
    return a?.steadyAdmittedPerSec ?? null;
  };
  const plain = get(TRAFFIC_TARGETS.plain);
  const cached = get(TRAFFIC_TARGETS.cached);
  const div = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? a / b : null);
  const sub = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a - b : null);
  return {
    httpProxyOverNginxThroughput: div(proxy?.requestsPerSec, nginx?.requestsPerSec),
    httpProxyOverDirectThroughput: div(proxy?.requestsPerSec, direct?.requestsPerSec),
    httpProxyAddedP50Ms: sub(proxy?.p50Ms, direct?.p50Ms),
    httpProxyAddedP99Ms: sub(proxy?.p99Ms, direct?.p99Ms),
    mockOverNodeFixedThroughput: div(mock?.requestsPerSec, fixed?.requestsPerSec),
    awsProxyRequestsPerSec: aws?.requestsPerSec ?? null,
    awsProxyOverMockThroughput: div(aws?.requestsPerSec, mock?.requestsPerSec),
    templatesOverMockThroughput: div(templated?.requestsPerSec, mock?.requestsPerSec),
    accessAuthorizedOverOpenThroughput: div(authorized?.requestsPerSec, open?.requestsPerSec),
    trafficThrottledOverKeyedThroughput: div(throttled?.requestsPerSec, keyed?.requestsPerSec),
    trafficRedisThrottledOverKeyedThroughput: div(redisThrottled?.requestsPerSec, redisKeyed?.requestsPerSec),
    trafficRedisKeyedOverMemoryKeyedThroughput: div(redisKeyed?.requestsPerSec, keyed?.requestsPerSec),
    cacheHitOverMockThroughput: div(cached?.requestsPerSec, plain?.requestsPerSec),
    observedOverUnobservedThroughput: div(get(OBSERVABILITY_TARGETS.on)?.requestsPerSec, get(OBSERVABILITY_TARGETS.off)?.requestsPerSec),
    throttleAccuracyMemoryRps: accuracy(MEASUREMENTS.accuracyMemory),
    throttleAccuracyRedisRps: accuracy(MEASUREMENTS.accuracyRedis),
    coldStartMedianMs: coldStart?.ok ? (coldStart.coldMedianMs ?? null) : null,
    coldStartMaxMs: coldStart?.ok ? (coldStart.coldMaxMs ?? null) : null,
    unusedFunctionsAddedRssMb: memory?.ok ? (memory.addedRssMb ?? null) : null,
  };
}

export function computeBars(q: Ratios): BarCheck[] {
  const check = (
    name: string,
    value: number | null,
    unit: BarCheck['unit'],
    comparison: BarCheck['comparison'],
    limit: number,
    issue?: string,
    tolerance?: number,
  ): BarCheck => ({
    name,
    value,
    unit,
    comparison,
    limit,
    ...(tolerance === undefined ? {} : { tolerance }),
    ...(issue === undefined ? {} : { issue }),
    pass:
      value === null
        ? null
        : comparison === '>='
          ? value >= limit
          : comparison === '<'
            ? value < limit
            : Math.abs(value - limit) <= limit * (tolerance ?? 0),
  });
  const offer = `${BAR.throttleOffer.toLocaleString('en-US')} req/s`;
  return [
    check('Portico AWS_PROXY / Portico MOCK (req/s)', q.awsProxyOverMockThroughput, 'x', '>=', BAR.awsProxyOverMock),
    check('Portico MOCK + 20-line templates / Portico MOCK (req/s)', q.templatesOverMockThroughput, 'x', '>=', BAR.templatesOverMock),
    check(
      'Portico MOCK + API key + cached Lambda authorizer / the same MOCK open (req/s)',
      q.accessAuthorizedOverOpenThroughput,
      'x',
      '>=',
      BAR.authorizedOverOpen,
      'access control',
    ),
    check(
      'Portico MOCK + API key + plan throttles that never refuse / the same without limits, memory (req/s)',
      q.trafficThrottledOverKeyedThroughput,
      'x',
      '>=',
      BAR.throttledOverKeyedMemory,
      'traffic control',
    ),
    check(
      'Portico MOCK + API key + plan throttles that never refuse / the same without limits, Redis (req/s)',
      q.trafficRedisThrottledOverKeyedThroughput,
      'x',
      '>=',
      BAR.throttledOverKeyedRedis,
      'traffic control',
    ),
    check(
      `Portico method throttled to ${BAR.throttleRate} req/s, ${offer} offered open loop, memory: admitted per second, s 2-10`,
      q.throttleAccuracyMemoryRps,
      'req/s',
      '±',
      BAR.throttleRate,
      'traffic control',
      BAR.throttleTolerance,
    ),
    check(
      `Portico method throttled to ${BAR.throttleRate} req/s, ${offer} offered open loop, 2 processes on one Redis: admitted per second, s 2-10`,
      q.throttleAccuracyRedisRps,
      'req/s',
      '±',
      BAR.throttleRate,
      'traffic control',
      BAR.throttleTolerance,
    ),
    check('Portico MOCK served from the stage cache / the same MOCK uncached (req/s)', q.cacheHitOverMockThroughput, 'x', '>=', BAR.cacheHitOverMock, 'traffic control'),
    check(
      'Portico MOCK with metrics + JSON access log / the same MOCK with both off (req/s)',
      q.observedOverUnobservedThroughput,
      'x',
      '>=',
      BAR.observedOverUnobserved,
      'observability',
    ),
    check('Portico cold start: first invocation, median', q.coldStartMedianMs, 'ms', '<', BAR.coldStartMs),
    check('Portico cold start: first invocation, max', q.coldStartMaxMs, 'ms', '<', BAR.coldStartMs),
    check(`Portico RSS added by ${BAR.unusedFunctions} unused functions`, q.unusedFunctionsAddedRssMb, 'MB', '<', BAR.unusedFunctionsMb),
  ];
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
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
  if (res.rows.length === 0) lines.push('No wrk targets in this run (BENCH_ONLY).');
  else lines.push('| target | req/s | p50 ms | p99 ms | notes |', '|---|---:|---:|---:|---|');
  for (const r of res.rows) {
    const note = cleanNote(r.note);
    const failed = r.ok ? '' : 'FAILED';
    const notes = [failed, note].filter((s) => s !== '').join(': ');
    lines.push(`| ${r.target} | ${num(r.requestsPerSec, 0)} | ${num(r.p50Ms, 2)} | ${num(r.p99Ms, 2)} | ${notes} |`);
  }
  if (res.rows.some((r) => r.target === TARGETS.accessAuthorized)) {
    lines.push(
      '',
      `\`${TARGETS.accessAuthorized}\` is \`${TARGETS.accessOpen}\`'s MOCK integration behind an API key (\`x-api-key\`, in a usage plan ` +
        'for the stage) and a Lambda TOKEN authorizer that allows every token, cached for 300 s: one function call, then a cache hit per request. ' +
        'Both are sent the same key and token headers, so they differ only in access control.',
    );
  }
  if (res.rows.some((r) => (Object.values(TRAFFIC_TARGETS) as string[]).includes(r.target))) {
    lines.push(
      '',
      '`portico traffic: …` rows are MOCK routes on Porticos of their own: one with its buckets in memory, one started with `--redis` ' +
        '(`on Redis`), where every bucket, the account one included, is in Redis. `API key without limits` and `API key + plan throttles` are one MOCK ' +
        'route behind an API key (`/traffic/keyed`, `/traffic/throttled`), called with a key whose usage plan sets no throttle and with one whose plan ' +
        'throttles the key and the method at 100,000,000 req/s: three token buckets per request (plan method, plan, account) against one (the account ' +
        'bucket every request takes; the bench lifts it with `--account-throttle` so it never refuses). A stage method throttle cannot go above ' +
        '10,000 req/s, which wrk exceeds, so it is left out of this pair; it is the same kind of bucket. `10 routes from cache` spreads wrk\'s requests ' +
        'over ten copies of /mock with method caching on (TTL 300 s; every request after each copy\'s first is a hit) and `10 routes uncached` over ten ' +
        'plain copies: caching gives a method a method setting, and with it a 10,000 req/s method throttle, which one route would hit under wrk. The plain ' +
        'copies get a method setting with caching off, so both halves take the same buckets and differ by the cache alone. The halves take turns, ' +
        'three runs each, and each row is its median run (the note lists all three). Both ' +
        'answer the same bytes: a header carries the request id on the cached copies (so the driver can tell a replayed response) and a literal of ' +
        'the same length on the plain ones.',
    );
  }
  if (res.rows.some((r) => (Object.values(OBSERVABILITY_TARGETS) as string[]).includes(r.target))) {
    lines.push(
      '',
      '`portico observability: …` rows are the bench API\'s /mock route on two Porticos of their own: one started with `--metrics off --logs off`, ' +
        'the other with metrics on (the default) and the stage\'s access log set with UpdateStage to AWS\'s JSON example format, written to a log ' +
        'file (`--logs file`). The driver checks that the second one writes access log lines and counts requests at /_portico/metrics before measuring. ' +
        'Two processes serving the same route differ by up to a fifth in req/s here, so each variant runs five times, each in a fresh process, ' +
        'alternating, and its median run is the row (the note lists all five).',
    );
  }
  const traffic = res.traffic;
  if (traffic && traffic.accuracy.length > 0) {
    lines.push('', '## Throttle accuracy', '');
    const a0 = traffic.accuracy[0];
    lines.push(
      `\`/traffic/limited\` has a stage method throttle of ${a0.rateLimit} req/s, burst ${a0.burstLimit}, set with UpdateStage. ` +
        `${a0.offeredRps.toLocaleString('en-US')} req/s are offered open loop for ${a0.durationSec} s (requests leave on a fixed schedule whatever the answers, ` +
        'undici keep-alive pools; split evenly over the processes), and 200s are counted per second of sending. The bucket starts full, so the first ' +
        'second also admits the burst: the steady rate is the mean of seconds 2 to N. "burst out" is (all admitted - burst) / N over the whole run.',
      '',
      '| run | first s | s 2-N mean | s 2-N min / max | burst out | per process | max lag ms | notes |',
      '|---|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const a of traffic.accuracy) {
      const notes = [a.ok ? '' : 'FAILED', cleanNote(a.note)].filter((n) => n !== '').join(': ');
      lines.push(
        `| ${a.backend}, ${a.processes} process${a.processes === 1 ? '' : 'es'} | ${a.firstSecondAdmitted ?? '-'} | ${num(a.steadyAdmittedPerSec, 1)} | ` +
          `${a.steadyMin ?? '-'} / ${a.steadyMax ?? '-'} | ${num(a.burstAccountedPerSec, 1)} | ${a.perProcessAdmitted?.join(' + ') ?? '-'} | ${num(a.maxLagMs, 1)} | ${notes} |`,
      );
    }
    for (const a of traffic.accuracy) {
      if (a.windows) lines.push('', `Admitted per second, ${a.backend}: ${a.windows.map((w) => w.ok).join(', ')} (sent ${a.windows.map((w) => w.sent).join(', ')}).`);
    }
  }
  const cold = res.coldStart;
  if (cold) {
    lines.push('', '## Cold start', '');
    lines.push(
      `${cold.functions} Node functions, each behind its own AWS_PROXY route and never invoked before, called one after another through a Portico of their own ` +
        'once a few MOCK requests have warmed its gateway: the first call starts the worker thread and loads the handler; the second reuses that instance. ' +
        'Time from sending the request (fresh loopback connection) to the full response.',
    );
    lines.push('');
    lines.push('| call | median ms | max ms | notes |');
    lines.push('|---|---:|---:|---|');
    const notes = [cold.ok ? '' : 'FAILED', cleanNote(cold.note)].filter((n) => n !== '').join(': ');
    lines.push(`| first (cold) | ${num(cold.coldMedianMs, 1)} | ${num(cold.coldMaxMs, 1)} | ${notes} |`);
    lines.push(`| second (warm) | ${num(cold.warmMedianMs, 1)} | ${num(cold.warmMaxMs, 1)} | |`);
  }
  const mem = res.memory;
  if (mem) {
    lines.push('', '## Memory of unused functions', '');
    lines.push(
      `Resident memory (VmRSS) of \`portico serve\` ${mem.settleMs / 1000} s after it is ready, serving the bench API with no functions, ` +
        `then the same API with ${mem.functions} Node functions defined and never invoked; each its own process.`,
    );
    lines.push('');
    lines.push('| portico serving | RSS MB | threads | notes |');
    lines.push('|---|---:|---:|---|');
    const notes = [mem.ok ? '' : 'FAILED', cleanNote(mem.note)].filter((n) => n !== '').join(': ');
    lines.push(`| bench API, no functions | ${num(mem.baselineRssMb, 1)} | ${mem.threads?.baseline ?? '-'} | ${notes} |`);
    lines.push(`| bench API + ${mem.functions} unused functions | ${num(mem.withFunctionsRssMb, 1)} | ${mem.threads?.withFunctions ?? '-'} | |`);
    lines.push(`| difference | ${mem.addedRssMb === undefined ? '-' : `${mem.addedRssMb >= 0 ? '+' : ''}${mem.addedRssMb.toFixed(1)}`} | | |`);
  }
  const q = res.ratios;
  lines.push('', '## Ratios and bars', '');
  lines.push('| comparison | value | bar |');
  lines.push('|---|---:|---|');
  lines.push(`| Portico HTTP_PROXY / nginx proxy_pass (req/s) | ${ratio(q.httpProxyOverNginxThroughput)} | |`);
  lines.push(`| Portico HTTP_PROXY / direct (req/s) | ${ratio(q.httpProxyOverDirectThroughput)} | |`);
  lines.push(`| Portico HTTP_PROXY added p50 over direct | ${ms(q.httpProxyAddedP50Ms)} | |`);
  lines.push(`| Portico HTTP_PROXY added p99 over direct | ${ms(q.httpProxyAddedP99Ms)} | |`);
  lines.push(`| Portico MOCK / node:http fixed (req/s) | ${ratio(q.mockOverNodeFixedThroughput)} | |`);
  lines.push(`| Portico AWS_PROXY (req/s) | ${q.awsProxyRequestsPerSec === null ? 'n/a' : q.awsProxyRequestsPerSec.toFixed(0)} | |`);
  if (q.trafficRedisKeyedOverMemoryKeyedThroughput !== null) {
    lines.push(`| Portico MOCK + API key without limits: Redis / memory (req/s) | ${ratio(q.trafficRedisKeyedOverMemoryKeyedThroughput)} | |`);
  }
  for (const b of res.bars) {
    const limitText = b.unit === 'x' ? `${b.limit.toFixed(2)}x` : `${b.limit} ${b.unit}`;
    const sign = b.comparison === '>=' ? '≥ ' : b.comparison === '<' ? '< ' : '';
    const tolerance = b.comparison === '±' ? ` ± ${Math.round((b.tolerance ?? 0) * 100)}%` : '';
    const limit = `${sign}${limitText}${tolerance}${b.issue === undefined ? '' : ` (issue: ${b.issue})`}`;
    const verdict = b.pass === null ? 'not measured' : b.pass ? 'pass' : 'FAIL';
    lines.push(`| ${b.name} | ${barValue(b)} | ${limit}: ${verdict} |`);
  }
  lines.push('');
  return lines.join('\n');
}

function cleanNote(note: string | undefined): string {
  return (note ?? '').replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

function barValue(b: BarCheck): string {
  if (b.value === null) return 'n/a';
  if (b.unit === 'x') return ratio(b.value);
  return `${b.value.toFixed(1)} ${b.unit}`;
}
