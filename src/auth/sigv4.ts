/**
 * AWS Signature Version 4 verification for requests arriving at Portico: the `Authorization`
 * header form every SDK uses and the presigned query-string form. The canonical request is
 * rebuilt the way AWS's non-S3 services do it, from the request exactly as it came off the
 * wire, so requests signed by the real SDKs verify. Failures carry AWS's error codes and
 * messages, and nothing a client sends makes `verifySigV4` throw.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  /** Raw request target as received, path + '?' + query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  /**
   * `IncomingMessage.rawHeaders`, when available. Node joins repeated headers with ', ' (and
   * drops repeats of some), while SigV4 joins repeated values with ','; the raw list lets a
   * signed header that was sent more than once verify.
   */
  rawHeaders?: string[];
  /** The request body; used for the payload hash when x-amz-content-sha256 is absent. */
  body?: Buffer;
}

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface VerifyOptions {
  lookup(accessKeyId: string): Credential | undefined;
  now?: Date;
  /** If set, the credential scope's service must equal it. */
  service?: string;
  /** If set, the credential scope's region must equal it. */
  region?: string;
}

export type VerifyResult =
  | { ok: true; accessKeyId: string; region: string; service: string; signedHeaders: string[] }
  | { ok: false; statusCode: 403 | 400; code: string; message: string };

export type VerifyFailure = Extract<VerifyResult, { ok: false }>;

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** How far the request time may be from the server's clock, either way. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The longest X-Amz-Expires AWS accepts: one week. */
export const MAX_PRESIGNED_EXPIRES = 604800;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
// AWS echoes the offending Authorization header back; keep the echo bounded.
const MAX_ECHO = 1024;

const fail = (code: string, message: string, statusCode: 403 | 400 = 403): VerifyFailure => ({
  ok: false,
  statusCode,
  code,
  message,
});
const incomplete = (message: string): VerifyFailure => fail('IncompleteSignatureException', message);
const invalidSignature = (message = SIGNATURE_MISMATCH): VerifyFailure => fail('InvalidSignatureException', message);
const unrecognizedClient = (): VerifyFailure => fail('UnrecognizedClientException', INVALID_TOKEN);

/** Errors from the caller's `lookup` are the server's own failures and must not become a 403. */
class LookupFailure {
  constructor(readonly cause: unknown) {}
}

export function verifySigV4(req: SignedRequest, options: VerifyOptions): VerifyResult {
  try {
    return verify(req, options);
  } catch (err) {
    if (err instanceof LookupFailure) throw err.cause;
    // Input this code did not foresee: fail closed rather than let a client crash the caller.
    return invalidSignature();
  }
}

interface AuthParams {
  presigned: boolean;
  credential: string;
  signedHeaders: string;
  signature: string;
  /** ISO 8601 basic format, as it goes into the string to sign. */
  amzDate: string;
  time: number;
  /** Presigned only: seconds the signature stays valid, when the client said. */
  expires?: number;
}

