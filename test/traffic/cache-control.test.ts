/**
 * The Cache-Control invalidation decision: which headers ask for invalidation, and the whole
 * table of (authorization required?, caller authorized?, unauthorized strategy) → action, with
 * AWS's defaults, the 403 and the warning header.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideCacheControl,
  requestsInvalidation,
  INVALIDATION_DENIED,
  UNAUTHORIZED_CACHE_CONTROL_WARNING,
  type CacheControlDecision,
  type UnauthorizedCacheControlHeaderStrategy,
} from '../../src/traffic/cache-control.js';

describe('requestsInvalidation', () => {
  it('recognises max-age=0 in its spellings', () => {
    for (const header of ['max-age=0', 'MAX-AGE=0', 'Max-Age=0', 'no-cache, max-age=0', 'max-age=0,no-store', ' max-age = 0 ', 'max-age="0"', 'max-age=000', ['no-store', 'max-age=0']]) {
      assert.equal(requestsInvalidation(header), true, JSON.stringify(header));
    }
  });

  it('ignores everything else', () => {
    for (const header of [undefined, '', 'no-cache', 'no-store', 'max-age=1', 'max-age=10', 's-maxage=0', 'max-stale=0', 'max-age=0x', 'max-age=', 'x-max-age=0', 'max-age=-0', ['no-cache', 'max-age=60'], []]) {
      assert.equal(requestsInvalidation(header), false, JSON.stringify(header));
    }
  });
});

describe('decideCacheControl', () => {
  const strategies: (UnauthorizedCacheControlHeaderStrategy | undefined)[] = ['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER', undefined];

  it('reads the cache as usual when no invalidation is asked for, whatever the settings', () => {
    for (const requireAuthorizationForCacheControl of [true, false, undefined]) {
      for (const authorizedToInvalidate of [true, false]) {
        for (const unauthorizedCacheControlHeaderStrategy of strategies) {
          const decision = decideCacheControl({ cacheControl: 'no-cache', authorizedToInvalidate, requireAuthorizationForCacheControl, unauthorizedCacheControlHeaderStrategy });
          assert.deepEqual({ ...decision }, { action: 'use-cache' });
        }
      }
    }
  });

  it('follows the documented table for max-age=0', () => {
    // [requireAuthorization, authorized, strategy] → decision
    const table: [boolean | undefined, boolean, UnauthorizedCacheControlHeaderStrategy | undefined, CacheControlDecision][] = [
      // Anyone may invalidate when authorization is not required.
      [false, false, 'FAIL_WITH_403', { action: 'invalidate-and-fetch' }],
      [false, false, 'SUCCEED_WITH_RESPONSE_HEADER', { action: 'invalidate-and-fetch' }],
      [false, false, 'SUCCEED_WITHOUT_RESPONSE_HEADER', { action: 'invalidate-and-fetch' }],
      [false, true, undefined, { action: 'invalidate-and-fetch' }],
      // An authorized caller always may.
      [true, true, 'FAIL_WITH_403', { action: 'invalidate-and-fetch' }],
      [true, true, 'SUCCEED_WITH_RESPONSE_HEADER', { action: 'invalidate-and-fetch' }],
      [true, true, 'SUCCEED_WITHOUT_RESPONSE_HEADER', { action: 'invalidate-and-fetch' }],
      // An unauthorized one meets the strategy.
      [true, false, 'FAIL_WITH_403', { action: 'reject-403' }],
      [true, false, 'SUCCEED_WITH_RESPONSE_HEADER', { action: 'ignore', addHeader: true }],
      [true, false, 'SUCCEED_WITHOUT_RESPONSE_HEADER', { action: 'ignore', addHeader: false }],
      // AWS's defaults: authorization required, SUCCEED_WITH_RESPONSE_HEADER.
      [undefined, false, undefined, { action: 'ignore', addHeader: true }],
      [undefined, true, undefined, { action: 'invalidate-and-fetch' }],
      [undefined, false, 'FAIL_WITH_403', { action: 'reject-403' }],
      [true, false, undefined, { action: 'ignore', addHeader: true }],
    ];
    for (const [requireAuthorizationForCacheControl, authorizedToInvalidate, unauthorizedCacheControlHeaderStrategy, expected] of table) {
      const decision = decideCacheControl({ cacheControl: 'max-age=0', authorizedToInvalidate, requireAuthorizationForCacheControl, unauthorizedCacheControlHeaderStrategy });
      assert.deepEqual({ ...decision }, expected, JSON.stringify([requireAuthorizationForCacheControl, authorizedToInvalidate, unauthorizedCacheControlHeaderStrategy]));
    }
  });

  it('hands out shared decisions the caller cannot change', () => {
    const decision = decideCacheControl({ cacheControl: undefined, authorizedToInvalidate: false });
    assert.ok(Object.isFrozen(decision));
    assert.equal(decision, decideCacheControl({ cacheControl: 'no-cache', authorizedToInvalidate: true }));
  });

  it('answers a refusal with ACCESS_DENIED\'s 403 and warns with a Warning header', () => {
    assert.equal(INVALIDATION_DENIED.statusCode, 403);
    assert.equal(INVALIDATION_DENIED.responseType, 'ACCESS_DENIED');
    assert.deepEqual(JSON.parse(INVALIDATION_DENIED.body), { message: INVALIDATION_DENIED.message });
    assert.equal(UNAUTHORIZED_CACHE_CONTROL_WARNING.name, 'Warning');
    assert.match(UNAUTHORIZED_CACHE_CONTROL_WARNING.value, /^199 /);
  });
});
