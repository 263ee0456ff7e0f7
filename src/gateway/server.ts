/**
 * The listener: one node:http server on one port. Each request is dispatched to Portico's own
 * endpoints (`/_portico/…`) or to a stage's data plane, run through the matched method's
 * access control, throttles and quota, response cache and integration, and answered with
 * AWS's headers; any failure becomes a gateway response. No client input can crash the
 * process: every error path ends in a response or a closed socket.
 */
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { resolveInvokeTarget } from './dispatch.js';
import { GatewayError, missingAuthenticationToken } from './errors.js';
import { DEFAULT_GATEWAY_RESPONSES, type GatewayResponseContext } from './gateway-responses.js';
import { Invocation } from './invocation.js';
import { nextExtendedRequestId, nextRequestId } from './request-ids.js';
import type { GatewayResult } from './result.js';
import { RelayedBody } from './relayed-body.js';
import type { StageRegistry } from './stage-registry.js';
import type { CompiledStage } from './rest/compile.js';
import { chooseResponseEncoding, compressBody, type CompressionPolicy } from './compression.js';
import type { RequestObservation } from '../observability/request-observation.js';
import type { StageObserver } from '../observability/stage-observer.js';

export interface GatewayServerOptions {
  registry: StageRegistry;
  version: string;
  /** Extra endpoints under `/_portico/`, answered before the data plane. */
  internal?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * AWS service APIs sharing the port (the Lambda API, the management APIs). Each claims the
   * requests it serves by returning true; data-plane requests never reach them, because those
   * are recognised by host name or the `/_aws/execute-api/` prefix first.
   */
  services?: ((req: IncomingMessage, res: ServerResponse) => boolean)[];
}

