/**
 * The behaviour every token-bucket backend must show, registered once per backend by its test
 * file. Importing this module registers nothing; `tokenBucketSuite` does, inside the caller's
 * `describe`.
 *
 * Timing: a backend whose clock the test drives gets exact expectations. A backend on real
 * time (Redis keeps time itself) gets bounds computed from the elapsed time measured around
 * each step, which hold however slow the machine is, instead of fixed sleeps and tolerances.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BucketLimit, TakeResult, TokenBuckets } from '../../src/traffic/token-bucket.js';

export interface BucketBackendHarness {
  /** A backend for one test; `realTime` asks for one on the real clock even if the harness can drive time. */
  create(options?: { realTime?: boolean }): TokenBuckets;
  /** Present when the harness drives the clock of the backends it creates: advances it by `ms`. */
  advance?(ms: number): void;
}

/** Far below anything a test can notice: no token refills while a test runs. */
const NO_REFILL = 0.000_001;

export function tokenBucketSuite(harness: BucketBackendHarness): void {
  const manual = harness.advance !== undefined;
  /** Keys unique to each use, so tests sharing a store (Redis) never see each other's buckets. */
  const key = (name: string): string => `${randomUUID()}:${name}`;
  const clock = (): number => (manual ? manualNow : performance.now());
  let manualNow = 0;
  const elapse = async (ms: number): Promise<void> => {
    if (harness.advance) {
      harness.advance(ms);
      manualNow += ms;
    } else {
      await sleep(ms);
    }
  };
  const limit = (k: string, rate: number, burst: number): BucketLimit => ({ key: k, rate, burst });

  /** Takes from `buckets` until refused (or `max` times); returns how many were admitted. */
  async function drain(backend: TokenBuckets, buckets: BucketLimit[], max = 10_000): Promise<number> {
    for (let n = 0; n < max; n++) {
      const r = await backend.take(buckets);
      if (!r.admitted) {
        assert.equal(r.degraded, undefined, 'the store answered');
        return n;
      }
      assert.equal(r.degraded, undefined, 'the store answered');
    }
    return max;
  }

  it('admits the burst at start, then refuses naming the bucket', async () => {
    const backend = harness.create();
    const a = limit(key('a'), NO_REFILL, 5);
    const results: TakeResult[] = [];
    for (let i = 0; i < 7; i++) results.push(await backend.take([a]));
    assert.deepEqual(results, [
      ...Array.from({ length: 5 }, () => ({ admitted: true })),
      { admitted: false, limitedBy: a.key },
      { admitted: false, limitedBy: a.key },
    ]);
  });

  it('admits an empty list of buckets (no level applies)', async () => {
    assert.deepEqual(await harness.create().take([]), { admitted: true });
  });

  it('refills continuously at the rate, up to the burst', async () => {
    const backend = harness.create();
    const rate = 10;
    const burst = 10;
    const a = limit(key('a'), rate, burst);
    const t0 = clock();
    const first = await drain(backend, [a]);
    const t1 = clock();
    // Exhausting takes a few ms at most, during which at most rate * elapsed tokens refill.
    assert.ok(first >= burst && first <= burst + Math.ceil((rate * (t1 - t0)) / 1000) + 1, `drained ${first}`);

    await elapse(350);
    const t2 = clock();
    const refilled = await drain(backend, [a]);
    const t3 = clock();
    // At least what accrued between the end of draining and the start of counting; at most what
    // could accrue from the start of draining to the end of counting, plus a fractional leftover.
    const low = Math.min(burst, Math.floor((rate * (t2 - t1)) / 1000));
    const high = Math.min(burst, Math.floor((rate * (t3 - t0)) / 1000) + 1);
    assert.ok(refilled >= low && refilled <= high, `refilled ${refilled}, expected ${low}..${high}`);
    if (manual) assert.equal(refilled, 3);

    // Long enough to refill several bursts over; only one burst may come out.
    await elapse(manual ? 5_000 : 1_200);
    const t4 = clock();
    const full = await drain(backend, [a]);
    const t5 = clock();
    assert.ok(full >= burst && full <= burst + Math.ceil((rate * (t5 - t4)) / 1000), `refilled to ${full}, burst ${burst}`);
    if (manual) assert.equal(full, burst);
  });

  it('charges no bucket when one of them refuses', async () => {
    const backend = harness.create();
    const wide = limit(key('wide'), NO_REFILL, 3);
    const narrow = limit(key('narrow'), NO_REFILL, 1);
    assert.deepEqual(await backend.take([wide, narrow]), { admitted: true });
    assert.deepEqual(await backend.take([wide, narrow]), { admitted: false, limitedBy: narrow.key });
    assert.deepEqual(await backend.take([wide, narrow]), { admitted: false, limitedBy: narrow.key });
    // Only the admitted request took from `wide`: two of its three tokens are left.
    assert.equal(await drain(backend, [wide]), 2);
  });

  it('names the first listed bucket without a token', async () => {
    const backend = harness.create();
    const a = limit(key('a'), NO_REFILL, 1);
    const b = limit(key('b'), NO_REFILL, 1);
    assert.deepEqual(await backend.take([a, b]), { admitted: true });
    assert.deepEqual(await backend.take([a, b]), { admitted: false, limitedBy: a.key });
    assert.deepEqual(await backend.take([b, a]), { admitted: false, limitedBy: b.key });
  });

  it('keeps fractional tokens: rate 2.5 admits one request per 400 ms', async () => {
    const backend = harness.create();
    const a = limit(key('a'), 2.5, 1);
    const t0 = clock();
    assert.deepEqual(await backend.take([a]), { admitted: true });
    const second = await backend.take([a]);
    const t1 = clock();
    // Refused unless 400 ms passed between the two calls (only on a stalled machine).
    if (t1 - t0 < 400) assert.deepEqual(second, { admitted: false, limitedBy: a.key });
    if (manual) {
      await elapse(399);
      assert.deepEqual(await backend.take([a]), { admitted: false, limitedBy: a.key }, '0.9975 tokens is not a token');
      await elapse(1);
      assert.deepEqual(await backend.take([a]), { admitted: true });
    } else {
      await elapse(450);
      const third = await backend.take([a]);
      if (second.admitted) return; // a stall already spent the refill; nothing more to learn
      assert.deepEqual(third, { admitted: true }, 'a whole token after 450 ms');
    }
  });

  it('keeps a slow fractional rate (0.1 per second, the guide\'s example) from rounding up', async () => {
    const backend = harness.create();
    const a = limit(key('a'), 0.1, 1);
    assert.deepEqual(await backend.take([a]), { admitted: true });
    await elapse(manual ? 9_999 : 300);
    assert.deepEqual(await backend.take([a]), { admitted: false, limitedBy: a.key });
    if (manual) {
      await elapse(1);
      assert.deepEqual(await backend.take([a]), { admitted: true });
    }
  });

  it('lets nothing through a zero rate or a zero burst, and charges nothing else', async () => {
    const backend = harness.create();
    const open = limit(key('open'), NO_REFILL, 1);
    const zeroRate = limit(key('zero-rate'), 0, 10);
    const zeroBurst = limit(key('zero-burst'), 100, 0);
    const underOne = limit(key('half-burst'), 100, 0.5);
    assert.deepEqual(await backend.take([zeroRate]), { admitted: false, limitedBy: zeroRate.key });
    assert.deepEqual(await backend.take([zeroBurst]), { admitted: false, limitedBy: zeroBurst.key });
    assert.deepEqual(await backend.take([underOne]), { admitted: false, limitedBy: underOne.key });
    assert.deepEqual(await backend.take([open, zeroBurst]), { admitted: false, limitedBy: zeroBurst.key });
    await elapse(manual ? 60_000 : 50);
    assert.deepEqual(await backend.take([zeroRate]), { admitted: false, limitedBy: zeroRate.key }, 'time does not open it');
    assert.deepEqual(await backend.take([open]), { admitted: true }, 'the refused request took nothing from `open`');
  });

  it('rejects limits no configuration should produce', async () => {
    const backend = harness.create();
    const k = key('a');
    await assert.rejects(backend.take([limit(k, -1, 1)]), RangeError);
    await assert.rejects(backend.take([limit(k, 1, Number.NaN)]), RangeError);
    await assert.rejects(backend.take([limit(k, Number.POSITIVE_INFINITY, 1)]), RangeError);
    await assert.rejects(backend.take([limit('', 1, 1)]), RangeError);
    await assert.rejects(backend.take([limit(k, 1, 1), limit(k, 2, 2)]), RangeError);
  });

  if (manual) {
    it('holds the rate within 3% over 10 s of sustained overload (driven clock)', async () => {
      for (const [rate, burst] of [
        [100, 50],
        [33.3, 10],
        [2_000, 1_000],
      ]) {
        const backend = harness.create();
        const a = limit(key('a'), rate, burst);
        // Offers at twice the rate, evenly spaced, for 10 s.
        const step = 500 / rate;
        let admitted = 0;
        for (let t = 0; t < 10_000; t += step) {
          if ((await backend.take([a])).admitted) admitted++;
          await elapse(step);
        }
        const perSecond = (admitted - burst) / 10;
        assert.ok(Math.abs(perSecond - rate) <= rate * 0.03, `rate ${rate}: ${perSecond}/s after the burst`);
      }
    });
  }

  it('holds the rate within 3% under sustained overload on the real clock', async () => {
    const backend = harness.create({ realTime: true });
    // The burst absorbs any pause in the offering loop up to burst / rate = 0.5 s, so a busy
    // machine delays requests without losing tokens; the window is measured, not assumed.
    const rate = 100;
    const burst = 50;
    const a = limit(key('a'), rate, burst);
    let admitted = 0;
    let offered = 0;
    const t0 = performance.now();
    let t1 = t0;
    while (t1 - t0 < 3_000) {
      const r = await backend.take([a]);
      t1 = performance.now();
      offered++;
      if (r.admitted) {
        assert.equal(r.degraded, undefined, 'the store answered');
        admitted++;
      }
      if (offered % 4 === 0) await sleep(1);
    }
    const seconds = (t1 - t0) / 1000;
    assert.ok(offered / seconds > rate * 2, `offered only ${(offered / seconds).toFixed(0)}/s`);
    const perSecond = (admitted - burst) / seconds;
    assert.ok(Math.abs(perSecond - rate) <= rate * 0.03, `${perSecond.toFixed(1)}/s after the burst over ${seconds.toFixed(2)} s`);
  });
}
