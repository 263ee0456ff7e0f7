/**
 * Throttling on the data plane, configured as a user configures it (stage method settings,
 * usage plans, the account) through the real AWS SDK against a real Portico, and observed with
 * real HTTP requests: 429 THROTTLED as AWS answers it, each level's bucket, and changes that
 * apply without a redeployment. Then the same against a real Redis: two Porticos enforcing one
 * limit, and a Redis killed under load (throttling admits, quotas refuse, both resume).
 *
 * Limits use a rate far below one request per second wherever the test counts a burst, so
 * refill cannot let an extra request through however slowly the test runs.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetAccountCommand, PutGatewayResponseCommand, CreateDeploymentCommand, UpdateAccountCommand, UpdateUsagePlanCommand } from '@aws-sdk/client-api-gateway';
import { redisUnavailable, removeRedisPrefix, reportMissingRedis, TEST_REDIS_URL } from '../traffic/redis-availability.js';
import {
  assertThrottled,
  call,
  hasRedisServer,
  mockApi,
  newKey,
  newPlan,
  PrivateRedis,
  runPrefix,
  setStage,
  startPortico,
  statuses,
  STAGE,
  type TrafficHarness,
} from './traffic-setup.js';

const SLOW = '0.001';

describe('throttling', () => {
  let h: TrafficHarness;
  before(async () => {
    h = await startPortico();
  });
  after(() => h?.remove());

  it('refuses the request past a stage method throttle with 429 Too Many Requests, and refills at the rate', async () => {
    const api = await mockApi(h, 'stage-throttle', [{ path: 'pets' }]);
    await setStage(h, api, { '/*/*/throttling/rateLimit': '1', '/*/*/throttling/burstLimit': '2' });
    assert.equal((await call(h, api, 'pets')).status, 200);
    assert.equal((await call(h, api, 'pets')).status, 200);
    assertThrottled(await call(h, api, 'pets'), 'third immediate request');
    // One token a second: after a little more than that, one more request passes.
    await sleep(1_100);
    assert.equal((await call(h, api, 'pets')).status, 200);
  });

  it('lets a method-level setting override */*, and gives each method a bucket of its own', async () => {
    const api = await mockApi(h, 'method-override', [{ path: 'a' }, { path: 'b' }, { path: 'wide' }]);
    await setStage(h, api, {
      '/*/*/throttling/rateLimit': SLOW,
      '/*/*/throttling/burstLimit': '1',
      '/~1wide/GET/throttling/rateLimit': SLOW,
      '/~1wide/GET/throttling/burstLimit': '4',
    });
    assert.deepEqual(await statuses(h, api, 'a', 2), [200, 429]);
    // `*/*` applies to each method on its own: /b still has its token after /a ran out.
    assert.deepEqual(await statuses(h, api, 'b', 2), [200, 429]);
    assert.deepEqual(await statuses(h, api, 'wide', 5), [200, 200, 200, 200, 429]);
  });

  it('answers THROTTLED through the API gateway responses, as customised', async () => {
    const api = await mockApi(h, 'custom-throttled', [{ path: 'pets' }]);
    await h.v1.send(
      new PutGatewayResponseCommand({
        restApiId: api,
        responseType: 'THROTTLED',
        statusCode: '503',
        responseTemplates: { 'application/json': '{"slowDown":"$context.error.responseType"}' },
        responseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
      }),
    );
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: STAGE }));
    await setStage(h, api, { '/*/*/throttling/rateLimit': SLOW, '/*/*/throttling/burstLimit': '1' });
    assert.equal((await call(h, api, 'pets')).status, 200);
    const res = await call(h, api, 'pets');
    assert.equal(res.status, 503, res.text);
    assert.deepEqual(res.json(), { slowDown: 'THROTTLED' });
    assert.equal(res.headers['retry-after'], '1');
  });

  it('counts a response served from the cache against the throttle', async () => {
    const api = await mockApi(h, 'cached-throttle', [{ path: 'pets' }]);
    await setStage(h, api, {
      '/cacheClusterEnabled': 'true',
      '/*/*/caching/enabled': 'true',
      '/*/*/throttling/rateLimit': SLOW,
      '/*/*/throttling/burstLimit': '2',
    });
    assert.equal((await call(h, api, 'pets')).status, 200);
    const hit = await call(h, api, 'pets');
    assert.equal(hit.status, 200);
    assert.equal(h.portico.cacheStats().find((s) => s.apiId === api)?.hits, 1, 'the second request was a cache hit');
    assertThrottled(await call(h, api, 'pets'), 'a cached response does not bypass the throttle');
  });

  it('limits each API key of a usage plan separately by the plan throttle', async () => {
    const api = await mockApi(h, 'plan-throttle', [{ path: 'keyed', keyed: true }, { path: 'also', keyed: true }]);
    const [one, two] = [await newKey(h, 'one'), await newKey(h, 'two')];
    await newPlan(h, { apiStages: [{ apiId: api, stage: STAGE }], throttle: { rateLimit: 0.001, burstLimit: 2 } }, [one.id, two.id]);
    assert.deepEqual(await statuses(h, api, 'keyed', 3, one.value), [200, 200, 429]);
    assertThrottled(await call(h, api, 'keyed', one.value), 'key one, again');
    // The plan throttle is per key, across the plan's methods: key two has its own two tokens,
    // and key one has none left on another method either.
    assert.deepEqual(await statuses(h, api, 'keyed', 3, two.value), [200, 200, 429]);
    assert.equal((await call(h, api, 'also', one.value)).status, 429);
  });

  it('applies a usage plan method throttle to that method only, per key, and follows plan updates without a redeployment', async () => {
    const api = await mockApi(h, 'plan-method-throttle', [{ path: 'limited', keyed: true }, { path: 'free', keyed: true }]);
    const [one, two] = [await newKey(h, 'one'), await newKey(h, 'two')];
    const planId = await newPlan(
      h,
      { apiStages: [{ apiId: api, stage: STAGE, throttle: { '/limited/GET': { rateLimit: 0.001, burstLimit: 1 } } }] },
      [one.id, two.id],
    );
    assert.deepEqual(await statuses(h, api, 'limited', 2, one.value), [200, 429]);
    assert.deepEqual(await statuses(h, api, 'limited', 2, two.value), [200, 429]);
    assert.deepEqual(await statuses(h, api, 'free', 5, one.value), [200, 200, 200, 200, 200]);

    // A plan-level throttle added now applies to the next request.
    await h.v1.send(
      new UpdateUsagePlanCommand({
        usagePlanId: planId,
        patchOperations: [
          { op: 'replace', path: '/throttle/rateLimit', value: SLOW },
          { op: 'replace', path: '/throttle/burstLimit', value: '1' },
        ],
      }),
    );
    await h.portico.apiKeys.settled();
    assert.deepEqual(await statuses(h, api, 'free', 2, two.value), [200, 429]);
  });

  it('does not apply a usage plan to a method that requires no API key, even when a key is sent', async () => {
    const api = await mockApi(h, 'plan-open-method', [{ path: 'open' }]);
    const key = await newKey(h, 'open');
    await newPlan(h, { apiStages: [{ apiId: api, stage: STAGE }], throttle: { rateLimit: 0.001, burstLimit: 1 } }, [key.id]);
    assert.deepEqual(await statuses(h, api, 'open', 4, key.value), [200, 200, 200, 200]);
  });
});

