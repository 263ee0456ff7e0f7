/**
 * The Lambda Runtime API for one function instance: the loopback HTTP endpoint a runtime
 * process polls for its next invocation and answers with a response or an error, as the
 * runtime interface of a Lambda sandbox behaves (`AWS_LAMBDA_RUNTIME_API`).
 *
 * One instance runs one invocation at a time, so the server holds at most one `/next`
 * long-poll and knows at most one request ID it will accept an answer for.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceInvocation } from './instance.js';
import type { LambdaErrorPayload } from './invoker.js';

export const RUNTIME_API_VERSION = '2018-06-01';

/** Lambda's synchronous response limit (6 MB, as Lambda counts it). */
export const MAX_RESPONSE_BYTES = 6_291_556;

export type RuntimeApiResult =
  /** The runtime posted /response: its body, as text, whatever it is. */
  | { kind: 'response'; body: string }
  /** The runtime posted /error, or its response broke the size limit. */
  | { kind: 'error'; error: LambdaErrorPayload };

export interface RuntimeApiHandlers {
  /** The runtime asked for its first invocation: its init phase is over. */
  onReady(): void;
  /** The runtime reported that its init failed (`/runtime/init/error`). */
  onInitError(error: LambdaErrorPayload): void;
  /** The invocation handed out under `requestId` ended. */
  onResult(requestId: string, result: RuntimeApiResult): void;
}

export interface RuntimeApiOptions {
  /** Sent as Lambda-Runtime-Invoked-Function-Arn. */
  functionArn: string;
  handlers: RuntimeApiHandlers;
  /** Largest body accepted on /response and /error; Lambda's 6 MB by default. */
  maxPayloadBytes?: number;
}

const PREFIX = `/${RUNTIME_API_VERSION}/runtime`;
const NEXT_PATH = `${PREFIX}/invocation/next`;
const INIT_ERROR_PATH = `${PREFIX}/init/error`;
const INVOCATION_PATH = new RegExp(`^${PREFIX}/invocation/([^/]+)/(response|error)$`);

