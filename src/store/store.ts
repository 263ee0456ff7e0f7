/**
 * The Store: where the model lives. Callers depend on this interface only; the embedded SQLite
 * store and (later) the PostgreSQL store implement it and run the same shared test suite.
 *
 * Every write happens inside `transaction()`: either all of a call's writes commit, or none do.
 * Committed changes are announced on the change feed (`onChange`) so the data plane can
 * recompile exactly the stages that moved.
 */
import type { ApiRecord, Deployment, Stage } from '../model/api.js';
import type { FunctionDefinition } from '../model/function.js';

/** One committed change, announced after its transaction commits. */
export type StoreChange =
  | { kind: 'api'; apiId: string; deleted: boolean }
  | { kind: 'deployment'; apiId: string; deploymentId: string; deleted: boolean }
  | { kind: 'stage'; apiId: string; stageName: string; deleted: boolean }
  | { kind: 'function'; functionName: string; deleted: boolean }
  | { kind: 'record'; recordKind: string; id: string; deleted: boolean };

export interface StoreReader {
  getApi(apiId: string): Promise<ApiRecord | undefined>;
  /** The API last imported from `sourceKey` (e.g. an absolute file path), if any. */
  findApiBySourceKey(sourceKey: string): Promise<ApiRecord | undefined>;
  listApis(): Promise<ApiRecord[]>;

  getDeployment(apiId: string, deploymentId: string): Promise<Deployment | undefined>;
  /** Newest first. */
  listDeployments(apiId: string): Promise<Deployment[]>;

  getStage(apiId: string, stageName: string): Promise<Stage | undefined>;
  /** All stages of one API, or of every API when `apiId` is omitted. */
  listStages(apiId?: string): Promise<Stage[]>;

  getFunction(functionName: string): Promise<FunctionDefinition | undefined>;
  listFunctions(): Promise<FunctionDefinition[]>;

  /**
   * Account-level records of other kinds (API keys, usage plans, domain names, …), stored as
   * JSON documents keyed by kind and id, so later features need no new tables.
   */
  getRecord<T>(recordKind: string, id: string): Promise<T | undefined>;
  listRecords<T>(recordKind: string): Promise<T[]>;
}

export interface StoreWriter extends StoreReader {
  /** Inserts or replaces the API document. */
  putApi(api: ApiRecord): Promise<void>;
  /** Deletes the API with its deployments and stages. */
  deleteApi(apiId: string): Promise<void>;

  /** Deployments are immutable: inserting an id that exists throws `StoreConflictError`. */
  putDeployment(deployment: Deployment): Promise<void>;
  deleteDeployment(apiId: string, deploymentId: string): Promise<void>;

  /** Inserts or replaces a stage. */
  putStage(stage: Stage): Promise<void>;
  deleteStage(apiId: string, stageName: string): Promise<void>;

  putFunction(fn: FunctionDefinition): Promise<void>;
  deleteFunction(functionName: string): Promise<void>;

  putRecord<T>(recordKind: string, id: string, value: T): Promise<void>;
  deleteRecord(recordKind: string, id: string): Promise<void>;
}

export interface Store extends StoreReader {
  /**
   * Runs `fn` in one transaction. If `fn` throws (or rejects), nothing it wrote is kept and
   * the error propagates. Transactions are serialised; keep them short. Inside `fn`, use `tx`
   * only: a call on the Store itself would wait for the very transaction it runs in.
   */
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>;
  /** Subscribes to committed changes; returns an unsubscribe function. */
  onChange(listener: (changes: StoreChange[]) => void): () => void;
  close(): Promise<void>;
}

/** A write that contradicts what is stored (e.g. a deployment id that already exists). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** A write that refers to something missing (e.g. a stage of an API that does not exist). */
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError';
}
