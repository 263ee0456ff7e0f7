/**
 * The quota contract as tests: the store backend and the Redis backend run this same suite, so
 * the data plane and the management API can rely on one behaviour whichever is configured.
 * Besides QuotaCounter itself, it drives the real GetUsage and UpdateUsage handlers against the
 * store the counter is attached to. Defines tests only when called; importing it runs nothing.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { USAGE_HANDLERS, deleteUsage } from '../../src/management/v1/account-usage.js';
import type { ManagementContext, OperationRequest } from '../../src/management/operation.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/model/settings.js';
import { RECORD_KINDS, type QuotaSettings, type UsagePlan, type UsagePlanKey } from '../../src/model/usage-plan.js';
import type { Store } from '../../src/store/store.js';
import { dayOf, type QuotaCounter, type QuotaDecision, type QuotaSubject } from '../../src/traffic/quota.js';

/** One backend under test, over a fresh store (and, for Redis, a fresh key prefix). */
export interface QuotaWorld {
  /** The store the counter is attached to; it holds the plans. Replaced by restart and crash. */
  store: Store;
  counter: QuotaCounter;
  /** A clean restart: closes the counter and the store, then opens both again on the same data. */
  restart(): Promise<void>;
  /** A crash: abandons the counter without closing it, then opens a new one on the same data. */
  crash(): Promise<void>;
  /** The most requests a crash may count that were never admitted, per plan and key. */
  crashLoss: number;
  cleanup(): Promise<void>;
}

const at = (iso: string): Date => new Date(iso);
const epochSeconds = (iso: string): number => Date.parse(iso) / 1000;

