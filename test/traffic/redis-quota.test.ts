/**
 * The Redis quota backend against a real Redis at 127.0.0.1:6379 (PORTICO_TEST_REDIS_URL to
 * point elsewhere): the shared quota suite, one count shared by two connections as two
 * processes would hold them, key expiry after the period, and the failure policy when Redis
 * cannot be reached or stops answering.
 *
 * Every key this run writes carries a unique prefix and is deleted afterwards. Without Redis
 * the Redis tests are skipped with the reason shown; under PORTICO_CI=1 they fail instead.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { USAGE_HANDLERS } from '../../src/management/v1/account-usage.js';
import { ManagementError } from '../../src/management/errors.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/model/settings.js';
import { RECORD_KINDS, type QuotaSettings, type UsagePlan } from '../../src/model/usage-plan.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { QuotaUnavailableError, type QuotaSubject } from '../../src/traffic/quota.js';
import { RedisConnection } from '../../src/traffic/redis-connection.js';
import { RedisQuota } from '../../src/traffic/redis-quota.js';
import { quotaSuite, type QuotaWorld } from './quota-suite.js';

const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CI = process.env.PORTICO_CI === '1';
const PREFIX = `portico-test:quota:${process.pid}-${randomUUID()}:`;
/** Roomy for a local Redis: these tests are about counting, not about the timeout. */
const COMMAND_TIMEOUT_MS = 1_000;

