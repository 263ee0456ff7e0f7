/**
 * Traffic control measurements: what throttling costs per request, how exactly a stage method
 * throttle holds its rate under an open-loop overload (in memory, and across two Porticos on one
 * Redis), and what a response served from the stage cache costs against plain MOCK.
 *
 * The limits are set the way a user sets them, through the management API (SigV4, the local
 * `test` credentials): UpdateStage for the method throttle and caching, usage plans for the
 * keyed pair. Each Portico is its own process with a fresh data directory.
 *
 * Why the keyed pair's limits are usage plan throttles and not the stage method throttle: a
 * stage method throttle is capped at 10,000 requests/s and burst 5,000 (AWS's bound, which
 * UpdateStage enforces), and wrk drives a MOCK route well past that, so such a bucket would
 * refuse and wrk would measure 429s. The plan's throttle and its per-method throttle have no
 * cap, so they can sit far above what the machine serves, and a request then takes three
 * buckets (plan method, plan, account) against one (account): the same list, of the same
 * length, that plan + stage method + account throttles make. The same cap meets a cached
 * route: turning caching on for a method gives it a method setting, and with it a 10,000
 * requests/s method throttle, one bucket per method. So the cache pair spreads wrk's requests
 * (a Lua script) over CACHE_ROUTES copies of /mock with caching on, each with its own bucket,
 * against as many plain copies measured the same way, each given a method setting with caching
 * off so that it takes the same buckets.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { Redis } from 'ioredis';
import { LOOPBACK, assertLoopbackUrl, freePort, httpGet } from './net.js';
import { runOpenLoop, type OpenLoopResult } from './open-loop.js';
import { STAGE, startPortico, writeProjectVariant, type ApiDoc, type Portico } from './portico.js';
import { stop } from './procs.js';
import {
  BAR,
  MEASUREMENTS,
  TRAFFIC_TARGETS,
  type AccuracyResult,
  type Params,
  type Row,
  type TrafficResult,
} from './report.js';

/** Keys of the keyed pair: the same length, so both routes' requests are the same size. */
export const TRAFFIC_OPEN_KEY = 'portico-bench-traffic-open-0123456789';
export const TRAFFIC_PLAN_KEY = 'portico-bench-traffic-plan-0123456789';
/** Far above what one machine serves: these buckets take a token per request and never refuse. */
const UNREFUSED_LIMIT = 100_000_000;
/** The accuracy route's stage method throttle. */
const LIMITED = { rate: BAR.throttleRate, burst: 500 } as const;
/** Accuracy runs last this long whatever BENCH_DURATION says: the issue's 10 s. */
const ACCURACY_SEC = 10;
/**
 * Copies of /mock in each half of the cache pair. Each cached copy has its own 10,000
 * requests/s method throttle (see the module comment), so ten of them admit 100,000 requests/s
 * between them, about twice what MOCK serves on the machines the bench has run on.
 */
const CACHE_ROUTES = 10;
/** The cached copies answer the request id in a header; the plain ones a literal as long. */
const RENDERED_HEADER = 'X-Bench-Rendered';
const RENDERED_LITERAL = '00000000-0000-0000-0000-000000000000';
const REQUEST_TIMEOUT_MS = 5000;
/** Lines a Redis-backed Portico prints when it had to answer from its failure policy. */
const REDIS_TROUBLE = /throttling in Redis failed|Redis at .* is unavailable/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TrafficTarget {
  name: string;
  url?: string;
  expect?: string;
  headers?: Readonly<Record<string, string>>;
  script?: string;
  unavailable?: string;
}

export interface TrafficOptions {
  repoRoot: string;
  benchSrc: string;
  /** Scratch directory for projects and data directories. */
  dir: string;
  /** Placeholder for the bench API's HTTP_PROXY routes, which nothing here calls. */
  upstreamPort: number;
  params: Params;
  wanted(name: string): boolean;
  /** Measures one wrk target as run.ts measures every other. */
  measure(t: TrafficTarget): Promise<Row>;
  /** `redis://127.0.0.1:6379` unless BENCH_REDIS says otherwise; loopback only. */
  redisUrl: string;
  log(msg: string): void;
}

