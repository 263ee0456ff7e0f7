/**
 * Gateway metrics through a real Portico: APIs built and stages configured with the AWS SDK as
 * a user does (caching, detailed metrics and a throttle through UpdateStage), a known mix of
 * requests sent over HTTP, and the exact counts read back from `/_portico/metrics` per label
 * set. Then the process health part, `metrics: false`, and the rules for AWS's dimensions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GatewayMetrics, LATENCY_BUCKETS_MS, apiNameDimension } from '../../src/observability/metrics.js';
import { STAGE, startPortico, type TrafficHarness } from '../gateway/traffic-setup.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';
import { rawRequest, type RawResponse } from '../helpers.js';
import { closedPort, parseExposition, samplesOf, scrape, valueOf, type Exposition } from './metrics-setup.js';

const COUNT = 'apigateway_count_total';
const E4XX = 'apigateway_4xxerror_total';
const E5XX = 'apigateway_5xxerror_total';
const HITS = 'apigateway_cache_hit_count_total';
const MISSES = 'apigateway_cache_miss_count_total';
const LATENCY = 'apigateway_latency_milliseconds';
const INTEGRATION = 'apigateway_integration_latency_milliseconds';
/** An API name with every character the text format escapes in a label value. */
const QUOTED_NAME = 'say "hi" \\ then\nbye';

interface MethodSpec {
  path: string;
  /** The MOCK's status (selected by its integration responses); an HTTP integration when `http` is set. */
  status?: number;
  http?: string;
}

/** A REST API with one GET per spec, deployed to STAGE. */
async function buildApi(h: TrafficHarness, name: string, methods: MethodSpec[]): Promise<string> {
  const api = await h.v1.send(new CreateRestApiCommand({ name }));
  for (const spec of methods) {
    const resource = await h.v1.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: spec.path }));
    const at = { restApiId: api.id, resourceId: resource.id, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE' }));
    if (spec.http !== undefined) {
      await h.v1.send(new PutIntegrationCommand({ ...at, type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: spec.http }));
      continue;
    }
    const status = spec.status ?? 200;
    await h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': `{"statusCode": ${status}}` } }));
    for (const code of new Set([200, status])) {
      await h.v1.send(new PutMethodResponseCommand({ ...at, statusCode: String(code) }));
      await h.v1.send(
        new PutIntegrationResponseCommand({
          ...at,
          statusCode: String(code),
          selectionPattern: code === 200 ? undefined : String(code),
          responseTemplates: { 'application/json': `{"status":${code}}` },
        }),
      );
    }
  }
  await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: STAGE }));
  await h.portico.registry.settled();
  return api.id!;
}

async function updateStage(h: TrafficHarness, apiId: string, settings: Record<string, string>): Promise<void> {
  const patchOperations = Object.entries(settings).map(([path, value]) => ({ op: 'replace' as const, path, value }));
  await h.v1.send(new UpdateStageCommand({ restApiId: apiId, stageName: STAGE, patchOperations }));
  await h.portico.registry.settled();
}

async function get(h: TrafficHarness, apiId: string, path: string, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res: RawResponse = await rawRequest(h.portico.port, { path: `/_aws/execute-api/${apiId}/${STAGE}/${path}` });
    statuses.push(res.status);
  }
  return statuses;
}

/** Every label set `name` has a sample with among the series of `apiId`. */
const labelSetsOf = (exposition: Exposition, name: string, apiId: string): Record<string, string>[] =>
  exposition.samples.filter((s) => s.name === name && s.labels.ApiId === apiId).map((s) => s.labels);

