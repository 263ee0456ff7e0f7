/**
 * AWS Signature Version 4 verification for requests arriving at Portico: the `Authorization`
 * header form every SDK uses and the presigned query-string form. The canonical request is
 * rebuilt (by ./sigv4-canonical.ts) the way AWS's non-S3 services do it, from the request exactly
 * as it came off the wire, so requests signed by the real SDKs verify. Failures carry AWS's error
 * codes and messages, and nothing a client sends makes `verifySigV4` throw.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  ALGORITHM,
  EMPTY_SHA256,
  SCOPE_TERMINATOR,
  UNSIGNED_PAYLOAD,
  buildCanonicalRequest,
  buildStringToSign,
  canonicalHeaders as buildCanonicalHeaders,
  canonicalQueryString,
  canonicalUriCandidates,
  compareCodeUnits,
  countQueryParams,
  deriveSigningKey,
  firstParam,
  firstParamAnyCase,
  formatAmzDate,
  headerMap,
  parseAmzDate,
  parseHttpDate,
  parseQuery,
  sha256Hex,
  signatureHex,
  splitTarget,
  type QueryParam,
} from './sigv4-canonical.js';

export { ALGORITHM, UNSIGNED_PAYLOAD } from './sigv4-canonical.js';

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
  /** Temporary credentials only: the instant their session token stops being accepted. */
  expiration?: Date;
}

export interface VerifyOptions {
  lookup(accessKeyId: string): Credential | undefined;
  now?: Date;
  /** If set, the credential scope's service must equal it. */
  service?: string;
  /** If set, the credential scope's region must equal it. */
  region?: string;
  /**
   * Append to a signature mismatch the canonical request and string to sign the server
   * computed, as AWS does for execute-api, so a client can diff them against its own.
   */
  explainMismatch?: boolean;
}

export type VerifyResult =
  | { ok: true; accessKeyId: string; region: string; service: string; signedHeaders: string[] }
  | { ok: false; statusCode: 403 | 400; code: string; message: string };

export type VerifyFailure = Extract<VerifyResult, { ok: false }>;

/** A success together with the canonical request and string to sign the signature matched. */
export type DetailedVerifyResult =
  | (Extract<VerifyResult, { ok: true }> & { canonicalRequest: string; stringToSign: string })
  | VerifyFailure;

/** How far the request time may be from the server's clock, either way. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The longest X-Amz-Expires AWS accepts: one week. */
export const MAX_PRESIGNED_EXPIRES = 604800;

/**
 * Bounds on what is parsed and hashed. Node's HTTP server already caps the request line and
 * headers at 16 KiB; these keep a direct caller from handing the verifier more than that.
 */
export const MAX_TARGET_LENGTH = 16 * 1024;
export const MAX_AUTHORIZATION_LENGTH = 8 * 1024;
export const MAX_QUERY_PARAMS = 1000;
export const MAX_SIGNED_HEADERS = 100;

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
export const INVALID_TOKEN = 'The security token included in the request is invalid.';
export const EXPIRED_TOKEN = 'The security token included in the request is expired';
export const MISSING_AUTHENTICATION_TOKEN = 'Missing Authentication Token';
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
  const result = verifySigV4Detailed(req, options);
  if (!result.ok) return result;
  const { canonicalRequest: _c, stringToSign: _s, ...plain } = result;
  return plain;
}

