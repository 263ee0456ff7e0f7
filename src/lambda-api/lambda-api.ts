/**
 * The Lambda API (version 2015-03-31) on Portico's port: the subset the AWS SDKs and the AWS
 * CLI use to create, inspect, update, invoke and delete functions. This module claims the
 * requests, reads bodies with Lambda's size limits, authenticates, routes to the operations
 * and writes Lambda's REST-JSON responses and errors. No input may crash it: every path ends in
 * a response or a closed socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Store } from '../store/store.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import type { AccountSettings } from '../model/settings.js';
import { CodeLinks } from './code.js';
import { LambdaApiError, serviceError } from './errors.js';
import {
  createFunction,
  deleteFunction,
  deleteFunctionConcurrency,
  getFunction,
  getFunctionConcurrency,
  getFunctionConfiguration,
  listFunctions,
  putFunctionConcurrency,
  updateFunctionCode,
  updateFunctionConfiguration,
  type ApiResponse,
  type LambdaApiContext,
} from './functions.js';
import { InvokeOperation, MAX_PAYLOAD_BYTES } from './invoke.js';
import { resolveFunctionName } from './names.js';
import { clientBaseUrl } from '../gateway/base-url.js';
import { readBoundedBody } from '../gateway/bounded-body.js';

export interface AuthFailure {
  statusCode: number;
  code: string;
  message: string;
}

export interface LambdaApiDependencies {
  store: Store;
  invoker: FunctionInvoker;
  account: AccountSettings;
  /** Where uploaded zip archives are unpacked: `{dataDir}/functions`. */
  codeRoot: string;
  /** Verifies the request's SigV4 signature; undefined means allowed. */
  authenticate(req: IncomingMessage, body: Buffer): AuthFailure | undefined;
}

type Operation =
  | 'CreateFunction'
  | 'ListFunctions'
  | 'GetFunction'
  | 'GetFunctionConfiguration'
  | 'UpdateFunctionCode'
  | 'UpdateFunctionConfiguration'
  | 'DeleteFunction'
  | 'Invoke'
  | 'PutFunctionConcurrency'
  | 'GetFunctionConcurrency'
  | 'DeleteFunctionConcurrency'
  | 'Unknown';

interface Route {
  operation: Operation;
  /** `{FunctionName}` from the path, percent-decoded; undefined when it does not decode. */
  reference?: string;
  query: URLSearchParams;
}

/**
 * Lambda's limit for a request carrying a zip: a 50 MB archive, base64 in JSON. Lambda quotes
 * this exact figure in its error.
 */
const MAX_CODE_REQUEST_BYTES = 70_167_211;

const API_PREFIX = '/2015-03-31/';
const CONCURRENCY_PATH = /^\/(2017-10-31|2019-09-30)\/functions\/([^/]+)\/concurrency\/?$/;

/** Operations on one function, by what follows `/2015-03-31/functions/{FunctionName}`, then by method. */
const FUNCTION_ROUTES: Record<string, Record<string, Operation>> = {
  '': { GET: 'GetFunction', DELETE: 'DeleteFunction' },
  configuration: { GET: 'GetFunctionConfiguration', PUT: 'UpdateFunctionConfiguration' },
  code: { PUT: 'UpdateFunctionCode' },
  invocations: { POST: 'Invoke' },
};
const CONCURRENCY_ROUTES: Record<string, Record<string, Operation>> = {
  '2017-10-31': { PUT: 'PutFunctionConcurrency', DELETE: 'DeleteFunctionConcurrency' },
  '2019-09-30': { GET: 'GetFunctionConcurrency' },
};

