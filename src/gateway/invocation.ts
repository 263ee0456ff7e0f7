/**
 * One request as it moves through a stage's pipeline: what was asked (method, path, headers,
 * query, body), what it matched (stage, resource, path parameters), who was let in (the
 * authorized caller, the API key) and the ids AWS stamps on it. Query parsing and body
 * reading are lazy, so a route that needs neither pays for neither.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { InvokeTarget } from './dispatch.js';
import type { CompiledStage, CompiledMethod } from './rest/compile.js';
import { readBody } from './body.js';
import { decodeRequestBody } from './compression.js';
import type { ExecutionLog } from './execution-log.js';
import type { AuthorizedCaller } from './rest/authorization.js';
import type { ApiKeyGrant } from './api-key-index.js';
import type { RequestObservation } from '../observability/request-observation.js';

export interface QueryParameters {
  /** Last value wins, as in AWS's `queryStringParameters`. */
  single: Record<string, string>;
  multi: Record<string, string[]>;
  empty: boolean;
}

const EMPTY_BODY = Buffer.alloc(0);

/** Client addresses of open connections (requests on a keep-alive connection share one). */
const sourceIpBySocket = new WeakMap<Socket, string>();
/** The address last worked out, whose string the next connection from it reuses. */
let lastAddress = '';

/**
 * The client's address as `$context.identity.sourceIp` shows it (an IPv4 client on a dual-stack
 * socket without its `::ffff:` prefix), or undefined once the connection is gone without it
 * having been asked. Worked out once per connection: asking the socket goes through several of
 * Node's accessors.
 */
export function sourceIpOf(req: IncomingMessage): string | undefined {
  const socket = req.socket;
  let address = sourceIpBySocket.get(socket);
  if (address === undefined) {
    const remote = socket.remoteAddress;
    if (remote === undefined) return undefined;
    address = remote.startsWith('::ffff:') ? remote.slice(7) : remote;
    // A client's connections then share one string, which later comparisons (an access log's
    // repeated values) find equal by identity instead of character by character.
    if (address === lastAddress) address = lastAddress;
    else lastAddress = address;
    sourceIpBySocket.set(socket, address);
  }
  return address;
}

export class Invocation {
  private queryCache?: QueryParameters;
  private bodyCache?: Promise<Buffer>;
  /** Set only while an execution log is being collected; pipeline steps feed it when present. */
  log: ExecutionLog | undefined = undefined;
  /** The caller the method's authorizer let through: `$context.authorizer`, `$context.identity`. */
  caller: AuthorizedCaller | undefined = undefined;
  /**
   * The API key the request was admitted with, on methods that require one: the key's id and
   * value for `$context.identity`, and the usage plans whose throttle and quota apply.
   */
  apiKey: ApiKeyGrant | undefined = undefined;
  /** Set on requests of an observed stage: timings, cache outcome and trace (request-observation.ts). */
  observation: RequestObservation | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly requestId: string,
    readonly extendedRequestId: string,
    readonly target: InvokeTarget,
    readonly stage: CompiledStage,
    readonly method: CompiledMethod,
    readonly resourcePath: string,
    readonly pathParameters: Record<string, string> | null,
    readonly listenerPort: number,
    /**
     * Epoch milliseconds when the request arrived. An observed request passes the time its
     * observation took, so that mapping templates and the access log show the same time and the
     * clock is read once.
     */
    readonly requestTimeEpoch: number = Date.now(),
  ) {}

  get httpMethod(): string {
    return this.req.method ?? 'GET';
  }

  /** The client's address; an IPv4 client on a dual-stack socket without its `::ffff:` prefix. */
  get sourceIp(): string {
    if (this.sourceIpCache !== undefined) return this.sourceIpCache;
    return (this.sourceIpCache = sourceIpOf(this.req) ?? '127.0.0.1');
  }
  private sourceIpCache?: string;

  get query(): QueryParameters {
    return (this.queryCache ??= parseQuery(this.target.rawQuery));
  }

  /**
   * The whole request body, read once, within the payload limit; a gzip or deflate body is
   * decoded first, as AWS decompresses method request payloads by default.
   */
  body(): Promise<Buffer> {
    if (this.bodyCache) return this.bodyCache;
    // Most GETs carry nothing: skip the stream events (and their event-loop turns) entirely.
    if (!this.hasBody) return (this.bodyCache = Promise.resolve(EMPTY_BODY));
    const encoding = this.req.headers['content-encoding'];
    const read = readBody(this.req);
    return (this.bodyCache = encoding ? read.then((raw) => decodeRequestBody(raw, encoding)) : read);
  }

  /** Whether the request framing announces a body (a GET usually has none). */
  get hasBody(): boolean {
    const { 'content-length': length, 'transfer-encoding': chunked } = this.req.headers;
    return chunked !== undefined || (length !== undefined && length !== '0');
  }

  /**
   * `X-Amzn-Trace-Id` for the calls this request makes and the responses that echo it: the
   * traced request's own header when its stage is traced, else the header as received, or a new
   * root when absent (AWS always sets one).
   */
  get traceId(): string {
    const traced = this.observation?.trace?.downstreamHeader;
    if (traced !== undefined) return traced;
    const given = this.req.headers['x-amzn-trace-id'];
    if (typeof given === 'string' && given !== '') return given;
    return (this.generatedTraceId ??= newTraceId(this.requestTimeEpoch));
  }
  private generatedTraceId?: string;

  /** `X-Amzn-Trace-Id` as a response echoes it: without the Parent a traced stage adds for its calls. */
  get responseTraceId(): string {
    return this.observation?.trace?.responseHeader ?? this.traceId;
  }
}

/** Parses a raw query string as AWS does: '+' is a space, percent-escapes are decoded. */
export function parseQuery(rawQuery: string): QueryParameters {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  let empty = true;
  if (rawQuery !== '') {
    for (const pair of rawQuery.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
      single[key] = value;
      (multi[key] ??= []).push(value);
      empty = false;
    }
  }
  return { single, multi, empty };
}

function decodeComponent(s: string): string {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A malformed escape is passed through as sent rather than failing the request.
    return spaced;
  }
}

/** Trace ids only need to be unique: a random per-process prefix and a counter are enough. */
const TRACE_PREFIX = randomBytes(8).toString('hex');
let traceCounter = 0;

function newTraceId(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000).toString(16).padStart(8, '0');
  traceCounter = (traceCounter + 1) % 0x100000000;
  return `Root=1-${seconds}-${TRACE_PREFIX}${traceCounter.toString(16).padStart(8, '0')}`;
}