/** Every traffic name, for BENCH_ONLY. */
export const TRAFFIC_NAMES: readonly string[] = [
  ...Object.values(TRAFFIC_TARGETS),
  MEASUREMENTS.accuracyMemory,
  MEASUREMENTS.accuracyRedis,
];

/** Measures the wanted traffic targets into `rows` and returns the other traffic results. */
export async function measureTraffic(opts: TrafficOptions, rows: Row[]): Promise<TrafficResult> {
  const { wanted, log } = opts;
  const result: TrafficResult = { accuracy: [] };
  const memoryWanted =
    [TRAFFIC_TARGETS.keyed, TRAFFIC_TARGETS.throttled, TRAFFIC_TARGETS.plain, TRAFFIC_TARGETS.cached, MEASUREMENTS.accuracyMemory].some(wanted);
  const redisWanted = wanted(TRAFFIC_TARGETS.redisKeyed) || wanted(TRAFFIC_TARGETS.redisThrottled) || wanted(MEASUREMENTS.accuracyRedis);

  if (memoryWanted) {
    let portico: Portico | undefined;
    let unavailable: string | undefined;
    try {
      portico = await startTrafficPortico(opts, 'portico-traffic', { apiId: undefined, extraArgs: [] });
      await configure(portico, { cache: true, keys: true });
      log(`traffic: memory portico on ${portico.port}, limits and cache set`);
    } catch (err) {
      unavailable = `traffic setup failed: ${firstLine(err)}`;
      log(unavailable);
    }
    try {
      for (const t of keyedPair(portico, TRAFFIC_TARGETS.keyed, TRAFFIC_TARGETS.throttled, unavailable)) {
        if (wanted(t.name)) rows.push(await opts.measure(t));
      }
      if (wanted(TRAFFIC_TARGETS.plain) || wanted(TRAFFIC_TARGETS.cached)) {
        const pair = (await cachePair(portico, opts.dir, unavailable)).filter((t) => wanted(t.name));
        rows.push(...(await alternating(pair, opts.measure)));
      }
      if (wanted(MEASUREMENTS.accuracyMemory)) {
        result.accuracy.push(portico && unavailable === undefined ? await measureAccuracy(MEASUREMENTS.accuracyMemory, 'memory', [portico], log) : failedAccuracy(MEASUREMENTS.accuracyMemory, 'memory', 1, unavailable));
      }
    } finally {
      if (portico) await stop(portico.proc);
    }
  }

  if (redisWanted) await measureRedis(opts, rows, result);
  return result;
}

async function measureRedis(opts: TrafficOptions, rows: Row[], result: TrafficResult): Promise<void> {
  const { wanted, log } = opts;
  const accuracyWanted = wanted(MEASUREMENTS.accuracyRedis);
  // Keys are unique to this run: the API id names the stage and plan buckets' API and the
  // account id the account bucket, and the CLI has no key prefix option. Nothing then meets a
  // key left by another run or another Portico on the same Redis.
  const runTag = randomDigits(8);
  const apiId = `bt${runTag}`;
  const accountId = `9${randomDigits(11)}`;
  const porticos: Portico[] = [];
  let unavailable: string | undefined;
  const planIds: string[] = [];
  try {
    await pingRedis(opts.redisUrl);
    const extraArgs = ['--redis', opts.redisUrl, '--account-id', accountId];
    for (let i = 0; i < (accuracyWanted ? 2 : 1); i++) {
      porticos.push(await startTrafficPortico(opts, `portico-redis-${i + 1}`, { apiId, extraArgs }));
    }
    // The keyed pair runs against the first process only; both need the throttled route's limit.
    for (const [i, p] of porticos.entries()) planIds.push(...(await configure(p, { cache: false, keys: i === 0 })));
    log(`traffic: ${porticos.length} Redis-backed porticos on ${porticos.map((p) => p.port).join(', ')} (api ${apiId}, account ${accountId})`);
  } catch (err) {
    unavailable = `Redis traffic setup failed: ${firstLine(err)}`;
    log(unavailable);
  }
  try {
    const first = unavailable === undefined ? porticos[0] : undefined;
    for (const t of keyedPair(first, TRAFFIC_TARGETS.redisKeyed, TRAFFIC_TARGETS.redisThrottled, unavailable)) {
      if (!wanted(t.name)) continue;
      const row = await opts.measure(t);
      // A request Redis did not answer in time was admitted by the failure policy, unmeasured.
      const trouble = first?.proc.tail.find((l) => REDIS_TROUBLE.test(l));
      if (trouble !== undefined) {
        row.ok = false;
        row.note = [row.note, `Redis failure policy applied: ${trouble}`].filter(Boolean).join('; ');
      }
      rows.push(row);
    }
    if (accuracyWanted) {
      result.accuracy.push(
        unavailable === undefined ? await measureAccuracy(MEASUREMENTS.accuracyRedis, 'redis', porticos, log) : failedAccuracy(MEASUREMENTS.accuracyRedis, 'redis', 2, unavailable),
      );
    }
  } finally {
    for (const p of porticos) await stop(p.proc);
    if (porticos.length > 0) await removeRedisKeys(opts.redisUrl, apiId, accountId, planIds, log);
  }
}

