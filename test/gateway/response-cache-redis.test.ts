/**
 * The stage response cache on a real Redis (127.0.0.1:6379, or PORTICO_TEST_REDIS_URL), under a
 * key prefix of its own that is removed afterwards: the shared scenarios, two Porticos sharing
 * entries and flushes through one Redis, cacheDataEncrypted with and without PORTICO_CACHE_KEY,
 * and a Redis that is down, which is bypassed (requests are still answered by the backend).
 *
 * Without a reachable Redis the file is skipped with the reason, except under PORTICO_CI=1,
 * where that is a failure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { FlushStageCacheCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { RedisConnection } from '../../src/traffic/redis-connection.js';
import { CACHE_KEY_ENV } from '../../src/traffic/redis-cache.js';
import { redisUnavailable, removeRedisPrefix, reportMissingRedis, TEST_REDIS_URL } from '../traffic/redis-availability.js';
import { countingBackend, responseCacheScenarios, startCachedPortico, type CachedPortico, type CountingBackend } from './response-cache-suite.js';

const PREFIX = `portico-test:gateway-cache:${process.pid}:${randomBytes(4).toString('hex')}:`;
const unavailable = await redisUnavailable();

if (unavailable !== undefined) {
  reportMissingRedis('response cache in Redis', unavailable);
} else {
  const options = { redisUrl: TEST_REDIS_URL, redisKeyPrefix: PREFIX };

  after(async () => {
    const cleanup = new RedisConnection({ url: TEST_REDIS_URL, log: () => undefined });
    await cleanup.ready();
    await removeRedisPrefix(cleanup, PREFIX);
    await cleanup.close();
  });

  responseCacheScenarios('response cache in Redis', () => options);

  describe('two Porticos sharing one Redis', () => {
    let backend: CountingBackend;
    let a: CachedPortico;
    let b: CachedPortico;

    before(async () => {
      backend = await countingBackend();
      a = await startCachedPortico(backend.port, options);
      // The same API id and stage in both stores: the same stage cache.
      b = await startCachedPortico(backend.port, options, a.apiId);
    });

    after(async () => {
      await a?.close();
      await b?.close();
      await backend?.close();
    });

    it('serves one process the entry the other stored, and flushes for both', async () => {
      const stored = await a.get('/plain');
      assert.equal(stored.status, 200);
      const shared = await b.get('/plain');
      assert.equal(shared.json().n, stored.json().n);
      assert.equal(backend.count('/plain'), 1);

      await b.sdk.send(new FlushStageCacheCommand({ restApiId: b.apiId, stageName: 'dev' }));
      const fresh = await a.get('/plain');
      assert.notEqual(fresh.json().n, stored.json().n);
      assert.equal((await b.get('/plain')).json().n, fresh.json().n);
      assert.equal(backend.count('/plain'), 2);
    });
  });

  describe('cacheDataEncrypted on Redis', () => {
    let backend: CountingBackend;

    before(async () => {
      backend = await countingBackend();
    });

    after(async () => {
      await backend?.close();
    });

    const encryptPlain = async (h: CachedPortico): Promise<void> => {
      await h.sdk.send(
        new UpdateStageCommand({
          restApiId: h.apiId,
          stageName: 'dev',
          patchOperations: [
            { op: 'replace', path: '/~1plain/GET/caching/enabled', value: 'true' },
            { op: 'replace', path: '/~1plain/GET/caching/dataEncrypted', value: 'true' },
          ],
        }),
      );
      await h.portico.registry.settled();
    };

    it(`leaves encrypted methods uncached without ${CACHE_KEY_ENV}`, async () => {
      const saved = process.env[CACHE_KEY_ENV];
      delete process.env[CACHE_KEY_ENV];
      const h = await startCachedPortico(backend.port, options);
      try {
        await encryptPlain(h);
        const before = backend.count('/plain');
        assert.equal((await h.get('/plain')).status, 200);
        assert.equal((await h.get('/plain')).status, 200);
        assert.equal(backend.count('/plain'), before + 2);
        // Methods without encryption are still cached.
        assert.equal((await h.get('/flushed')).json().n, (await h.get('/flushed')).json().n);
      } finally {
        if (saved !== undefined) process.env[CACHE_KEY_ENV] = saved;
        await h.close();
      }
    });

    it(`caches encrypted methods sealed with ${CACHE_KEY_ENV}`, async () => {
      const saved = process.env[CACHE_KEY_ENV];
      process.env[CACHE_KEY_ENV] = randomBytes(32).toString('base64');
      let h: CachedPortico | undefined;
      try {
        h = await startCachedPortico(backend.port, options);
        await encryptPlain(h);
        const before = backend.count('/plain');
        const first = await h.get('/plain');
        assert.equal((await h.get('/plain')).json().n, first.json().n);
        assert.equal(backend.count('/plain'), before + 1);
        const redis = h.portico.redis!;
        const names = await redis.client.keys(`${PREFIX}*:e:*`);
        assert.ok(names.length >= 1, 'an encrypted entry is stored');
        for (const name of names) assert.ok(!(await redis.client.getBuffer(name))!.includes(first.body), 'the body is sealed');
      } finally {
        if (saved === undefined) delete process.env[CACHE_KEY_ENV];
        else process.env[CACHE_KEY_ENV] = saved;
        await h?.close();
      }
    });
  });

  describe('a Redis that is down', () => {
    let backend: CountingBackend;
    let h: CachedPortico;

    before(async () => {
      backend = await countingBackend();
      const silent = await freePort();
      h = await startCachedPortico(backend.port, { redisUrl: `redis://127.0.0.1:${silent}`, redisKeyPrefix: PREFIX });
    });

    after(async () => {
      await h?.close();
      await backend?.close();
    });

    it('is bypassed: every request is answered by the backend', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await h.get('/plain')).status, 200);
      assert.equal(backend.count('/plain'), 3);
      const stats = h.portico.cacheStats().find((s) => s.apiId === h.apiId);
      assert.equal(stats?.backend, 'redis');
      assert.ok(stats.bypassed >= 3, JSON.stringify(stats));
    });

    it('answers FlushStageCache with 503, since the flush did not happen', async () => {
      await assert.rejects(h.sdk.send(new FlushStageCacheCommand({ restApiId: h.apiId, stageName: 'dev' })), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, 'ServiceUnavailableException');
        assert.equal(err.$metadata?.httpStatusCode, 503);
        return true;
      });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
