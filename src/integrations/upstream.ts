/**
 * The shared upstream connection pools: one undici Agent keeps a keep-alive pool per backend
 * origin, so no request opens a connection of its own.
 */
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { RelayedBody } from '../gateway/relayed-body.js';
import type { BodyCapture } from '../gateway/execution-log.js';

export const upstreamAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 300_000,
  // Bounded per origin; excess requests queue inside undici rather than opening sockets.
  connections: 512,
  pipelining: 1,
  connect: { timeout: 10_000 },
});

export interface RelayRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body?: Readable | Buffer;
  timeoutMs: number;
  /** Shown the response body's chunks as they are relayed, for an execution log with data trace. */
  capture?: BodyCapture;
}

export interface RelayedResponse {
  statusCode: number;
  /** Header names and values as sent, alternating. */
  rawHeaders: Buffer[];
  body: RelayedBody;
}

/**
 * Sends a request upstream and resolves when the backend's headers arrive; the body then flows
 * into the returned RelayedBody. Built on undici's dispatch primitive rather than `request()`,
 * which would wrap every response in a Readable stream the proxy path does not need.
 */
export function relayUpstream(request: RelayRequest): Promise<RelayedResponse> {
  return new Promise((resolve, reject) => {
    const body = new RelayedBody();
    const capture = request.capture;
    let headersSeen = false;
    upstreamAgent.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      },
      {
        onConnect(abort: (err?: Error) => void) {
          body.abort = () => abort();
        },
        onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void) {
          headersSeen = true;
          body.resume = resume;
          resolve({ statusCode, rawHeaders, body });
          return true;
        },
        onData(chunk: Buffer) {
          if (capture !== undefined) capture.add(chunk);
          return body.write(chunk);
        },
        onComplete() {
          body.end();
        },
        onError(err: Error) {
          if (headersSeen) body.fail();
          else reject(err);
        },
      } as unknown as Dispatcher.DispatchHandler,
    );
  });
}
