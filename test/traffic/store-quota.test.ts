/**
 * The store quota backend on a real SQLite store in a temporary directory: the shared quota
 * suite, then what is particular to counting in memory with a write-ahead copy in the store:
 * reservations are written before admission and batched, a process killed mid-stream loses at
 * most its unused reservation, small quotas reserve little, and a failing store applies the
 * failure policy without hanging.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { RECORD_KINDS, type QuotaSettings, type UsageRecord } from '../../src/model/usage-plan.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { QuotaUnavailableError, type QuotaSubject } from '../../src/traffic/quota.js';
import { StoreQuota, usageRecordId } from '../../src/traffic/store-quota.js';
import { quotaSuite, type QuotaWorld } from './quota-suite.js';

/** The suite's reservations: large enough that a crash leaves tokens behind, small enough to bound. */
const SUITE_BATCH = 10;

quotaSuite('store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-quota-'));
  const options = { reserveBatch: SUITE_BATCH, reserveFraction: 1 };
  const stores: SqliteStore[] = [];
  const openStore = (): SqliteStore => {
    const store = SqliteStore.open(dir);
    stores.push(store);
    return store;
  };
  const first = openStore();
  const world: QuotaWorld = {
    store: first,
    counter: new StoreQuota(first, options),
    crashLoss: SUITE_BATCH - 1,
    async restart() {
      await world.counter.close();
      await world.store.close();
      world.store = openStore();
      world.counter = new StoreQuota(world.store, options);
    },
    async crash() {
      // The abandoned counter's store connection goes with it, as a dead process's would.
      await world.store.close();
      world.store = openStore();
      world.counter = new StoreQuota(world.store, options);
    },
    async cleanup() {
      await world.counter.close();
      for (const store of stores) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
});

/** The compiled modules, as a child process must import them: tests run from dist-*\/test/traffic/. */
const COMPILED_STORE_URL = new URL('../../src/store/sqlite.js', import.meta.url).href;
const COMPILED_QUOTA_URL = new URL('../../src/traffic/store-quota.js', import.meta.url).href;

