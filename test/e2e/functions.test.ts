/**
 * End-to-end tests of functions behind the gateway: a real Portico on an ephemeral loopback
 * port, a REST API stage whose methods use AWS_PROXY Lambda integrations, and real HTTP clients.
 * Covers the Python and custom runtimes, concurrency bounds under a burst, how Lambda's errors
 * and throttling reach the client, code reloads under load, function logs, and handlers that
 * call back into the Portico running them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { Portico } from '../../src/portico.js';
import type { LocalInvoker } from '../../src/functions/local-invoker.js';
import type { FunctionDefinition } from '../../src/model/function.js';
import { lambdaUri, tempDir, writeHandler, UUID } from '../helpers.js';

const STAGE = 'e2e';
const MAX_INSTANCES = 32;
const CONCURRENCY = 10;
const RELOAD_BOUND = 4;
const RELOAD_DEBOUNCE_MS = 100;

function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/functions/${name}`, import.meta.url));
}

const proxyMethod = (functionName: string) => ({
  'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri(functionName) },
});

const OPENAPI = {
  openapi: '3.0.1',
  info: { title: 'functions-e2e', version: '1' },
  paths: {
    '/py/{id}': { get: proxyMethod('py') },
    '/provided': { post: proxyMethod('provided') },
    '/conc': { post: proxyMethod('conc') },
    '/throttled': { get: proxyMethod('throttled') },
    '/thrower': { get: proxyMethod('thrower') },
    '/looper': { get: proxyMethod('looper') },
    '/reload': { get: proxyMethod('reloader') },
    '/logs': { get: proxyMethod('logger') },
    '/callback': { get: proxyMethod('caller') },
  },
};

const INLINE: Record<string, string> = {
  conc: `
export const handler = async (event) => {
  const start = Date.now();
  const input = JSON.parse(event.body);
  await new Promise((resolve) => setTimeout(resolve, 40));
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...input, start, end: Date.now() }) };
};`,
  throttled: `export const handler = async () => ({ statusCode: 200, body: 'should never run' });`,
  thrower: `export const handler = async () => { throw new Error('boom'); };`,
  looper: `
import { randomUUID } from 'node:crypto';
const instanceId = randomUUID();
export const handler = async (event) => {
  if (event.queryStringParameters?.loop) for (;;) {}
  return { statusCode: 200, body: JSON.stringify({ instanceId }) };
};`,
  logger: `
export const handler = async (event, context) => {
  console.log('handling', event.path);
  return { statusCode: 200, body: JSON.stringify({ requestId: context.awsRequestId }) };
};`,
};

const reloaderSource = (version: number): string =>
  `// version ${version}\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ version: ${version} }) });\n`;

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

function header(res: Response, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The most intervals open at one instant; an interval ending when another starts does not overlap it. */
function maxOverlap(intervals: { start: number; end: number }[]): number {
  const events = intervals.flatMap(({ start, end }) => [
    { at: start, delta: 1 },
    { at: end, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let max = 0;
  for (const { delta } of events) {
    open += delta;
    max = Math.max(max, open);
  }
  return max;
}

describe('functions through the gateway', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;
  let agent: Agent;
  let apiId: string;
  let reloaderDir: string;
  const logs: { functionName: string; text: string }[] = [];
  const reloads: { functionName: string; at: number }[] = [];

  const invoker = (): LocalInvoker => portico.invoker as LocalInvoker;

  async function call(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await request(`${portico.url}/_aws/execute-api/${apiId}/${STAGE}${path}`, {
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      body: init.body,
      headers: init.headers,
      dispatcher: agent,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  before(async () => {
    dir = await tempDir('portico-functions-e2e-');
    agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 });
    portico = await Portico.start({
      dataDir: join(dir.path, 'data'),
      port: 0,
      maxFunctionInstances: MAX_INSTANCES,
      functionLogs: (functionName, text) => logs.push({ functionName, text }),
      onFunctionReload: (functionName) => reloads.push({ functionName, at: performance.now() }),
    });
    const base = { handler: 'index.handler', timeout: 3, memorySize: 128, environment: {} };
    const functions: FunctionDefinition[] = [
      { ...base, functionName: 'py', runtime: 'python3.11', handler: 'app.handler', codeDirectory: fixture('e2e-python-proxy') },
      { ...base, functionName: 'provided', runtime: 'provided.al2023', handler: 'unused', codeDirectory: fixture('e2e-provided-proxy') },
      { ...base, functionName: 'caller', runtime: 'nodejs20.x', codeDirectory: fixture('e2e-sdk-callback'), timeout: 20, memorySize: 512 },
    ];
    for (const [name, source] of Object.entries(INLINE)) {
      functions.push({
        ...base,
        functionName: name,
        runtime: 'nodejs20.x',
        codeDirectory: await writeHandler(dir.path, name, source),
        timeout: name === 'looper' ? 1 : name === 'conc' ? 10 : 3,
        reservedConcurrency: name === 'conc' ? CONCURRENCY : name === 'throttled' ? 0 : undefined,
      });
    }
    reloaderDir = await writeHandler(dir.path, 'reloader', reloaderSource(0));
    functions.push({ ...base, functionName: 'reloader', runtime: 'nodejs20.x', codeDirectory: reloaderDir, reservedConcurrency: RELOAD_BOUND });
    for (const fn of functions) await portico.putFunction(fn);
    apiId = (await portico.deployOpenApi(OPENAPI, { stageName: STAGE, sourceKey: 'inline:functions-e2e' })).api.id;
  });

  after(async () => {
    await portico?.close();
    await agent?.close();
    await dir?.remove();
  });

  it('serves a python3.x handler behind AWS_PROXY', async () => {
    const res = await call('/py/abc?x=1');
    assert.equal(res.status, 200, res.text);
    assert.equal(header(res, 'content-type'), 'application/json');
    assert.equal(header(res, 'x-runtime'), 'python');
    assert.equal(header(res, 'x-multi'), 'one, two');
    const body = res.json();
    assert.equal(body.path, '/py/abc');
    assert.equal(body.method, 'GET');
    assert.deepEqual(body.query, { x: '1' });
    assert.equal(body.functionName, 'py');
    assert.match(body.awsRequestId, UUID);
    // Warm: the second request is served too, with a request id of its own.
    const again = await call('/py/def');
    assert.equal(again.status, 200);
    assert.equal(again.json().path, '/py/def');
    assert.notEqual(again.json().awsRequestId, body.awsRequestId);
  });

  it('serves a provided.al2023 bootstrap behind AWS_PROXY', async () => {
    const res = await call('/provided', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(header(res, 'content-type'), 'application/json');
    assert.equal(header(res, 'x-runtime'), 'provided');
    const body = res.json();
    assert.match(body.requestId, UUID);
    assert.equal(body.method, 'POST');
    assert.equal(body.resource, '/provided');
    assert.equal(body.functionName, 'provided');
  });

  it('answers a burst of 200 requests, each with its own body, at most reservedConcurrency at once', { timeout: 30_000 }, async (t) => {
    let maxInstances = 0;
    let maxTotal = 0;
    const sample = (): void => {
      const stats = invoker().stats();
      maxInstances = Math.max(maxInstances, stats.functions.conc?.instances ?? 0);
      maxTotal = Math.max(maxTotal, stats.instances);
    };
    const sampler = setInterval(sample, 1);
    const tokens = Array.from({ length: 200 }, (_, n) => ({ n, token: `${n}-${Math.random().toString(36).slice(2)}` }));
    let results: Response[];
    try {
      results = await Promise.all(
        tokens.map(async (input) => {
          const res = await call('/conc', { method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json' } });
          sample();
          return res;
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const intervals: { start: number; end: number }[] = [];
    results.forEach((res, i) => {
      assert.equal(res.status, 200, `request ${i}: ${res.status} ${res.text}`);
      const body = res.json();
      assert.equal(body.n, tokens[i]!.n);
      assert.equal(body.token, tokens[i]!.token);
      intervals.push({ start: body.start, end: body.end });
    });
    const overlap = maxOverlap(intervals);
    t.diagnostic(`max overlap ${overlap}, max instances ${maxInstances}, max total ${maxTotal}`);
    assert.ok(overlap <= CONCURRENCY, `${overlap} ran at once`);
    assert.ok(overlap >= 2, `the burst ran concurrently (max overlap ${overlap})`);
    assert.ok(maxInstances <= CONCURRENCY, `${maxInstances} instances`);
    assert.ok(maxInstances >= 2, `${maxInstances} instances`);
    assert.ok(maxTotal <= MAX_INSTANCES);
    const after = invoker().stats().functions.conc!;
    assert.ok(after.instances <= CONCURRENCY);
    assert.equal(after.busy, 0);
    assert.equal(after.queued, 0);
  });

  it('maps Lambda throttling to 500 and function errors and timeouts to 502, as API Gateway does', { timeout: 15_000 }, async () => {
    // reservedConcurrency 0: Lambda answers 429, which API Gateway turns into a 500.
    const throttled = await call('/throttled');
    assert.equal(throttled.status, 500);
    assert.deepEqual(throttled.json(), { message: 'Internal server error' });
    assert.equal(header(throttled, 'x-amzn-errortype'), 'InternalServerErrorException');
    assert.equal(invoker().stats().functions.throttled?.instances ?? 0, 0, 'a throttled function starts no instance');

    const thrown = await call('/thrower');
    assert.equal(thrown.status, 502);
    assert.deepEqual(thrown.json(), { message: 'Internal server error' });

    const warm = await call('/looper');
    assert.equal(warm.status, 200);
    const firstInstance = warm.json().instanceId;
    const started = performance.now();
    const timedOut = await call('/looper?loop=1');
    const took = performance.now() - started;
    assert.equal(timedOut.status, 502);
    assert.deepEqual(timedOut.json(), { message: 'Internal server error' });
    assert.ok(took >= 900 && took < 5000, `timed out after ${Math.round(took)} ms`);
    // The looping instance was torn down and replaced.
    const next = await call('/looper');
    assert.equal(next.status, 200, next.text);
    assert.notEqual(next.json().instanceId, firstInstance);
    assert.ok((invoker().stats().functions.looper?.instances ?? 0) <= 1);
  });

  it('reloads edited code under load without a failed request', { timeout: 30_000 }, async (t) => {
    const warm = await call('/reload');
    assert.deepEqual(warm.json(), { version: 0 });
    const LAST = 15;
    const seen: { t0: number; t1: number; status: number; version?: number; text: string }[] = [];
    let stop = false;
    let maxInstances = 0;
    let maxTotal = 0;
    const sampler = setInterval(() => {
      const stats = invoker().stats();
      maxInstances = Math.max(maxInstances, stats.functions.reloader?.instances ?? 0);
      maxTotal = Math.max(maxTotal, stats.instances);
    }, 2);
    const loop = async (): Promise<void> => {
      while (!stop) {
        const t0 = performance.now();
        try {
          const res = await call('/reload');
          let version: number | undefined;
          try {
            version = res.json().version;
          } catch {
            version = undefined;
          }
          seen.push({ t0, t1: performance.now(), status: res.status, version, text: res.text });
        } catch (err) {
          seen.push({ t0, t1: performance.now(), status: 0, text: String(err) });
        }
      }
    };
    const loops = Array.from({ length: 4 }, () => loop());
    let lastWriteAt = 0;
    try {
      for (let version = 1; version <= LAST; version++) {
        await sleep(180);
        await writeFile(join(reloaderDir, 'index.mjs'), reloaderSource(version));
        lastWriteAt = performance.now();
      }
      await sleep(1200);
    } finally {
      stop = true;
      await Promise.all(loops);
      clearInterval(sampler);
    }

    const failures = seen.filter((r) => r.status !== 200);
    const lastStale = [...seen].reverse().find((r) => r.version !== LAST);
    t.diagnostic(
      `${seen.length} requests, versions seen ${new Set(seen.map((r) => r.version)).size}, reloads ${reloads.length}, ` +
        `last stale request started ${Math.round((lastStale?.t0 ?? 0) - lastWriteAt)} ms after the last write, ` +
        `max instances ${maxInstances}, slowest ${Math.round(Math.max(...seen.map((r) => r.t1 - r.t0)))} ms`,
    );
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${seen.length} requests failed`);
    assert.ok(seen.length > 100, `only ${seen.length} requests ran`);
    const versions = new Set(seen.map((r) => r.version));
    assert.ok(versions.size > 2, `responses came from versions ${[...versions].join(', ')}`);

    const mine = reloads.filter((r) => r.functionName === 'reloader');
    assert.ok(mine.length >= 1, 'onFunctionReload was called');
    assert.ok(mine.some((r) => r.at >= lastWriteAt), 'onFunctionReload was called for the last write');

    // The last write settles once the debounce interval passes without another change.
    const settledAt = lastWriteAt + RELOAD_DEBOUNCE_MS;
    const late = seen.filter((r) => r.t0 >= settledAt + 500);
    assert.ok(late.length > 0, 'requests ran after the reload settled');
    const stale = late.filter((r) => r.version !== LAST);
    assert.deepEqual(stale.slice(0, 5).map((r) => ({ at: Math.round(r.t0 - settledAt), version: r.version })), []);
    assert.equal(seen.filter((r) => r.t1 >= settledAt + 500).at(-1)!.version, LAST);

    assert.ok(maxInstances <= RELOAD_BOUND, `${maxInstances} reloader instances during the reloads`);
    assert.ok(maxTotal <= MAX_INSTANCES, `${maxTotal} instances during the reloads`);
    // Retired instances go once their last invocation ends.
    const deadline = Date.now() + 2000;
    let stats = invoker().stats();
    while ((stats.functions.reloader?.instances ?? 0) > RELOAD_BOUND && Date.now() < deadline) {
      await sleep(20);
      stats = invoker().stats();
    }
    const reloader = stats.functions.reloader!;
    assert.ok(reloader.instances >= 1 && reloader.instances <= RELOAD_BOUND, `${reloader.instances} reloader instances`);
    assert.equal(reloader.busy, 0);
    assert.ok(stats.instances <= stats.maxInstances);
    assert.deepEqual((await call('/reload')).json(), { version: LAST });
  });

  it('writes START, the handler\'s console line, END and REPORT for one request, in order', async () => {
    const res = await call('/logs');
    assert.equal(res.status, 200);
    const { requestId } = res.json();
    assert.match(requestId, UUID);
    const lines = logs
      .filter((l) => l.functionName === 'logger')
      .map((l) => l.text)
      .join('')
      .split('\n')
      .filter((line) => line.includes(requestId));
    assert.equal(lines.length, 4, lines.join('\n'));
    const [start, output, end, report] = lines;
    assert.equal(start, `START RequestId: ${requestId} Version: $LATEST`);
    assert.match(output!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${requestId}\\tINFO\\thandling /logs$`));
    assert.equal(end, `END RequestId: ${requestId}`);
    assert.match(
      report!,
      new RegExp(
        `^REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`,
      ),
    );
    // A warm invocation reports no init duration.
    const again = (await call('/logs')).json().requestId;
    const warmReport = logs
      .filter((l) => l.functionName === 'logger')
      .map((l) => l.text)
      .join('')
      .split('\n')
      .find((line) => line.startsWith(`REPORT RequestId: ${again}`));
    assert.ok(warmReport && !warmReport.includes('Init Duration'), warmReport);
  });

  it('lets a handler call back into this Portico with only the environment it was given', { timeout: 30_000 }, async () => {
    const res = await call('/callback');
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    assert.equal(body.endpoint, portico.url);
    assert.equal(body.health.status, 200);
    assert.equal(body.health.body.status, 'ok');
    assert.ok(body.health.body.apis.some((a: { id: string }) => a.id === apiId), 'the health report lists this API');
    assert.ok(body.functions.includes('caller'), `ListFunctions answered ${body.functions.join(', ')}`);
    for (const name of ['py', 'provided', 'conc', 'reloader']) assert.ok(body.functions.includes(name), name);
  });
});
