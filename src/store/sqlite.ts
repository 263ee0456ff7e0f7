/**
 * The embedded store: the whole model in one SQLite file, `portico.db`, under the data directory.
 *
 * better-sqlite3 is synchronous while the Store interface is asynchronous (so that a PostgreSQL
 * store can implement it too). A transaction is therefore an explicit BEGIN IMMEDIATE … COMMIT
 * on the one connection, and a promise-chain mutex serialises everything that touches that
 * connection: while an async `fn` awaits between statements, any other statement would silently
 * join its open transaction. Reads made on the store (not on `tx`) queue on the same mutex, so
 * they never observe another transaction's uncommitted writes.
 *
 * Rows keep their key columns for lookups and cascades, and the whole object as JSON text; reads
 * parse the JSON, so callers always get their own copy.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ApiRecord, Deployment, Stage } from '../model/api.js';
import type { FunctionDefinition } from '../model/function.js';
import { StoreConflictError, StoreNotFoundError } from './store.js';
import type { Store, StoreChange, StoreWriter } from './store.js';

/** Pass as `dataDir` to keep the store in memory only (nothing survives `close()`). */
export const IN_MEMORY = ':memory:';

/** The database file's name inside the data directory. */
export const DATABASE_FILE_NAME = 'portico.db';

type Db = Database.Database;

/**
 * Schema migrations, in order. Migration `n` (0-based) moves the schema from version `n` to
 * `n + 1`; the version is kept in `PRAGMA user_version`. Append new migrations; never edit one
 * that has shipped, since existing data directories have already run it.
 */
