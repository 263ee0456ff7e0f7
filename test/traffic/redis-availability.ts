/**
 * Whether the real Redis the Redis tests use (127.0.0.1:6379, or PORTICO_TEST_REDIS_URL) is
 * reachable, and the one way those tests treat its absence: skipped with the reason shown,
 * except under PORTICO_CI=1, where a missing Redis is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisConnection } from '../../src/traffic/redis-connection.js';

export const TEST_REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Undefined when Redis answers a PING, otherwise why it does not. */
export async function redisUnavailable(url = TEST_REDIS_URL): Promise<string | undefined> {
  const connection = new RedisConnection({ url, log: () => undefined });
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

/**
 * Registers the test that stands for a suite Redis is missing for: a skip with the reason, or a
 * failure under PORTICO_CI=1.
 */
export function reportMissingRedis(suite: string, reason: string): void {
  if (process.env.PORTICO_CI === '1') {
    test(`${suite}: Redis is reachable (required under PORTICO_CI=1)`, () => assert.fail(reason));
  } else {
    test(suite, { skip: reason }, () => undefined);
  }
}

/** Removes every key under `prefix`, with SCAN so a shared Redis is never blocked. */
export async function removeRedisPrefix(connection: RedisConnection, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await connection.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await connection.client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
