/**
 * The in-process response cache: the shared backend suite, the cacheClusterSize → byte budget
 * mapping, and the budget holding under 100k distinct keys (by the cache's own accounting and
 * by the process heap), with least-recently-used eviction counted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compileCacheKey } from '../../src/traffic/cache-key.js';
import { MemoryCache, memoryBudgetBytes, DEFAULT_MEMORY_CAP_BYTES } from '../../src/traffic/memory-cache.js';
import { MAX_TTL_SECONDS } from '../../src/traffic/response-cache.js';
import { itemKey, request, response, responseCacheSuite, uniqueApiId } from './response-cache-suite.js';

const MIB = 1024 * 1024;

const shared = new MemoryCache({ maxBytes: 64 * MIB });
responseCacheSuite('MemoryCache', () => shared);

describe('memoryBudgetBytes', () => {
  it('scales AWS cluster sizes by 64 MiB per GB, up to the cap', () => {
    assert.equal(memoryBudgetBytes('0.5'), 32 * MIB);
    assert.equal(memoryBudgetBytes('1.6'), Math.floor(1.6 * 64 * MIB));
    for (const size of ['6.1', '13.5', '28.4', '58.2', '118', '237']) {
      assert.equal(memoryBudgetBytes(size), DEFAULT_MEMORY_CAP_BYTES, size);
    }
    assert.equal(DEFAULT_MEMORY_CAP_BYTES, 256 * MIB);
  });

  it('takes a configured cap and falls back to the 0.5 GB default size', () => {
    assert.equal(memoryBudgetBytes('237', 1024 * MIB), 1024 * MIB);
    assert.equal(memoryBudgetBytes('1.6', 16 * MIB), 16 * MIB);
    assert.equal(memoryBudgetBytes(undefined), 32 * MIB);
    assert.equal(memoryBudgetBytes('not a size'), 32 * MIB);
  });
});

describe('MemoryCache budget and eviction', () => {
  it('stays within its byte budget under 100k distinct keys, evicting and counting', async () => {
    const maxBytes = 8 * MIB;
    let cache: MemoryCache | undefined = new MemoryCache({ maxBytes });
    const keyOf = compileCacheKey({
      apiId: uniqueApiId(),
      stageName: 'prod',
      resourceId: 'res',
      resourcePath: '/items/{id}',
      httpMethod: 'GET',
      cacheKeyParameters: ['method.request.path.id'],
    });
    const body = Buffer.alloc(200, 0x61);
    const total = 100_000;
    let peak = 0;
    for (let i = 0; i < total; i++) {
      await cache.set(keyOf(request({ path: { id: String(i) } })), response(body), 300);
      if (cache.bytes > peak) peak = cache.bytes;
    }
    assert.ok(peak <= maxBytes, `accounted bytes peaked at ${peak}, over the ${maxBytes} budget`);
    assert.ok(cache.size > 1000 && cache.size < total, `holds ${cache.size} entries`);
    assert.equal(cache.stats().evictions, total - cache.size);
    // Least recently used went first: the newest entry is there, the oldest is not.
    assert.ok(await cache.get(keyOf(request({ path: { id: String(total - 1) } }))));
    assert.equal(await cache.get(keyOf(request({ path: { id: '0' } }))), undefined);

    // What the process really holds for the cache: the memory that goes when the cache does.
    const gc = exposeGc();
    gc();
    gc();
    const withCache = retainedBytes();
    cache = undefined;
    gc();
    gc();
    const retained = withCache - retainedBytes();
    // The accounting is meant to over-estimate; 1.25× leaves room for heap noise, not for
    // uncounted per-entry costs (counting bodies alone would retain about twice the budget).
    assert.ok(retained > maxBytes / 4, `the measurement sees the cache (${(retained / MIB).toFixed(1)} MiB)`);
    assert.ok(retained < maxBytes * 1.25, `process retains ${(retained / MIB).toFixed(1)} MiB for an ${maxBytes / MIB} MiB cache`);
  });

  it('evicts the least recently used entry, not the least recently stored', async () => {
    const apiId = uniqueApiId();
    const probe = new MemoryCache({ maxBytes: 1e9 });
    await probe.set(itemKey('a', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    const perEntry = probe.bytes;
    // Room for exactly three entries.
    const cache = new MemoryCache({ maxBytes: perEntry * 3 + perEntry / 2 });
    for (const id of ['a', 'b', 'c']) await cache.set(itemKey(id, 'prod', apiId), response(Buffer.alloc(1000)), 60);
    assert.ok(await cache.get(itemKey('a', 'prod', apiId)), 'a read, so b is now the coldest');
    await cache.set(itemKey('d', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    assert.equal(await cache.get(itemKey('b', 'prod', apiId)), undefined);
    for (const id of ['a', 'c', 'd']) assert.ok(await cache.get(itemKey(id, 'prod', apiId)), id);
    assert.equal(cache.stats().evictions, 1);
  });

  it('keeps least-recently-used order when the key read is the one last stored or read', async () => {
    const apiId = uniqueApiId();
    const probe = new MemoryCache({ maxBytes: 1e9 });
    await probe.set(itemKey('a', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    const perEntry = probe.bytes;
    const cache = new MemoryCache({ maxBytes: perEntry * 3 + perEntry / 2 });
    // A frozen key, as a method without cacheKeyParameters hands to every request, read twice in a row.
    const hot = Object.freeze({ ...itemKey('a', 'prod', apiId) });
    await cache.set(hot, response(Buffer.alloc(1000)), 60);
    for (const id of ['b', 'c']) await cache.set(itemKey(id, 'prod', apiId), response(Buffer.alloc(1000)), 60);
    assert.ok(await cache.get(hot));
    assert.ok(await cache.get(hot), 'read again while it is the newest');
    assert.ok(await cache.get(itemKey('b', 'prod', apiId)));
    await cache.set(itemKey('d', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    assert.equal(await cache.get(itemKey('c', 'prod', apiId)), undefined, 'c was the coldest');
    for (const id of ['b', 'd']) assert.ok(await cache.get(itemKey(id, 'prod', apiId)), id);
    assert.ok(await cache.get(hot));
  });

  it('refuses an entry larger than the whole budget without evicting others', async () => {
    const cache = new MemoryCache({ maxBytes: 64 * 1024 });
    await cache.set(itemKey('small'), response('x'), 60);
    await cache.set(itemKey('huge'), response(Buffer.alloc(100 * 1024)), 60);
    assert.equal(cache.size, 1);
    assert.equal(cache.stats().rejected, 1);
    assert.equal(cache.stats().evictions, 0);
  });

  it('clamps a TTL to 3600 seconds and frees the bytes of what it removes', async () => {
    let now = 0;
    const cache = new MemoryCache({ maxBytes: 1 * MIB, now: () => now });
    const key = itemKey('t');
    await cache.set(key, response('lives an hour at most'), 7200);
    now = MAX_TTL_SECONDS * 1000 - 1;
    assert.ok(await cache.get(key));
    now = MAX_TTL_SECONDS * 1000;
    assert.equal(await cache.get(key), undefined);
    assert.equal(cache.bytes, 0);
    assert.equal(cache.size, 0);
  });

  it('counts only live entries pushed out by the budget as evictions', async () => {
    let now = 0;
    const apiId = uniqueApiId();
    const probe = new MemoryCache({ maxBytes: 1e9 });
    await probe.set(itemKey('a', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    const cache = new MemoryCache({ maxBytes: probe.bytes * 2, now: () => now });
    await cache.set(itemKey('a', 'prod', apiId), response(Buffer.alloc(1000)), 1);
    await cache.set(itemKey('b', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    now = 5_000;
    await cache.set(itemKey('c', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    assert.equal(cache.stats().evictions, 0, 'a had expired');
    await cache.set(itemKey('d', 'prod', apiId), response(Buffer.alloc(1000)), 60);
    assert.equal(cache.stats().evictions, 1, 'b was live');
  });
});

/** `gc` without the --expose-gc command-line flag, which `node --test` runs would not pass. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap in use plus buffer memory outside it: where cached entries live. */
function retainedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
