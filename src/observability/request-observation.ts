/**
 * What the listener records about one request of an observed stage: when it arrived, how long
 * its authorizer and integration took, whether the cache answered it, and how it ended (status,
 * response length, the gateway error if one was answered). Metrics, access logs, execution logs
 * and traces all read this one record when the request ends, so a stage that observes nothing
 * creates none and pays nothing.
 *
 * Times are milliseconds on the monotonic clock (performance.now()), except `requestTimeEpoch`,
 * which is the wall clock AWS's `$context.requestTimeEpoch` reports.
 */
import type { IncomingMessage } from 'node:http';
// The module's object, not the global: the global `performance` is a lazily defined accessor,
// which costs a lookup on every one of a request's clock reads.
import { performance } from 'node:perf_hooks';
import type { Invocation } from '../gateway/invocation.js';
import type { CompiledMethod, CompiledStage } from '../gateway/rest/compile.js';
import type { GatewayError } from '../gateway/errors.js';
import { DEFAULT_STATUS } from '../gateway/gateway-responses.js';
import { lastExtendedRequestId, lastExtendedRequestSeq, lastRequestId, lastRequestIdWords } from '../gateway/request-ids.js';

/** The tracing side of one request (tracing.ts), told of each phase as it starts and ends. */
export interface RequestTrace {
  authorizerStarted(): void;
  authorizerEnded(error: GatewayError | undefined): void;
  integrationStarted(): void;
  integrationEnded(status: number | undefined, error: unknown): void;
  /** The request is over: `obs` holds its status, length and latency. */
  ended(obs: RequestObservation): void;
  /** `X-Amzn-Trace-Id` for calls this request makes (backends, functions), or undefined to use the request's own. */
  readonly downstreamHeader: string | undefined;
  /** `X-Amzn-Trace-Id` as responses echo it (Root and Sampled, no Parent), or undefined to use the request's own. */
  readonly responseHeader?: string;
}

/** Wall-clock minus monotonic milliseconds, re-read from the system clock at most once a second. */
let wallClockOffset = Date.now() - performance.now();
let wallClockReadAt = performance.now();

/**
 * Epoch milliseconds at a monotonic time: one clock read per request instead of two, while a
 * change of the system clock still shows within a second.
 */
function epochAt(monotonicMs: number): number {
  if (monotonicMs - wallClockReadAt >= 1000) {
    wallClockOffset = Date.now() - performance.now();
    wallClockReadAt = monotonicMs;
  }
  return Math.round(monotonicMs + wallClockOffset);
}

export class RequestObservation {
  /** performance.now() when the request arrived. */
  readonly startedAt = performance.now();
  /** Epoch milliseconds when the request arrived. */
  readonly requestTimeEpoch = epochAt(this.startedAt);

  /** The request as a method saw it; undefined when it matched no resource (403 Missing Authentication Token). */
  inv: Invocation | undefined = undefined;
  /** The matched method; undefined like `inv`. */
  method: CompiledMethod | undefined = undefined;

  authorizerStartedAt = -1;
  /** Milliseconds the authorizer step took; -1 when the method has none. */
  authorizerLatencyMs = -1;
  /** The status the authorizer step ended with (200, or the gateway error's); -1 without one. */
  authorizerStatus = -1;

  integrationStartedAt = -1;
  /** Milliseconds from calling the integration to its response; -1 when it was not called (a cache hit, an early refusal). */
  integrationLatencyMs = -1;
  /** The status the integration answered with; -1 when it was not called or failed. */
  integrationStatus = -1;
  /** The integration's failure, when it threw. */
  integrationError: unknown = undefined;

  /** true: served from the cache; false: a cached method that missed; undefined: the method is not cached. */
  cacheHit: boolean | undefined = undefined;

  /** The status sent to the client; 0 until the response is sent. */
  status = 0;
  /** Bytes of the response body; -1 when not known (a streamed body without Content-Length). */
  responseLength = -1;
  /** Milliseconds from arrival to the response being handed to the socket. */
  latencyMs = -1;
  /** The gateway response this request ended with, if it ended with one. */
  error: GatewayError | undefined = undefined;
  /**
   * The client's address, taken when the request finished: it is recorded later (see
   * observation-queue.ts), when a closed connection could no longer tell it.
   */
  sourceIp: string | undefined = undefined;

  /** Set by tracing when the stage traces this request. */
  trace: RequestTrace | undefined = undefined;

  /**
   * The request id as the four words it was made from (request-ids.ts), so a log record can
   * carry it without its text; `idInWords` is false for an id made elsewhere.
   */
  readonly idInWords: boolean;
  readonly idWord0: number;
  readonly idWord1: number;
  readonly idWord2: number;
  readonly idWord3: number;
  /** The extended request id's counter, or -1 for an id made elsewhere. */
  readonly extendedRequestSeq: number;

  constructor(
    /** The request itself: headers, socket and protocol, also for requests that matched no method. */
    readonly req: IncomingMessage,
    readonly stage: CompiledStage,
    readonly requestId: string,
    readonly extendedRequestId: string,
    readonly httpMethod: string,
    /** The request path after the stage, as sent. */
    readonly path: string,
  ) {
    // The listener makes both ids just before observing the request.
    const words = lastRequestIdWords;
    this.idInWords = requestId === lastRequestId;
    this.idWord0 = words[0]!;
    this.idWord1 = words[1]!;
    this.idWord2 = words[2]!;
    this.idWord3 = words[3]!;
    this.extendedRequestSeq = extendedRequestId === lastExtendedRequestId ? lastExtendedRequestSeq : -1;
  }

  authorizerStarted(): void {
    this.authorizerStartedAt = performance.now();
    this.trace?.authorizerStarted();
  }

  authorizerEnded(error: GatewayError | undefined): void {
    this.authorizerLatencyMs = performance.now() - this.authorizerStartedAt;
    this.authorizerStatus = error === undefined ? 200 : (error.statusCode ?? DEFAULT_STATUS[error.responseType] ?? 500);
    this.trace?.authorizerEnded(error);
  }

  integrationStarted(): void {
    this.integrationStartedAt = performance.now();
    this.trace?.integrationStarted();
  }

  integrationEnded(status: number | undefined, error?: unknown): void {
    // A cache hit never reached the backend: it has no integration latency, as in AWS's metrics.
    if (this.cacheHit === true) return;
    this.integrationLatencyMs = performance.now() - this.integrationStartedAt;
    this.integrationStatus = status ?? -1;
    this.integrationError = error;
    this.trace?.integrationEnded(status, error);
  }

  /** Records how the response went out; latency is measured here. */
  responded(status: number, responseLength: number, error?: GatewayError): void {
    this.status = status;
    this.responseLength = responseLength;
    this.error = error;
    this.latencyMs = performance.now() - this.startedAt;
  }
}