/** Checks a histogram series' shape (cumulative buckets, +Inf equal to the count) and returns its count. */
function histogramCount(exposition: Exposition, name: string, labels: Record<string, string>): number {
  const count = valueOf(exposition, `${name}_count`, labels);
  const sum = valueOf(exposition, `${name}_sum`, labels);
  assert.ok(sum >= 0, `${name}_sum ${sum}`);
  let previous = 0;
  for (const bound of [...LATENCY_BUCKETS_MS.map(String), '+Inf']) {
    const bucket = valueOf(exposition, `${name}_bucket`, { ...labels, le: bound });
    assert.ok(bucket >= previous, `${name} buckets are cumulative at le=${bound}`);
    previous = bucket;
  }
  assert.equal(previous, count, `${name}: the +Inf bucket is the count`);
  return count;
}

describe('gateway metrics at /_portico/metrics', () => {
  let h: TrafficHarness;
  let api: string;
  let unicodeApi: string;
  let quotedApi: string;
  let stage: Record<string, string>;
  let detailed: Record<string, string>;

  before(async () => {
    h = await startPortico({ logs: 'off' });
    const deadPort = await closedPort();
    api = await buildApi(h, 'Café Pets', [
      { path: 'ok' },
      { path: 'cached' },
      { path: 'bad', status: 400 },
      { path: 'fail', status: 500 },
      { path: 'limited' },
      { path: 'upstream', http: `http://127.0.0.1:${deadPort}/down` },
    ]);
    await updateStage(h, api, {
      '/cacheClusterEnabled': 'true',
      '/~1cached/GET/caching/enabled': 'true',
      '/~1cached/GET/metrics/enabled': 'true',
      '/~1limited/GET/throttling/rateLimit': '0.001',
      '/~1limited/GET/throttling/burstLimit': '1',
    });
    unicodeApi = await buildApi(h, '宠物商店', [{ path: 'ok' }]);
    quotedApi = await buildApi(h, QUOTED_NAME, [{ path: 'ok' }]);
    stage = { ApiName: 'Caf Pets', ApiId: api, Stage: STAGE };
    detailed = { ...stage, Method: 'GET', Resource: '/cached' };

    assert.deepEqual(await get(h, api, 'ok', 5), [200, 200, 200, 200, 200]);
    assert.deepEqual(await get(h, api, 'cached', 4), [200, 200, 200, 200]);
    assert.deepEqual(await get(h, api, 'bad', 2), [400, 400]);
    assert.deepEqual(await get(h, api, 'fail', 1), [500]);
    const [upstream] = await get(h, api, 'upstream', 1);
    assert.ok(upstream >= 500 && upstream < 600, `a closed backend port answers 5xx, got ${upstream}`);
    assert.deepEqual(await get(h, api, 'nowhere', 2), [403, 403], 'no such resource: Missing Authentication Token');
    assert.deepEqual(await get(h, api, 'limited', 3), [200, 429, 429]);
    assert.deepEqual(await get(h, unicodeApi, 'ok', 1), [200]);
    assert.deepEqual(await get(h, quotedApi, 'ok', 2), [200, 200]);
  });

  after(() => h?.remove());

  it('counts every request of the stage in Count, and 4xx and 5xx answers in 4XXError and 5XXError', async () => {
    const m = await scrape(h.portico.port);
    // 5 ok + 4 cached + 2 bad + 1 fail + 1 upstream + 2 unmatched + 3 limited
    assert.equal(valueOf(m, COUNT, stage), 18);
    // 2 bad + 2 unmatched (403) + 2 throttled (429)
    assert.equal(valueOf(m, E4XX, stage), 6);
    // the MOCK 500 and the unreachable backend
    assert.equal(valueOf(m, E5XX, stage), 2);
    assert.equal(m.types.get(COUNT), 'counter');
    assert.equal(m.types.get(E4XX), 'counter');
    assert.equal(m.types.get(E5XX), 'counter');
    assert.match(m.help.get(COUNT) ?? '', /^Count: /);
  });

  it('counts cache hits and misses of cached methods', async () => {
    const m = await scrape(h.portico.port);
    assert.equal(valueOf(m, HITS, stage), 3);
    assert.equal(valueOf(m, MISSES, stage), 1);
    assert.equal(m.types.get(HITS), 'counter');
    assert.equal(m.types.get(MISSES), 'counter');
  });

  it('observes Latency for every request, and IntegrationLatency only where the integration was called', async () => {
    const m = await scrape(h.portico.port);
    assert.equal(m.types.get(LATENCY), 'histogram');
    assert.equal(m.types.get(INTEGRATION), 'histogram');
    assert.equal(histogramCount(m, LATENCY, stage), 18);
    // Not for the 3 cache hits, the 2 unmatched requests or the 2 throttled ones.
    assert.equal(histogramCount(m, INTEGRATION, stage), 11);
  });

  it('gives the method with detailed metrics a series of its own, labelled Method and Resource, next to the stage aggregate', async () => {
    const m = await scrape(h.portico.port);
    assert.equal(valueOf(m, COUNT, detailed), 4);
    assert.equal(valueOf(m, E4XX, detailed), 0, 'zero-valued error series are published');
    assert.equal(valueOf(m, E5XX, detailed), 0);
    assert.equal(valueOf(m, HITS, detailed), 3);
    assert.equal(valueOf(m, MISSES, detailed), 1);
    assert.equal(histogramCount(m, LATENCY, detailed), 4);
    assert.equal(histogramCount(m, INTEGRATION, detailed), 1, 'only the miss reached the integration');
    // Methods without detailed metrics have no series: the API has the stage's and this one only.
    for (const name of [COUNT, E4XX, E5XX, HITS, MISSES, `${LATENCY}_count`, `${INTEGRATION}_count`]) {
      assert.deepEqual(labelSetsOf(m, name, api), [stage, detailed], name);
    }
  });

  it("labels an API whose name has no ASCII character with its id, and keeps each API's counts apart", async () => {
    const m = await scrape(h.portico.port);
    const labels = { ApiName: unicodeApi, ApiId: unicodeApi, Stage: STAGE };
    assert.equal(valueOf(m, COUNT, labels), 1);
    assert.equal(valueOf(m, E4XX, labels), 0);
    assert.equal(valueOf(m, HITS, labels), 0);
    assert.equal(histogramCount(m, INTEGRATION, labels), 1);
    assert.deepEqual(labelSetsOf(m, COUNT, unicodeApi), [labels]);
  });

  it('escapes quotes, backslashes and line breaks in label values', async () => {
    const m = await scrape(h.portico.port);
    assert.equal(valueOf(m, COUNT, { ApiName: QUOTED_NAME, ApiId: quotedApi, Stage: STAGE }), 2);
    assert.ok(m.text.includes(`ApiName="say \\"hi\\" \\\\ then\\nbye"`), 'escaped as the text format asks');
  });

  it('continues the same series when the stage is compiled again', async () => {
    await updateStage(h, api, { '/variables/colour': 'blue' });
    assert.deepEqual(await get(h, api, 'ok', 1), [200]);
    assert.deepEqual(await get(h, api, 'cached', 1), [200]);
    const m = await scrape(h.portico.port);
    assert.equal(valueOf(m, COUNT, stage), 20);
    assert.equal(valueOf(m, COUNT, detailed), 5);
    assert.equal(valueOf(m, HITS, detailed), 4, 'the cache outlived the recompile too');
    assert.deepEqual(labelSetsOf(m, COUNT, api), [stage, detailed]);
  });

  it("reports the process's health: event loop, heap, GC, handles", async () => {
    const m = await scrape(h.portico.port);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles_total', 'process_cpu_user_seconds_total']) {
      assert.equal(m.samples.filter((s) => s.name === name).length, 1, name);
    }
    assert.equal(m.types.get('nodejs_gc_duration_seconds'), 'histogram');
    assert.ok(valueOf(m, 'nodejs_heap_size_used_bytes') > 0);
  });

  it("reports the listener's open connections", async () => {
    const base = await openConnections(h.portico.port, (n) => n >= 1);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const socket = connect(h.portico.port, '127.0.0.1');
        socket.on('error', () => undefined);
        sockets.push(socket);
      }
      // The server sees a connection a moment after the client does: wait for it, then for the close.
      assert.equal(await openConnections(h.portico.port, (n) => n >= base + 3), base + 3);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    assert.equal(await openConnections(h.portico.port, (n) => n <= base), base);
  });

  it('reports the live function instances', async () => {
    assert.equal(valueOf(await scrape(h.portico.port), 'portico_function_instances'), 0);
    const lambda = new LambdaClient({
      endpoint: `http://127.0.0.1:${h.portico.port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'metrics-echo',
          Runtime: 'nodejs20.x',
          Role: 'arn:aws:iam::000000000000:role/lambda-role',
          Handler: 'index.handler',
          Code: { ZipFile: await handlerZip('export const handler = async () => ({ ok: true });') },
        }),
      );
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'metrics-echo' }));
      assert.equal(out.FunctionError, undefined);
    } finally {
      lambda.destroy();
    }
    const m = await scrape(h.portico.port);
    assert.equal(valueOf(m, 'portico_function_instances'), 1, 'the instance that served the call stays warm');
    assert.equal(m.types.get('portico_function_instances'), 'gauge');
  });

  it('answers HEAD with the headers only, and other methods with 405', async () => {
    const head = await rawRequest(h.portico.port, { method: 'HEAD', path: '/_portico/metrics' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const post = await rawRequest(h.portico.port, { method: 'POST', path: '/_portico/metrics', body: '' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});

/** The open connections gauge, scraped until `done` holds (at most 5 s). */
async function openConnections(port: number, done: (n: number) => boolean): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const n = valueOf(await scrape(port), 'portico_open_connections');
    if (done(n) || Date.now() > deadline) return n;
    await sleep(20);
  }
}

describe('metrics: false', () => {
  let h: TrafficHarness;

  before(async () => {
    h = await startPortico({ metrics: false, logs: 'off' });
  });

  after(() => h?.remove());

  it('serves no metrics endpoint: the path is an ordinary unknown path', async () => {
    const res = await rawRequest(h.portico.port, { path: '/_portico/metrics' });
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), { message: 'Not Found' });
    assert.doesNotMatch(res.text, /apigateway_/);
  });
});

describe("AWS's dimensions", () => {
  it('removes non-ASCII characters from ApiName, and uses the API id when nothing is left', () => {
    assert.equal(apiNameDimension('PetStore', 'a1b2c3'), 'PetStore');
    assert.equal(apiNameDimension('Café Pets', 'a1b2c3'), 'Caf Pets');
    assert.equal(apiNameDimension('宠物 API', 'a1b2c3'), ' API');
    assert.equal(apiNameDimension('宠物商店', 'a1b2c3'), 'a1b2c3');
    assert.equal(apiNameDimension('😀', 'a1b2c3'), 'a1b2c3');
    assert.equal(apiNameDimension('', 'a1b2c3'), 'a1b2c3');
  });

  it('publishes zero-valued series for a stage as soon as it is compiled, and no process metrics when switched off', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    try {
      const bound = metrics.stage({ apiName: 'PetStore', apiId: 'q1w2e3', stageName: 'dev' });
      bound.method('GET', '/');
      const m = parseExposition((await metrics.exposition()).body);
      const labels = { ApiName: 'PetStore', ApiId: 'q1w2e3', Stage: 'dev' };
      for (const series of [labels, { ...labels, Method: 'GET', Resource: '/' }]) {
        for (const name of [COUNT, E4XX, E5XX, HITS, MISSES, `${LATENCY}_count`, `${INTEGRATION}_count`]) assert.equal(valueOf(m, name, series), 0, name);
      }
      assert.equal(samplesOf(m, 'nodejs_heap_size_used_bytes', {}).length, 0);
      assert.equal(valueOf(m, 'portico_open_connections'), 0);
    } finally {
      metrics.close();
    }
  });
});
