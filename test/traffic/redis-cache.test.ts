/**
 * The Redis response cache against a real Redis (127.0.0.1:6379, or PORTICO_TEST_REDIS_URL),
 * under a key prefix of its own that is removed afterwards: the shared backend suite in the
 * clear and encrypted, the O(1) generation flush, AES-256-GCM entries shared by two processes'
 * worth of caches and refused without a key, and the bypass when Redis is gone or stalls.
 *
 * Without a reachable Redis the file is skipped with the reason, except under PORTICO_CI=1,
 * where that is a failure.
 */
import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RedisConnection } from '../../src/traffic/redis-connection.js';
import { RedisCache, parseCacheEncryptionKey, cacheEncryptionKeyFromEnv, CACHE_KEY_ENV } from '../../src/traffic/redis-cache.js';
import { CacheConfigurationError, MAX_TTL_SECONDS } from '../../src/traffic/response-cache.js';
import { compileCacheKey } from '../../src/traffic/cache-key.js';
import { itemKey, request, response, responseCacheSuite, sleep, uniqueApiId } from './response-cache-suite.js';

const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `portico-test:cache:${process.pid}:${randomBytes(4).toString('hex')}:`;
const KEY = randomBytes(32);
const logLines: string[] = [];

const unreachable = await probe();

if (unreachable !== undefined && process.env.PORTICO_CI === '1') {
  test('Redis is reachable for the response cache tests (required under PORTICO_CI=1)', () => {
    assert.fail(unreachable);
  });
} else if (unreachable !== undefined) {
  test('RedisCache against a real Redis', { skip: unreachable }, () => undefined);
} else {
  const connection = new RedisConnection({ url: REDIS_URL, keyPrefix: PREFIX, log: (line) => logLines.push(line) });
  await connection.ready();
  const plain = new RedisCache({ connection });
  const sealed = new RedisCache({ connection, encryptionKey: KEY });

  after(async () => {
    await removePrefix(connection);
    await connection.close();
  });

  responseCacheSuite('RedisCache', () => plain);
  responseCacheSuite('RedisCache with cacheDataEncrypted', () => sealed, { encrypted: true });

  describe('RedisCache storage', () => {
    it('flushes by a new generation: O(1), old entries left to expire by their TTL', async () => {
      const key = itemKey('g');
      await plain.set(key, response('before the flush'), 60);
      const stored = (await connection.client.keys(`${PREFIX}*`)).filter((k) => k.includes(':p:'));
      assert.ok(stored.length >= 1);
      await plain.flush(key.stage);
      assert.equal(await plain.get(key), undefined);
      const oldEntry = stored.find((k) => k.endsWith(`:p:${key.id}`))!;
      const pttl = await connection.client.pttl(oldEntry);
      assert.ok(pttl > 0 && pttl <= 60_000, `the old entry still expires by itself (PTTL ${pttl})`);
    });

    it('stores entries with a PX TTL clamped to 3600 seconds', async () => {
      const key = itemKey('ttl');
      await plain.set(key, response('an hour at most'), 7200);
      const [entry] = (await connection.client.keys(`${PREFIX}*`)).filter((k) => k.endsWith(`:p:${key.id}`));
      const pttl = await connection.client.pttl(entry!);
      assert.ok(pttl > (MAX_TTL_SECONDS - 5) * 1000 && pttl <= MAX_TTL_SECONDS * 1000, `PTTL ${pttl}`);
    });

    it('shares entries between two caches on the same Redis, as two processes would', async () => {
      const other = new RedisCache({ connection, encryptionKey: KEY });
      const key = itemKey('shared');
      await plain.set(key, response('plain'), 60);
      await sealed.set(key, response('sealed'), 60, { encrypted: true });
      assert.equal((await new RedisCache({ connection }).get(key))?.body.toString(), 'plain');
      assert.equal((await other.get(key, { encrypted: true }))?.body.toString(), 'sealed');
      await other.flush(key.stage);
      assert.equal(await plain.get(key), undefined);
      assert.equal(await sealed.get(key, { encrypted: true }), undefined);
    });
  });

  describe('RedisCache encryption', () => {
    it('keeps the body and the request values unreadable in Redis', async () => {
      const secretValue = `tenant-${randomBytes(6).toString('hex')}`;
      const keyOf = compileCacheKey({
        apiId: uniqueApiId(),
        stageName: 'prod',
        resourceId: 'r',
        resourcePath: '/me',
        httpMethod: 'GET',
        cacheKeyParameters: ['method.request.header.x-tenant'],
      });
      const key = keyOf(request({ headers: { 'x-tenant': secretValue } }));
      const body = `{"ssn":"${randomBytes(8).toString('hex')}"}`;
      await sealed.set(key, response(body), 60, { encrypted: true });
      assert.equal((await sealed.get(key, { encrypted: true }))?.body.toString(), body);

      const names = await connection.client.keys(`${PREFIX}*`);
      assert.ok(!names.some((name) => name.includes(secretValue)), 'no Redis key names the request value');
      for (const name of names.filter((n) => n.includes(':e:'))) {
        const value = await connection.client.getBuffer(name);
        assert.ok(value && !value.includes(body) && !value.includes('application/json'), 'entry is sealed');
      }
      // The same key read in the clear finds nothing: the two never share entries.
      assert.equal(await plain.get(key), undefined);
    });

    it('misses, rather than serves, under another key or after tampering', async () => {
      const key = itemKey('tamper');
      await sealed.set(key, response('sealed body'), 60, { encrypted: true });
      const otherKey = new RedisCache({ connection, encryptionKey: randomBytes(32) });
      assert.equal(await otherKey.get(key, { encrypted: true }), undefined);

      const names = (await connection.client.keys(`${PREFIX}*`)).filter((n) => n.includes(`{s${key.stage}}`) && n.includes(':e:'));
      assert.equal(names.length, 1);
      for (const name of names) {
        const value = (await connection.client.getBuffer(name))!;
        value[value.length - 1] ^= 0x01;
        await connection.client.set(name, value, 'PX', 60_000);
      }
      assert.equal(await sealed.get(key, { encrypted: true }), undefined);
    });

    it('refuses encrypted entries without a configured key', async () => {
      assert.equal(plain.canEncrypt, false);
      assert.equal(sealed.canEncrypt, true);
      const key = itemKey('refused');
      await assert.rejects(plain.set(key, response('x'), 60, { encrypted: true }), CacheConfigurationError);
      await assert.rejects(plain.get(key, { encrypted: true }), CacheConfigurationError);
      assert.equal((await connection.client.keys(`${PREFIX}*`)).filter((n) => n.includes(key.id)).length, 0);
      assert.throws(() => new RedisCache({ connection, encryptionKey: randomBytes(16) }), CacheConfigurationError);
    });
  });

  describe('RedisCache when Redis is unavailable', () => {
    it('bypasses without waiting when nothing listens', async () => {
      const port = await freePort();
      const down = new RedisConnection({ url: `redis://127.0.0.1:${port}`, keyPrefix: PREFIX, log: (line) => logLines.push(line) });
      try {
        const cache = new RedisCache({ connection: down });
        const key = itemKey('down');
        const started = performance.now();
        await cache.set(key, response('dropped'), 60);
        assert.equal(await cache.get(key), undefined);
        await cache.delete(key);
        assert.ok(performance.now() - started < 500, 'no call waited');
        assert.equal(cache.stats().bypassed, 3);
        assert.equal(cache.stats().misses, 0, 'a bypass is not a miss of the cache itself');
        await assert.rejects(cache.flush(key.stage), 'a flush that did not happen is reported');
      } finally {
        await down.close();
      }
    });

    it('bypasses within the command timeout when Redis stops answering', async () => {
      const stall = await stallingProxy(REDIS_URL);
      const slow = new RedisConnection({ url: `redis://127.0.0.1:${stall.port}`, keyPrefix: PREFIX, log: (line) => logLines.push(line) });
      try {
        await slow.ready();
        const cache = new RedisCache({ connection: slow });
        const key = itemKey('stall');
        await cache.set(key, response('through the proxy'), 60);
        assert.equal((await cache.get(key))?.body.toString(), 'through the proxy');

        stall.pause();
        const started = performance.now();
        assert.equal(await cache.get(key), undefined);
        await cache.set(key, response('dropped'), 60);
        const elapsed = performance.now() - started;
        assert.ok(elapsed < 1_000, `took ${elapsed.toFixed(0)} ms`);
        assert.ok(cache.stats().bypassed >= 2);
      } finally {
        slow.client.disconnect();
        await slow.close();
        await stall.close();
      }
    });
  });
}

