/**
 * Usage plan quotas on the data plane, end to end through the management API: a plan with a
 * quota, a key in it, real requests until the quota runs out (429 QUOTA_EXCEEDED), GetUsage
 * showing what enforcement counted, UpdateUsage and plan updates applying to the next request,
 * and the count surviving a restart on the same data directory. Then against a real Redis: the
 * same through the Redis counter, and one quota shared by two Porticos.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GetUsageCommand, UpdateUsageCommand, UpdateUsagePlanCommand } from '@aws-sdk/client-api-gateway';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { redisUnavailable, removeRedisPrefix, reportMissingRedis, TEST_REDIS_URL } from '../traffic/redis-availability.js';
import {
  assertQuotaExceeded,
  call,
  mockApi,
  newKey,
  newPlan,
  runPrefix,
  startPortico,
  statuses,
  STAGE,
  today,
  type TrafficHarness,
} from './traffic-setup.js';

/** `[used, remaining]` for today, as GetUsage reports it for one key. */
async function usageToday(h: TrafficHarness, usagePlanId: string, keyId: string): Promise<number[][] | undefined> {
  const usage = await h.v1.send(new GetUsageCommand({ usagePlanId, keyId, startDate: today(), endDate: today() }));
  return usage.items?.[keyId];
}

/** The walk every backend must get right: three calls, a refusal, GetUsage, UpdateUsage. */
async function quotaEndToEnd(h: TrafficHarness): Promise<void> {
  const api = await mockApi(h, 'quota', [{ path: 'pets', keyed: true }]);
  const key = await newKey(h, 'quota');
  const planId = await newPlan(h, { apiStages: [{ apiId: api, stage: STAGE }], quota: { limit: 3, period: 'DAY', offset: 0 } }, [key.id]);
  assert.deepEqual(await statuses(h, api, 'pets', 3, key.value), [200, 200, 200]);
  assertQuotaExceeded(await call(h, api, 'pets', key.value), 'the fourth call');
  assertQuotaExceeded(await call(h, api, 'pets', key.value), 'a refused call is not counted, and the quota stays used up');
  assert.deepEqual(await usageToday(h, planId, key.id), [[3, 0]]);

  await h.v1.send(new UpdateUsageCommand({ usagePlanId: planId, keyId: key.id, patchOperations: [{ op: 'replace', path: '/remaining', value: '2' }] }));
  assert.equal((await call(h, api, 'pets', key.value)).status, 200, 'UpdateUsage raised the remaining quota');
  assert.deepEqual(await usageToday(h, planId, key.id), [[4, 1]]);
  assert.equal((await call(h, api, 'pets', key.value)).status, 200);
  assertQuotaExceeded(await call(h, api, 'pets', key.value), 'the raised quota used up');
}