const INVALID_REQUEST_ID = { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' };

export class RuntimeApiServer {
  private readonly server: Server;
  private readonly maxPayloadBytes: number;
  /** The runtime's `/next` request, held until there is an invocation to give it. */
  private heldNext?: ServerResponse;
  /** An invocation waiting for the runtime to ask for it. */
  private queued?: InstanceInvocation;
  /** The request ID handed to the runtime and not yet answered. */
  private inFlight?: string;
  private ready = false;
  private initFailed = false;
  private closed = false;

  constructor(private readonly options: RuntimeApiOptions) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_RESPONSE_BYTES;
    this.server = createServer((req, res) => this.route(req, res));
    // `/next` is a long-poll that may wait for as long as the instance stays idle.
    this.server.requestTimeout = 0;
    // A single local client: its persistent connection may idle for as long as it likes.
    this.server.keepAliveTimeout = 0;
    this.server.on('clientError', (_err, socket) => socket.destroy());
    this.server.on('error', () => {});
  }

  /** Listens on a free loopback port; resolves with `host:port` for AWS_LAMBDA_RUNTIME_API. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve(this.address);
      });
    });
  }

  get address(): string {
    const info = this.server.address() as AddressInfo | null;
    return info ? `127.0.0.1:${info.port}` : '';
  }

  /** Hands an invocation to the runtime: now if it is waiting on `/next`, else when it asks. */
  deliver(invocation: InstanceInvocation): void {
    if (this.closed) return;
    this.queued = invocation;
    this.flush();
  }

  /** Closes the server and every connection, including a held `/next`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queued = undefined;
    this.heldNext = undefined;
    this.server.close();
    this.server.closeAllConnections();
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    try {
      const url = req.url ?? '';
      const path = url.split('?', 1)[0];
      if (path === NEXT_PATH) {
        if (req.method !== 'GET') return methodNotAllowed(req, res);
        return this.next(req, res);
      }
      if (path === INIT_ERROR_PATH) {
        if (req.method !== 'POST') return methodNotAllowed(req, res);
        return this.initError(req, res);
      }
      const match = INVOCATION_PATH.exec(path);
      if (match) {
        if (req.method !== 'POST') return methodNotAllowed(req, res);
        let requestId: string;
        try {
          requestId = decodeURIComponent(match[1]);
        } catch {
          requestId = match[1];
        }
        return this.answer(req, res, requestId, match[2] as 'response' | 'error');
      }
      discard(req);
      sendText(res, 404, '404 page not found\n');
    } catch {
      // Whatever the runtime sent, the instance carries on; only this exchange is lost.
      if (!res.headersSent) sendJson(res, 500, { errorMessage: 'Internal error', errorType: 'ServiceException' });
      else res.destroy();
    }
  }

  private next(req: IncomingMessage, res: ServerResponse): void {
    discard(req);
    if (this.inFlight !== undefined || (this.heldNext && !this.heldNext.destroyed)) {
      // One invocation at a time: asking again before answering is a broken runtime.
      sendJson(res, 403, {
        errorMessage: 'State transition is not allowed: an invocation is already in progress',
        errorType: 'InvalidStateTransition',
      });
      return;
    }
    this.heldNext = res;
    res.on('close', () => {
      if (this.heldNext === res) this.heldNext = undefined;
    });
    if (!this.ready) {
      this.ready = true;
      this.options.handlers.onReady();
    }
    this.flush();
  }

  private flush(): void {
    const res = this.heldNext;
    const invocation = this.queued;
    if (!res || !invocation || res.destroyed) return;
    this.heldNext = undefined;
    this.queued = undefined;
    this.inFlight = invocation.requestId;
    const body = Buffer.from(invocation.eventJson, 'utf8');
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
      'Lambda-Runtime-Deadline-Ms': String(Math.floor(invocation.deadlineMs)),
      'Lambda-Runtime-Invoked-Function-Arn': this.options.functionArn,
    };
    if (invocation.traceId && isHeaderSafe(invocation.traceId)) headers['Lambda-Runtime-Trace-Id'] = invocation.traceId;
    const clientContext = clientContextHeader(invocation.clientContext);
    if (clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = clientContext;
    res.writeHead(200, headers);
    res.end(body);
  }

  private answer(req: IncomingMessage, res: ServerResponse, requestId: string, kind: 'response' | 'error'): void {
    if (requestId !== this.inFlight) {
      discard(req);
      sendJson(res, 400, INVALID_REQUEST_ID);
      return;
    }
    readBody(req, this.maxPayloadBytes, (body) => {
      // The invocation may have ended (instance stopped) while the body was arriving.
      if (requestId !== this.inFlight) {
        sendJson(res, 400, INVALID_REQUEST_ID);
        return;
      }
      this.inFlight = undefined;
      if (body === undefined) {
        sendTooLarge(res, this.maxPayloadBytes);
        this.options.handlers.onResult(requestId, {
          kind: 'error',
          error: {
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${this.maxPayloadBytes} bytes).`,
          },
        });
        return;
      }
      sendJson(res, 202, { status: 'OK' });
      const result: RuntimeApiResult =
        kind === 'response'
          ? { kind: 'response', body: body.toString('utf8') }
          : { kind: 'error', error: errorPayload(body, req.headers['lambda-runtime-function-error-type'], 'Unhandled') };
      this.options.handlers.onResult(requestId, result);
    });
  }

  private initError(req: IncomingMessage, res: ServerResponse): void {
    if (this.ready || this.initFailed) {
      discard(req);
      sendJson(res, 403, {
        errorMessage: 'State transition is not allowed: the runtime is past its init phase',
        errorType: 'InvalidStateTransition',
      });
      return;
    }
    readBody(req, this.maxPayloadBytes, (body) => {
      if (this.ready || this.initFailed || this.closed) {
        sendJson(res, 403, { errorMessage: 'State transition is not allowed', errorType: 'InvalidStateTransition' });
        return;
      }
      this.initFailed = true;
      if (body === undefined) {
        sendTooLarge(res, this.maxPayloadBytes);
        this.options.handlers.onInitError({ errorType: 'Runtime.Unknown', errorMessage: 'Init error payload too large' });
        return;
      }
      sendJson(res, 202, { status: 'OK' });
      this.options.handlers.onInitError(errorPayload(body, req.headers['lambda-runtime-function-error-type'], 'Runtime.Unknown'));
    });
  }
}

/**
 * Reads a request body up to `limit` bytes; calls back with undefined once it is larger.
 * Calls back at most once, and not at all if the request is aborted.
 */
function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void): void {
  let called = false;
  const finish = (body: Buffer | undefined): void => {
    if (called) return;
    called = true;
    done(body);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    finish(undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (called) return;
    size += chunk.length;
    if (size > limit) {
      chunks.length = 0;
      finish(undefined);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => finish(Buffer.concat(chunks)));
  req.on('error', () => {});
}

/** Lambda's error shape from what a runtime posted; tolerant of anything else. */
function errorPayload(body: Buffer, headerType: string | string[] | undefined, fallbackType: string): LambdaErrorPayload {
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const fromHeader = typeof headerType === 'string' && headerType !== '' ? headerType : undefined;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { errorType: fromHeader ?? fallbackType, errorMessage: parsed === undefined ? text : String(parsed) };
  }
  const record = parsed as Record<string, unknown>;
  const errorType = typeof record.errorType === 'string' && record.errorType !== '' ? record.errorType : (fromHeader ?? fallbackType);
  const errorMessage = typeof record.errorMessage === 'string' ? record.errorMessage : record.errorMessage === undefined ? '' : JSON.stringify(record.errorMessage);
  const payload: LambdaErrorPayload = { errorType, errorMessage };
  const stack = record.stackTrace;
  if (Array.isArray(stack)) payload.trace = stack.map((frame) => (typeof frame === 'string' ? frame : JSON.stringify(frame)));
  else if (typeof stack === 'string') payload.trace = stack.split('\n');
  return payload;
}

/**
 * Lambda-Runtime-Client-Context carries the client context as JSON; the Invoke API takes it in
 * base64. Either form is accepted here; non-ASCII is escaped so the header stays valid.
 */
function clientContextHeader(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let json = value.trim();
  if (!json.startsWith('{')) json = Buffer.from(json, 'base64').toString('utf8');
  try {
    json = JSON.stringify(JSON.parse(json));
  } catch {
    return undefined;
  }
  json = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return isHeaderSafe(json) ? json : undefined;
}

function isHeaderSafe(value: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(value);
}

function discard(req: IncomingMessage): void {
  req.on('error', () => {});
  req.resume();
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  discard(req);
  sendText(res, 405, 'Method Not Allowed\n');
}

function sendTooLarge(res: ServerResponse, limit: number): void {
  // The rest of an oversized body is not worth reading: close once the answer is out.
  sendJson(
    res,
    413,
    { errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`, errorType: 'RequestEntityTooLarge' },
    { Connection: 'close' },
  );
}

function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
