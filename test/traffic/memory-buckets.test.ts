/**
 * The in-memory token buckets: the shared backend suite on a clock the tests drive, plus what
 * only this backend has, a bound on the number of buckets it keeps.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBuckets } from '../../src/traffic/memory-buckets.js';
import { tokenBucketSuite } from './token-bucket-suite.js';

describe('MemoryBuckets', () => {
  let now = 0;
  tokenBucketSuite({
    create: (options) => (options?.realTime ? new MemoryBuckets() : new MemoryBuckets({ now: () => now })),
    advance: (ms) => {
      now += ms;
    },
  });
});

describe('MemoryBuckets bound on memory', () => {
  /** A backend on its own driven clock. */
  function backend(maxBuckets: number): { buckets: MemoryBuckets; advance(ms: number): void } {
    let now = 0;
    return { buckets: new MemoryBuckets({ maxBuckets, now: () => now }), advance: (ms) => (now += ms) };
  }

  it('never holds more than maxBuckets, however many keys pass', () => {
    const { buckets, advance } = backend(100);
    for (let i = 0; i < 10_000; i++) {
      assert.deepEqual(buckets.takeSync([{ key: `k${i}`, rate: 1000, burst: 1 }]), { admitted: true });
      assert.ok(buckets.size <= 100);
      advance(1);
    }
    assert.equal(buckets.size, 100);
    assert.equal(buckets.forcedEvictions, 0, 'every evicted bucket had refilled');
  });

  it('evicts the least recently used full bucket, keeping one still owed tokens', () => {
    const { buckets, advance } = backend(2);
    const drained = { key: 'drained', rate: 0.001, burst: 1 };
    const quick = { key: 'quick', rate: 1000, burst: 5 };
    assert.equal(buckets.takeSync([drained]).admitted, true);
    assert.equal(buckets.takeSync([quick]).admitted, true);
    advance(10); // `quick` is full again; `drained` is older but still empty
    assert.equal(buckets.takeSync([{ key: 'new', rate: 1, burst: 1 }]).admitted, true);
    assert.equal(buckets.size, 2);
    assert.equal(buckets.forcedEvictions, 0);
    assert.deepEqual(buckets.takeSync([drained]), { admitted: false, limitedBy: 'drained' }, 'its state survived');
  });

  it('brings an evicted bucket back full', () => {
    const { buckets, advance } = backend(1);
    const a = { key: 'a', rate: 10, burst: 3 };
    assert.equal(buckets.takeSync([a]).admitted, true);
    advance(100); // refilled to 3
    assert.equal(buckets.takeSync([{ key: 'b', rate: 10, burst: 3 }]).admitted, true);
    assert.equal(buckets.size, 1);
    for (let i = 0; i < 3; i++) assert.deepEqual(buckets.takeSync([a]), { admitted: true });
    assert.deepEqual(buckets.takeSync([a]), { admitted: false, limitedBy: 'a' });
  });

  it('stays bounded when no bucket is full, counting the forced evictions', () => {
    const { buckets } = backend(2);
    for (const key of ['a', 'b', 'c', 'd']) assert.equal(buckets.takeSync([{ key, rate: 0.001, burst: 1 }]).admitted, true);
    assert.equal(buckets.size, 2);
    assert.equal(buckets.forcedEvictions, 2);
    // The two most recent buckets were kept, still empty.
    assert.deepEqual(buckets.takeSync([{ key: 'd', rate: 0.001, burst: 1 }]), { admitted: false, limitedBy: 'd' });
    assert.deepEqual(buckets.takeSync([{ key: 'c', rate: 0.001, burst: 1 }]), { admitted: false, limitedBy: 'c' });
  });

  it('does not store buckets for a refused request', () => {
    const { buckets } = backend(10);
    const empty = { key: 'empty', rate: 0.001, burst: 1 };
    buckets.takeSync([empty]);
    for (let i = 0; i < 100; i++) buckets.takeSync([{ key: `other${i}`, rate: 1, burst: 1 }, empty]);
    assert.equal(buckets.size, 1);
  });

  it('rejects a maxBuckets that cannot hold a bucket', () => {
    assert.throws(() => new MemoryBuckets({ maxBuckets: 0 }), RangeError);
    assert.throws(() => new MemoryBuckets({ maxBuckets: 1.5 }), RangeError);
  });
});