describe('cache encryption key configuration', () => {
  it('reads 32 bytes as hex or base64 and refuses anything else', () => {
    const key = randomBytes(32);
    assert.ok(parseCacheEncryptionKey(key.toString('hex')).equals(key));
    assert.ok(parseCacheEncryptionKey(key.toString('base64')).equals(key));
    assert.ok(parseCacheEncryptionKey(key.toString('base64url')).equals(key));
    for (const bad of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'x'.repeat(64)]) {
      assert.throws(() => parseCacheEncryptionKey(bad), CacheConfigurationError, JSON.stringify(bad));
    }
  });

  it(`comes from ${CACHE_KEY_ENV}, and its absence means no key`, () => {
    const key = randomBytes(32);
    assert.ok(cacheEncryptionKeyFromEnv({ [CACHE_KEY_ENV]: key.toString('base64') })?.equals(key));
    assert.equal(cacheEncryptionKeyFromEnv({}), undefined);
    assert.throws(() => cacheEncryptionKeyFromEnv({ [CACHE_KEY_ENV]: 'not a key' }), CacheConfigurationError);
  });
});

/** Undefined when Redis answers, otherwise why it does not. */
async function probe(): Promise<string | undefined> {
  const connection = new RedisConnection({ url: REDIS_URL, log: () => undefined });
  try {
    await connection.ready(1_000);
    await connection.client.ping();
    return undefined;
  } catch (err) {
    return `${(err as Error).message}: start one there or set PORTICO_TEST_REDIS_URL`;
  } finally {
    connection.client.disconnect();
    await connection.close();
  }
}

async function removePrefix(connection: RedisConnection): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await connection.client.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length > 0) await connection.client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP relay to the real Redis that can stop relaying: Redis as a client sees it when the
 * server hangs or the network drops packets.
 */
async function stallingProxy(url: string): Promise<{ port: number; pause(): void; close(): Promise<void> }> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let paused = false;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!paused) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!paused) client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause: () => void (paused = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
