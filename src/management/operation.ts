/**
 * What an operation handler receives and returns. A handler is one management operation
 * (CreateRestApi, UpdateStage, …); the service (service.ts) has already authenticated the call,
 * matched its path and checked its JSON body against the operation's members.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Store } from '../store/store.js';
import type { AccountSettings } from '../model/settings.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import type { CacheRegistry } from '../traffic/cache-registry.js';

export interface ManagementContext {
  store: Store;
  account: AccountSettings;
  /** The client's `scheme://host:port`, for URLs it can follow back. */
  baseUrl: string;
  /** Runs functions, for operations that execute an API (TestInvokeMethod, TestInvokeAuthorizer). */
  invoker?: FunctionInvoker;
  /** The data plane's stage caches, for FlushStageCache; without it there is nothing to flush. */
  caches?: Pick<CacheRegistry, 'flush'>;
  /** Empties a stage's Lambda authorizer result caches, for FlushStageAuthorizersCache. */
  flushAuthorizers?: (apiId: string, stageName: string) => void;
}

export interface OperationRequest {
  /** Path labels, percent-decoded, by the template's label names (`restApiId`, `ApiId`, …). */
  path: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The JSON body as an object (`{}` when there is none); checked against the operation's members. */
  body: Readonly<Record<string, unknown>>;
  /** The raw body, for operations whose body is a document (ImportRestApi, PutRestApi, ImportApiKeys…). */
  raw: Buffer;
}

export interface OperationResult {
  /** Default: the operation's success status. */
  status?: number;
  /** Sent as JSON; undefined sends no body. */
  body?: unknown;
  /** A body sent as it is (GetExport), with `headers` saying what it is. */
  payload?: string | Buffer;
  headers?: Record<string, string>;
}

export type OperationHandler = (ctx: ManagementContext, req: OperationRequest) => Promise<OperationResult>;

/** Handlers by operation name, one table per service. */
export type HandlerTable = Readonly<Record<string, OperationHandler>>;