/** The keyed pair's two wrk targets on `portico`: one key without limits, one with plan throttles. */
function keyedPair(portico: Portico | undefined, keyedName: string, throttledName: string, unavailable: string | undefined): TrafficTarget[] {
  const missing = unavailable ?? (portico === undefined ? 'portico not started' : undefined);
  return [
    { name: keyedName, url: portico && `${portico.invokeBase}/traffic/keyed`, expect: '"ok":true', headers: { 'x-api-key': TRAFFIC_OPEN_KEY }, unavailable: missing },
    { name: throttledName, url: portico && `${portico.invokeBase}/traffic/throttled`, expect: '"ok":true', headers: { 'x-api-key': TRAFFIC_PLAN_KEY }, unavailable: missing },
  ];
}

/**
 * The cache pair's targets: a hit is checked on every cached copy first (its second answer
 * must carry the first one's request id), then wrk spreads its requests over the copies.
 */
async function cachePair(portico: Portico | undefined, dir: string, unavailable: string | undefined): Promise<TrafficTarget[]> {
  let missing = unavailable ?? (portico === undefined ? 'portico not started' : undefined);
  const paths = (kind: 'plain' | 'cached') => Array.from({ length: CACHE_ROUTES }, (_, i) => `${new URL(portico!.invokeBase).pathname}/traffic/${kind}/${i}`);
  const target = (name: string, kind: 'plain' | 'cached'): TrafficTarget => {
    if (portico === undefined || missing !== undefined) return { name, unavailable: missing ?? 'portico not started' };
    const script = join(dir, `wrk-${kind}.lua`);
    writeFileSync(script, spreadScript(paths(kind)));
    return { name, url: `${portico.invokeBase}/traffic/${kind}/0`, expect: '"ok":true', script };
  };
  if (portico !== undefined && missing === undefined) {
    try {
      for (const path of paths('cached')) {
        const url = `http://${LOOPBACK}:${portico.port}${path}`;
        const first = await httpGet(url, REQUEST_TIMEOUT_MS);
        const second = await httpGet(url, REQUEST_TIMEOUT_MS);
        const rendered = (r: typeof first) => r.headers[RENDERED_HEADER.toLowerCase()];
        if (first.status !== 200 || second.status !== 200 || rendered(first) === undefined || rendered(first) !== rendered(second)) {
          throw new Error(`${path} not served from the cache: HTTP ${first.status}/${second.status}, ${RENDERED_HEADER} ${String(rendered(first))} then ${String(rendered(second))}`);
        }
      }
    } catch (err) {
      missing = firstLine(err);
    }
  }
  return [target(TRAFFIC_TARGETS.plain, 'plain'), target(TRAFFIC_TARGETS.cached, 'cached')];
}

/**
 * A wrk script sending its requests to `paths` in turn. The requests are built once, in init
 * (after wrk has set the Host header), so each costs wrk no more than its single fixed request.
 */
function spreadScript(paths: string[]): string {
  return [
    `local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }`,
    'local requests = {}',
    'local n = 0',
    'function init(args)',
    '  for i, path in ipairs(paths) do requests[i] = wrk.format("GET", path) end',
    '  n = #requests',
    'end',
    'local i = 0',
    'function request()',
    '  i = i % n + 1',
    '  return requests[i]',
    'end',
    '',
  ].join('\n');
}