export function quotaSuite(name: string, openWorld: () => Promise<QuotaWorld>, options: { skip?: string | false } = {}): void {
  describe(`quota contract: ${name}`, { skip: options.skip ?? false }, () => {
    let world: QuotaWorld;
    let planSeq = 0;

    beforeEach(async () => {
      world = await openWorld();
    });
    afterEach(async () => {
      await world.cleanup();
    });

    /** A plan with one key in it, stored as the management API would store them. */
    async function plan(quota: QuotaSettings, createdIso = '2024-01-01T00:00:00Z'): Promise<QuotaSubject> {
      planSeq++;
      const usagePlanId = `plan${String(planSeq).padStart(2, '0')}`;
      const keyId = `key${String(planSeq).padStart(7, '0')}`;
      const record: UsagePlan = { id: usagePlanId, name: usagePlanId, apiStages: [], quota, tags: {}, createdDate: epochSeconds(createdIso) };
      await world.store.transaction(async (tx) => {
        await tx.putRecord(RECORD_KINDS.usagePlan, usagePlanId, record);
        await tx.putRecord<UsagePlanKey>(RECORD_KINDS.usagePlanKey, `${usagePlanId}:${keyId}`, { usagePlanId, keyId, type: 'API_KEY' });
      });
      return { usagePlanId, keyId, quota, planCreatedDate: record.createdDate };
    }

    async function changeQuota(subject: QuotaSubject, quota: QuotaSettings): Promise<QuotaSubject> {
      await world.store.transaction(async (tx) => {
        const stored = (await tx.getRecord<UsagePlan>(RECORD_KINDS.usagePlan, subject.usagePlanId))!;
        await tx.putRecord(RECORD_KINDS.usagePlan, subject.usagePlanId, { ...stored, quota });
      });
      return { ...subject, quota };
    }

    /** `n` requests one after the other; returns their verdicts. */
    async function send(subject: QuotaSubject, n: number, now?: Date): Promise<QuotaDecision[]> {
      const out: QuotaDecision[] = [];
      for (let i = 0; i < n; i++) out.push(await world.counter.consume({ ...subject, now }));
      return out;
    }

    /** Sends until the first refusal (at most `cap`); returns how many were admitted. */
    async function admitted(subject: QuotaSubject, cap: number, now?: Date): Promise<number> {
      for (let n = 0; n < cap; n++) {
        const d = await world.counter.consume({ ...subject, now });
        if (!d.allowed) {
          assert.equal(d.reason, 'exceeded');
          return n;
        }
      }
      return cap;
    }

    const remainingAfter = (ds: QuotaDecision[]): (number | undefined | string)[] => ds.map((d) => (d.allowed ? d.remaining : d.reason));

    function usage(subject: QuotaSubject, days: string[]): Promise<[number, number][]> {
      return world.counter.usage({ ...subject, days });
    }

    function context(): ManagementContext {
      return { store: world.store, account: DEFAULT_ACCOUNT_SETTINGS, baseUrl: 'http://127.0.0.1' };
    }

    function request(path: Record<string, string>, query: Record<string, string> = {}, body: Record<string, unknown> = {}): OperationRequest {
      return { path, query: new URLSearchParams(query), headers: {}, body, raw: Buffer.alloc(0) };
    }

    async function getUsage(subject: QuotaSubject, startDate: string, endDate: string): Promise<[number, number][]> {
      const out = await USAGE_HANDLERS.GetUsage!(context(), request({ usagePlanId: subject.usagePlanId }, { startDate, endDate, keyId: subject.keyId }));
      return (out.body as { values: Record<string, [number, number][]> }).values[subject.keyId]!;
    }

    async function updateUsage(subject: QuotaSubject, remaining: number): Promise<[number, number][]> {
      const out = await USAGE_HANDLERS.UpdateUsage!(
        context(),
        request({ usagePlanId: subject.usagePlanId, keyId: subject.keyId }, {}, { patchOperations: [{ op: 'replace', path: '/remaining', value: String(remaining) }] }),
      );
      return (out.body as { values: Record<string, [number, number][]> }).values[subject.keyId]!;
    }

    it('admits up to the limit, then refuses, and refused requests are not counted', async () => {
      const s = await plan({ limit: 5, offset: 0, period: 'DAY' });
      const now = at('2024-03-10T12:00:00Z');
      assert.deepEqual(remainingAfter(await send(s, 8, now)), [4, 3, 2, 1, 0, 'exceeded', 'exceeded', 'exceeded']);
      assert.deepEqual(await usage(s, ['2024-03-10']), [[5, 0]]);
      // Had the refusals counted, one more unit of limit would still leave nothing.
      const raised = { ...s, quota: { ...s.quota, limit: 6 } };
      assert.deepEqual(remainingAfter(await send(raised, 2, now)), [0, 'exceeded']);
      assert.deepEqual(await usage(raised, ['2024-03-10']), [[6, 0]]);
    });

    it('starts a DAY quota afresh at midnight UTC', async () => {
      const s = await plan({ limit: 2, offset: 0, period: 'DAY' });
      assert.deepEqual(remainingAfter(await send(s, 3, at('2024-03-10T23:59:59.999Z'))), [1, 0, 'exceeded']);
      assert.deepEqual(remainingAfter(await send(s, 3, at('2024-03-11T00:00:00.000Z'))), [1, 0, 'exceeded']);
      assert.deepEqual(await usage(s, ['2024-03-10', '2024-03-11']), [
        [2, 0],
        [2, 0],
      ]);
    });

    it('runs a WEEK quota from Monday to Sunday, UTC', async () => {
      const s = await plan({ limit: 3, offset: 0, period: 'WEEK' });
      // Sunday 10 March closes the previous week; it does not count against the next one.
      assert.deepEqual(remainingAfter(await send(s, 1, at('2024-03-10T23:00:00Z'))), [2]);
      assert.deepEqual(remainingAfter(await send(s, 2, at('2024-03-13T09:00:00Z'))), [2, 1]);
      assert.deepEqual(remainingAfter(await send(s, 2, at('2024-03-17T23:59:59.999Z'))), [0, 'exceeded']);
      assert.deepEqual(remainingAfter(await send(s, 1, at('2024-03-18T00:00:00Z'))), [2]);
      assert.deepEqual(await usage(s, ['2024-03-16', '2024-03-17', '2024-03-18']), [
        [0, 1],
        [1, 0],
        [1, 2],
      ]);
    });

    it('runs a MONTH quota from the first, UTC, across a leap day', async () => {
      const s = await plan({ limit: 4, offset: 0, period: 'MONTH' });
      assert.deepEqual(remainingAfter(await send(s, 2, at('2024-02-01T00:00:00Z'))), [3, 2]);
      assert.deepEqual(remainingAfter(await send(s, 3, at('2024-02-29T23:59:59.999Z'))), [1, 0, 'exceeded']);
      assert.deepEqual(remainingAfter(await send(s, 1, at('2024-03-01T00:00:00Z'))), [3]);
      assert.deepEqual(await usage(s, ['2024-02-29', '2024-03-01']), [
        [2, 0],
        [1, 3],
      ]);
    });

    it('takes the offset off the period the plan was created in, and only that one', async () => {
      const monthly = await plan({ limit: 10, offset: 4, period: 'MONTH' }, '2024-03-05T15:00:00Z');
      assert.equal(await admitted(monthly, 20, at('2024-03-20T10:00:00Z')), 6);
      assert.equal(await admitted(monthly, 20, at('2024-04-01T00:00:00Z')), 10);
      const daily = await plan({ limit: 3, offset: 1, period: 'DAY' }, '2024-03-05T15:00:00Z');
      assert.equal(await admitted(daily, 10, at('2024-03-05T18:00:00Z')), 2);
      assert.equal(await admitted(daily, 10, at('2024-03-06T00:00:01Z')), 3);
      assert.deepEqual(await usage(daily, ['2024-03-05', '2024-03-06']), [
        [2, 0],
        [3, 0],
      ]);
    });

    it('GetUsage reports exactly what enforcement counted', async () => {
      const s = await plan({ limit: 10, offset: 0, period: 'WEEK' });
      await send(s, 3, at('2024-03-11T08:00:00Z'));
      await send(s, 4, at('2024-03-13T08:00:00Z'));
      const expected: [number, number][] = [
        [3, 7],
        [0, 7],
        [4, 3],
        [0, 3],
      ];
      assert.deepEqual(await usage(s, ['2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14']), expected);
      assert.deepEqual(await getUsage(s, '2024-03-11', '2024-03-14'), expected);
      // And enforcement agrees with what GetUsage said was left.
      assert.equal(await admitted(s, 10, at('2024-03-14T08:00:00Z')), 3);
    });

    it('UpdateUsage applies to the very next request, up or down', async () => {
      // UpdateUsage acts on the current day, so this test runs on the clock.
      const s = await plan({ limit: 10, offset: 0, period: 'MONTH' });
      assert.equal((await send(s, 3)).filter((d) => d.allowed).length, 3);
      assert.deepEqual((await updateUsage(s, 2)).at(-1), [3, 2]);
      assert.deepEqual(remainingAfter(await send(s, 3)), [1, 0, 'exceeded']);
      assert.deepEqual((await updateUsage(s, 4)).at(-1), [5, 4]);
      assert.equal(await admitted(s, 10), 4);
      const today = dayOf(new Date());
      assert.deepEqual(await getUsage(s, today, today), [[9, 0]]);
      assert.deepEqual((await updateUsage(s, 0)).at(-1), [9, 0]);
      assert.deepEqual(remainingAfter(await send(s, 1)), ['exceeded']);
    });

    it('applies a changed quota at once: limit, offset and period', async () => {
      let s = await plan({ limit: 5, offset: 0, period: 'MONTH' });
      const now = at('2024-03-10T12:00:00Z');
      assert.equal(await admitted(s, 3, now), 3);
      s = await changeQuota(s, { limit: 4, offset: 0, period: 'MONTH' });
      assert.equal(await admitted(s, 10, now), 1);
      s = await changeQuota(s, { limit: 2, offset: 0, period: 'MONTH' });
      assert.equal(await admitted(s, 10, now), 0);
      s = await changeQuota(s, { limit: 8, offset: 0, period: 'MONTH' });
      assert.equal(await admitted(s, 10, now), 4);
      // All 8 fell on the 10th: a DAY period counts them too, a WEEK (4-10 March) as well.
      s = await changeQuota(s, { limit: 10, offset: 0, period: 'DAY' });
      assert.equal(await admitted(s, 10, now), 2);
      s = await changeQuota(s, { limit: 12, offset: 0, period: 'WEEK' });
      assert.equal(await admitted(s, 10, now), 2);
      assert.deepEqual(await usage(s, ['2024-03-10']), [[12, 0]]);
    });

    it('keeps the count across a restart', async () => {
      const s = await plan({ limit: 10, offset: 0, period: 'MONTH' });
      const now = at('2024-03-10T12:00:00Z');
      assert.equal(await admitted(s, 4, now), 4);
      await world.restart();
      assert.deepEqual(await usage(s, ['2024-03-10']), [[4, 6]]);
      assert.equal(await admitted(s, 20, now), 6);
      assert.deepEqual(await getUsage(s, '2024-03-10', '2024-03-10'), [[10, 0]]);
    });

    it('after a crash, never admits past the limit and loses at most the documented bound', async () => {
      const s = await plan({ limit: 40, offset: 0, period: 'MONTH' });
      const now = at('2024-03-10T12:00:00Z');
      assert.equal(await admitted(s, 7, now), 7);
      await world.crash();
      const [[used, remaining]] = (await usage(s, ['2024-03-10'])) as [[number, number]];
      assert.ok(used >= 7 && used <= 7 + world.crashLoss, `counted ${used} after admitting 7 (bound ${world.crashLoss})`);
      assert.equal(used + remaining, 40);
      const after = await admitted(s, 100, now);
      assert.equal(after, remaining);
      assert.ok(7 + after <= 40 && 7 + after >= 40 - world.crashLoss, `admitted ${7 + after} of 40 in all`);
    });

    it('admits exactly the limit when requests arrive all at once', async () => {
      const s = await plan({ limit: 25, offset: 0, period: 'DAY' });
      const now = at('2024-03-10T12:00:00Z');
      const decisions = await Promise.all(Array.from({ length: 60 }, () => world.counter.consume({ ...s, now })));
      assert.equal(decisions.filter((d) => d.allowed).length, 25);
      assert.ok(decisions.every((d) => d.allowed || d.reason === 'exceeded'));
      assert.deepEqual(await usage(s, ['2024-03-10']), [[25, 0]]);
    });

    it('forgets the counts of a key removed from its plan', async () => {
      const s = await plan({ limit: 3, offset: 0, period: 'MONTH' });
      const now = at('2024-03-10T12:00:00Z');
      assert.equal(await admitted(s, 10, now), 3);
      // What DeleteUsagePlanKey commits.
      await world.store.transaction(async (tx) => {
        await tx.deleteRecord(RECORD_KINDS.usagePlanKey, `${s.usagePlanId}:${s.keyId}`);
        await deleteUsage(tx, s.usagePlanId, s.keyId);
      });
      await world.store.transaction((tx) => tx.putRecord<UsagePlanKey>(RECORD_KINDS.usagePlanKey, `${s.usagePlanId}:${s.keyId}`, { usagePlanId: s.usagePlanId, keyId: s.keyId, type: 'API_KEY' }));
      // A backend may clear shared counts after the commit; give it a moment, not forever.
      const deadline = Date.now() + 2_000;
      while ((await usage(s, ['2024-03-10']))[0]![0] !== 0 && Date.now() < deadline) await sleep(20);
      assert.deepEqual(await usage(s, ['2024-03-10']), [[0, 3]]);
      assert.equal(await admitted(s, 10, now), 3);
    });
  });
}