describe('account-level throttling', () => {
  it('applies the limit Portico was started with across every API of the account, as GetAccount shows it', async () => {
    const h = await startPortico({ account: { throttle: { rateLimit: 0.001, burstLimit: 3 } } });
    try {
      assert.deepEqual((await h.v1.send(new GetAccountCommand({}))).throttleSettings, { burstLimit: 3, rateLimit: 0.001 });
      const a = await mockApi(h, 'account-a', [{ path: 'pets' }]);
      const b = await mockApi(h, 'account-b', [{ path: 'pets' }]);
      // One bucket for every API of the account.
      assert.deepEqual(await statuses(h, a, 'pets', 2), [200, 200]);
      assert.equal((await call(h, b, 'pets')).status, 200);
      assertThrottled(await call(h, b, 'pets'), 'the account limit, reached across two APIs');
      assertThrottled(await call(h, a, 'pets'), 'the account limit, on the other API');
      // As on AWS, the account limit is not UpdateAccount's to change.
      await assert.rejects(
        h.v1.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/throttleSettings/rateLimit', value: '10000' }] })),
        (e: Error) => e.name === 'BadRequestException',
      );
      assertThrottled(await call(h, a, 'pets'), 'the refused update changed nothing');
    } finally {
      await h.remove();
    }
  });

  it("shows AWS's default account limit when none is configured", async () => {
    const h = await startPortico();
    try {
      assert.deepEqual((await h.v1.send(new GetAccountCommand({}))).throttleSettings, { burstLimit: 5000, rateLimit: 10000 });
    } finally {
      await h.remove();
    }
  });
});