/** A copy of /mock for the cache pair, answering RENDERED_HEADER from `source`. */
function mockCopy(source: string): unknown {
  return {
    get: {
      responses: { '200': { description: 'fixed body', headers: { [RENDERED_HEADER]: { schema: { type: 'string' } } } } },
      'x-amazon-apigateway-integration': {
        type: 'mock',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        responses: {
          default: {
            statusCode: '200',
            responseParameters: { [`method.response.header.${RENDERED_HEADER}`]: source },
            responseTemplates: { 'application/json': '{"ok":true}' },
          },
        },
        passthroughBehavior: 'when_no_match',
      },
    },
  };
}

function addCacheRoutes(api: ApiDoc): void {
  for (let i = 0; i < CACHE_ROUTES; i++) {
    api.paths[`/traffic/plain/${i}`] = mockCopy(`'${RENDERED_LITERAL}'`);
    api.paths[`/traffic/cached/${i}`] = mockCopy('context.requestId');
  }
}

async function startTrafficPortico(opts: TrafficOptions, name: string, variant: { apiId: string | undefined; extraArgs: string[] }): Promise<Portico> {
  const dir = join(opts.dir, name);
  const projectFile = writeProjectVariant(opts.benchSrc, join(dir, 'project'), opts.upstreamPort, (project, api) => {
    addCacheRoutes(api);
    if (variant.apiId === undefined) return;
    const apis = project.apis as { apiId?: string }[];
    for (const entry of apis) entry.apiId = variant.apiId;
  });
  return startPortico({
    name,
    repoRoot: opts.repoRoot,
    projectFile,
    dataDir: join(dir, 'data'),
    port: await freePort(),
    readyTimeoutMs: 60_000,
    extraArgs: variant.extraArgs,
  });
}

/**
 * The cache pair's halves differ by a few percent at most, less than one wrk run varies from
 * the next on the machines the bench runs on; so the halves take turns, PAIR_ROUNDS times (the
 * order alternating), and each half's median run is its row.
 */
const PAIR_ROUNDS = 3;

async function alternating(targets: TrafficTarget[], measure: (t: TrafficTarget) => Promise<Row>): Promise<Row[]> {
  const runs = targets.map(() => [] as Row[]);
  for (let round = 0; round < PAIR_ROUNDS; round++) {
    const order = targets.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) runs[i]!.push(await measure(targets[i]!));
  }
  return runs.map((rows) => {
    const ok = rows.filter((r) => r.ok && r.requestsPerSec !== undefined).sort((a, b) => a.requestsPerSec! - b.requestsPerSec!);
    if (ok.length === 0) return rows[0]!;
    const median = ok[Math.floor((ok.length - 1) / 2)]!;
    const all = rows.map((r) => (r.requestsPerSec === undefined ? 'failed' : String(Math.round(r.requestsPerSec)))).join(', ');
    return { ...median, note: `median of ${ok.length} runs, taking turns with the other half (${all} req/s)${median.note ? `; ${median.note}` : ''}` };
  });
}

function client(portico: Portico): APIGatewayClient {
  const endpoint = `http://${LOOPBACK}:${portico.port}`;
  assertLoopbackUrl(endpoint);
  return new APIGatewayClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
}

/**
 * Sets the accuracy route's throttle (and, with `cache`, the stage cache and the cached
 * route's caching), and with `keys` the keyed pair's keys and plans; waits until the gateway
 * applies all of it. Returns the ids of the plans made.
 */
