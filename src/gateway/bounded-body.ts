/**
 * Reads a request body up to a limit, for the AWS APIs Portico answers (Lambda, management).
 * An oversized body is read on and thrown away up to a bound, so the client, still sending,
 * gets the 413 instead of a reset connection.
 */
import type { IncomingMessage } from 'node:http';

/** Bytes of an oversized body read and thrown away so the client still sees the 413. */
const OVERSIZE_DRAIN_BYTES = 32 * 1024 * 1024;

export type BoundedBody = { kind: 'body'; body: Buffer } | { kind: 'tooLarge'; drained: boolean } | { kind: 'aborted' };

/** Reads the body up to `limit` bytes; `drained` says whether an oversized one was read to its end. */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<BoundedBody> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit + OVERSIZE_DRAIN_BYTES) return Promise.resolve({ kind: 'tooLarge', drained: false });
  return new Promise((resolveBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BoundedBody): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolveBody(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        chunks.length = 0;
        if (size > limit + OVERSIZE_DRAIN_BYTES) settle({ kind: 'tooLarge', drained: false });
      }
    };
    req.on('data', onData);
    req.once('end', () => settle(size > limit ? { kind: 'tooLarge', drained: true } : { kind: 'body', body: Buffer.concat(chunks, size) }));
    req.once('error', () => settle({ kind: 'aborted' }));
    req.once('close', () => settle({ kind: 'aborted' }));
  });
}
