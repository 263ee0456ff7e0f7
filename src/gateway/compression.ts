/**
 * Payload compression for REST APIs: gzip / deflate method responses once an API sets
 * minimumCompressionSize, and decompressing request bodies a client sent with a
 * Content-Encoding, within the 10 MB payload limit. AWS supports the codings `gzip`, `deflate`
 * and `identity`, nothing else.
 */
import { deflate, gunzip, gzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { MAX_PAYLOAD_BYTES } from './body.js';
import { requestTooLarge, unsupportedMediaType } from './errors.js';

export type ContentCoding = 'gzip' | 'deflate';

/** Compiled per deployment from restApi.minimumCompressionSize; undefined when disabled. */
export interface CompressionPolicy {
  minimumCompressionSize: number;
}

/** Compression is off unless the API sets minimumCompressionSize (0 compresses every body). */
export function compileCompressionPolicy(minimumCompressionSize: number | undefined | null): CompressionPolicy | undefined {
  return minimumCompressionSize === undefined || minimumCompressionSize === null ? undefined : { minimumCompressionSize };
}

interface AcceptedCoding {
  coding: string;
  q: number;
}

// RFC 9110 qvalue: 0 to 1 with at most three decimals.
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** Accept-Encoding entries with their weights; an entry with a malformed weight is ignored. */
function parseAcceptEncoding(header: string): AcceptedCoding[] {
  const accepted: AcceptedCoding[] = [];
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.split(';');
    const coding = name!.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    let malformed = false;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const value = param.slice(eq + 1).trim();
      if (QVALUE.test(value)) q = Number(value);
      else malformed = true;
    }
    if (!malformed) accepted.push({ coding, q });
  }
  return accepted;
}

/**
 * Picks the coding for a response body of `size` bytes (after any mapping template) given the
 * client's Accept-Encoding; undefined = send as is. AWS compresses only when the API has a
 * policy, the integration response has no Content-Encoding of its own (`alreadyEncoded`), the
 * body is at least minimumCompressionSize bytes, and the client explicitly names gzip or deflate
 * among its highest-weighted codings:
 * - no header (which RFC 9110 reads as `*`), an empty one, or `*` alone: not compressed, as
 *   AWS compresses only on an explicit mention of a coding it supports;
 * - the highest-weighted codings must include one AWS supports: `br;q=1, gzip;q=0.8` is sent
 *   as is, `gzip, deflate, br` (equal weights) is compressed;
 * - `identity` or `*` ranking above every supported coding means send as is;
 * - q=0 rules a coding out; nothing left acceptable is sent as is rather than refused (406);
 * - gzip and deflate at equal weight: gzip, whatever their order in the header.
 */
export function chooseResponseEncoding(
  policy: CompressionPolicy | undefined,
  acceptEncoding: string | undefined,
  size: number,
  alreadyEncoded: boolean,
): ContentCoding | undefined {
  if (policy === undefined || alreadyEncoded || size < policy.minimumCompressionSize) return undefined;
  if (acceptEncoding === undefined) return undefined;
  let best = 0;
  let gzipQ = 0;
  let deflateQ = 0;
  for (const { coding, q } of parseAcceptEncoding(acceptEncoding)) {
    best = Math.max(best, q);
    if (coding === 'gzip') gzipQ = Math.max(gzipQ, q);
    else if (coding === 'deflate') deflateQ = Math.max(deflateQ, q);
  }
  if (best === 0) return undefined;
  if (gzipQ === best) return 'gzip';
  if (deflateQ === best) return 'deflate';
  return undefined;
}

/** Compresses a response body; `deflate` is the zlib format, as HTTP's deflate coding is. */
export function compressBody(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void => (error ? reject(error) : resolve(result));
    if (coding === 'gzip') gzip(body, done);
    else deflate(body, done);
  });
}

/**
 * Decodes a request body per its Content-Encoding before mapping templates and validation see
 * it. AWS decompresses request bodies whether or not the API sets minimumCompressionSize (that
 * setting enables compression of responses). `identity` and no header leave the body as is;
 * several codings are undone last-applied first. A coding other than gzip, deflate or identity,
 * or a body that is not in the coding it names, is AWS's 415 Unsupported Media Type; a body
 * that inflates past the payload limit is REQUEST_TOO_LARGE, found without inflating more than
 * the limit.
 */
export async function decodeRequestBody(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  if (contentEncoding === undefined) return body;
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return body;
  for (const coding of codings) if (coding !== 'gzip' && coding !== 'deflate') throw unsupportedMediaType();
  // A bodiless request (GET with a stray Content-Encoding) has nothing to decode.
  if (body.length === 0) return body;
  let decoded = body;
  for (const coding of codings.reverse()) decoded = await decompress(decoded, coding as ContentCoding);
  return decoded;
}

const BOUNDED: ZlibOptions = { maxOutputLength: MAX_PAYLOAD_BYTES };

function decompress(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void => {
      if (error === null) resolve(result);
      // zlib stops as soon as its output passes maxOutputLength.
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(requestTooLarge());
      else reject(unsupportedMediaType());
    };
    if (coding === 'gzip') gunzip(body, BOUNDED, done);
    else if (hasZlibHeader(body)) inflate(body, BOUNDED, done);
    // Some clients send raw DEFLATE data under `deflate`; accept it as browsers do.
    else inflateRaw(body, BOUNDED, done);
  });
}

/** A zlib (RFC 1950) header: method 8 (deflate), window at most 32K, header checksum. */
function hasZlibHeader(body: Buffer): boolean {
  if (body.length < 2) return false;
  const cmf = body[0]!;
  const flg = body[1]!;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}