async function configure(portico: Portico, what: { cache: boolean; keys: boolean }): Promise<string[]> {
  const api = client(portico);
  const revision = randomDigits(12);
  const planIds: string[] = [];
  try {
    const ops: PatchOperation[] = [
      { op: 'replace', path: '/~1traffic~1limited/GET/throttling/rateLimit', value: String(LIMITED.rate) },
      { op: 'replace', path: '/~1traffic~1limited/GET/throttling/burstLimit', value: String(LIMITED.burst) },
    ];
    if (what.cache) {
      // Caching for this one method only: the stage default (`*/*`) would cache every GET of the stage.
      ops.push({ op: 'replace', path: '/cacheClusterEnabled', value: 'true' });
      for (let i = 0; i < CACHE_ROUTES; i++) {
        ops.push(
          { op: 'replace', path: `/~1traffic~1cached~1${i}/GET/caching/enabled`, value: 'true' },
          { op: 'replace', path: `/~1traffic~1cached~1${i}/GET/caching/ttlInSeconds`, value: '300' },
          // The plain copy gets a method setting too, caching off: the same method throttle
          // bucket, so the pair differs by the cache alone.
          { op: 'replace', path: `/~1traffic~1plain~1${i}/GET/caching/enabled`, value: 'false' },
        );
      }
    }
    // Last, so that seeing it served means everything before it is live.
    ops.push({ op: 'replace', path: '/variables/benchTraffic', value: revision });
    await api.send(new UpdateStageCommand({ restApiId: portico.apiId, stageName: STAGE, patchOperations: ops }));

    if (what.keys) {
      const apiStage = { apiId: portico.apiId, stage: STAGE };
      const open = await api.send(new CreateApiKeyCommand({ name: 'portico-bench-traffic-open', value: TRAFFIC_OPEN_KEY, enabled: true }));
      const openPlan = await api.send(new CreateUsagePlanCommand({ name: 'portico-bench-traffic-open', apiStages: [apiStage] }));
      await api.send(new CreateUsagePlanKeyCommand({ usagePlanId: openPlan.id, keyId: open.id, keyType: 'API_KEY' }));
      const limited = await api.send(new CreateApiKeyCommand({ name: 'portico-bench-traffic-plan', value: TRAFFIC_PLAN_KEY, enabled: true }));
      const limitedPlan = await api.send(
        new CreateUsagePlanCommand({
          name: 'portico-bench-traffic-plan',
          apiStages: [{ ...apiStage, throttle: { '/traffic/throttled/GET': { rateLimit: UNREFUSED_LIMIT, burstLimit: UNREFUSED_LIMIT } } }],
          throttle: { rateLimit: UNREFUSED_LIMIT, burstLimit: UNREFUSED_LIMIT },
        }),
      );
      await api.send(new CreateUsagePlanKeyCommand({ usagePlanId: limitedPlan.id, keyId: limited.id, keyType: 'API_KEY' }));
      planIds.push(openPlan.id!, limitedPlan.id!);
    }
  } finally {
    api.destroy();
  }
  // The gateway applies management changes from the store's change feed, a moment later.
  await waitFor(`${portico.invokeBase}/traffic/revision`, {}, (body) => body.includes(`"revision":"${revision}"`));
  if (what.keys) {
    await waitFor(`${portico.invokeBase}/traffic/keyed`, { 'x-api-key': TRAFFIC_OPEN_KEY }, (body) => body.includes('"ok":true'));
    await waitFor(`${portico.invokeBase}/traffic/throttled`, { 'x-api-key': TRAFFIC_PLAN_KEY }, (body) => body.includes('"ok":true'));
  }
  return planIds;
}