/** `verifySigV4`, also reporting on success which canonical request the signature covered. */
export function verifySigV4Detailed(req: SignedRequest, options: VerifyOptions): DetailedVerifyResult {
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

function verify(req: SignedRequest, options: VerifyOptions): DetailedVerifyResult {
  const headers = headerMap(req.headers);
  const url = typeof req.url === 'string' ? req.url : '';
  // Past these sizes no SDK request arrives through an HTTP server; refuse before parsing.
  if (url.length > MAX_TARGET_LENGTH || (headers.get('authorization')?.length ?? 0) > MAX_AUTHORIZATION_LENGTH) {
    return invalidSignature();
  }
  const { path, query } = splitTarget(url);
  if (countQueryParams(query) > MAX_QUERY_PARAMS) return invalidSignature();
  const params = parseQuery(query);

  const authorization = headers.get('authorization');
  const queryAlgorithm = firstParam(params, 'X-Amz-Algorithm');
  if (authorization === undefined && queryAlgorithm === undefined) {
    return fail('MissingAuthenticationTokenException', MISSING_AUTHENTICATION_TOKEN);
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
  if (terminator !== SCOPE_TERMINATOR) {
    return invalidSignature(`Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${echo(terminator)}'. `);
  }
  // AWS reports a wrong region and a wrong service together, one sentence after the other.
  let scopeProblems = '';
  if (options.region !== undefined && region !== options.region) {
    scopeProblems += `Credential should be scoped to a valid region, not '${echo(region)}'. `;
  }
  if (options.service !== undefined && service !== options.service) {
    scopeProblems += `Credential should be scoped to correct service: '${options.service}'. `;
  }
  if (scopeProblems !== '') return invalidSignature(scopeProblems);
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
  if (signedHeaders.length > MAX_SIGNED_HEADERS) return invalidSignature();
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
    // The token is the one issued, but temporary credentials stop working when they expire.
    if (credential.expiration instanceof Date && !(now < credential.expiration.getTime())) {
      return fail('ExpiredTokenException', EXPIRED_TOKEN);
    }
  } else if (token !== undefined) {
    // A session token names temporary credentials; this access key has none, so it is not ours.
    return unrecognizedClient();
  }

  const payloads = payloadHashes(req, headers, params, auth.presigned);
  if (!payloads.ok) return payloads;

  const canonicalHeaders = buildCanonicalHeaders(signedHeaders, headers, req.rawHeaders);
  const canonicalQuery = canonicalQueryString(params, { omitSignature: true });
  const method = typeof req.method === 'string' ? req.method.toUpperCase() : '';
  const credentialScope = `${scopeDate}/${region}/${service}/${SCOPE_TERMINATOR}`;
  const signingKey = deriveSigningKey(credential.secretAccessKey, scopeDate, region, service);
  const provided = Buffer.from(auth.signature, 'utf8');

  // A few clients differ in details the client alone decides (whether the path was
  // normalised, whether a presigned payload was hashed); the signature has to match one of
  // the readings, each of which is still a function of this request alone. The first reading
  // is the one current SDKs sign, and the one a mismatch is explained with.
  let match: { canonicalRequest: string; stringToSign: string } | undefined;
  let first: { canonicalRequest: string; stringToSign: string } | undefined;
  for (const canonicalUri of canonicalUriCandidates(path)) {
    for (const payloadHash of payloads.hashes) {
      const canonicalRequest = buildCanonicalRequest({
        method,
        canonicalUri,
        canonicalQuery,
        canonicalHeaders,
        signedHeaders: signedHeaders.join(';'),
        payloadHash,
      });
      const stringToSign = buildStringToSign(auth.amzDate, credentialScope, canonicalRequest);
      first ??= { canonicalRequest, stringToSign };
      const expected = Buffer.from(signatureHex(signingKey, stringToSign), 'utf8');
      // Evaluate every candidate so the time taken does not reveal which one was close.
      if (expected.length === provided.length && timingSafeEqual(expected, provided)) match ??= { canonicalRequest, stringToSign };
    }
  }
  if (!match) {
    if (!options.explainMismatch || !first) return invalidSignature();
    return invalidSignature(
      `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${first.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${first.stringToSign}'\n`,
    );
  }

  return { ok: true, accessKeyId, region, service, signedHeaders, ...match };
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

const echo = (value: string): string => (value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}...` : value);

/** Compares secrets without revealing through timing how much of them matched. */
function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
