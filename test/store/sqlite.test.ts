/**
 * Runs the Store contract against the embedded SQLite store (on disk and in memory), then the
 * SQLite-specific guarantees: durability across a process crash, data directory handling,
 * schema versioning, and refusing calls that would deadlock the connection's mutex.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ApiRecord } from '../../src/model/api.js';
import { DATABASE_FILE_NAME, IN_MEMORY, SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite.js';
import { makeApi, makeDeployment, makeStage, runStoreSuite } from './store-suite.js';

/** The compiled store, as a child process must import it: tests run from dist/test/store/. */
const COMPILED_STORE_URL = new URL('../../src/store/sqlite.js', import.meta.url).href;

function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'portico-store-'));
}

runStoreSuite('sqlite file', async () => {
  const dir = await tempDir();
  return {
    store: SqliteStore.open(dir),
    reopen: async () => SqliteStore.open(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

runStoreSuite('sqlite :memory:', async () => ({
  store: SqliteStore.open(IN_MEMORY),
  cleanup: async () => undefined,
}));

/**
 * Commits one state, then dies inside a second transaction that has rewritten most of it. The
 * crashing transaction writes more than SQLite's page cache holds, so uncommitted pages are
 * already in the write-ahead log when the process dies; recovery must ignore them.
 */
const CRASH_SCRIPT = `
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [storeUrl, dir, how] = process.argv.slice(2);
const { SqliteStore } = await import(storeUrl);
const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
const store = SqliteStore.open(join(dir, 'data'));
const walSize = () => statSync(join(dir, 'data', 'portico.db-wal')).size;

await store.transaction(async (tx) => {
  await tx.putApi(state.first);
  await tx.putDeployment(state.deployment);
  await tx.putStage(state.stage);
});
const walAfterCommit = walSize();

await store.transaction(async (tx) => {
  await tx.putApi(state.second);
  await tx.putApi(state.firstChanged);
  await tx.putStage(state.stageChanged);
  for (let i = 0; i < 5000; i++) {
    const { sourceKey, ...bulk } = state.second;
    await tx.putApi({ ...bulk, id: 'bulk' + String(i).padStart(6, '0') });
  }
  writeFileSync(join(dir, 'reached'), JSON.stringify({ walAfterCommit, walInTransaction: walSize() }));
  if (how === 'SIGKILL') process.kill(process.pid, 'SIGKILL');
  else process.exit(1);
});
writeFileSync(join(dir, 'survived'), 'the process outlived its crash');
`;

function runChild(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('SqliteStore', () => {
  let dir: string;
  const opened: SqliteStore[] = [];

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function open(dataDir: string): SqliteStore {
    const store = SqliteStore.open(dataDir);
    opened.push(store);
    return store;
  }

  for (const how of ['SIGKILL', 'exit'] as const) {
    it(`keeps only committed state when the process dies mid-transaction (${how})`, async () => {
      const state = {
        first: makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml'),
        firstChanged: makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml', 'Half-written'),
        second: makeApi('f6g7h8i9j0', '/srv/apis/orders.yaml', 'Orders'),
        deployment: makeDeployment('a1b2c3d4e5', 'dep001', 100),
        stage: makeStage('a1b2c3d4e5', 'prod', 'dep001'),
        stageChanged: { ...makeStage('a1b2c3d4e5', 'prod', 'dep001'), variables: { half: 'written' } },
      };
      await writeFile(join(dir, 'state.json'), JSON.stringify(state));
      const script = join(dir, 'crash.mjs');
      await writeFile(script, CRASH_SCRIPT);

      const result = await runChild([script, COMPILED_STORE_URL, dir, how]);
      assert.ok(existsSync(join(dir, 'reached')), `the child never reached the crash point:\n${result.stderr}`);
      const wal = JSON.parse(await readFile(join(dir, 'reached'), 'utf8')) as Record<string, number>;
      assert.ok(
        wal.walInTransaction > wal.walAfterCommit,
        `the crashing transaction should have spilled uncommitted pages into the log: ${JSON.stringify(wal)}`,
      );
      assert.ok(!existsSync(join(dir, 'survived')));
      if (how === 'SIGKILL') assert.equal(result.signal, 'SIGKILL');
      else assert.equal(result.code, 1);

      const store = open(join(dir, 'data'));
      assert.deepEqual(await store.listApis(), [state.first]);
      assert.deepEqual(await store.getApi('a1b2c3d4e5'), state.first);
      assert.equal(await store.getApi('f6g7h8i9j0'), undefined);
      assert.equal(await store.findApiBySourceKey('/srv/apis/orders.yaml'), undefined);
      assert.deepEqual(await store.listDeployments('a1b2c3d4e5'), [state.deployment]);
      assert.deepEqual(await store.listStages(), [state.stage]);

      // The recovered database takes new transactions.
      await store.transaction((tx) => tx.putApi(state.second));
      assert.equal((await store.listApis()).length, 2);
    });
  }

  it('creates a missing data directory, nested, with the database inside', async () => {
    const dataDir = join(dir, 'var', 'lib', 'portico');
    const store = open(dataDir);
    assert.equal(store.location, join(dataDir, DATABASE_FILE_NAME));
    await store.transaction((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
    assert.ok(existsSync(join(dataDir, DATABASE_FILE_NAME)));
  });

  it('uses a write-ahead log, foreign keys and the current schema version', async () => {
    const store = open(dir);
    await store.transaction((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
    assert.ok(existsSync(join(dir, `${DATABASE_FILE_NAME}-wal`)));
    await store.close();

    const db = new Database(join(dir, DATABASE_FILE_NAME), { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
      assert.deepEqual(tables, ['apis', 'deployments', 'functions', 'records', 'stages']);
      const foreignKeys = db.prepare('SELECT "table", on_delete FROM pragma_foreign_key_list(?)').all('stages');
      assert.deepEqual(foreignKeys, [{ table: 'apis', on_delete: 'CASCADE' }]);
    } finally {
      db.close();
    }
  });

  it('reopens an existing database without re-running its migrations', async () => {
    const first = open(dir);
    await first.transaction((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
    await first.close();
    const second = open(dir);
    assert.deepEqual(await second.getApi('a1b2c3d4e5'), makeApi('a1b2c3d4e5'));
  });

  it('refuses a database written by a newer schema version', async () => {
    await open(dir).close();
    const db = new Database(join(dir, DATABASE_FILE_NAME));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => open(dir), /schema version .*upgrade portico/);
  });

  it('gives a clear error when the data directory cannot be created', async () => {
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, 'a regular file');
    assert.throws(
      () => open(join(blocker, 'data')),
      (err: unknown) =>
        err instanceof Error &&
        err.message.startsWith('Cannot create the data directory') &&
        err.message.includes(join(blocker, 'data')),
    );
    assert.throws(() => open(blocker), /Cannot create the data directory/);
  });

  it('gives a clear error when the database file is not a database', async () => {
    await writeFile(join(dir, DATABASE_FILE_NAME), 'x'.repeat(4096));
    assert.throws(
      () => open(dir),
      (err: unknown) =>
        err instanceof Error &&
        err.message.startsWith('Cannot open the store database') &&
        err.message.includes(join(dir, DATABASE_FILE_NAME)),
    );
    assert.equal(await readFile(join(dir, DATABASE_FILE_NAME), 'utf8'), 'x'.repeat(4096));
  });

  it('lets work started inside a transaction use the store once it has ended', async () => {
    const store = open(IN_MEMORY);
    let later: Promise<ApiRecord | undefined> | undefined;
    await store.transaction(async (tx) => {
      await tx.putApi(makeApi('a1b2c3d4e5'));
      later = new Promise((resolve) => setTimeout(resolve, 10)).then(() => store.getApi('a1b2c3d4e5'));
    });
    assert.deepEqual(await later, makeApi('a1b2c3d4e5'));
  });

  it('announces only the final change to an item touched twice in one transaction', async () => {
    const store = open(IN_MEMORY);
    await store.transaction((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
    const batches: unknown[] = [];
    store.onChange((changes) => batches.push(changes));
    await store.transaction(async (tx) => {
      await tx.putStage(makeStage('a1b2c3d4e5', 'prod', 'dep001'));
      await tx.putRecord('apiKey', 'key001', { id: 'key001' });
      await tx.deleteStage('a1b2c3d4e5', 'prod');
    });
    assert.deepEqual(batches, [
      [
        { kind: 'record', recordKind: 'apiKey', id: 'key001', deleted: false },
        { kind: 'stage', apiId: 'a1b2c3d4e5', stageName: 'prod', deleted: true },
      ],
    ]);
  });

  it('logs a failing listener instead of failing the transaction', async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    const store = open(IN_MEMORY);
    store.onChange(() => {
      throw new Error('listener bug');
    });
    await store.transaction((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
    assert.equal(logged.mock.callCount(), 1);
    assert.match(String(logged.mock.calls[0].arguments[0]), /listener/);
  });

  it('waits for queued reads before closing', async () => {
    await mkdir(join(dir, 'data'));
    const store = open(join(dir, 'data'));
    await store.transaction((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
    const reads = Array.from({ length: 5 }, () => store.getApi('a1b2c3d4e5'));
    await store.close();
    for (const read of reads) assert.deepEqual(await read, makeApi('a1b2c3d4e5'));
    await assert.rejects(store.listApis(), /the store is closed/);
  });
});
