/**
 * The stage response cache with its default backend, process memory: the shared scenarios
 * (response-cache-suite.ts) through a real Portico, and the compile-time rules that decide
 * which methods a stage caches and for how long.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MethodSetting, Stage } from '../../src/model/api.js';
import { methodCacheSetting } from '../../src/gateway/rest/method-cache.js';
import { responseCacheScenarios } from './response-cache-suite.js';

// An empty URL keeps the memory backend even where PORTICO_REDIS_URL is set.
responseCacheScenarios('response cache in memory', () => ({ redisUrl: '' }));

const stage = (methodSettings: Record<string, MethodSetting>, cacheClusterEnabled = true): Stage => ({
  apiId: 'a1b2c3d4e5',
  stageName: 'dev',
  deploymentId: 'd1',
  variables: {},
  methodSettings,
  cacheClusterEnabled,
  tracingEnabled: false,
  createdDate: 0,
  lastUpdatedDate: 0,
  tags: {},
});

describe('which methods a stage caches', () => {
  const all: Record<string, MethodSetting> = { '*/*': { cachingEnabled: true, cacheTtlInSeconds: 120 } };

  it('caches GET methods by the stage default, and no other method', () => {
    assert.equal(methodCacheSetting(stage(all), '/pets', 'GET')?.ttlSeconds, 120);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY']) {
      assert.equal(methodCacheSetting(stage(all), '/pets', method), undefined, method);
    }
  });

  it("lets a method's own setting enable or disable it, whatever the stage default says", () => {
    const settings = { ...all, '~1pets~1{id}/POST': { cachingEnabled: true, cacheTtlInSeconds: 60 }, '~1pets/GET': { cachingEnabled: false } };
    assert.equal(methodCacheSetting(stage(settings), '/pets/{id}', 'POST')?.ttlSeconds, 60);
    assert.equal(methodCacheSetting(stage(settings), '/pets', 'GET'), undefined);
    assert.equal(methodCacheSetting(stage(settings), '/pets/{id}', 'GET')?.ttlSeconds, 120);
    const root = { '~1/DELETE': { cachingEnabled: true } };
    assert.equal(methodCacheSetting(stage(root), '/', 'DELETE')?.ttlSeconds, 300, 'the default TTL is 300 s');
  });

  it('caches nothing without cacheClusterEnabled, without cachingEnabled, or with a TTL of 0', () => {
    assert.equal(methodCacheSetting(stage(all, false), '/pets', 'GET'), undefined);
    assert.equal(methodCacheSetting(stage({}), '/pets', 'GET'), undefined);
    assert.equal(methodCacheSetting(stage({ '*/*': { cachingEnabled: true, cacheTtlInSeconds: 0 } }), '/pets', 'GET'), undefined);
  });

  it("takes the cache-control settings with AWS's defaults", () => {
    assert.deepEqual(methodCacheSetting(stage({ '*/*': { cachingEnabled: true } }), '/pets', 'GET'), {
      ttlSeconds: 300,
      encrypted: false,
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
    });
    const strict = { '*/*': { cachingEnabled: true, cacheTtlInSeconds: 7200, cacheDataEncrypted: true, requireAuthorizationForCacheControl: false, unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403' as const } };
    assert.deepEqual(methodCacheSetting(stage(strict), '/pets', 'GET'), {
      ttlSeconds: 3600,
      encrypted: true,
      requireAuthorizationForCacheControl: false,
      unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403',
    });
  });
});