/** Which operation a request is, or undefined when the path is not the Lambda API's. */
function route(method: string, url: string): Route | undefined {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const concurrency = CONCURRENCY_PATH.exec(pathname);
  if (concurrency) {
    const operation = CONCURRENCY_ROUTES[concurrency[1]!]![method] ?? 'Unknown';
    return { operation, reference: decode(concurrency[2]!), query };
  }
  // Everything else under the API's version prefix is claimed, so unknown operations get
  // Lambda's answer rather than the data plane's.
  if (!pathname.startsWith(API_PREFIX)) return undefined;
  const segments = pathname.slice(API_PREFIX.length).split('/');
  // `functions/` (older clients) and `functions` (newer ones) both list.
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  if (segments[0] !== 'functions' || segments.length > 3) return { operation: 'Unknown', query };
  if (segments.length === 1) {
    const operation = method === 'GET' ? 'ListFunctions' : method === 'POST' ? 'CreateFunction' : 'Unknown';
    return { operation, query };
  }
  const routes = Object.hasOwn(FUNCTION_ROUTES, segments[2] ?? '') ? FUNCTION_ROUTES[segments[2] ?? ''] : undefined;
  const operation = routes && Object.hasOwn(routes, method) ? routes[method]! : 'Unknown';
  return { operation, reference: decode(segments[1]!), query };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function bodyLimit(operation: Operation): { bytes: number; operationName: string } {
  if (operation === 'CreateFunction' || operation === 'UpdateFunctionCode') return { bytes: MAX_CODE_REQUEST_BYTES, operationName: operation };
  if (operation === 'Invoke') return { bytes: MAX_PAYLOAD_BYTES, operationName: 'InvokeFunction' };
  return { bytes: MAX_PAYLOAD_BYTES, operationName: operation };
}

function sendJson(res: ServerResponse, requestId: string, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  send(res, requestId, statusCode, text, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
}

function send(res: ServerResponse, requestId: string, statusCode: number, text: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(statusCode, { ...headers, 'x-amzn-RequestId': requestId, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, requestId: string, error: LambdaApiError, headers: Record<string, string> = {}): void {
  sendJson(res, requestId, error.statusCode, error.body(), { ...headers, 'x-amzn-ErrorType': error.code });
}

export function createLambdaApi(deps: LambdaApiDependencies): (req: IncomingMessage, res: ServerResponse) => boolean {
  const ctx: LambdaApiContext = { ...deps, links: new CodeLinks() };
  const invoker = new InvokeOperation(ctx);

  async function serve(r: Route, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const limit = bodyLimit(r.operation);
    const read = await readBoundedBody(req, limit.bytes);
    if (read.kind === 'aborted') return void res.destroy();
    if (read.kind === 'tooLarge') {
      const error = new LambdaApiError(
        'RequestTooLargeException',
        `Request must be smaller than ${limit.bytes} bytes for the ${limit.operationName} operation`,
      );
      sendError(res, requestId, error, { connection: 'close' });
      // Whatever is still arriving is not worth reading.
      if (!read.drained) res.once('finish', () => req.destroy());
      return;
    }
    const denied = deps.authenticate(req, read.body);
    if (denied) {
      sendJson(res, requestId, denied.statusCode, { message: denied.message }, { 'x-amzn-ErrorType': denied.code });
      return;
    }
    if (r.operation === 'Unknown') {
      throw new LambdaApiError('UnknownOperationException', `Portico does not implement ${req.method} ${req.url?.split('?')[0]} of the Lambda API.`);
    }
    const functionName = r.operation === 'CreateFunction' || r.operation === 'ListFunctions'
      ? ''
      : resolveFunctionName(deps.account, r.reference ?? '', r.query.get('Qualifier'));
    let response: ApiResponse;
    switch (r.operation) {
      case 'Invoke': {
        const result = await invoker.invoke({ functionName, requestId, headers: req.headers, payload: read.body });
        return send(res, requestId, result.statusCode, result.body, result.headers);
      }
      case 'CreateFunction':
        response = await createFunction(ctx, read.body);
        break;
      case 'ListFunctions':
        response = await listFunctions(ctx, r.query);
        break;
      case 'GetFunction':
        response = await getFunction(ctx, functionName, clientBaseUrl(req));
        break;
      case 'GetFunctionConfiguration':
        response = await getFunctionConfiguration(ctx, functionName);
        break;
      case 'UpdateFunctionCode':
        response = await updateFunctionCode(ctx, functionName, read.body);
        break;
      case 'UpdateFunctionConfiguration':
        response = await updateFunctionConfiguration(ctx, functionName, read.body);
        break;
      case 'DeleteFunction':
        response = await deleteFunction(ctx, functionName);
        break;
      case 'PutFunctionConcurrency':
        response = await putFunctionConcurrency(ctx, functionName, read.body);
        break;
      case 'GetFunctionConcurrency':
        response = await getFunctionConcurrency(ctx, functionName);
        break;
      case 'DeleteFunctionConcurrency':
        response = await deleteFunctionConcurrency(ctx, functionName);
        break;
    }
    sendJson(res, requestId, response.statusCode, response.body);
  }

  /** GetFunction's Code.Location: the kept zip, for as long as the link is valid. */
  async function serveCodeArchive(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const file = ctx.links.resolve(deps.codeRoot, q === -1 ? url : url.slice(0, q), new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
    const info = file && req.method === 'GET' ? await stat(file).catch(() => undefined) : undefined;
    req.resume();
    if (!file || !info?.isFile()) {
      // What S3 says for an expired or tampered presigned URL, minus the XML.
      return sendJson(res, requestId, 403, { message: 'Access Denied' }, { 'x-amzn-ErrorType': 'AccessDenied' });
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': info.size, 'x-amzn-RequestId': requestId });
    const stream = createReadStream(file);
    stream.once('error', () => res.destroy());
    res.once('close', () => stream.destroy());
    stream.pipe(res);
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const requestId = randomUUID();
    const fail = (err: unknown): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const error = err instanceof LambdaApiError ? err : unexpected(err);
      sendError(res, requestId, error);
      if (!req.readableEnded && !req.destroyed) req.resume();
    };
    if (url.startsWith(CodeLinks.PREFIX)) {
      serveCodeArchive(req, res, requestId).catch(fail);
      return true;
    }
    const r = route(req.method ?? 'GET', url);
    if (!r) return false;
    serve(r, req, res, requestId).catch(fail);
    return true;
  };
}

function unexpected(err: unknown): LambdaApiError {
  console.error('portico: Lambda API request failed unexpectedly:', err);
  return serviceError('An internal error occurred.');
}