function verify(req: SignedRequest, options: VerifyOptions): VerifyResult {
  const headers = headerMap(req.headers);
  const url = typeof req.url === 'string' ? req.url : '';
  const { path, query } = splitTarget(url);
  const params = parseQuery(query);

  const authorization = headers.get('authorization');
  const queryAlgorithm = firstParam(params, 'X-Amz-Algorithm');
  if (authorization === undefined && queryAlgorithm === undefined) {
    return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  if (authorization !== undefined && queryAlgorithm !== undefined) {
    return incomplete(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
    );
  }

  const parsed = authorization !== undefined ? parseAuthorizationHeader(authorization, headers) : parsePresigned(params);
  if (!parsed.ok) return parsed;
  const auth = parsed.auth;

  const scope = auth.credential.split('/');
  if (scope.length !== 5) {
    return incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${echo(auth.credential)}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string];
  if (terminator !== 'aws4_request') {
    return invalidSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${echo(terminator)}'. `);
  }
  if (options.region !== undefined && region !== options.region) {
    return invalidSignature(`Credential should be scoped to a valid region, not '${echo(region)}'. `);
  }
  if (options.service !== undefined && service !== options.service) {
    return invalidSignature(`Credential should be scoped to correct service: '${options.service}'. `);
  }
  if (scopeDate !== auth.amzDate.slice(0, 8)) {
    return invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${echo(scopeDate)}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
    );
  }

  // SignedHeaders is conventionally lower-case and sorted; canonicalise it so the list the
  // canonical request names is the one the headers are emitted in.
  const signedHeaders = [...new Set(auth.signedHeaders.split(';').filter((h) => h !== '').map((h) => h.toLowerCase()))].sort(
    compareCodeUnits,
  );
  // Without a signed Host, a signature could be replayed against any other endpoint.
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
    return invalidSignature(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  }

  const now = options.now instanceof Date && !Number.isNaN(options.now.getTime()) ? options.now.getTime() : Date.now();
  const timeFailure = checkTime(auth, now);
  if (timeFailure) return timeFailure;

  let credential: Credential | undefined;
  try {
    credential = options.lookup(accessKeyId);
  } catch (err) {
    throw new LookupFailure(err);
  }
  if (!credential || typeof credential.secretAccessKey !== 'string') return unrecognizedClient();

  const token = headers.get('x-amz-security-token') ?? firstParamAnyCase(params, 'X-Amz-Security-Token');
  if (credential.sessionToken) {
    if (token === undefined || !constantTimeEqual(token, credential.sessionToken)) return unrecognizedClient();
  } else if (token !== undefined) {
    // A session token names temporary credentials; this access key has none, so it is not ours.
    return unrecognizedClient();
  }

  const payloads = payloadHashes(req, headers, params, auth.presigned);
  if (!payloads.ok) return payloads;

  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${canonicalHeaderValue(name, headers, req.rawHeaders)}\n`)
    .join('');
  const canonicalQuery = canonicalQueryString(params);
  const method = typeof req.method === 'string' ? req.method.toUpperCase() : '';
  const credentialScope = `${scopeDate}/${region}/${service}/aws4_request`;
  const signingKey = deriveSigningKey(credential.secretAccessKey, scopeDate, region, service);
  const provided = Buffer.from(auth.signature, 'utf8');

  // A few clients differ in details the client alone decides (whether the path was
  // normalised, whether a presigned payload was hashed); the signature has to match one of
  // the readings, each of which is still a function of this request alone.
  let matched = false;
  for (const canonicalUri of canonicalUris(path)) {
    for (const payloadHash of payloads.hashes) {
      const canonicalRequest = [
        method,
        canonicalUri,
        canonicalQuery,
        canonicalHeaders,
        signedHeaders.join(';'),
        payloadHash,
      ].join('\n');
      const stringToSign = [ALGORITHM, auth.amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
      const expected = Buffer.from(createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex'), 'utf8');
      // Evaluate every candidate so the time taken does not reveal which one was close.
      if (expected.length === provided.length && timingSafeEqual(expected, provided)) matched = true;
    }
  }
  if (!matched) return invalidSignature();

  return { ok: true, accessKeyId, region, service, signedHeaders };
}

// ---------------------------------------------------------------------------------------------
// The two ways of carrying a signature.

type Parsed = { ok: true; auth: AuthParams } | VerifyFailure;

function parseAuthorizationHeader(authorization: string, headers: Map<string, string>): Parsed {
  const value = authorization.trim();
  const space = value.search(/\s/);
  const scheme = space < 0 ? value : value.slice(0, space);
  const fields = new Map<string, string>();
  if (scheme === ALGORITHM && space >= 0) {
    // AWS splits the parameters on commas and whitespace alike, so a stray space inside a
    // value shows up as a separate token without '='.
    for (const token of value.slice(space).split(/[\s,]+/)) {
      if (token === '') continue;
      const eq = token.indexOf('=');
      if (eq < 0) {
        return incomplete(`'${echo(token)}' not a valid key=value pair (missing equal-sign) in Authorization header: '${echo(value)}'.`);
      }
      const key = token.slice(0, eq);
      if (!fields.has(key)) fields.set(key, token.slice(eq + 1));
    }
  } else if (/^AWS4-/i.test(scheme) && /\bCredential=/.test(value)) {
    return incomplete(`Unsupported AWS 'algorithm': '${echo(scheme)}'. Only '${ALGORITHM}' is supported.`);
  }

  const xAmzDate = headers.get('x-amz-date');
  const httpDate = headers.get('date');
  const missing: string[] = [];
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!fields.has(name)) missing.push(`Authorization header requires '${name}' parameter.`);
  }
  if (xAmzDate === undefined && httpDate === undefined) {
    missing.push(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
  }
  if (missing.length > 0) return incomplete(`${missing.join(' ')} Authorization=${echo(value)}`);

  const time = xAmzDate !== undefined ? parseAmzDate(xAmzDate) : parseHttpDate(httpDate!);
  if (time === undefined) return badDate(xAmzDate ?? httpDate!);
  return {
    ok: true,
    auth: {
      presigned: false,
      credential: fields.get('Credential')!,
      signedHeaders: fields.get('SignedHeaders')!,
      signature: fields.get('Signature')!,
      amzDate: formatAmzDate(time),
      time,
    },
  };
}

function parsePresigned(params: QueryParam[]): Parsed {
  const algorithm = firstParam(params, 'X-Amz-Algorithm')!;
  const credential = firstParam(params, 'X-Amz-Credential');
  const signature = firstParam(params, 'X-Amz-Signature');
  const signedHeaders = firstParam(params, 'X-Amz-SignedHeaders');
  const date = firstParam(params, 'X-Amz-Date');
  const expires = firstParam(params, 'X-Amz-Expires');

  const missing: string[] = [];
  if (credential === undefined) missing.push(`AWS query-string parameters must include 'X-Amz-Credential'.`);
  if (signature === undefined) missing.push(`AWS query-string parameters must include 'X-Amz-Signature'.`);
  if (signedHeaders === undefined) missing.push(`AWS query-string parameters must include 'X-Amz-SignedHeaders'.`);
  if (date === undefined) missing.push(`AWS query-string parameters must include 'X-Amz-Date'.`);
  if (missing.length > 0) return incomplete(`${missing.join(' ')} Re-examine the query-string parameters.`);
  if (algorithm !== ALGORITHM) return incomplete(`X-Amz-Algorithm only supports "${ALGORITHM}"`);

  const time = parseAmzDate(date!);
  if (time === undefined) return badDate(date!);
  let expiresSeconds: number | undefined;
  if (expires !== undefined) {
    if (!/^\d{1,10}$/.test(expires)) return incomplete('X-Amz-Expires should be a number');
    expiresSeconds = Number(expires);
    if (expiresSeconds > MAX_PRESIGNED_EXPIRES) {
      return incomplete(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES}`);
    }
  }
  return {
    ok: true,
    auth: {
      presigned: true,
      credential: credential!,
      signedHeaders: signedHeaders!,
      signature: signature!,
      amzDate: formatAmzDate(time),
      time,
      expires: expiresSeconds,
    },
  };
}