async function waitFor(url: string, headers: Record<string, string>, good: (body: string) => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await httpGet(url, 2000, headers);
      if (res.status === 200 && good(res.body)) return;
      last = `HTTP ${res.status} ${res.body.slice(0, 120)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}

function failedAccuracy(name: string, backend: AccuracyResult['backend'], processes: number, note: string | undefined): AccuracyResult {
  return { name, backend, processes, ok: false, rateLimit: LIMITED.rate, burstLimit: LIMITED.burst, offeredRps: BAR.throttleOffer, durationSec: ACCURACY_SEC, note };
}

/**
 * Offers BAR.throttleOffer requests/s to /traffic/limited for ACCURACY_SEC seconds, split
 * evenly over `porticos`, and counts what was admitted per second of sending. The first second
 * also spends the bucket's burst (it starts full), so the steady rate is the mean of seconds 2
 * to N; (all admitted - burst) / N is reported beside it as the whole run with the burst
 * accounted for.
 */
async function measureAccuracy(name: string, backend: AccuracyResult['backend'], porticos: Portico[], log: (m: string) => void): Promise<AccuracyResult> {
  const base = failedAccuracy(name, backend, porticos.length, undefined);
  const urls = porticos.map((p) => `${p.invokeBase}/traffic/limited`);
  try {
    for (const url of urls) {
      const check = await httpGet(url, REQUEST_TIMEOUT_MS);
      if (check.status !== 200) return { ...base, note: `check failed: HTTP ${check.status} ${check.body.slice(0, 120)}` };
    }
    // The checks took a token or two; the run starts with the bucket full, as a new one is.
    await sleep(1500);
    log(`${name}: ${BAR.throttleOffer} req/s open loop for ${ACCURACY_SEC}s over ${porticos.length} process(es)`);
    const run = await runOpenLoop({
      targets: urls.map((url) => ({ url, rate: BAR.throttleOffer / urls.length })),
      durationSec: ACCURACY_SEC,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    return accuracyOf(base, run);
  } catch (err) {
    return { ...base, note: firstLine(err) };
  }
}

function accuracyOf(base: AccuracyResult, run: OpenLoopResult): AccuracyResult {
  const admitted = run.windows.map((w) => w.ok);
  const steady = admitted.slice(1);
  const total = admitted.reduce((a, b) => a + b, 0);
  const failed = run.windows.reduce((a, w) => a + w.failed + w.other, 0);
  const notes: string[] = [];
  if (failed > 0) {
    const statuses = Object.entries(run.otherStatuses).map(([s, n]) => `${n} x HTTP ${s}`);
    notes.push(`${failed} requests neither 200 nor 429${statuses.length > 0 ? ` (${statuses.join(', ')})` : ''}${run.firstError ? `; first error: ${run.firstError}` : ''}`);
  }
  // Sends more than LATE_MS behind schedule shift a few requests into the next second; report
  // when that happened to more than 1% of them, since the windows are then less exact.
  if (run.late > run.sent / 100) notes.push(`${run.late} of ${run.sent} requests left over 10 ms late (max ${run.maxLagMs.toFixed(0)} ms)`);
  return {
    ...base,
    ok: failed === 0 && run.sent === BAR.throttleOffer * base.durationSec,
    windows: run.windows,
    firstSecondAdmitted: admitted[0],
    steadyAdmittedPerSec: steady.reduce((a, b) => a + b, 0) / steady.length,
    steadyMin: Math.min(...steady),
    steadyMax: Math.max(...steady),
    burstAccountedPerSec: (total - base.burstLimit) / base.durationSec,
    perProcessAdmitted: run.perTarget.map((t) => t.ok),
    maxLagMs: run.maxLagMs,
    maxInFlight: run.maxInFlight,
    note: notes.length > 0 ? notes.join('; ') : undefined,
  };
}

function redisTarget(url: string): { host: string; port: number } {
  const u = new URL(url);
  if (u.protocol !== 'redis:' || u.hostname !== LOOPBACK) throw new Error(`refusing non-loopback Redis ${url}`);
  return { host: u.hostname, port: Number(u.port || 6379) };
}

async function pingRedis(url: string): Promise<void> {
  const redis = new Redis({ ...redisTarget(url), lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`no Redis at ${url}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/**
 * Deletes the keys this run's Porticos wrote (their own keys expire within seconds anyway):
 * Portico's default `portico:` prefix, then the throttle buckets of this run's API, account and
 * plans. Only those keys, never the database.
 */
async function removeRedisKeys(url: string, apiId: string, accountId: string, planIds: string[], log: (m: string) => void): Promise<void> {
  const redis = new Redis({ ...redisTarget(url), lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const patterns = [`portico:*${apiId}*`, `portico:throttle:account:${accountId}:*`, ...planIds.map((id) => `portico:throttle:plan:${id}:*`)];
    let removed = 0;
    for (const match of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) removed += await redis.del(...keys);
      } while (cursor !== '0');
    }
    log(`traffic: removed ${removed} Redis keys of this run`);
  } catch (err) {
    log(`traffic: could not remove this run's Redis keys: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10);
  return s;
}

function firstLine(err: unknown): string {
  return ((err as Error).message ?? String(err)).split('\n')[0];
}