const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  (db) =>
    db.exec(`
      CREATE TABLE apis (
        id            TEXT PRIMARY KEY,
        protocol_type TEXT NOT NULL,
        source_key    TEXT UNIQUE,
        document      TEXT NOT NULL
      ) STRICT;

      CREATE TABLE deployments (
        api_id       TEXT NOT NULL REFERENCES apis (id) ON DELETE CASCADE,
        id           TEXT NOT NULL,
        created_date REAL NOT NULL,
        document     TEXT NOT NULL,
        PRIMARY KEY (api_id, id)
      ) STRICT;

      CREATE TABLE stages (
        api_id     TEXT NOT NULL REFERENCES apis (id) ON DELETE CASCADE,
        stage_name TEXT NOT NULL,
        document   TEXT NOT NULL,
        PRIMARY KEY (api_id, stage_name)
      ) STRICT;

      CREATE TABLE functions (
        function_name TEXT PRIMARY KEY,
        document      TEXT NOT NULL
      ) STRICT;

      CREATE TABLE records (
        kind     TEXT NOT NULL,
        id       TEXT NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      ) STRICT;
    `),
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function migrate(db: Db): void {
  // IMMEDIATE takes the write lock before reading the version, so two processes opening the
  // same data directory at once cannot both run a migration.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `the database has schema version ${current}, but this version of portico only knows ` +
          `versions up to ${MIGRATIONS.length}; upgrade portico to open it`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      MIGRATIONS[version](db);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function parse<T>(json: unknown): T | undefined {
  return typeof json === 'string' ? (JSON.parse(json) as T) : undefined;
}

function parseAll<T>(rows: unknown[]): T[] {
  return rows.map((json) => JSON.parse(json as string) as T);
}

function changeKey(change: StoreChange): string {
  switch (change.kind) {
    case 'api':
      return `api\0${change.apiId}`;
    case 'deployment':
      return `deployment\0${change.apiId}\0${change.deploymentId}`;
    case 'stage':
      return `stage\0${change.apiId}\0${change.stageName}`;
    case 'function':
      return `function\0${change.functionName}`;
    case 'record':
      return `record\0${change.recordKind}\0${change.id}`;
  }
}

/**
 * The changes one transaction made. Touching the same item twice keeps only the last change, at
 * its later position, so listeners reload each item once and see its final state.
 */
class ChangeLog {
  private readonly changes = new Map<string, StoreChange>();

  add(change: StoreChange): void {
    const key = changeKey(change);
    this.changes.delete(key);
    this.changes.set(key, change);
  }

  list(): StoreChange[] {
    return [...this.changes.values()];
  }
}

/** One transaction's state: whether its tx may still be used, and what it changed. */
interface TransactionScope {
  active: boolean;
  readonly log: ChangeLog;
}

/** Prepared once per connection; every call reuses them. */
function prepareStatements(db: Db) {
  return {
    getApi: db.prepare('SELECT document FROM apis WHERE id = ?').pluck(),
    findApiBySourceKey: db.prepare('SELECT document FROM apis WHERE source_key = ?').pluck(),
    listApis: db.prepare('SELECT document FROM apis ORDER BY id').pluck(),
    apiExists: db.prepare('SELECT 1 FROM apis WHERE id = ?').pluck(),
    apiIdBySourceKey: db.prepare('SELECT id FROM apis WHERE source_key = ?').pluck(),
    // An upsert rather than INSERT OR REPLACE: REPLACE deletes the old row first, which would
    // cascade to the API's deployments and stages.
    putApi: db.prepare(
      `INSERT INTO apis (id, protocol_type, source_key, document) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         protocol_type = excluded.protocol_type,
         source_key = excluded.source_key,
         document = excluded.document`,
    ),
    deleteApi: db.prepare('DELETE FROM apis WHERE id = ?'),

    getDeployment: db.prepare('SELECT document FROM deployments WHERE api_id = ? AND id = ?').pluck(),
    deploymentExists: db.prepare('SELECT 1 FROM deployments WHERE api_id = ? AND id = ?').pluck(),
    listDeployments: db
      .prepare('SELECT document FROM deployments WHERE api_id = ? ORDER BY created_date DESC, rowid DESC')
      .pluck(),
    deploymentIdsOfApi: db.prepare('SELECT id FROM deployments WHERE api_id = ? ORDER BY rowid').pluck(),
    insertDeployment: db.prepare(
      'INSERT INTO deployments (api_id, id, created_date, document) VALUES (?, ?, ?, ?)',
    ),
    deleteDeployment: db.prepare('DELETE FROM deployments WHERE api_id = ? AND id = ?'),

    getStage: db.prepare('SELECT document FROM stages WHERE api_id = ? AND stage_name = ?').pluck(),
    listStagesOfApi: db.prepare('SELECT document FROM stages WHERE api_id = ? ORDER BY stage_name').pluck(),
    listAllStages: db.prepare('SELECT document FROM stages ORDER BY api_id, stage_name').pluck(),
    stageNamesOfApi: db.prepare('SELECT stage_name FROM stages WHERE api_id = ? ORDER BY stage_name').pluck(),
    putStage: db.prepare(
      `INSERT INTO stages (api_id, stage_name, document) VALUES (?, ?, ?)
       ON CONFLICT (api_id, stage_name) DO UPDATE SET document = excluded.document`,
    ),
    deleteStage: db.prepare('DELETE FROM stages WHERE api_id = ? AND stage_name = ?'),

    getFunction: db.prepare('SELECT document FROM functions WHERE function_name = ?').pluck(),
    listFunctions: db.prepare('SELECT document FROM functions ORDER BY function_name').pluck(),
    putFunction: db.prepare(
      `INSERT INTO functions (function_name, document) VALUES (?, ?)
       ON CONFLICT (function_name) DO UPDATE SET document = excluded.document`,
    ),
    deleteFunction: db.prepare('DELETE FROM functions WHERE function_name = ?'),

    getRecord: db.prepare('SELECT document FROM records WHERE kind = ? AND id = ?').pluck(),
    listRecords: db.prepare('SELECT document FROM records WHERE kind = ? ORDER BY id').pluck(),
    putRecord: db.prepare(
      `INSERT INTO records (kind, id, document) VALUES (?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET document = excluded.document`,
    ),
    deleteRecord: db.prepare('DELETE FROM records WHERE kind = ? AND id = ?'),
  };
}

/** The prepared statements and the synchronous operations built on them. */
class SqliteModel {
  private readonly s: ReturnType<typeof prepareStatements>;

  constructor(db: Db) {
    this.s = prepareStatements(db);
  }

  getApi(apiId: string): ApiRecord | undefined {
    return parse(this.s.getApi.get(apiId));
  }

  findApiBySourceKey(sourceKey: string): ApiRecord | undefined {
    return parse(this.s.findApiBySourceKey.get(sourceKey));
  }

  listApis(): ApiRecord[] {
    return parseAll(this.s.listApis.all());
  }

  getDeployment(apiId: string, deploymentId: string): Deployment | undefined {
    return parse(this.s.getDeployment.get(apiId, deploymentId));
  }

  listDeployments(apiId: string): Deployment[] {
    return parseAll(this.s.listDeployments.all(apiId));
  }

  getStage(apiId: string, stageName: string): Stage | undefined {
    return parse(this.s.getStage.get(apiId, stageName));
  }

  listStages(apiId?: string): Stage[] {
    return parseAll(apiId === undefined ? this.s.listAllStages.all() : this.s.listStagesOfApi.all(apiId));
  }

  getFunction(functionName: string): FunctionDefinition | undefined {
    return parse(this.s.getFunction.get(functionName));
  }

  listFunctions(): FunctionDefinition[] {
    return parseAll(this.s.listFunctions.all());
  }

  getRecord<T>(recordKind: string, id: string): T | undefined {
    return parse<T>(this.s.getRecord.get(recordKind, id));
  }

  listRecords<T>(recordKind: string): T[] {
    return parseAll<T>(this.s.listRecords.all(recordKind));
  }

  putApi(api: ApiRecord, log: ChangeLog): void {
    const sourceKey = api.sourceKey ?? null;
    if (sourceKey !== null) {
      const holder = this.s.apiIdBySourceKey.get(sourceKey) as string | undefined;
      if (holder !== undefined && holder !== api.id) {
        throw new StoreConflictError(
          `API ${holder} was already imported from ${sourceKey}; API ${api.id} cannot claim the same source`,
        );
      }
    }
    this.s.putApi.run(api.id, api.protocolType, sourceKey, JSON.stringify(api));
    log.add({ kind: 'api', apiId: api.id, deleted: false });
  }

  deleteApi(apiId: string, log: ChangeLog): void {
    // Read what the cascade will remove first, so the data plane hears about every stage it
    // must unload.
    const stageNames = this.s.stageNamesOfApi.all(apiId) as string[];
    const deploymentIds = this.s.deploymentIdsOfApi.all(apiId) as string[];
    if (this.s.deleteApi.run(apiId).changes === 0) return;
    for (const stageName of stageNames) log.add({ kind: 'stage', apiId, stageName, deleted: true });
    for (const deploymentId of deploymentIds) log.add({ kind: 'deployment', apiId, deploymentId, deleted: true });
    log.add({ kind: 'api', apiId, deleted: true });
  }

  putDeployment(deployment: Deployment, log: ChangeLog): void {
    const { apiId, id } = deployment;
    this.requireApi(apiId, `deployment ${id}`);
    if (this.s.deploymentExists.get(apiId, id) !== undefined) {
      throw new StoreConflictError(`Deployment ${id} of API ${apiId} already exists; deployments are immutable`);
    }
    this.s.insertDeployment.run(apiId, id, deployment.createdDate, JSON.stringify(deployment));
    log.add({ kind: 'deployment', apiId, deploymentId: id, deleted: false });
  }

  deleteDeployment(apiId: string, deploymentId: string, log: ChangeLog): void {
    if (this.s.deleteDeployment.run(apiId, deploymentId).changes === 0) return;
    log.add({ kind: 'deployment', apiId, deploymentId, deleted: true });
  }

  putStage(stage: Stage, log: ChangeLog): void {
    const { apiId, stageName } = stage;
    this.requireApi(apiId, `stage ${stageName}`);
    this.s.putStage.run(apiId, stageName, JSON.stringify(stage));
    log.add({ kind: 'stage', apiId, stageName, deleted: false });
  }

  deleteStage(apiId: string, stageName: string, log: ChangeLog): void {
    if (this.s.deleteStage.run(apiId, stageName).changes === 0) return;
    log.add({ kind: 'stage', apiId, stageName, deleted: true });
  }

  putFunction(fn: FunctionDefinition, log: ChangeLog): void {
    this.s.putFunction.run(fn.functionName, JSON.stringify(fn));
    log.add({ kind: 'function', functionName: fn.functionName, deleted: false });
  }

  deleteFunction(functionName: string, log: ChangeLog): void {
    if (this.s.deleteFunction.run(functionName).changes === 0) return;
    log.add({ kind: 'function', functionName, deleted: true });
  }

  putRecord<T>(recordKind: string, id: string, value: T, log: ChangeLog): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`Record ${recordKind}/${id} is not JSON-serialisable`);
    this.s.putRecord.run(recordKind, id, json);
    log.add({ kind: 'record', recordKind, id, deleted: false });
  }

  deleteRecord(recordKind: string, id: string, log: ChangeLog): void {
    if (this.s.deleteRecord.run(recordKind, id).changes === 0) return;
    log.add({ kind: 'record', recordKind, id, deleted: true });
  }

  private requireApi(apiId: string, what: string): void {
    if (this.s.apiExists.get(apiId) === undefined) {
      throw new StoreNotFoundError(`API ${apiId} does not exist; cannot store ${what}`);
    }
  }
}

