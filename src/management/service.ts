/**
 * The management APIs on Portico's port: apigateway (REST APIs, paths like `/restapis/…`) and
 * apigatewayv2 (HTTP and WebSocket APIs, `/v2/…`), spoken as the AWS SDKs and CLI speak them
 * (REST-JSON, SigV4). This module claims their requests, reads bodies within a bound,
 * authenticates, matches the operation, checks the body against the operation's members and
 * runs its handler. Every path ends in an AWS-shaped answer or a closed socket; an operation
 * Portico does not implement says so by name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { AccountSettings } from '../model/settings.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import type { CacheRegistry } from '../traffic/cache-registry.js';
import { ManagementError } from './errors.js';
import { matchOperation, serviceOfPath } from './router.js';
import { handlerFor } from './registry.js';
import type { OperationBinding } from './operations.js';
import type { ManagementContext, OperationRequest } from './operation.js';
import { clientBaseUrl } from '../gateway/base-url.js';
import { readBoundedBody } from '../gateway/bounded-body.js';

export interface AuthFailure {
  statusCode: number;
  code: string;
  message: string;
}

export interface ManagementApiDependencies {
  store: Store;
  account: AccountSettings;
  /** Runs functions for the operations that execute an API. */
  invoker?: FunctionInvoker;
  /** The data plane's stage caches, which FlushStageCache empties. */
  caches?: Pick<CacheRegistry, 'flush'>;
  /** Empties a stage's Lambda authorizer result caches, which FlushStageAuthorizersCache empties. */
  flushAuthorizers?: (apiId: string, stageName: string) => void;
  /** Verifies the request's SigV4 signature; undefined means allowed. */
  authenticate(req: IncomingMessage, body: Buffer): AuthFailure | undefined;
  /**
   * Which handler serves an operation; the registry by default. Every operation is implemented
   * today, but a regenerated operations.ts can list new ones before they have handlers.
   */
  handlerFor?: typeof handlerFor;
}

/** Largest request body: API definitions are the big ones (AWS accepts up to 6 MB of OpenAPI). */
export const MAX_MANAGEMENT_BODY_BYTES = 10 * 1024 * 1024;

const KIND_CHECK: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  timestamp: (v) => typeof v === 'number' || typeof v === 'string',
  blob: (v) => typeof v === 'string',
  list: (v) => Array.isArray(v),
  map: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  structure: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
};

/** Parses and checks a JSON body against the operation's members. */
function parseBody(binding: OperationBinding, raw: Buffer): Record<string, unknown> {
  if (binding.payload || raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ManagementError('SerializationException', 'Could not parse the request body as JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ManagementError('SerializationException', 'The request body must be a JSON object');
  }
  const members = binding.body ?? {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!Object.hasOwn(members, key)) {
      throw new ManagementError('SerializationException', `Unrecognized field '${key}' in the ${binding.name} request`);
    }
    if (value === null) continue;
    const kind = members[key]!;
    if (!KIND_CHECK[kind]!(value)) {
      throw new ManagementError('SerializationException', `Field '${key}' of the ${binding.name} request must be a ${kind}`);
    }
  }
  return parsed as Record<string, unknown>;
}

function sendJson(res: ServerResponse, requestId: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  send(res, requestId, status, text, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
}

function send(res: ServerResponse, requestId: string, status: number, payload: string | Buffer, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'x-amzn-RequestId': requestId, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function sendError(res: ServerResponse, requestId: string, error: ManagementError, headers: Record<string, string> = {}): void {
  sendJson(res, requestId, error.statusCode, { message: error.message }, { ...headers, 'x-amzn-ErrorType': error.code });
}

export function createManagementApi(deps: ManagementApiDependencies): (req: IncomingMessage, res: ServerResponse) => boolean {
  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string, pathname: string, query: URLSearchParams): Promise<void> {
    const read = await readBoundedBody(req, MAX_MANAGEMENT_BODY_BYTES);
    if (read.kind === 'aborted') return void res.destroy();
    if (read.kind === 'tooLarge') {
      sendError(res, requestId, new ManagementError('PayloadTooLargeException', `Request body must be at most ${MAX_MANAGEMENT_BODY_BYTES} bytes`, 413), {
        connection: 'close',
      });
      if (!read.drained) res.once('finish', () => req.destroy());
      return;
    }
    const denied = deps.authenticate(req, read.body);
    if (denied) {
      sendJson(res, requestId, denied.statusCode, { message: denied.message }, { 'x-amzn-ErrorType': denied.code });
      return;
    }
    const method = req.method ?? 'GET';
    const matched = matchOperation(method, pathname, query);
    if (!matched) {
      throw new ManagementError('NotFoundException', `No ${serviceOfPath(pathname)} operation is ${method} ${pathname}`, 404);
    }
    const { binding, labels } = matched;
    const body = parseBody(binding, read.body);
    const handler = (deps.handlerFor ?? handlerFor)(binding.service, binding.name);
    if (!handler) {
      throw new ManagementError('NotImplementedException', `Portico does not implement ${binding.service}:${binding.name} yet`, 501);
    }
    const ctx: ManagementContext = { store: deps.store, account: deps.account, baseUrl: clientBaseUrl(req), invoker: deps.invoker, caches: deps.caches, flushAuthorizers: deps.flushAuthorizers };
    const request: OperationRequest = { path: labels, query, headers: req.headers, body, raw: read.body };
    const result = await handler(ctx, request);
    const status = result.status ?? binding.status;
    if (result.payload !== undefined) return send(res, requestId, status, result.payload, result.headers ?? {});
    sendJson(res, requestId, status, result.body, result.headers);
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    if (!serviceOfPath(pathname)) return false;
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const requestId = randomUUID();
    serve(req, res, requestId, pathname, query).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const error = err instanceof ManagementError ? err : unexpected(err);
      sendError(res, requestId, error);
      if (!req.readableEnded && !req.destroyed) req.resume();
    });
    return true;
  };
}

function unexpected(err: unknown): ManagementError {
  console.error('portico: management API request failed unexpectedly:', err);
  return new ManagementError('InternalServerErrorException', 'Internal server error', 500);
}