const badDate = (value: string): VerifyFailure =>
  incomplete(`Date must be in ISO-8601 'basic format'. Got '${echo(value)}'. See http://en.wikipedia.org/wiki/ISO_8601`);

// ---------------------------------------------------------------------------------------------
// Time.

function checkTime(auth: AuthParams, now: number): VerifyFailure | undefined {
  if (auth.time > now + MAX_CLOCK_SKEW_MS) {
    return invalidSignature(
      `Signature not yet current: ${auth.amzDate} is still later than ${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 5 min.)`,
    );
  }
  if (auth.presigned && auth.expires !== undefined) {
    // A presigned URL lives for X-Amz-Expires from its X-Amz-Date, not for the skew window.
    if (now > auth.time + auth.expires * 1000) {
      return invalidSignature(
        `Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(now - auth.expires * 1000)} (${formatAmzDate(now)} - ${auth.expires} sec.)`,
      );
    }
    return undefined;
  }
  if (auth.time < now - MAX_CLOCK_SKEW_MS) {
    return invalidSignature(
      `Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 5 min.)`,
    );
  }
  return undefined;
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 20261340 over into a later month; only accept dates that round-trip.
  return formatAmzDate(time) === value ? time : undefined;
}

function parseHttpDate(value: string): number | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000) * 1000;
}