/**
 * The `tx` handed to a transaction's `fn`. It runs statements directly on the connection (the
 * transaction already holds the mutex) and refuses any use once its transaction has ended, so a
 * leaked reference cannot write outside a transaction.
 */
class SqliteTransactionWriter implements StoreWriter {
  constructor(
    private readonly model: SqliteModel,
    private readonly scope: TransactionScope,
  ) {}

  private live(): SqliteModel {
    if (!this.scope.active) {
      throw new Error('This transaction has ended; its tx object can only be used inside its transaction() callback');
    }
    return this.model;
  }

  async getApi(apiId: string): Promise<ApiRecord | undefined> {
    return this.live().getApi(apiId);
  }
  async findApiBySourceKey(sourceKey: string): Promise<ApiRecord | undefined> {
    return this.live().findApiBySourceKey(sourceKey);
  }
  async listApis(): Promise<ApiRecord[]> {
    return this.live().listApis();
  }
  async getDeployment(apiId: string, deploymentId: string): Promise<Deployment | undefined> {
    return this.live().getDeployment(apiId, deploymentId);
  }
  async listDeployments(apiId: string): Promise<Deployment[]> {
    return this.live().listDeployments(apiId);
  }
  async getStage(apiId: string, stageName: string): Promise<Stage | undefined> {
    return this.live().getStage(apiId, stageName);
  }
  async listStages(apiId?: string): Promise<Stage[]> {
    return this.live().listStages(apiId);
  }
  async getFunction(functionName: string): Promise<FunctionDefinition | undefined> {
    return this.live().getFunction(functionName);
  }
  async listFunctions(): Promise<FunctionDefinition[]> {
    return this.live().listFunctions();
  }
  async getRecord<T>(recordKind: string, id: string): Promise<T | undefined> {
    return this.live().getRecord<T>(recordKind, id);
  }
  async listRecords<T>(recordKind: string): Promise<T[]> {
    return this.live().listRecords<T>(recordKind);
  }

