/**
 * Reading request bodies within AWS's 10 MB payload limit. A declared Content-Length over the
 * limit is refused before a byte is read; a chunked body is cut off as soon as it passes it.
 */
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { requestTooLarge } from './errors.js';

/** AWS's REST API payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Throws REQUEST_TOO_LARGE when the declared length is over the limit. */
export function checkDeclaredLength(req: IncomingMessage): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_PAYLOAD_BYTES) throw requestTooLarge();
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  checkDeclaredLength(req);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(requestTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** Passes a streamed body through, failing with REQUEST_TOO_LARGE once it passes the limit. */
export class PayloadLimit extends Transform {
  private size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > MAX_PAYLOAD_BYTES) callback(requestTooLarge());
    else callback(null, chunk);
  }
}