const redisMissing = await redisUnavailable();
if (redisMissing) reportMissingRedis('throttling on Redis', redisMissing);
else {
  describe('throttling on Redis', () => {
    it('enforces one stage limit across two Porticos sharing a Redis', async () => {
      const prefix = runPrefix();
      const [a, b] = [await startPortico({ redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix }), await startPortico({ redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix })];
      try {
        // The same API id in both, as two processes serving one configuration have.
        const apiId = `shared${randomUUID().replace(/-/g, '').slice(0, 4)}`;
        const doc = {
          openapi: '3.0.1',
          info: { title: 'shared', version: '1' },
          paths: { '/pets': { get: { 'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } } } } },
        };
        for (const h of [a, b]) {
          await h.portico.deployOpenApi(doc, { apiId, stageName: STAGE });
          await setStage(h, apiId, { '/*/*/throttling/rateLimit': SLOW, '/*/*/throttling/burstLimit': '4' });
        }
        // Concurrent requests through both: the burst of 4 is one budget, not 4 each.
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => call(i % 2 === 0 ? a : b, apiId, 'pets')));
        assert.equal(results.filter((r) => r.status === 200).length, 4, results.map((r) => r.status).join(','));
        for (const r of results.filter((x) => x.status !== 200)) assertThrottled(r, 'past the shared burst');
      } finally {
        await removeRedisPrefix(a.portico.redis!, prefix);
        await a.remove();
        await b.remove();
      }
    });

    describe('a Redis killed under load', { skip: hasRedisServer || process.env.PORTICO_CI === '1' ? false : 'redis-server is not installed, so an outage cannot be staged' }, () => {
      let redis: PrivateRedis;
      let h: TrafficHarness;
      let api: string;
      let key: { id: string; value: string };
      const logged: string[] = [];
      let restoreStderr: (() => void) | undefined;

      before(async () => {
        redis = await PrivateRedis.start();
        // The outage is logged once when it starts and once when it ends; kept out of the test output.
        const write = process.stderr.write.bind(process.stderr);
        process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
          if (String(chunk).startsWith('portico: ')) return logged.push(String(chunk)) > 0;
          return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
        }) as typeof process.stderr.write;
        restoreStderr = () => (process.stderr.write = write);
        h = await startPortico({ redisUrl: redis.url });
        api = await mockApi(h, 'outage', [{ path: 'throttled' }, { path: 'keyed', keyed: true }]);
        await setStage(h, api, { '/~1throttled/GET/throttling/rateLimit': SLOW, '/~1throttled/GET/throttling/burstLimit': '2' });
        key = await newKey(h, 'outage');
        await newPlan(h, { apiStages: [{ apiId: api, stage: STAGE }], quota: { limit: 1000, period: 'DAY', offset: 0 } }, [key.id]);
      });
      after(async () => {
        await h?.remove();
        await redis?.kill();
        restoreStderr?.();
      });

      it('throttles while Redis is up; then answers every request, admitting throttled ones and refusing counted ones; then resumes', async () => {
        assert.deepEqual(await statuses(h, api, 'throttled', 3), [200, 200, 429]);
        assert.equal((await call(h, api, 'keyed', key.value)).status, 200);

        // Load in flight while Redis dies: every request is answered (call fails past 5 s).
        const load = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? call(h, api, 'throttled') : call(h, api, 'keyed', key.value)));
        await redis.kill();
        const during = await Promise.all([...load, ...Array.from({ length: 10 }, () => call(h, api, 'keyed', key.value))]);
        for (const r of during) assert.ok([200, 429, 503].includes(r.status), `${r.status} ${r.text}`);

        // Down: throttling fails open (past the exhausted burst), quotas fail closed.
        assert.deepEqual(await statuses(h, api, 'throttled', 3), [200, 200, 200]);
        const refused = await call(h, api, 'keyed', key.value);
        assert.equal(refused.status, 503, refused.text);
        assert.deepEqual(refused.json(), { message: 'Service Unavailable' });
        assert.equal(refused.headers['x-amzn-errortype'], 'ServiceUnavailableException');

        // Back: a new, empty Redis; the bucket starts full again and quotas count again.
        await redis.restart();
        await h.portico.redis!.ready(10_000);
        assert.deepEqual(await statuses(h, api, 'throttled', 3), [200, 200, 429]);
        assert.equal((await call(h, api, 'keyed', key.value)).status, 200);
        assert.equal(logged.filter((l) => l.includes('unavailable')).length, 1, logged.join(''));
        assert.equal(logged.filter((l) => l.includes('is back')).length, 1, logged.join(''));
      });
    });
  });
}