  async putApi(api: ApiRecord): Promise<void> {
    this.live().putApi(api, this.scope.log);
  }
  async deleteApi(apiId: string): Promise<void> {
    this.live().deleteApi(apiId, this.scope.log);
  }
  async putDeployment(deployment: Deployment): Promise<void> {
    this.live().putDeployment(deployment, this.scope.log);
  }
  async deleteDeployment(apiId: string, deploymentId: string): Promise<void> {
    this.live().deleteDeployment(apiId, deploymentId, this.scope.log);
  }
  async putStage(stage: Stage): Promise<void> {
    this.live().putStage(stage, this.scope.log);
  }
  async deleteStage(apiId: string, stageName: string): Promise<void> {
    this.live().deleteStage(apiId, stageName, this.scope.log);
  }
  async putFunction(fn: FunctionDefinition): Promise<void> {
    this.live().putFunction(fn, this.scope.log);
  }
  async deleteFunction(functionName: string): Promise<void> {
    this.live().deleteFunction(functionName, this.scope.log);
  }
  async putRecord<T>(recordKind: string, id: string, value: T): Promise<void> {
    this.live().putRecord(recordKind, id, value, this.scope.log);
  }
  async deleteRecord(recordKind: string, id: string): Promise<void> {
    this.live().deleteRecord(recordKind, id, this.scope.log);
  }
}

export class SqliteStore implements Store {
  /**
   * Opens (creating if needed) the store in `dataDir`, or an in-memory store for `':memory:'`.
   * Throws an Error naming the path when the directory or database cannot be created or opened.
   */
  static open(dataDir: string): SqliteStore {
    if (dataDir === IN_MEMORY) return new SqliteStore(SqliteStore.openDatabase(IN_MEMORY), IN_MEMORY);
    const directory = resolve(dataDir);
    try {
      mkdirSync(directory, { recursive: true });
    } catch (err) {
      throw new Error(`Cannot create the data directory ${directory}: ${messageOf(err)}`, { cause: err });
    }
    const file = join(directory, DATABASE_FILE_NAME);
    return new SqliteStore(SqliteStore.openDatabase(file), file);
  }