/** Admits `count` requests, reports them, and dies without closing anything. */
const CRASH_SCRIPT = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [storeUrl, quotaUrl, dir, subjectJson, count, nowIso] = process.argv.slice(2);
const { SqliteStore } = await import(storeUrl);
const { StoreQuota } = await import(quotaUrl);
const counter = new StoreQuota(SqliteStore.open(join(dir, 'data')));
const subject = JSON.parse(subjectJson);
let admitted = 0;
for (let i = 0; i < Number(count); i++) if ((await counter.consume({ ...subject, now: new Date(nowIso) })).allowed) admitted++;
writeFileSync(join(dir, 'admitted'), String(admitted));
process.kill(process.pid, 'SIGKILL');
`;

function runChild(args: string[]): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stderr }));
  });
}

describe('StoreQuota', () => {
  let dir: string;
  const opened: SqliteStore[] = [];
  const counters: StoreQuota[] = [];
  const now = new Date('2024-03-10T12:00:00Z');
  const monthly = (limit: number): QuotaSettings => ({ limit, offset: 0, period: 'MONTH' });
  const subject = (quota: QuotaSettings): QuotaSubject => ({ usagePlanId: 'plan01', keyId: 'key0000001', quota, planCreatedDate: Date.parse('2024-01-01T00:00:00Z') / 1000 });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-quota-'));
  });
  afterEach(async () => {
    for (const c of counters.splice(0)) await c.close();
    for (const s of opened.splice(0)) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  function open(): SqliteStore {
    const store = SqliteStore.open(join(dir, 'data'));
    opened.push(store);
    return store;
  }
  function counterOn(store: SqliteStore, options: ConstructorParameters<typeof StoreQuota>[1] = {}): StoreQuota {
    const counter = new StoreQuota(store, { log: () => undefined, ...options });
    counters.push(counter);
    return counter;
  }
  async function storedUsed(store: SqliteStore, s: QuotaSubject): Promise<number> {
    return (await store.getRecord<UsageRecord>(RECORD_KINDS.usage, usageRecordId(s.usagePlanId, s.keyId, '2024-03-10')))?.used ?? 0;
  }

  it('writes the reservation before admitting, and hands the unused part back on close', async () => {
    const store = open();
    const s = subject(monthly(1000));
    const counter = counterOn(store);
    assert.deepEqual(await counter.consume({ ...s, now }), { allowed: true, remaining: 999 });
    // A tenth of the 1000 left, capped at the default batch of 100.
    assert.equal(await storedUsed(store, s), 100);
    assert.deepEqual(await counter.usage({ ...s, days: ['2024-03-10'] }), [[1, 999]]);
    await counter.close();
    assert.equal(await storedUsed(store, s), 1);
  });

  it('batches its store writes', async () => {
    const store = open();
    const s = subject(monthly(1000));
    let writes = 0;
    store.onChange((changes) => {
      writes += changes.filter((c) => c.kind === 'record' && c.recordKind === RECORD_KINDS.usage).length;
    });
    const counter = counterOn(store);
    for (let i = 0; i < 250; i++) assert.equal((await counter.consume({ ...s, now })).allowed, true);
    // Reservations of 100, 90 and 81 cover 250 requests.
    assert.equal(writes, 3);
  });

  it('reserves one at a time for a small quota, so a crash costs it nothing', async () => {
    const store = open();
    const s = subject(monthly(5));
    const before = counterOn(store);
    for (let i = 0; i < 2; i++) assert.equal((await before.consume({ ...s, now })).allowed, true);
    assert.equal(await storedUsed(store, s), 2);
    // Abandoned, not closed: a fresh counter finds exactly what was admitted.
    const after = new StoreQuota(store, { log: () => undefined });
    counters.push(after);
    const results = await Promise.all(Array.from({ length: 5 }, () => after.consume({ ...s, now })));
    assert.equal(results.filter((r) => r.allowed).length, 3);
  });

  it('loses at most the unused reservation when the process is killed, and never over-admits', async () => {
    const s = subject(monthly(1000));
    const script = join(dir, 'crash.mjs');
    await writeFile(script, CRASH_SCRIPT);
    const result = await runChild([script, COMPILED_STORE_URL, COMPILED_QUOTA_URL, dir, JSON.stringify(s), '7', now.toISOString()]);
    assert.ok(existsSync(join(dir, 'admitted')), `the child never reached the crash:\n${result.stderr}`);
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(await readFile(join(dir, 'admitted'), 'utf8'), '7');

    const store = open();
    const stored = await storedUsed(store, s);
    // The child's one reservation (100) stays counted: 93 lost, within the bound of batch - 1.
    assert.equal(stored, 100);
    const counter = counterOn(store);
    assert.deepEqual(await counter.usage({ ...s, days: ['2024-03-10'] }), [[100, 900]]);
    let more = 0;
    while ((await counter.consume({ ...s, now })).allowed) more++;
    assert.equal(more, 900);
    assert.ok(7 + more <= 1000);
  });

  it('refuses by default when the store cannot be written, and admits uncounted when told to; it never hangs', async () => {
    const store = open();
    const s = subject(monthly(10));
    const closed = counterOn(store);
    const open_ = counterOn(store, { failOpen: true, attach: false });
    await store.close();
    const started = performance.now();
    assert.deepEqual(await closed.consume({ ...s, now }), { allowed: false, reason: 'unavailable' });
    assert.deepEqual(await open_.consume({ ...s, now }), { allowed: true, remaining: undefined });
    await assert.rejects(closed.usage({ ...s, days: ['2024-03-10'] }), QuotaUnavailableError);
    await assert.rejects(closed.setRemaining({ ...s, remaining: 3, now }), QuotaUnavailableError);
    assert.ok(performance.now() - started < 1_000);
  });

  it('answers requests that were waiting on a reservation when the counter closes', async () => {
    const store = open();
    const s = subject(monthly(1000));
    const counter = counterOn(store);
    const pending = Array.from({ length: 3 }, () => counter.consume({ ...s, now }));
    await counter.close();
    const results = await Promise.all(pending);
    // The reservation under way completes, so these are admitted; nothing is left waiting.
    assert.equal(results.filter((r) => r.allowed).length, 3);
    assert.deepEqual(await counter.consume({ ...s, now }), { allowed: false, reason: 'unavailable' });
    assert.equal(await storedUsed(store, s), 3);
  });
});
