/**
 * The behaviour every ResponseCache backend must show, as one suite the backend test files
 * run against their own cache: hits within the TTL, expiry, keys of different parameter values
 * kept apart, a flush confined to its stage, byte-exact binary bodies, the 1 MiB limit and
 * deletes. Importing this module registers nothing; each backend calls responseCacheSuite.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compileCacheKey, type CacheKey, type CacheKeyRequest } from '../../src/traffic/cache-key.js';
import { MAX_CACHEABLE_BODY_BYTES, type CachedResponse, type CacheEntryOptions, type ResponseCache } from '../../src/traffic/response-cache.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A request as the cache key reads it. */
export function request(parts: {
  method?: string;
  path?: Record<string, string>;
  query?: Record<string, string[]>;
  headers?: Record<string, string | string[]>;
}): CacheKeyRequest {
  const multi = parts.query ?? {};
  const single: Record<string, string> = {};
  for (const [name, values] of Object.entries(multi)) if (values.length > 0) single[name] = values[values.length - 1]!;
  const headers = parts.headers ?? {};
  const distinct: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) distinct[name] = Array.isArray(value) ? value : [value];
  return {
    httpMethod: parts.method ?? 'GET',
    pathParameters: parts.path ?? null,
    query: { single, multi },
    req: { headers, headersDistinct: distinct },
  };
}

/** A fresh API id per call, so tests sharing one backend (and one Redis) never see each other. */
export function uniqueApiId(): string {
  return randomBytes(5).toString('hex');
}

/** A key of a GET on `/items/{id}` in `stage` of a fresh API unless `apiId` is given. */
export function itemKey(id: string, stage = 'prod', apiId = uniqueApiId()): CacheKey {
  const keyOf = compileCacheKey({
    apiId,
    stageName: stage,
    resourceId: 'res1',
    resourcePath: '/items/{id}',
    httpMethod: 'GET',
    cacheKeyParameters: ['method.request.path.id'],
  });
  return keyOf(request({ path: { id } }));
}

export function response(body: string | Buffer, status = 200): CachedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-multi': ['a', 'b'] },
    body: typeof body === 'string' ? Buffer.from(body) : body,
  };
}

/**
 * Registers the shared behaviour tests. `create` returns the cache under test (it may return
 * the same instance every time: each test uses keys of its own API); `options` go with every
 * call, so a backend can run the suite with its entries encrypted.
 */