  private static openDatabase(file: string): Db {
    let db: Db | undefined;
    try {
      db = new Database(file);
      // WAL: a commit is durable once its frames are in the log, and readers never block the
      // writer. FULL syncs the log on every commit, so an acknowledged change survives even an
      // OS crash or power loss; configuration writes are rare enough that the fsync is cheap.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return db;
    } catch (err) {
      db?.close();
      throw new Error(`Cannot open the store database ${file}: ${messageOf(err)}`, { cause: err });
    }
  }

  private readonly model: SqliteModel;
  private readonly beginStatement: Database.Statement;
  private readonly commitStatement: Database.Statement;
  private readonly rollbackStatement: Database.Statement;
  private readonly listeners = new Set<(changes: StoreChange[]) => void>();
  /** The mutex: settles when the last queued operation has finished. Never rejects. */
  private tail: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: Db,
    /** The database file, or `':memory:'`. */
    readonly location: string,
  ) {
    this.model = new SqliteModel(db);
    this.beginStatement = db.prepare('BEGIN IMMEDIATE');
    this.commitStatement = db.prepare('COMMIT');
    this.rollbackStatement = db.prepare('ROLLBACK');
  }

  /** Queues `task` behind every operation already queued on the connection. */
  private exclusive<T>(operation: string, task: () => T | Promise<T>): Promise<T> {
    if (this.closing !== undefined) {
      return Promise.reject(new Error(`Cannot ${operation}: the store is closed`));
    }
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private read<T>(task: () => T): Promise<T> {
    return this.exclusive('read', task);
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.exclusive('start a transaction', async () => {
      const scope: TransactionScope = { active: true, log: new ChangeLog() };
      const tx = new SqliteTransactionWriter(this.model, scope);
      this.beginStatement.run();
      let result: T;
      try {
        // No AsyncLocalStorage to police calls made from inside fn: on Node 20 it turns on
        // promise hooks for the whole process, which taxes every promise on the data plane.
        result = await fn(tx);
        this.commitStatement.run();
      } catch (err) {
        // SQLite rolls back by itself after some errors (e.g. a full disk); only roll back a
        // transaction that is still open.
        if (this.db.inTransaction) {
          try {
            this.rollbackStatement.run();
          } catch (rollbackError) {
            console.error('portico: rolling back a failed store transaction failed', rollbackError);
          }
        }
        throw err;
      } finally {
        scope.active = false;
      }
      // Announced while the mutex is still held, so batches reach listeners in commit order.
      this.announce(scope.log.list());
      return result;
    });
  }

  onChange(listener: (changes: StoreChange[]) => void): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe each independently.
    const entry = (changes: StoreChange[]): void => listener(changes);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  private announce(changes: StoreChange[]): void {
    if (changes.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        // Each listener gets its own copy, so one cannot alter what the next one sees.
        listener(changes.map((change) => ({ ...change })));
      } catch (err) {
        console.error('portico: a store change listener failed', err);
      }
    }
  }

  /** Waits for queued operations to finish, then closes the database. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.tail.then(() => {
      this.db.close();
    });
    return this.closing;
  }

  getApi(apiId: string): Promise<ApiRecord | undefined> {
    return this.read(() => this.model.getApi(apiId));
  }
  findApiBySourceKey(sourceKey: string): Promise<ApiRecord | undefined> {
    return this.read(() => this.model.findApiBySourceKey(sourceKey));
  }
  listApis(): Promise<ApiRecord[]> {
    return this.read(() => this.model.listApis());
  }
  getDeployment(apiId: string, deploymentId: string): Promise<Deployment | undefined> {
    return this.read(() => this.model.getDeployment(apiId, deploymentId));
  }
  listDeployments(apiId: string): Promise<Deployment[]> {
    return this.read(() => this.model.listDeployments(apiId));
  }
  getStage(apiId: string, stageName: string): Promise<Stage | undefined> {
    return this.read(() => this.model.getStage(apiId, stageName));
  }
  listStages(apiId?: string): Promise<Stage[]> {
    return this.read(() => this.model.listStages(apiId));
  }
  getFunction(functionName: string): Promise<FunctionDefinition | undefined> {
    return this.read(() => this.model.getFunction(functionName));
  }
  listFunctions(): Promise<FunctionDefinition[]> {
    return this.read(() => this.model.listFunctions());
  }
  getRecord<T>(recordKind: string, id: string): Promise<T | undefined> {
    return this.read(() => this.model.getRecord<T>(recordKind, id));
  }
  listRecords<T>(recordKind: string): Promise<T[]> {
    return this.read(() => this.model.listRecords<T>(recordKind));
  }
}
