/**
 * The Redis token buckets against a real Redis at 127.0.0.1:6379: the shared backend suite,
 * a limit shared by two connections, key expiry, and the failure policy when Redis is
 * unreachable, restarted or too slow (a private redis-server started, stopped and killed here).
 *
 * Without Redis the suite is skipped with a visible reason on a developer's machine; with
 * PORTICO_CI=1 a missing Redis (or redis-server binary) fails instead.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect as tcpConnect, createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisConnection } from '../../src/traffic/redis-connection.js';
import { RedisBuckets } from '../../src/traffic/redis-buckets.js';
import type { TakeResult } from '../../src/traffic/token-bucket.js';
import { tokenBucketSuite } from './token-bucket-suite.js';

/** PORTICO_TEST_REDIS_URL points the suite elsewhere (another port, or nowhere to see the skip). */
const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CI = process.env.PORTICO_CI === '1';
/** Every key this run writes starts with this, so runs never collide and cleanup is exact. */
const PREFIX = `portico-test:${process.pid}-${randomUUID()}:`;
/** Generous for a local Redis: the suite tests the buckets, not the timeout. */
const SUITE_TIMEOUT_MS = 1_000;

async function redisReachable(): Promise<boolean> {
  const probe = new RedisConnection({ url: REDIS_URL, log: () => undefined });
  try {
    await probe.ready(1_000);
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

const skipRedis = CI || (await redisReachable()) ? false : `Redis is not reachable at ${REDIS_URL} (start redis-server; PORTICO_CI=1 makes this a failure)`;
const hasServerBinary = spawnSync('redis-server', ['--version']).status === 0;
const skipServer = skipRedis || (CI || hasServerBinary ? false : 'redis-server is not installed, so an outage cannot be staged');

/** A connection on this run's prefix; its outage lines are collected instead of printed. */
function connect(url = REDIS_URL, commandTimeoutMs = SUITE_TIMEOUT_MS): { connection: RedisConnection; lines: string[] } {
  const lines: string[] = [];
  const connection = new RedisConnection({ url, commandTimeoutMs, keyPrefix: PREFIX, log: (l) => lines.push(l) });
  return { connection, lines };
}

async function deleteRunKeys(connection: RedisConnection): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await connection.client.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length > 0) await connection.client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Times one take; the promise must settle, whatever Redis does. */
async function timedTake(buckets: RedisBuckets, key: string): Promise<{ result: TakeResult; ms: number }> {
  const start = performance.now();
  const result = await buckets.take([{ key, rate: 0.001, burst: 2 }]);
  return { result, ms: performance.now() - start };
}

describe('RedisBuckets', { skip: skipRedis }, () => {
  let main: ReturnType<typeof connect>;
  const others: RedisConnection[] = [];

  before(async () => {
    main = connect();
    await main.connection.ready();
  });

  after(async () => {
    // Closed whatever happened, or the client's reconnect attempts would keep the run alive.
    try {
      if (!main.connection.isDown) {
        await deleteRunKeys(main.connection);
        const left = await main.connection.client.scan('0', 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
        assert.deepEqual(left[1], [], 'every key of the run was deleted');
      }
    } finally {
      await Promise.all([main.connection.close(), ...others.map((c) => c.close())]);
    }
  });

  describe('backend suite', () => {
    tokenBucketSuite({ create: () => new RedisBuckets(main.connection) });
  });

  it('enforces one limit across two instances on two connections', async () => {
    const second = connect();
    others.push(second.connection);
    await second.connection.ready();
    const a = new RedisBuckets(main.connection);
    const b = new RedisBuckets(second.connection);
    const bucket = { key: `shared-${randomUUID()}`, rate: 0.001, burst: 6 };
    // Concurrent requests through both processes' connections: exactly the burst gets through.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).take([bucket])));
    assert.equal(results.filter((r) => r.admitted).length, 6);
    assert.ok(results.every((r) => r.degraded === undefined));
    assert.deepEqual(await a.take([bucket]), { admitted: false, limitedBy: bucket.key });
    assert.deepEqual(await b.take([bucket]), { admitted: false, limitedBy: bucket.key });
  });

  it('stores a bucket under the connection prefix, expiring once it would be full again', async () => {
    const buckets = new RedisBuckets(main.connection);
    const key = `ttl-${randomUUID()}`;
    const redisKey = `${PREFIX}throttle:${key}`;
    // One token short of a burst of 5 at 10/s refills in 100 ms; the key lives that plus a second.
    assert.deepEqual(await buckets.take([{ key, rate: 10, burst: 5 }]), { admitted: true });
    const ttl = await main.connection.client.pttl(redisKey);
    assert.ok(ttl > 0 && ttl <= 1_100, `pttl ${ttl}`);
    // A refused request writes nothing: a key with no token keeps its original expiry.
    const slow = `slow-${randomUUID()}`;
    await buckets.take([{ key: slow, rate: 0.5, burst: 1 }]);
    const before = await main.connection.client.pttl(`${PREFIX}throttle:${slow}`);
    assert.ok(before > 2_000 && before <= 3_000, `pttl ${before}`);
    await sleep(20);
    assert.equal((await buckets.take([{ key: slow, rate: 0.5, burst: 1 }])).admitted, false);
    const afterRefusal = await main.connection.client.pttl(`${PREFIX}throttle:${slow}`);
    assert.ok(afterRefusal < before, `pttl ${afterRefusal} after ${before}`);
  });

  it('answers by policy at once when Redis cannot be reached', async () => {
    const dead = connect('redis://127.0.0.1:1');
    others.push(dead.connection);
    const logged: string[] = [];
    const open = new RedisBuckets(dead.connection, { log: (l) => logged.push(l) });
    const closed = new RedisBuckets(dead.connection, { failurePolicy: 'closed', log: (l) => logged.push(l) });
    for (let i = 0; i < 5; i++) {
      const o = await timedTake(open, 'k');
      const c = await timedTake(closed, 'k');
      assert.deepEqual(o.result, { admitted: true, degraded: true });
      assert.deepEqual(c.result, { admitted: false, limitedBy: 'k', degraded: true });
      assert.ok(o.ms < 500 && c.ms < 500, `took ${o.ms} and ${c.ms} ms`);
      await sleep(100); // lets the client fail a few reconnects meanwhile
    }
    // Zero limits need no state, so they hold even without Redis.
    assert.deepEqual(await open.take([{ key: 'z', rate: 0, burst: 1 }]), { admitted: false, limitedBy: 'z' });
    assert.equal(dead.lines.filter((l) => l.includes('unavailable')).length, 1, dead.lines.join('\n'));
    assert.deepEqual(logged, [], 'the connection reports the outage, not each backend');
  });

  describe('a private redis-server that stalls, dies and restarts', { skip: skipServer }, () => {
    let port = 0;
    let server: ChildProcess | undefined;
    let conn: ReturnType<typeof connect>;
    const logged: string[] = [];
    let open: RedisBuckets;
    let closed: RedisBuckets;

    /** Starts the server and waits until it accepts connections (at most 5 s). */
    async function startServer(): Promise<void> {
      server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      server.on('error', () => undefined);
      const deadline = performance.now() + 5_000;
      while (!(await accepts(port))) {
        if (performance.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
        await sleep(20);
      }
    }
    async function killServer(): Promise<void> {
      if (!server || server.exitCode !== null || server.signalCode !== null) return;
      const exited = once(server, 'exit');
      server.kill('SIGKILL');
      await exited;
    }

    before(async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      port = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      await startServer();
      // 150 ms: short enough to show a stalled Redis does not hold requests.
      conn = connect(`redis://127.0.0.1:${port}`, 150);
      await conn.connection.ready(5_000);
      open = new RedisBuckets(conn.connection, { log: (l) => logged.push(l) });
      closed = new RedisBuckets(conn.connection, { failurePolicy: 'closed', log: (l) => logged.push(l) });
    });

    after(async () => {
      if (server?.pid && server.signalCode === null && server.exitCode === null) process.kill(server.pid, 'SIGCONT');
      await killServer();
      await conn?.connection.close();
    });

    it('applies the policy within the command timeout while Redis is stalled, then resumes', async () => {
      const key = `stall-${randomUUID()}`;
      assert.deepEqual((await timedTake(open, key)).result, { admitted: true });
      process.kill(server!.pid!, 'SIGSTOP');
      try {
        for (let i = 0; i < 3; i++) {
          const o = await timedTake(open, key);
          const c = await timedTake(closed, key);
          assert.deepEqual(o.result, { admitted: true, degraded: true });
          assert.deepEqual(c.result, { admitted: false, limitedBy: key, degraded: true });
          assert.ok(o.ms < 1_000 && c.ms < 1_000, `took ${o.ms} and ${c.ms} ms`);
        }
      } finally {
        process.kill(server!.pid!, 'SIGCONT');
      }
      // The stalled commands may still run once Redis wakes; they charge the same bucket, so
      // this uses a fresh one to see normal service.
      const fresh = `after-stall-${randomUUID()}`;
      assert.deepEqual((await timedTake(open, fresh)).result, { admitted: true });
      assert.deepEqual((await timedTake(open, fresh)).result, { admitted: true });
      assert.deepEqual((await timedTake(open, fresh)).result, { admitted: false, limitedBy: fresh });
      // One line when the failures began (both backends report their own), one when they ended.
      assert.equal(logged.filter((l) => l.includes('failed')).length, 2, logged.join('\n'));
      assert.equal(logged.filter((l) => l.includes('succeeds again')).length, 1, logged.join('\n'));
      logged.length = 0;
    });

    it('applies the policy while Redis is down and resumes after a restart', async () => {
      const key = `outage-${randomUUID()}`;
      assert.deepEqual((await timedTake(open, key)).result, { admitted: true });
      assert.deepEqual((await timedTake(open, key)).result, { admitted: true });
      assert.deepEqual((await timedTake(open, key)).result, { admitted: false, limitedBy: key });

      await killServer();
      for (let i = 0; i < 5; i++) {
        const o = await timedTake(open, key);
        const c = await timedTake(closed, key);
        assert.deepEqual(o.result, { admitted: true, degraded: true });
        assert.deepEqual(c.result, { admitted: false, limitedBy: key, degraded: true });
        assert.ok(o.ms < 1_000 && c.ms < 1_000, `took ${o.ms} and ${c.ms} ms`);
        await sleep(50);
      }

      await startServer();
      await conn.connection.ready(10_000);
      // A new server: no buckets and no script, which is loaded again on first use.
      assert.deepEqual((await timedTake(closed, key)).result, { admitted: true });
      assert.deepEqual((await timedTake(open, key)).result, { admitted: true });
      assert.deepEqual((await timedTake(closed, key)).result, { admitted: false, limitedBy: key });
      assert.equal(conn.lines.filter((l) => l.includes('unavailable')).length, 1, conn.lines.join('\n'));
      assert.equal(conn.lines.filter((l) => l.includes('is back')).length, 1, conn.lines.join('\n'));
    });
  });
});