export function createGatewayServer(options: GatewayServerOptions): Server {
  const { registry } = options;
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only reached when writing the response itself failed; the socket is all that is left.
      console.error('portico: unexpected error while answering a request:', err);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' }, randomUUID(), 'InternalServerErrorException');
      else res.destroy();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.startsWith('/_portico/')) {
      if (options.internal?.(req, res)) return;
      if (url === '/_portico/health' || url.startsWith('/_portico/health?')) return sendHealth(res);
    }
    const requestId = nextRequestId();
    const target = resolveInvokeTarget(req.headers.host, url);
    if (!target && options.services) {
      for (const service of options.services) if (service(req, res)) return;
    }
    if (!target) return sendJson(res, 404, { message: 'Not Found' }, requestId, 'NotFoundException');
    const stage = registry.route(target.apiId, target.stageName);
    if (!stage) {
      // AWS answers an unknown stage of a real API with a plain 403 "Forbidden".
      if (registry.hasApi(target.apiId)) return sendJson(res, 403, { message: 'Forbidden' }, requestId, 'ForbiddenException');
      return sendJson(res, 404, { message: 'Not Found' }, requestId, 'NotFoundException');
    }
    const httpMethod = req.method ?? 'GET';
    const extendedRequestId = nextExtendedRequestId();
    // An observed stage records the request from here on; others pay this one check per step.
    const observer = stage.observer;
    const obs = observer !== undefined ? observer.begin(req, stage, requestId, extendedRequestId, httpMethod, target.path) : undefined;
    const match = stage.router.match(httpMethod, target.path);
    if (!match) {
      const error = missingAuthenticationToken();
      const sent = sendGatewayError(res, stage, error, { requestId, extendedRequestId, stage: stage.stageName, httpMethod });
      if (obs !== undefined) ended(observer!, obs, sent.statusCode, sent.length, error);
      return;
    }
    const inv = new Invocation(
      req,
      requestId,
      extendedRequestId,
      target,
      stage,
      match.method,
      match.resourcePath,
      match.pathParameters,
      req.socket.localPort ?? 0,
      obs?.requestTimeEpoch,
    );
    if (obs !== undefined) observer!.matched(obs, inv, match.method);
    let result: GatewayResult;
    try {
      // Access control first (authorizer, resource policy, API key), as AWS's method request
      // does; a method without any has no step and pays only this check.
      const authorize = match.method.authorize;
      if (authorize !== undefined) {
        if (obs === undefined) await authorize(inv);
        else await observedAuthorization(obs, authorize, inv);
      }
      // Throttles and the quota, after the API key is known and before the cache: a cache hit
      // is a request submitted like any other. In memory it decides without a promise.
      const admit = match.method.admit;
      if (admit !== undefined) {
        const admitting = admit(inv);
        if (admitting !== undefined) await admitting;
      }
      // A cached method's cache step stands in for the integration and calls it on a miss; a
      // hit in memory comes back without a promise, and is sent without waiting for one.
      const cache = match.method.cache;
      if (obs !== undefined) obs.integrationStarted();
      const answering = cache !== undefined ? cache(inv) : match.method.integrate(inv);
      result = answering instanceof Promise ? await answering : answering;
      if (obs !== undefined) obs.integrationEnded(result.statusCode);
    } catch (err) {
      // A request the method request step refused (validation, a denied cache invalidation)
      // never reached the integration, so it has no integration latency.
      if (obs !== undefined && obs.integrationStartedAt >= 0 && obs.integrationLatencyMs < 0 && !refusedBeforeIntegration(err)) {
        obs.integrationEnded(undefined, err);
      }
      // The client went away mid-request: there is no one left to answer.
      if (res.destroyed || (err as NodeJS.ErrnoException)?.code === 'ECONNRESET') {
        res.destroy();
        if (obs !== undefined) ended(observer!, obs, 0, -1, undefined);
        return;
      }
      const error = err instanceof GatewayError ? err : unexpected(err);
      const sent = sendGatewayError(res, stage, error, {
        requestId,
        stage: stage.stageName,
        resourcePath: match.resourcePath,
        httpMethod,
        apiId: stage.apiId,
        stageVariables: stage.variables,
        requestHeaders: req.headers,
        query: inv.query.single,
        pathParameters: match.pathParameters,
        inv,
        extendedRequestId,
        validationErrorString: error.validationErrorString,
        defaultBody: error.defaultBody,
        errorType: error.errorType,
      });
      if (obs !== undefined) ended(observer!, obs, sent.statusCode, sent.length, error);
      return;
    }
    if (stage.compression) result = await compressResult(result, stage.compression, req.headers['accept-encoding']);
    const length = send(res, result, requestId, extendedRequestId);
    if (obs === undefined) return;
    // A streamed body has gone out only when the response closes; its length is what the backend announced.
    if (length >= 0) ended(observer!, obs, result.statusCode, length, undefined);
    else res.once('close', () => ended(observer!, obs, result.statusCode, announcedLength(result.headers), undefined));
  }

  function sendHealth(res: ServerResponse): void {
    const body = {
      status: 'ok',
      version: options.version,
      apis: registry.listApis().map((api) => ({
        ...api,
        stages: registry
          .list()
          .filter((s) => s.apiId === api.id)
          .map((s) => ({ stageName: s.stageName, deploymentId: s.deploymentId })),
      })),
    };
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-RequestId': randomUUID() });
    res.end(text);
  }

  return server;
}

/** Compresses an in-memory body the client accepts compressed, as minimumCompressionSize asks. */
async function compressResult(result: GatewayResult, policy: CompressionPolicy, acceptEncoding: string | undefined): Promise<GatewayResult> {
  const body = result.body;
  // Streamed bodies (HTTP_PROXY) are relayed as the backend sent them.
  if (body === null || !(typeof body === 'string' || Buffer.isBuffer(body))) return result;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const alreadyEncoded = Object.keys(result.headers).some((name) => name.toLowerCase() === 'content-encoding');
  const coding = chooseResponseEncoding(policy, acceptEncoding, bytes.length, alreadyEncoded);
  if (!coding) return result;
  return { ...result, headers: { ...result.headers, 'content-encoding': coding }, body: await compressBody(bytes, coding) };
}

/** Runs an authorizer step with its start, end and outcome recorded. */
async function observedAuthorization(obs: RequestObservation, authorize: (inv: Invocation) => Promise<void>, inv: Invocation): Promise<void> {
  obs.authorizerStarted();
  try {
    await authorize(inv);
  } catch (err) {
    obs.authorizerEnded(err instanceof GatewayError ? err : undefined);
    throw err;
  }
  obs.authorizerEnded(undefined);
}

