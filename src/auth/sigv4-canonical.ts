/**
 * The pure parts of AWS Signature Version 4: reading a request target, building the canonical
 * request and the string to sign, and deriving the signature. Everything here is a function of
 * its arguments alone, so the management-API verifier, the data-plane verifier and the tests
 * that replay AWS's published vectors all canonicalise a request the same way.
 *
 * The rules are those AWS documents for every service but S3: the path is normalised (dot and
 * empty segments removed) and URI-encoded a second time, query parameters are sorted by encoded
 * name and then by encoded value, header values are trimmed with inner runs of spaces collapsed,
 * and repeated or folded header lines are joined with ','.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const SCOPE_TERMINATOR = 'aws4_request';

export interface QueryParam {
  key: string;
  value: string;
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  /** `name:value\n` for every signed header, in signed-header order. */
  canonicalHeaders: string;
  /** Lower-case, sorted, joined with ';'. */
  signedHeaders: string;
  payloadHash: string;
}

// ---------------------------------------------------------------------------------------------
// Request target.

/** Splits a request target (origin-form or absolute-form) into its raw path and raw query. */
export function splitTarget(url: string): { path: string; query: string } {
  let target = url;
  // Absolute-form targets (from proxies) carry scheme and authority before the path.
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (absolute) target = target.slice(absolute[0].length);
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  const path = q >= 0 ? target.slice(0, q) : target;
  return { path: path === '' ? '/' : path, query: q >= 0 ? target.slice(q + 1) : '' };
}

/** Decoded query parameters in wire order; a key without '=' has an empty value, as AWS signs it. */
export function parseQuery(query: string): QueryParam[] {
  const params: QueryParam[] = [];
  if (query === '') return params;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    params.push(eq < 0 ? { key: decode(pair), value: '' } : { key: decode(pair.slice(0, eq)), value: decode(pair.slice(eq + 1)) });
  }
  return params;
}

/** How many '&'-separated parameters a raw query holds, counted without decoding anything. */
export function countQueryParams(query: string): number {
  if (query === '') return 0;
  let n = 1;
  for (let i = 0; i < query.length; i++) if (query.charCodeAt(i) === 0x26) n++;
  return n;
}

export const firstParam = (params: QueryParam[], key: string): string | undefined => params.find((p) => p.key === key)?.value;

/** For parameters presigners hoist from headers, whose spelling follows the header's. */
export const firstParamAnyCase = (params: QueryParam[], key: string): string | undefined => {
  const lower = key.toLowerCase();
  return params.find((p) => p.key.toLowerCase() === lower)?.value;
};

// ---------------------------------------------------------------------------------------------
// Canonical request parts.

/**
 * The readings of a wire path a signer may have signed: first the normalised, twice-encoded
 * path every current SDK signs for non-S3 services; then, when it differs, the path encoded as
 * it stands, which signers configured not to normalise produce.
 */
export function canonicalUriCandidates(path: string): string[] {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  const uris = [encodePath(normalized)];
  const literal = encodePath(path);
  if (literal !== uris[0]) uris.push(literal);
  return uris;
}

/**
 * The path arrives percent-encoded; encoding it again (leaving '/' alone) is the "double
 * encoding" non-S3 services sign: a wire '%20' is signed as '%2520', a raw space as '%20'.
 */
export const encodePath = (path: string): string => escapeUri(path).replace(/%2F/g, '/');

/** Sorted by encoded key, then by encoded value, so repeated keys sort by value. */
export function canonicalQueryString(params: QueryParam[], options: { omitSignature: boolean }): string {
  return params
    .filter((p) => !(options.omitSignature && p.key.toLowerCase() === 'x-amz-signature'))
    .map((p) => ({ key: escapeUri(p.key), value: escapeUri(p.value) }))
    .sort((a, b) => compareCodeUnits(a.key, b.key) || compareCodeUnits(a.value, b.value))
    .map((p) => `${p.key}=${p.value}`)
    .join('&');
}

/**
 * The canonical value of one signed header. With the raw header list, every occurrence counts
 * (Node joins repeats with ', ' and drops repeats of some headers, SigV4 joins with ',').
 */
export function canonicalHeaderValue(name: string, headers: Map<string, string>, rawHeaders: readonly unknown[] | undefined): string {
  if (Array.isArray(rawHeaders)) {
    const values: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const key: unknown = rawHeaders[i];
      const value: unknown = rawHeaders[i + 1];
      if (typeof key === 'string' && typeof value === 'string' && key.toLowerCase() === name) values.push(foldHeaderValue(value));
    }
    if (values.length > 0) return values.join(',');
  }
  return foldHeaderValue(headers.get(name) ?? '');
}

export function canonicalHeaders(signedHeaders: readonly string[], headers: Map<string, string>, rawHeaders: readonly unknown[] | undefined): string {
  return signedHeaders.map((name) => `${name}:${canonicalHeaderValue(name, headers, rawHeaders)}\n`).join('');
}

/**
 * A value continued over several lines (obsolete line folding) is signed as one value per line,
 * joined with ',', the way AWS's test suite canonicalises it; each line is trimmed and its inner
 * runs of spaces and tabs collapse to one space.
 */
export function foldHeaderValue(value: string): string {
  const lines = value.split(/\r\n|\r|\n/).map(trimHeaderValue);
  return lines.length === 1 ? lines[0]! : lines.filter((line) => line !== '').join(',');
}

export const trimHeaderValue = (value: string): string => value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');

/** Lower-cased header names to values; arrays (repeats Node kept) are joined with ','. */
export function headerMap(headers: IncomingHttpHeaders | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!headers || typeof headers !== 'object') return map;
  for (const name of Object.keys(headers)) {
    const raw: unknown = headers[name];
    let value: string | undefined;
    if (typeof raw === 'string') value = raw;
    else if (Array.isArray(raw)) value = raw.filter((v): v is string => typeof v === 'string').join(',');
    else if (typeof raw === 'number') value = String(raw);
    const key = name.toLowerCase();
    if (value !== undefined && !map.has(key)) map.set(key, value);
  }
  return map;
}

export function buildCanonicalRequest(parts: CanonicalRequestParts): string {
  return [parts.method, parts.canonicalUri, parts.canonicalQuery, parts.canonicalHeaders, parts.signedHeaders, parts.payloadHash].join('\n');
}

export function buildStringToSign(amzDate: string, credentialScope: string, canonicalRequest: string): string {
  return [ALGORITHM, amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Dates.

/** Milliseconds since the epoch for an ISO 8601 basic-format date, or undefined. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 20261340 over into a later month; only accept dates that round-trip.
  return formatAmzDate(time) === value ? time : undefined;
}

export function parseHttpDate(value: string): number | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000) * 1000;
}

export function formatAmzDate(time: number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return 'invalid date';
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Encoding and crypto.

/** RFC 3986 encoding, leaving only the unreserved characters A-Z a-z 0-9 - _ . ~ alone. */
export function escapeUri(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // Lone surrogates cannot be UTF-8 encoded; a signer could not have produced them either.
    encoded = encodeURIComponent(value.replace(/\p{Surrogate}/gu, '\uFFFD'));
  }
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of [date, region, service, SCOPE_TERMINATOR]) key = createHmac('sha256', key).update(part, 'utf8').digest();
  return key as Buffer;
}

export const signatureHex = (signingKey: Buffer, stringToSign: string): string =>
  createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');

export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
