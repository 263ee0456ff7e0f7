/**
 * The stage response cache through a real Portico, run once per backend (memory, Redis): an
 * API of HTTP_PROXY methods in front of a local server that counts the requests reaching it,
 * with caching turned on and tuned through the management API by the AWS SDK, as a user would.
 * Each case reads the backend's count, so a response served from the cache and one fetched
 * again are told apart by whether the backend saw the request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  FlushStageCacheCommand,
  GetResourcesCommand,
  TestInvokeMethodCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { Portico, type PorticoOptions } from '../../src/portico.js';
import { IamPrincipals } from '../../src/auth/iam-principals.js';
import { UNAUTHORIZED_CACHE_CONTROL_WARNING } from '../../src/traffic/cache-control.js';
import { listen, rawRequest, tempDir, type RawResponse } from '../helpers.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
const STAGE = 'dev';
const BIG_BYTES = 1_536 * 1024;

interface Key {
  accessKeyId: string;
  secretAccessKey: string;
  arn: string;
}

/** May invoke and invalidate cache entries on stage dev. */
const INVALIDATOR: Key = { accessKeyId: 'AKIAINVALIDATOR01', secretAccessKey: 'invalidator-secret', arn: `arn:aws:iam::${ACCOUNT}:user/invalidator` };
/** May invoke only. */
const READER: Key = { accessKeyId: 'AKIAREADER0000001', secretAccessKey: 'reader-secret', arn: `arn:aws:iam::${ACCOUNT}:user/reader` };

const allow = (actions: string[]): object => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: `arn:aws:execute-api:${REGION}:${ACCOUNT}:*/${STAGE}/*` }],
});

export const PRINCIPALS = {
  principals: [
    { ...INVALIDATOR, policy: allow(['execute-api:Invoke', 'execute-api:InvalidateCache']) },
    { ...READER, policy: allow(['execute-api:Invoke']) },
  ],
};

/** A local backend answering every request with a fresh serial number, and remembering its URLs. */
export interface CountingBackend {
  port: number;
  calls: string[];
  /** How many requests reached a path starting with `prefix`. */
  count(prefix: string): number;
  close(): Promise<void>;
}

export async function countingBackend(): Promise<CountingBackend> {
  const calls: string[] = [];
  const server = await listen((req, res) => {
    calls.push(req.url ?? '/');
    req.resume();
    if (req.url?.startsWith('/big')) {
      const body = Buffer.alloc(BIG_BYTES, 'a');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      return void res.end(body);
    }
    const body = JSON.stringify({ n: calls.length, method: req.method, url: req.url, tenant: req.headers['x-tenant'] ?? null });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return {
    port: server.port,
    calls,
    count: (prefix) => calls.filter((url) => url.startsWith(prefix)).length,
    close: () => server.close(),
  };
}

const proxy = (port: number, path: string, extra: Record<string, unknown> = {}, parameters: object[] = []): object => ({
  parameters,
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'ANY', uri: `http://127.0.0.1:${port}${path}`, ...extra },
});

const SIGV4 = { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } };

/** The API the cases run against; every resource proxies to the same-named backend path. */
export function cachedApi(port: number, title = 'cached'): object {
  const query = (name: string): object => ({ name, in: 'query', schema: { type: 'string' } });
  const header = (name: string): object => ({ name, in: 'header', schema: { type: 'string' } });
  const pathParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    components: { securitySchemes: SIGV4 },
    paths: {
      '/plain': { get: proxy(port, '/plain') },
      '/items': {
        get: proxy(
          port,
          '/items',
          { cacheKeyParameters: ['method.request.querystring.type', 'method.request.header.x-tenant'] },
          [query('type'), query('department'), header('x-tenant')],
        ),
      },
      '/items/{id}': {
        get: proxy(port, '/items/{id}', { requestParameters: { 'integration.request.path.id': 'method.request.path.id' }, cacheKeyParameters: ['method.request.path.id'] }, [pathParam]),
      },
      '/shared/{id}': {
        get: proxy(port, '/shared/{id}', { requestParameters: { 'integration.request.path.id': 'method.request.path.id' } }, [pathParam]),
      },
      '/short': { get: proxy(port, '/short') },
      '/orders': { get: proxy(port, '/orders'), post: proxy(port, '/orders') },
      '/cc403': { get: proxy(port, '/cc403') },
      '/ccwarn': { get: proxy(port, '/ccwarn') },
      '/ccsilent': { get: proxy(port, '/ccsilent') },
      '/ccopen': { get: proxy(port, '/ccopen') },
      '/iam': { get: { ...(proxy(port, '/iam') as object), security: [{ sigv4: [] }] } },
      '/big': { get: proxy(port, '/big') },
      '/canary': { get: proxy(port, '/canary') },
      '/flushed': { get: proxy(port, '/flushed') },
      '/alias-a': { get: proxy(port, '/alias-a', { cacheNamespace: 'aliases' }) },
      '/alias-b': { get: proxy(port, '/alias-b', { cacheNamespace: 'aliases' }) },
    },
  };
}

