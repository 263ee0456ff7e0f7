/**
 * The ids every data-plane request gets: `requestId` (`x-amzn-RequestId`, `$context.requestId`),
 * a random version 4 UUID as AWS's, and `extendedRequestId` (`x-amz-apigw-id`), short and unique:
 * a random process prefix plus a counter.
 *
 * Both are kept as numbers too, so an access log record can carry them without their text: the
 * last UUID's 16 bytes as four 32-bit words (`lastRequestIdWords`), and the last extended id's
 * counter. The log writer thread writes the same text from them (`writeRequestIdOfWords`,
 * `writeExtendedRequestId`).
 */
import { randomBytes, randomFillSync } from 'node:crypto';

/** UUIDs drawn from one fill of the random pool (as Node's own randomUUID batches them). */
const POOL_IDS = 128;
const pool = new Uint8Array(16 * POOL_IDS);
const poolWords = new Int32Array(pool.buffer);
let poolNext = POOL_IDS;

/** Hex text of every byte value, made once. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

/** The id `nextRequestId` returned last, and its bytes as words in the platform's byte order. */
export let lastRequestId = '';
export const lastRequestIdWords = new Int32Array(4);

/** A new random request id. */
export function nextRequestId(): string {
  if (poolNext === POOL_IDS) refill();
  const at = poolNext++;
  const w = at * 4;
  lastRequestIdWords[0] = poolWords[w]!;
  lastRequestIdWords[1] = poolWords[w + 1]!;
  lastRequestIdWords[2] = poolWords[w + 2]!;
  lastRequestIdWords[3] = poolWords[w + 3]!;
  lastRequestId = uuidText(pool, at * 16);
  return lastRequestId;
}

function refill(): void {
  randomFillSync(pool);
  // Version 4, variant 1 (RFC 9562), set in the bytes themselves so the words carry them too.
  for (let o = 0; o < pool.length; o += 16) {
    pool[o + 6] = (pool[o + 6]! & 0x0f) | 0x40;
    pool[o + 8] = (pool[o + 8]! & 0x3f) | 0x80;
  }
  poolNext = 0;
}

function uuidText(b: Uint8Array, o: number): string {
  return (
    HEX[b[o]!]! + HEX[b[o + 1]!]! + HEX[b[o + 2]!]! + HEX[b[o + 3]!]! + '-' +
    HEX[b[o + 4]!]! + HEX[b[o + 5]!]! + '-' + HEX[b[o + 6]!]! + HEX[b[o + 7]!]! + '-' +
    HEX[b[o + 8]!]! + HEX[b[o + 9]!]! + '-' +
    HEX[b[o + 10]!]! + HEX[b[o + 11]!]! + HEX[b[o + 12]!]! + HEX[b[o + 13]!]! + HEX[b[o + 14]!]! + HEX[b[o + 15]!]!
  );
}

const scratchWords = new Int32Array(4);
const scratchBytes = new Uint8Array(scratchWords.buffer);

/** ASCII codes of the hex digits. */
const HEX_DIGITS = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
const DASH = 45;

/**
 * Writes the text of the request id whose words `lastRequestIdWords` held into `buf` at `at`
 * as 36 ASCII bytes (no string is made); returns where it ends.
 */
export function writeRequestIdOfWords(w0: number, w1: number, w2: number, w3: number, buf: Uint8Array, at: number): number {
  scratchWords[0] = w0;
  scratchWords[1] = w1;
  scratchWords[2] = w2;
  scratchWords[3] = w3;
  let p = at;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) buf[p++] = DASH;
    const b = scratchBytes[i]!;
    buf[p++] = HEX_DIGITS[b >> 4]!;
    buf[p++] = HEX_DIGITS[b & 15]!;
  }
  return p;
}

/** This process's prefix of extended request ids: 8 random characters. */
export const EXTENDED_ID_PREFIX = randomBytes(6).toString('base64url');

let extendedIdCounter = 0;
/** The extended id `nextExtendedRequestId` returned last, and its counter. */
export let lastExtendedRequestId = '';
export let lastExtendedRequestSeq = -1;

/** A new extended request id: `{prefix}{counter in base 36}=`. */
export function nextExtendedRequestId(): string {
  lastExtendedRequestSeq = extendedIdCounter++;
  lastExtendedRequestId = extendedRequestIdOf(EXTENDED_ID_PREFIX, lastExtendedRequestSeq);
  return lastExtendedRequestId;
}

/** The extended id of counter `seq` under `prefix` (the prefix of the process that counted). */
export function extendedRequestIdOf(prefix: string, seq: number): string {
  return `${prefix}${seq.toString(36)}=`;
}

/** ASCII codes of the base-36 digits. */
const BASE36_DIGITS = new Uint8Array([...'0123456789abcdefghijklmnopqrstuvwxyz'].map((c) => c.charCodeAt(0)));
const EQUALS = 61;

/**
 * Writes the extended id of counter `seq` into `buf` at `at`, as `extendedRequestIdOf` spells it,
 * with `prefix` already in ASCII bytes (no string is made); returns where it ends. `buf` has
 * room for the prefix, 11 digits (any safe integer) and the `=`.
 */
export function writeExtendedRequestId(prefix: Uint8Array, seq: number, buf: Uint8Array, at: number): number {
  let p = at;
  for (let i = 0; i < prefix.length; i++) buf[p++] = prefix[i]!;
  let digits = 1;
  for (let rest = Math.floor(seq / 36); rest > 0; rest = Math.floor(rest / 36)) digits++;
  let rest = seq;
  for (let i = digits - 1; i >= 0; i--) {
    buf[p + i] = BASE36_DIGITS[rest % 36]!;
    rest = Math.floor(rest / 36);
  }
  p += digits;
  buf[p++] = EQUALS;
  return p;
}