describe('quotas', () => {
  let h: TrafficHarness;
  before(async () => {
    h = await startPortico();
  });
  after(() => h?.remove());

  it('admits up to the quota, then answers 429 Limit Exceeded; GetUsage and UpdateUsage see what was counted', async () => {
    await quotaEndToEnd(h);
  });

  it('counts each key of a plan on its own, and follows a changed quota without a redeployment', async () => {
    const api = await mockApi(h, 'quota-keys', [{ path: 'pets', keyed: true }]);
    const [one, two] = [await newKey(h, 'one'), await newKey(h, 'two')];
    const planId = await newPlan(h, { apiStages: [{ apiId: api, stage: STAGE }], quota: { limit: 2, period: 'WEEK', offset: 0 } }, [one.id, two.id]);
    assert.deepEqual(await statuses(h, api, 'pets', 3, one.value), [200, 200, 429]);
    assert.deepEqual(await statuses(h, api, 'pets', 3, two.value), [200, 200, 429]);
    await h.v1.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: [{ op: 'replace', path: '/quota/limit', value: '3' }] }));
    await h.portico.apiKeys.settled();
    assert.deepEqual(await statuses(h, api, 'pets', 2, one.value), [200, 429]);
  });

  it('counts no request a throttle refused, and none to a method that requires no key', async () => {
    const api = await mockApi(h, 'quota-throttled', [{ path: 'pets', keyed: true }, { path: 'open' }]);
    const key = await newKey(h, 'throttled');
    const planId = await newPlan(
      h,
      { apiStages: [{ apiId: api, stage: STAGE }], throttle: { rateLimit: 0.001, burstLimit: 2 }, quota: { limit: 10, period: 'MONTH', offset: 0 } },
      [key.id],
    );
    assert.deepEqual(await statuses(h, api, 'pets', 4, key.value), [200, 200, 429, 429]);
    assert.deepEqual(await statuses(h, api, 'open', 2, key.value), [200, 200]);
    assert.deepEqual(await usageToday(h, planId, key.id), [[2, 8]]);
  });

  it('takes the quota offset off the first period', async () => {
    const api = await mockApi(h, 'quota-offset', [{ path: 'pets', keyed: true }]);
    const key = await newKey(h, 'offset');
    await newPlan(h, { apiStages: [{ apiId: api, stage: STAGE }], quota: { limit: 3, period: 'DAY', offset: 2 } }, [key.id]);
    assert.deepEqual(await statuses(h, api, 'pets', 2, key.value), [200, 429]);
  });

  it('keeps the count across a restart on the same data directory', async () => {
    const first = await startPortico();
    let second: TrafficHarness | undefined;
    try {
      const api = await mockApi(first, 'quota-restart', [{ path: 'pets', keyed: true }]);
      const key = await newKey(first, 'restart');
      const planId = await newPlan(first, { apiStages: [{ apiId: api, stage: STAGE }], quota: { limit: 3, period: 'DAY', offset: 0 } }, [key.id]);
      assert.deepEqual(await statuses(first, api, 'pets', 2, key.value), [200, 200]);
      await first.close();

      second = await startPortico({ dataDir: first.dataDir });
      assert.deepEqual(await usageToday(second, planId, key.id), [[2, 1]]);
      assert.equal((await call(second, api, 'pets', key.value)).status, 200);
      assertQuotaExceeded(await call(second, api, 'pets', key.value), 'the quota used before and after the restart');
      assert.deepEqual(await usageToday(second, planId, key.id), [[3, 0]]);
    } finally {
      await second?.close();
      await first.remove();
    }
  });
});

const redisMissing = await redisUnavailable();
if (redisMissing) reportMissingRedis('quotas on Redis', redisMissing);
else {
  describe('quotas on Redis', () => {
    it('admits up to the quota, then answers 429 Limit Exceeded; GetUsage and UpdateUsage see the Redis counts', async () => {
      const prefix = runPrefix();
      const h = await startPortico({ redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix });
      try {
        await quotaEndToEnd(h);
      } finally {
        await removeRedisPrefix(h.portico.redis!, prefix);
        await h.remove();
      }
    });

    it('enforces one quota across two Porticos sharing a store and a Redis', async () => {
      const prefix = runPrefix();
      const dir = await tempDir('portico-shared-');
      const store = SqliteStore.open(dir.path);
      const a = await startPortico({ store, redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix });
      const b = await startPortico({ store, redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix });
      try {
        const api = await mockApi(a, 'quota-shared', [{ path: 'pets', keyed: true }]);
        await b.portico.registry.settled();
        const key = await newKey(a, 'shared');
        const planId = await newPlan(a, { apiStages: [{ apiId: api, stage: STAGE }], quota: { limit: 5, period: 'DAY', offset: 0 } }, [key.id]);
        await b.portico.apiKeys.settled();
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => call(i % 2 === 0 ? a : b, api, 'pets', key.value)));
        assert.equal(results.filter((r) => r.status === 200).length, 5, results.map((r) => r.status).join(','));
        for (const r of results.filter((x) => x.status !== 200)) assertQuotaExceeded(r, 'past the shared quota');
        assert.deepEqual(await usageToday(b, planId, key.id), [[5, 0]]);
      } finally {
        await removeRedisPrefix(a.portico.redis!, prefix);
        await a.remove();
        await b.remove();
        await store.close();
        await dir.remove();
      }
    });
  });
}