export function responseCacheSuite(name: string, create: () => ResponseCache, options?: CacheEntryOptions): void {
  describe(`${name}: shared response cache behaviour`, () => {
    it('serves a stored response within its TTL and counts the hit', async () => {
      const cache = create();
      const key = itemKey('1');
      const before = cache.stats();
      await cache.set(key, response('{"id":1}', 203), 60, options);
      const hit = await cache.get(key, options);
      assert.ok(hit);
      assert.equal(hit.status, 203);
      assert.deepEqual(hit.headers, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      assert.equal(hit.body.toString(), '{"id":1}');
      assert.equal(cache.stats().hits - before.hits, 1);
      assert.equal(cache.stats().misses - before.misses, 0);
    });

    it('answers an absent key with a counted miss', async () => {
      const cache = create();
      const before = cache.stats();
      assert.equal(await cache.get(itemKey('nothing'), options), undefined);
      assert.equal(cache.stats().misses - before.misses, 1);
      assert.equal(cache.stats().hits - before.hits, 0);
    });

    it('stops serving an entry once its TTL has passed', async () => {
      const cache = create();
      const key = itemKey('2');
      await cache.set(key, response('soon gone'), 0.25, options);
      assert.ok(await cache.get(key, options), 'fresh entry');
      await sleep(450);
      assert.equal(await cache.get(key, options), undefined);
    });

    it('stores nothing for a TTL of 0, and drops the previous entry', async () => {
      const cache = create();
      const key = itemKey('3');
      await cache.set(key, response('old'), 60, options);
      const before = cache.stats();
      await cache.set(key, response('new'), 0, options);
      assert.equal(await cache.get(key, options), undefined);
      assert.equal(cache.stats().rejected - before.rejected, 1);
    });

    it('replaces an entry on a second set', async () => {
      const cache = create();
      const key = itemKey('4');
      await cache.set(key, response('first'), 60, options);
      await cache.set(key, response('second'), 60, options);
      assert.equal((await cache.get(key, options))?.body.toString(), 'second');
    });

    it('keeps entries of different cache key parameter values apart', async () => {
      const cache = create();
      const keyOf = compileCacheKey({
        apiId: uniqueApiId(),
        stageName: 'prod',
        resourceId: 'res2',
        resourcePath: '/search',
        httpMethod: 'GET',
        cacheKeyParameters: ['method.request.querystring.type', 'method.request.multivaluequerystring.tag', 'method.request.header.X-Tenant'],
      });
      // Pairs a naive "join with a separator" key would merge.
      const requests = [
        request({ query: { type: ['a,b'] } }),
        request({ query: { type: ['a'], tag: ['b'] } }),
        request({ query: { type: ['a'], tag: ['b', 'c'] } }),
        request({ query: { type: ['a'], tag: ['b,c'] } }),
        request({ query: { type: [''] } }),
        request({}),
        request({ headers: { 'x-tenant': 'a' } }),
        request({ query: { type: ['a'] } }),
        request({ query: { type: ['a'] }, headers: { 'x-tenant': '' } }),
      ];
      const keys = requests.map(keyOf);
      for (const [i, key] of keys.entries()) await cache.set(key, response(`body ${i}`), 60, options);
      for (const [i, key] of keys.entries()) {
        assert.equal((await cache.get(key, options))?.body.toString(), `body ${i}`, `request ${i}`);
      }
      // A parameter that is not a cache key parameter does not vary the entry (AWS's example).
      const other = keyOf(request({ query: { type: ['a'], department: ['B'] } }));
      assert.equal((await cache.get(other, options))?.body.toString(), `body 7`);
    });

    it('flushes one stage and leaves another stage of the same API alone', async () => {
      const cache = create();
      const apiId = uniqueApiId();
      const prod = itemKey('5', 'prod', apiId);
      const beta = itemKey('5', 'beta', apiId);
      await cache.set(prod, response('prod'), 60, options);
      await cache.set(beta, response('beta'), 60, options);
      await cache.flush(prod.stage);
      assert.equal(await cache.get(prod, options), undefined);
      assert.equal((await cache.get(beta, options))?.body.toString(), 'beta');
      // The flushed stage caches again afterwards.
      await cache.set(prod, response('prod again'), 60, options);
      assert.equal((await cache.get(prod, options))?.body.toString(), 'prod again');
    });

    it('returns binary bodies byte for byte, from empty up to the 1 MiB limit', async () => {
      const cache = create();
      const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const bodies = [Buffer.alloc(0), everyByte, Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]), randomBytes(200_000), randomBytes(MAX_CACHEABLE_BODY_BYTES)];
      const apiId = uniqueApiId();
      for (const [i, body] of bodies.entries()) {
        await cache.set(itemKey(`bin${i}`, 'prod', apiId), { status: 200, headers: { 'content-type': 'application/octet-stream' }, body }, 60, options);
      }
      for (const [i, body] of bodies.entries()) {
        const hit = await cache.get(itemKey(`bin${i}`, 'prod', apiId), options);
        assert.ok(hit, `body ${i} cached`);
        assert.ok(hit.body.equals(body), `body ${i} is byte-exact`);
      }
    });

    it('does not cache a body over 1 MiB', async () => {
      const cache = create();
      const key = itemKey('big');
      const before = cache.stats();
      await cache.set(key, response(Buffer.alloc(MAX_CACHEABLE_BODY_BYTES + 1, 1)), 60, options);
      assert.equal(await cache.get(key, options), undefined);
      assert.equal(cache.stats().rejected - before.rejected, 1);
    });

    it('deletes one entry and keeps its neighbours', async () => {
      const cache = create();
      const apiId = uniqueApiId();
      await cache.set(itemKey('6', 'prod', apiId), response('six'), 60, options);
      await cache.set(itemKey('7', 'prod', apiId), response('seven'), 60, options);
      await cache.delete(itemKey('6', 'prod', apiId), options);
      assert.equal(await cache.get(itemKey('6', 'prod', apiId), options), undefined);
      assert.equal((await cache.get(itemKey('7', 'prod', apiId), options))?.body.toString(), 'seven');
    });

    it('is not changed by a caller editing what it stored or what it got back', async () => {
      const cache = create();
      const key = itemKey('8');
      const stored = response('original');
      await cache.set(key, stored, 60, options);
      stored.body.write('XXXXXXXX');
      (stored.headers as Record<string, string>)['content-type'] = 'text/plain';
      const first = await cache.get(key, options);
      assert.equal(first?.body.toString(), 'original');
      assert.equal(first?.headers['content-type'], 'application/json');
      first!.headers['warning'] = 'added by the caller';
      const second = await cache.get(key, options);
      assert.equal(second?.headers['warning'], undefined);
    });
  });
}