const setting = (resource: string, method: string, name: string, value: string): PatchOperation => ({
  op: 'replace',
  path: `/${resource === '*' ? '*' : resource.replace(/\//g, '~1')}/${method}/caching/${name}`,
  value,
});

/** The stage settings the cases expect: GETs cached for 300 s, with the per-method overrides below. */
export const CACHE_SETTINGS: PatchOperation[] = [
  { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
  setting('*', '*', 'enabled', 'true'),
  setting('/short', 'GET', 'enabled', 'true'),
  setting('/short', 'GET', 'ttlInSeconds', '1'),
  setting('/cc403', 'GET', 'enabled', 'true'),
  setting('/cc403', 'GET', 'unauthorizedCacheControlHeaderStrategy', 'FAIL_WITH_403'),
  setting('/ccwarn', 'GET', 'enabled', 'true'),
  setting('/ccwarn', 'GET', 'unauthorizedCacheControlHeaderStrategy', 'SUCCEED_WITH_RESPONSE_HEADER'),
  setting('/ccsilent', 'GET', 'enabled', 'true'),
  setting('/ccsilent', 'GET', 'unauthorizedCacheControlHeaderStrategy', 'SUCCEED_WITHOUT_RESPONSE_HEADER'),
  setting('/ccopen', 'GET', 'enabled', 'true'),
  setting('/ccopen', 'GET', 'requireAuthorizationForCacheControl', 'false'),
];

export interface CachedPortico {
  portico: Portico;
  sdk: APIGatewayClient;
  apiId: string;
  get(path: string, headers?: Record<string, string>): Promise<RawResponse>;
  close(): Promise<void>;
}

/** Starts a Portico, deploys the API (under `apiId` when given) and turns caching on through the SDK. */
export async function startCachedPortico(backendPort: number, options: Partial<PorticoOptions> = {}, apiId?: string): Promise<CachedPortico> {
  const dir = await tempDir('portico-cache-');
  const portico = await Portico.start({
    port: 0,
    dataDir: dir.path,
    account: { accountId: ACCOUNT, region: REGION },
    iamPrincipals: IamPrincipals.fromConfig(PRINCIPALS),
    ...options,
  });
  const sdk = new APIGatewayClient({
    endpoint: portico.url,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const deployed = await portico.deployOpenApi(cachedApi(backendPort), { stageName: STAGE, apiId });
  await sdk.send(new UpdateStageCommand({ restApiId: deployed.api.id, stageName: STAGE, patchOperations: CACHE_SETTINGS }));
  await portico.registry.settled();
  return {
    portico,
    sdk,
    apiId: deployed.api.id,
    get: (path, headers = {}) => rawRequest(portico.port, { path: `/_aws/execute-api/${deployed.api.id}/${STAGE}${path}`, headers }),
    async close() {
      sdk.destroy();
      await portico.close();
      await dir.remove();
    },
  };
}

/** The backend's serial number in a JSON answer: equal serials mean one backend response. */
const serial = (res: RawResponse): number => {
  assert.equal(res.status, 200, res.text);
  return res.json().n as number;
};

export function responseCacheScenarios(label: string, options: () => Partial<PorticoOptions>): void {
  describe(label, () => {
    let backend: CountingBackend;
    let h: CachedPortico;

    before(async () => {
      backend = await countingBackend();
      h = await startCachedPortico(backend.port, options());
    });

    after(async () => {
      await h?.close();
      await backend?.close();
    });

    const update = async (patchOperations: PatchOperation[]): Promise<void> => {
      await h.sdk.send(new UpdateStageCommand({ restApiId: h.apiId, stageName: STAGE, patchOperations }));
      await h.portico.registry.settled();
    };

    const signedGet = async (k: Key, path: string, headers: Record<string, string>): Promise<RawResponse> => {
      const full = `/_aws/execute-api/${h.apiId}/${STAGE}${path}`;
      const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: k, sha256: Sha256 });
      const signed = await signer.sign({
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: h.portico.port,
        path: full,
        query: {},
        headers: { host: `127.0.0.1:${h.portico.port}`, ...headers },
      });
      return rawRequest(h.portico.port, { path: full, headers: signed.headers as Record<string, string> });
    };

    it('answers identical GETs within the TTL from one backend response', async () => {
      const first = await h.get('/plain');
      const second = await h.get('/plain');
      const third = await h.get('/plain');
      assert.equal(backend.count('/plain'), 1);
      assert.equal(serial(second), serial(first));
      assert.equal(serial(third), serial(first));
      assert.equal(third.headers['content-type'], 'application/json');
      assert.ok(third.headers['x-amzn-requestid'] !== first.headers['x-amzn-requestid'], 'each answer has its own request id');
      const stats = h.portico.cacheStats().find((s) => s.apiId === h.apiId && s.stageName === STAGE);
      assert.ok(stats, 'the stage has cache counters');
      assert.ok(stats.hits >= 2 && stats.misses >= 1, JSON.stringify(stats));
    });

    it('keeps entries apart by each cacheKeyParameters value: query, header and path', async () => {
      const admin = serial(await h.get('/items?type=admin'));
      const regular = serial(await h.get('/items?type=regular'));
      assert.notEqual(admin, regular);
      assert.equal(serial(await h.get('/items?type=admin')), admin);
      assert.equal(serial(await h.get('/items?type=regular')), regular);

      const tenantA = serial(await h.get('/items?type=admin', { 'x-tenant': 'a' }));
      const tenantB = serial(await h.get('/items?type=admin', { 'x-tenant': 'b' }));
      assert.notEqual(tenantA, tenantB);
      assert.notEqual(tenantA, admin, 'a request with the header is not the one without it');
      assert.equal(serial(await h.get('/items?type=admin', { 'x-tenant': 'a' })), tenantA);

      const one = serial(await h.get('/items/1'));
      const two = serial(await h.get('/items/2'));
      assert.notEqual(one, two);
      assert.equal(serial(await h.get('/items/1')), one);
      assert.equal(backend.count('/items'), 6);
    });

    it('shares one entry among values of parameters left out of cacheKeyParameters', async () => {
      // AWS's example: only `type` is a key, so department B is answered with department A's response.
      const a = await h.get('/items?type=staff&department=A');
      const b = await h.get('/items?type=staff&department=B');
      assert.equal(serial(b), serial(a));
      assert.equal(b.json().url, '/items?type=staff&department=A');
      // A path parameter that is not a key does not vary the entry either.
      assert.equal(serial(await h.get('/shared/2')), serial(await h.get('/shared/1')));
      assert.equal(backend.count('/shared'), 1);
    });

    it('shares entries among resources with one cacheNamespace', async () => {
      const a = await h.get('/alias-a');
      const b = await h.get('/alias-b');
      assert.equal(serial(b), serial(a));
      assert.equal(b.json().url, '/alias-a');
      assert.equal(backend.count('/alias'), 1);
    });

    it('fetches again once the TTL has passed', async () => {
      const first = serial(await h.get('/short'));
      assert.equal(serial(await h.get('/short')), first);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      const later = serial(await h.get('/short'));
      assert.notEqual(later, first);
      assert.equal(backend.count('/short'), 2);
    });

    it('caches POST only once the method setting enables it', async () => {
      await rawRequest(h.portico.port, { method: 'POST', path: `/_aws/execute-api/${h.apiId}/${STAGE}/orders`, body: '{}' });
      await rawRequest(h.portico.port, { method: 'POST', path: `/_aws/execute-api/${h.apiId}/${STAGE}/orders`, body: '{}' });
      assert.equal(backend.count('/orders'), 2, 'the stage default caches GET methods only');
      assert.equal(serial(await h.get('/orders')), serial(await h.get('/orders')));
      assert.equal(backend.count('/orders'), 3);

      await update([setting('/orders', 'POST', 'enabled', 'true')]);
      const post = (): Promise<RawResponse> => rawRequest(h.portico.port, { method: 'POST', path: `/_aws/execute-api/${h.apiId}/${STAGE}/orders`, body: '{}' });
      const first = await post();
      const second = await post();
      assert.equal(first.json().method, 'POST');
      assert.equal(serial(second), serial(first));
      assert.equal(backend.count('/orders'), 4);
    });

    it('FAIL_WITH_403 refuses an unauthorized Cache-Control: max-age=0 without calling the backend', async () => {
      const cached = serial(await h.get('/cc403'));
      const refused = await h.get('/cc403', { 'cache-control': 'max-age=0' });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers['x-amzn-errortype'], 'AccessDeniedException');
      assert.deepEqual(refused.json(), { message: 'User is not authorized to access this resource' });
      assert.equal(serial(await h.get('/cc403')), cached);
      assert.equal(backend.count('/cc403'), 1);
    });

    it('SUCCEED_WITH_RESPONSE_HEADER serves the cached entry with a Warning header', async () => {
      const cached = serial(await h.get('/ccwarn'));
      const res = await h.get('/ccwarn', { 'cache-control': 'max-age=0' });
      assert.equal(serial(res), cached);
      assert.equal(res.headers.warning, UNAUTHORIZED_CACHE_CONTROL_WARNING.value);
      const plain = await h.get('/ccwarn');
      assert.equal(plain.headers.warning, undefined, 'the warning is not stored with the entry');
      assert.equal(backend.count('/ccwarn'), 1);
    });

    it('SUCCEED_WITHOUT_RESPONSE_HEADER serves the cached entry as if the header were absent', async () => {
      const cached = serial(await h.get('/ccsilent'));
      const res = await h.get('/ccsilent', { 'cache-control': 'max-age=0' });
      assert.equal(serial(res), cached);
      assert.equal(res.headers.warning, undefined);
      assert.equal(backend.count('/ccsilent'), 1);
    });

    it('lets anyone invalidate when the method does not require authorization', async () => {
      const cached = serial(await h.get('/ccopen'));
      const fresh = serial(await h.get('/ccopen', { 'cache-control': 'max-age=0' }));
      assert.notEqual(fresh, cached);
      assert.equal(serial(await h.get('/ccopen')), fresh, 'the fresh response replaced the entry');
      assert.equal(backend.count('/ccopen'), 2);
    });

    it('invalidates for an IAM caller allowed execute-api:InvalidateCache, and only for it', async () => {
      const cached = serial(await signedGet(READER, '/iam', {}));
      const ignored = await signedGet(READER, '/iam', { 'cache-control': 'max-age=0' });
      assert.equal(serial(ignored), cached, 'Invoke alone does not allow invalidation');
      assert.equal(ignored.headers.warning, UNAUTHORIZED_CACHE_CONTROL_WARNING.value);
      assert.equal(backend.count('/iam'), 1);

      const fresh = await signedGet(INVALIDATOR, '/iam', { 'cache-control': 'max-age=0' });
      assert.notEqual(serial(fresh), cached);
      assert.equal(fresh.headers.warning, undefined);
      assert.equal(serial(await signedGet(READER, '/iam', {})), serial(fresh), 'the entry was replaced');
      assert.equal(backend.count('/iam'), 2);
    });

    it('empties the stage cache on FlushStageCache', async () => {
      const before = serial(await h.get('/flushed'));
      assert.equal(serial(await h.get('/flushed')), before);
      await h.sdk.send(new FlushStageCacheCommand({ restApiId: h.apiId, stageName: STAGE }));
      const after = serial(await h.get('/flushed'));
      assert.notEqual(after, before);
      assert.equal(serial(await h.get('/flushed')), after);
      assert.equal(backend.count('/flushed'), 2);
    });

    it('does not cache a body over 1 MiB, and still delivers all of it', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await h.get('/big');
        assert.equal(res.status, 200);
        assert.equal(res.body.length, BIG_BYTES);
      }
      assert.equal(backend.count('/big'), 2);
    });

    it('leaves TestInvokeMethod uncached', async () => {
      const resources = await h.sdk.send(new GetResourcesCommand({ restApiId: h.apiId }));
      const plain = resources.items!.find((r) => r.path === '/plain')!;
      const before = backend.count('/plain');
      for (let i = 0; i < 2; i++) {
        const out = await h.sdk.send(new TestInvokeMethodCommand({ restApiId: h.apiId, resourceId: plain.id!, httpMethod: 'GET', pathWithQueryString: '/plain' }));
        assert.equal(out.status, 200);
      }
      assert.equal(backend.count('/plain'), before + 2);
    });

    it('caches canary requests only when the canary uses the stage cache', async () => {
      await h.sdk.send(new CreateDeploymentCommand({ restApiId: h.apiId, stageName: STAGE, canarySettings: { percentTraffic: 100, useStageCache: false } }));
      await h.portico.registry.settled();
      try {
        await h.get('/canary');
        await h.get('/canary');
        assert.equal(backend.count('/canary'), 2, 'useStageCache false: the canary is not cached');

        await update([{ op: 'replace', path: '/canarySettings/useStageCache', value: 'true' }]);
        const first = serial(await h.get('/canary'));
        assert.equal(serial(await h.get('/canary')), first);
        assert.equal(backend.count('/canary'), 3);
      } finally {
        await update([{ op: 'remove', path: '/canarySettings' }]);
      }
      // The canary served another deployment, so its entry was kept apart from the stage's.
      const stage = serial(await h.get('/canary'));
      assert.equal(backend.count('/canary'), 4);
      assert.equal(serial(await h.get('/canary')), stage);
    });

    it('stops caching, and drops the counters, when the stage cache is turned off', async () => {
      await update([{ op: 'replace', path: '/cacheClusterEnabled', value: 'false' }]);
      const before = backend.count('/plain');
      await h.get('/plain');
      await h.get('/plain');
      assert.equal(backend.count('/plain'), before + 2);
      assert.equal(h.portico.cacheStats().find((s) => s.apiId === h.apiId), undefined);
    });
  });
}
