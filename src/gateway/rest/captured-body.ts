/**
 * Reads an integration's response body into memory so the cache can store it, within a bound.
 * In-memory bodies are taken as they are. A streamed one (HTTP_PROXY's RelayedBody, a Readable)
 * is read up to `limit` bytes: if it ends within that, the whole body is returned; if not, it
 * cannot be cached anyway, and a stream replaying what was read followed by the rest is
 * returned, so the client still gets every byte and no more than `limit` is ever held.
 */
import type { ServerResponse } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { RelayedBody } from '../relayed-body.js';
import type { GatewayResult } from '../result.js';

export type CapturedBody =
  | { readonly kind: 'whole'; readonly bytes: Buffer }
  | { readonly kind: 'streaming'; readonly body: Readable };

const EMPTY = Buffer.alloc(0);

/** Rejects when the backend fails mid-body (the caller answers as for a failed integration). */
export async function captureBody(body: GatewayResult['body'], limit: number): Promise<CapturedBody> {
  if (body === null) return { kind: 'whole', bytes: EMPTY };
  if (typeof body === 'string') return { kind: 'whole', bytes: Buffer.from(body, 'utf8') };
  if (Buffer.isBuffer(body)) return { kind: 'whole', bytes: body };
  return captureStream(body instanceof RelayedBody ? relayedAsStream(body) : body, limit);
}

async function captureStream(stream: Readable, limit: number): Promise<CapturedBody> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { kind: 'whole', bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) };
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) return { kind: 'streaming', body: Readable.from(replay(chunks, iterator), { objectMode: false }) };
  }
}

/** What was read, then the rest; returning early (the client left) ends the source too. */
async function* replay(read: Buffer[], rest: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  try {
    for (const chunk of read) yield chunk;
    read.length = 0;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    }
  } finally {
    await rest.return?.();
  }
}

/**
 * A RelayedBody writes into whatever it is attached to through the Writable side of a
 * response only (write, end, destroy, 'drain', 'close'), so a PassThrough can stand in for the
 * client: backpressure and an aborted transfer work as they do towards a socket.
 */
function relayedAsStream(relayed: RelayedBody): Readable {
  const sink = new PassThrough();
  relayed.attach(sink as unknown as ServerResponse);
  return sink;
}