function formatAmzDate(time: number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return 'invalid date';
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Payload.

function payloadHashes(
  req: SignedRequest,
  headers: Map<string, string>,
  params: QueryParam[],
  presigned: boolean,
): { ok: true; hashes: string[] } | VerifyFailure {
  const declared = headers.get('x-amz-content-sha256') ?? (presigned ? firstParamAnyCase(params, 'X-Amz-Content-Sha256') : undefined);
  const body = Buffer.isBuffer(req.body) ? req.body : undefined;
  if (declared !== undefined) {
    if (declared === UNSIGNED_PAYLOAD) return { ok: true, hashes: [declared] };
    // Any other non-digest value (the STREAMING-* chunked forms among them) would leave the
    // body unauthenticated, since per-chunk signatures are not checked here.
    if (!/^[0-9a-fA-F]{64}$/.test(declared)) {
      return invalidSignature(`x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD} or the SHA-256 hex digest of the payload.`);
    }
    // The signature covers the declared digest, not the body: tie the two together.
    if (body !== undefined && declared.toLowerCase() !== sha256Hex(body)) {
      return invalidSignature(`The provided 'x-amz-content-sha256' header does not match what was computed.`);
    }
    return { ok: true, hashes: [declared] };
  }
  const bodyHash = body !== undefined && body.length > 0 ? sha256Hex(body) : EMPTY_SHA256;
  // Presigning SDKs differ: S3-style presigners sign UNSIGNED-PAYLOAD, others (the JS SDK's
  // signer, IAM-auth tokens) hash the empty or actual body.
  return { ok: true, hashes: presigned ? [bodyHash, UNSIGNED_PAYLOAD] : [bodyHash] };
}

// ---------------------------------------------------------------------------------------------
// Canonical request parts.

function splitTarget(url: string): { path: string; query: string } {
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

/**
 * SDKs sign the path they put on the wire, already percent-encoded, after normalising dot
 * segments and empty segments and encoding it once more (the non-S3 "double encoding"). Some
 * clients skip the normalisation, so the unnormalised reading is tried as well when it differs.
 */
function canonicalUris(path: string): string[] {
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

const encodePath = (path: string): string => escapeUri(path).replace(/%2F/g, '/');

interface QueryParam {
  key: string;
  value: string;
}

function parseQuery(query: string): QueryParam[] {
  const params: QueryParam[] = [];
  if (query === '') return params;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    // A key without '=' is signed as 'key=' (an empty value), as AWS documents.
    params.push(eq < 0 ? { key: decode(pair), value: '' } : { key: decode(pair.slice(0, eq)), value: decode(pair.slice(eq + 1)) });
  }
  return params;
}

const firstParam = (params: QueryParam[], key: string): string | undefined => params.find((p) => p.key === key)?.value;

/** For parameters presigners hoist from headers, whose spelling follows the header's. */
const firstParamAnyCase = (params: QueryParam[], key: string): string | undefined => {
  const lower = key.toLowerCase();
  return params.find((p) => p.key.toLowerCase() === lower)?.value;
};

function canonicalQueryString(params: QueryParam[]): string {
  return params
    .filter((p) => p.key.toLowerCase() !== 'x-amz-signature')
    .map((p) => ({ key: escapeUri(p.key), value: escapeUri(p.value) }))
    .sort((a, b) => compareCodeUnits(a.key, b.key) || compareCodeUnits(a.value, b.value))
    .map((p) => `${p.key}=${p.value}`)
    .join('&');
}

function canonicalHeaderValue(name: string, headers: Map<string, string>, rawHeaders: string[] | undefined): string {
  if (Array.isArray(rawHeaders)) {
    const values: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const key = rawHeaders[i];
      const value = rawHeaders[i + 1];
      if (typeof key === 'string' && typeof value === 'string' && key.toLowerCase() === name) values.push(trimHeaderValue(value));
    }
    if (values.length > 0) return values.join(',');
  }
  return trimHeaderValue(headers.get(name) ?? '');
}

const trimHeaderValue = (value: string): string =>
  value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');

function headerMap(headers: IncomingHttpHeaders | undefined): Map<string, string> {
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

// ---------------------------------------------------------------------------------------------
// Encoding and crypto.

/** RFC 3986 encoding, leaving only the unreserved characters A-Z a-z 0-9 - _ . ~ alone. */
function escapeUri(value: string): string {
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

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of [date, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part, 'utf8').digest();
  return key as Buffer;
}

/** Compares secrets without revealing through timing how much of them matched. */
function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const echo = (value: string): string => (value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}...` : value);