async function reachable(): Promise<boolean> {
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

const skip = CI || (await reachable()) ? false : `no Redis at ${REDIS_URL} (start redis-server, or set PORTICO_TEST_REDIS_URL; under PORTICO_CI=1 this fails)`;

function connect(url = REDIS_URL, commandTimeoutMs = COMMAND_TIMEOUT_MS): RedisConnection {
  return new RedisConnection({ url, commandTimeoutMs, keyPrefix: PREFIX, log: () => undefined });
}

async function deleteRunKeys(): Promise<void> {
  const connection = connect();
  try {
    await connection.ready();
    let cursor = '0';
    do {
      const [next, keys] = await connection.client.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      if (keys.length > 0) await connection.client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await connection.close();
  }
}

quotaSuite(
  'redis',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-quota-'));
    const stores: SqliteStore[] = [];
    const connections: RedisConnection[] = [];
    const openBoth = async (): Promise<{ store: SqliteStore; counter: RedisQuota }> => {
      const store = SqliteStore.open(dir);
      stores.push(store);
      const connection = connect();
      connections.push(connection);
      await connection.ready();
      return { store, counter: new RedisQuota({ connection, store }) };
    };
    const world: QuotaWorld = {
      ...(await openBoth()),
      crashLoss: 0,
      async restart() {
        await world.counter.close();
        await connections.at(-1)!.close();
        await world.store.close();
        Object.assign(world, await openBoth());
      },
      async crash() {
        // Nothing is closed: the old connection lingers as a dead process's socket would, until cleanup.
        await world.store.close();
        Object.assign(world, await openBoth());
      },
      async cleanup() {
        await world.counter.close();
        for (const c of connections) await c.close();
        for (const s of stores) await s.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    return world;
  },
  { skip },
);

/** A TCP relay to Redis that can stop passing data on, so Redis seems connected but silent. */
async function silenceableRelay(target: URL): Promise<{ url: string; silence(): void; close(): Promise<void> }> {
  let silent = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!silent) client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    silence: () => {
      silent = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RedisQuota', { skip }, () => {
  let dir: string;
  let store: SqliteStore;
  const connections: RedisConnection[] = [];
  const now = new Date('2024-03-10T12:00:00Z');
  const quota: QuotaSettings = { limit: 20, offset: 0, period: 'MONTH' };
  let seq = 0;
  let s: QuotaSubject;

  before(async () => {
    await deleteRunKeys();
  });
  after(async () => {
    await deleteRunKeys();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-quota-'));
    store = SqliteStore.open(dir);
    seq++;
    s = { usagePlanId: `xplan${seq}`, keyId: `xkey${String(seq).padStart(6, '0')}`, quota, planCreatedDate: Date.parse('2024-01-01T00:00:00Z') / 1000 };
  });
  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function track(connection: RedisConnection): RedisConnection {
    connections.push(connection);
    return connection;
  }

  it('shares one count between two connections, as between two processes', async () => {
    const [a, b] = [track(connect()), track(connect())];
    await Promise.all([a.ready(), b.ready()]);
    const first = new RedisQuota({ connection: a, store });
    const second = new RedisQuota({ connection: b });
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? first : second).consume({ ...s, now })));
    assert.equal(decisions.filter((d) => d.allowed).length, 20);
    assert.ok(decisions.every((d) => d.allowed || d.reason === 'exceeded'));
    assert.deepEqual(await first.usage({ ...s, days: ['2024-03-10'] }), [[20, 0]]);
    assert.deepEqual(await second.usage({ ...s, days: ['2024-03-10'] }), [[20, 0]]);
    // UpdateUsage through one is what the other enforces.
    await first.setRemaining({ ...s, remaining: 2, now });
    assert.deepEqual(await second.consume({ ...s, now }), { allowed: true, remaining: 1 });
    await first.close();
    await second.close();
  });

  it('keeps the counts in Redis, not in the store, and GetUsage reads them there', async () => {
    const connection = track(connect());
    await connection.ready();
    const counter = new RedisQuota({ connection, store });
    const plan: UsagePlan = { id: s.usagePlanId, name: 'p', apiStages: [], quota, tags: {}, createdDate: s.planCreatedDate };
    await store.transaction((tx) => tx.putRecord(RECORD_KINDS.usagePlan, plan.id, plan));
    await store.transaction((tx) => tx.putRecord(RECORD_KINDS.usagePlanKey, `${s.usagePlanId}:${s.keyId}`, { usagePlanId: s.usagePlanId, keyId: s.keyId, type: 'API_KEY' }));
    for (let i = 0; i < 3; i++) await counter.consume({ ...s, now });
    assert.deepEqual(await store.listRecords(RECORD_KINDS.usage), []);
    const out = await USAGE_HANDLERS.GetUsage!(
      { store, account: DEFAULT_ACCOUNT_SETTINGS, baseUrl: 'http://127.0.0.1' },
      { path: { usagePlanId: s.usagePlanId }, query: new URLSearchParams({ startDate: '2024-03-10', endDate: '2024-03-10' }), headers: {}, body: {}, raw: Buffer.alloc(0) },
    );
    assert.deepEqual((out.body as { values: unknown }).values, { [s.keyId]: [[3, 17]] });
    await counter.close();
  });

  it('lets the period counter expire after its period ends, and keeps the days for GetUsage', async () => {
    const connection = track(connect());
    await connection.ready();
    const counter = new RedisQuota({ connection });
    const daily = { ...s, quota: { limit: 5, offset: 0, period: 'DAY' as const } };
    // Ten minutes before midnight: the counter lives those ten minutes plus an hour's grace.
    await counter.consume({ ...daily, now: new Date('2024-03-10T23:50:00Z') });
    const counterTtl = await connection.client.pttl(`${PREFIX}quota:{${s.usagePlanId}:${s.keyId}}:DAY:2024-03-10`);
    assert.ok(counterTtl > 69 * 60_000 && counterTtl <= 70 * 60_000, `counter TTL ${counterTtl} ms`);
    const dayTtl = await connection.client.pttl(`${PREFIX}quota:{${s.usagePlanId}:${s.keyId}}:day:2024-03-10`);
    assert.ok(dayTtl > 120 * 86_400_000, `day TTL ${dayTtl} ms`);
    // A counter that expired early (or was lost) is rebuilt from the days: nothing is forgotten.
    await connection.client.del(`${PREFIX}quota:{${s.usagePlanId}:${s.keyId}}:DAY:2024-03-10`);
    assert.deepEqual(await counter.consume({ ...daily, now: new Date('2024-03-10T23:55:00Z') }), { allowed: true, remaining: 3 });
  });

  it('rebuilds a lost counter from the days, UpdateUsage included', async () => {
    const connection = track(connect());
    await connection.ready();
    const counter = new RedisQuota({ connection });
    const weekly = { ...s, quota: { limit: 50, offset: 0, period: 'WEEK' as const } };
    const counterKey = `${PREFIX}quota:{${s.usagePlanId}:${s.keyId}}:WEEK:2024-03-11`;
    for (let i = 0; i < 4; i++) await counter.consume({ ...weekly, now: new Date('2024-03-11T10:00:00Z') });
    await counter.setRemaining({ ...weekly, remaining: 6, now: new Date('2024-03-12T10:00:00Z') });
    await counter.consume({ ...weekly, now: new Date('2024-03-12T11:00:00Z') });
    await counter.consume({ ...weekly, now: new Date('2024-03-13T10:00:00Z') });
    await connection.client.del(counterKey);
    // 6 set on the 12th, one request after it that day and one on the 13th: 4 left.
    assert.deepEqual(await counter.consume({ ...weekly, now: new Date('2024-03-13T11:00:00Z') }), { allowed: true, remaining: 3 });
    assert.deepEqual(await counter.usage({ ...weekly, days: ['2024-03-11', '2024-03-12', '2024-03-13'] }), [
      [4, 46],
      [1, 5],
      [2, 3],
    ]);
  });

  it('refuses while Redis cannot be reached, or admits uncounted when configured to; it never waits', async () => {
    const connection = track(connect(`redis://127.0.0.1:${await deadPort()}`));
    const closed = new RedisQuota({ connection, store });
    const open = new RedisQuota({ connection, failOpen: true });
    const started = performance.now();
    assert.deepEqual(await closed.consume({ ...s, now }), { allowed: false, reason: 'unavailable' });
    assert.deepEqual(await open.consume({ ...s, now }), { allowed: true, remaining: undefined });
    await assert.rejects(closed.usage({ ...s, days: ['2024-03-10'] }), QuotaUnavailableError);
    await assert.rejects(closed.setRemaining({ ...s, remaining: 1, now }), QuotaUnavailableError);
    assert.ok(performance.now() - started < 500, `took ${performance.now() - started} ms`);

    // The management API answers 503 rather than inventing counts.
    const plan: UsagePlan = { id: s.usagePlanId, name: 'p', apiStages: [], quota, tags: {}, createdDate: s.planCreatedDate };
    await store.transaction(async (tx) => {
      await tx.putRecord(RECORD_KINDS.usagePlan, plan.id, plan);
      await tx.putRecord(RECORD_KINDS.usagePlanKey, `${s.usagePlanId}:${s.keyId}`, { usagePlanId: s.usagePlanId, keyId: s.keyId, type: 'API_KEY' });
    });
    await assert.rejects(
      USAGE_HANDLERS.GetUsage!(
        { store, account: DEFAULT_ACCOUNT_SETTINGS, baseUrl: 'http://127.0.0.1' },
        { path: { usagePlanId: s.usagePlanId }, query: new URLSearchParams({ startDate: '2024-03-10', endDate: '2024-03-10' }), headers: {}, body: {}, raw: Buffer.alloc(0) },
      ),
      (err: unknown) => err instanceof ManagementError && err.statusCode === 503 && err.code === 'ServiceUnavailableException',
    );
    await closed.close();
  });

  it('refuses within the command timeout when Redis stops answering mid-stream', async () => {
    const relay = await silenceableRelay(new URL(REDIS_URL));
    try {
      const connection = track(connect(relay.url, 100));
      await connection.ready();
      const counter = new RedisQuota({ connection });
      assert.deepEqual(await counter.consume({ ...s, now }), { allowed: true, remaining: 19 });
      relay.silence();
      const started = performance.now();
      assert.deepEqual(await counter.consume({ ...s, now }), { allowed: false, reason: 'unavailable' });
      const took = performance.now() - started;
      assert.ok(took < 1_000, `took ${took} ms`);
    } finally {
      await relay.close();
    }
  });
});