/** Refusals raised inside the integrate or cache step before the integration was called. */
const METHOD_REQUEST_REFUSALS = new Set(['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'ACCESS_DENIED']);
function refusedBeforeIntegration(err: unknown): boolean {
  return err instanceof GatewayError && METHOD_REQUEST_REFUSALS.has(err.responseType);
}

function ended(observer: StageObserver, obs: RequestObservation, status: number, length: number, error: GatewayError | undefined): void {
  obs.responded(status, length, error);
  observer.end(obs);
}

/** The Content-Length a streamed result announced, or -1. */
function announcedLength(headers: GatewayResult['headers']): number {
  for (const name in headers) {
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      const value = Number(headers[name]);
      return Number.isInteger(value) && value >= 0 ? value : -1;
    }
  }
  return -1;
}

function unexpected(err: unknown): GatewayError {
  console.error('portico: integration failed unexpectedly:', err);
  return new GatewayError('DEFAULT_5XX', 'Internal server error', 500);
}

/** Buffer bodies up to this size are sent in the same write as the head (see send). */
const ONE_WRITE_BODY_BYTES = 16 * 1024;

/** Sends the result; returns the body's length, or -1 for a streamed body. */
function send(res: ServerResponse, result: GatewayResult, requestId: string, extendedRequestId: string): number {
  // One flat header list and no setHeader(): Node's writeHead then takes its fast path, and the
  // loop below is the only place that sees the many header shapes integrations produce.
  const headers: (string | number | string[])[] = ['x-amzn-RequestId', requestId, 'x-amz-apigw-id', extendedRequestId];
  const body = result.body;
  const knownLength = body === null || typeof body === 'string' || Buffer.isBuffer(body);
  const length = body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : -1;
  // Frame with Content-Length (as AWS does, even for an empty body), not chunks.
  if (knownLength) headers.push('content-length', length);
  for (const name in result.headers) {
    if (knownLength && name.length === 14 && name.toLowerCase() === 'content-length') continue;
    headers.push(name, result.headers[name]!);
  }
  res.writeHead(result.statusCode, headers as unknown as OutgoingHttpHeaders);
  if (knownLength) {
    // Node writes the head and a string body in one write, but a Buffer body as a second chunk
    // (a writev). A small Buffer is worth passing as latin1 text, which carries its bytes as is.
    if (Buffer.isBuffer(body) && body.length <= ONE_WRITE_BODY_BYTES) res.end(body.toString('latin1'), 'latin1');
    else res.end(body ?? undefined);
    return length;
  }
  if (body instanceof RelayedBody) body.attach(res);
  else pipeBody(body as Readable, res);
  return -1;
}

/**
 * Streams a backend body to the client. Plain `pipe` plus two listeners: stream.pipeline()
 * allocates an AbortController per call and a DOMException when it finishes, which showed up
 * as a sixth of the proxy's CPU time.
 */
function pipeBody(body: Readable, res: ServerResponse): void {
  // A backend that dies mid-body leaves a truncated response; closing is all we can do.
  body.once('error', () => res.destroy());
  // A client that goes away stops the backend transfer too.
  res.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  body.pipe(res);
}

/** Sends the gateway response for `error`; returns its status and body length (what was meant to go out). */
function sendGatewayError(res: ServerResponse, stage: CompiledStage | undefined, error: GatewayError, context: GatewayResponseContext): { statusCode: number; length: number } {
  const responses = stage?.gatewayResponses ?? DEFAULT_GATEWAY_RESPONSES;
  const rendered = responses.render(error.responseType, error.message, context, error.statusCode);
  const length = Buffer.byteLength(rendered.body);
  if (res.headersSent) {
    res.destroy();
    return { statusCode: rendered.statusCode, length };
  }
  res.setHeader('x-amzn-RequestId', context.requestId);
  res.setHeader('x-amz-apigw-id', context.extendedRequestId ?? nextExtendedRequestId());
  // An oversize body is not worth reading to keep the connection: close it instead.
  const tooLarge = error.responseType === 'REQUEST_TOO_LARGE';
  if (tooLarge) res.setHeader('connection', 'close');
  res.setHeader('content-length', length);
  res.writeHead(rendered.statusCode, rendered.headers);
  res.end(rendered.body);
  if (!tooLarge) drain(res.req);
  return { statusCode: rendered.statusCode, length };
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string, errorType: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-length': Buffer.byteLength(text),
    'content-type': 'application/json',
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': errorType,
  });
  res.end(text);
  drain(res.req);
}

/** Discards an unread request body so the connection can be reused. */
function drain(req: IncomingMessage | undefined): void {
  if (req && !req.readableEnded && !req.destroyed) req.resume();
}
