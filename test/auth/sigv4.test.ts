/**
 * SigV4 verification against requests signed by the AWS SDK's own signer (@smithy/signature-v4)
 * and, end to end, by a real LambdaClient talking to a plain HTTP server; plus the rules for
 * resolving Portico's admin credentials.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { LambdaClient, GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { verifySigV4, type Credential, type SignedRequest, type VerifyOptions, type VerifyResult } from '../../src/auth/sigv4.js';
import {
  AdminCredentials,
  AdminCredentialsError,
  isLoopbackHost,
  MAX_FILE_CREDENTIALS,
} from '../../src/auth/admin-credentials.js';

const T0 = new Date('2026-11-21T10:20:00Z');
const HOST = 'localhost:4566';
const ALICE: Credential = { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' };
const BOB: Credential = { accessKeyId: 'ASIABOB', secretAccessKey: 'bob-secret', sessionToken: 'bob-session-token/+=' };
const KEYS = new Map([ALICE, BOB].map((c) => [c.accessKeyId, c]));
const lookup = (id: string): Credential | undefined => KEYS.get(id);

interface Spec {
  method?: string;
  /** The path as it goes on the wire, already percent-encoded the way the SDKs do. */
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface SignOptions {
  credentials?: Credential;
  service?: string;
  region?: string;
  date?: Date;
  /** False to leave x-amz-content-sha256 off, so the verifier hashes the body itself. */
  applyChecksum?: boolean;
  unsignableHeaders?: Set<string>;
}

/** RFC 3986 encoding as the SDKs put query components on the wire. */
const escape = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function wireQuery(query: Record<string, string | string[] | null> | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(v === null ? escape(key) : `${escape(key)}=${escape(v)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function lowerCaseHeaders(headers: Record<string, string>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function httpRequest(spec: Spec) {
  const path = spec.path ?? '/2015-03-31/functions';
  return {
    method: spec.method ?? 'GET',
    protocol: 'http:',
    hostname: 'localhost',
    port: 4566,
    path,
    query: { ...(spec.query ?? {}) },
    headers: { host: HOST, ...(spec.headers ?? {}) },
    body: spec.body,
  };
}

function signer(options: SignOptions): SignatureV4 {
  return new SignatureV4({
    credentials: options.credentials ?? ALICE,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'lambda',
    sha256: Sha256,
    applyChecksum: options.applyChecksum,
  });
}

/** Signs with the SDK's signer and returns the request as a Node server would see it. */
async function sign(spec: Spec, options: SignOptions = {}): Promise<SignedRequest> {
  const signed = await signer(options).sign(httpRequest(spec), {
    signingDate: options.date ?? T0,
    unsignableHeaders: options.unsignableHeaders,
  });
  return {
    method: signed.method,
    url: signed.path + wireQuery(signed.query as Record<string, string | string[]>),
    headers: lowerCaseHeaders(signed.headers),
    body: spec.body === undefined ? undefined : Buffer.from(spec.body),
  };
}

async function presign(spec: Spec, options: SignOptions & { expiresIn?: number } = {}): Promise<SignedRequest> {
  const signed = await signer(options).presign(httpRequest(spec) as never, {
    signingDate: options.date ?? T0,
    expiresIn: options.expiresIn,
  });
  return {
    method: signed.method,
    url: signed.path + wireQuery(signed.query as Record<string, string | string[]>),
    headers: lowerCaseHeaders(signed.headers),
    body: spec.body === undefined || typeof spec.body === 'object' && !Buffer.isBuffer(spec.body) ? undefined : Buffer.from(spec.body),
  };
}

function verify(req: SignedRequest, options: Partial<VerifyOptions> = {}): VerifyResult {
  return verifySigV4(req, { lookup, now: T0, ...options });
}

function assertOk(result: VerifyResult, accessKeyId = ALICE.accessKeyId): void {
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  assert.equal(result.accessKeyId, accessKeyId);
}

function assertFailure(result: VerifyResult, code: string, message?: string | RegExp): void {
  assert.equal(result.ok, false, `expected ${code}, got success`);
  if (result.ok) return;
  assert.equal(result.statusCode, 403);
  assert.equal(result.code, code, result.message);
  if (typeof message === 'string') assert.equal(result.message, message);
  else if (message) assert.match(result.message, message);
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

const withHeader = (req: SignedRequest, name: string, value: string | undefined): SignedRequest => {
  const headers = { ...req.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...req, headers };
};

// ---------------------------------------------------------------------------------------------

describe('verifySigV4: Authorization header form', () => {
  it('accepts a GET signed by the SDK signer and reports the scope', async () => {
    const result = verify(await sign({}));
    assertOk(result);
    assert.deepEqual(result, {
      ok: true,
      accessKeyId: 'AKIDALICE',
      region: 'us-east-1',
      service: 'lambda',
      signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'],
    });
  });

  it('accepts a JSON body, with and without x-amz-content-sha256', async () => {
    const spec: Spec = {
      method: 'POST',
      path: '/2015-03-31/functions/hello/invocations',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world', n: [1, 2, 3], s: 'ünïcödé' }),
    };
    assertOk(verify(await sign(spec)));
    const unhashed = await sign(spec, { applyChecksum: false });
    assert.equal(unhashed.headers['x-amz-content-sha256'], undefined);
    assertOk(verify(unhashed));
  });

  it('accepts a binary body, and an empty one', async () => {
    const body = randomBytes(4096);
    assertOk(verify(await sign({ method: 'PUT', path: '/blob', body }, { applyChecksum: false })));
    assertOk(verify(await sign({ method: 'PUT', path: '/blob', body })));
    assertOk(verify(await sign({ method: 'POST', path: '/empty', body: '' }, { applyChecksum: false })));
    // A missing body hashes like an empty one.
    assertOk(verify({ ...(await sign({ method: 'POST', path: '/empty', body: '' }, { applyChecksum: false })), body: undefined }));
  });

  it('accepts x-amz-content-sha256: UNSIGNED-PAYLOAD whatever the body', async () => {
    const req = await sign({ method: 'POST', path: '/x', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'abc' });
    assertOk(verify(req));
    assertOk(verify({ ...req, body: Buffer.from('something else') }));
  });

  const paths: Array<[string, string]> = [
    ['encoded label with space, colon and dollar', '/2015-03-31/functions/my%20fn%3A%24LATEST/invocations'],
    ['raw $LATEST and colon', '/2015-03-31/functions/fn:$LATEST/configuration'],
    ['encoded slash inside a segment', '/2015-03-31/functions/a%2Fb/policy'],
    ['unicode', '/caf%C3%A9/%E2%9C%93/%F0%9F%98%80'],
    ['tilde and unreserved characters', '/~user/a-b_c.d'],
    ['sub-delimiters', "/a!b'c(d)e*f/@;=+,"],
    ['trailing slash', '/restapis/abc/'],
    ['root', '/'],
    ['percent-encoded percent', '/100%25/done'],
    ['dot segments and empty segments', '/a/./b/../c//d'],
  ];
  for (const [name, path] of paths) {
    it(`accepts path: ${name}`, async () => {
      assertOk(verify(await sign({ path })));
    });
  }

  it('accepts odd query strings', async () => {
    const queries: Array<Record<string, string | string[]>> = [
      { Qualifier: '$LATEST', Marker: 'a b+c/d' },
      { 'key with space': 'välue ✓', emoji: '😀' },
      { repeated: ['b', 'a', 'c'], other: 'x' },
      { empty: '', also: '' },
      { "sub!'()*": "!'()*~-_." },
      { 'X-Amz-Signature-Like': '1', 'x-amz-date-param': '2' },
    ];
    for (const query of queries) {
      const result = verify(await sign({ query }));
      assert.ok(result.ok, `${JSON.stringify(query)}: ${JSON.stringify(result)}`);
    }
  });

  it('reads a query key without "=" as an empty value', async () => {
    const req = await sign({ path: '/items', query: { flag: '', a: '1' } });
    assertOk(verify({ ...req, url: req.url.replace('flag=', 'flag') }));
  });

  it('accepts a query string whose wire order differs from the canonical order', async () => {
    const req = await sign({ query: { b: '2', a: '1', c: ['y', 'x'] } });
    const [path, query] = req.url.split('?') as [string, string];
    assertOk(verify({ ...req, url: `${path}?${query.split('&').reverse().join('&')}` }));
  });

  it('accepts a request dated by the Date header instead of X-Amz-Date', async () => {
    const req = await sign({}, { unsignableHeaders: new Set(['x-amz-date']) });
    const headers: IncomingHttpHeaders = { ...req.headers, date: T0.toUTCString() };
    delete headers['x-amz-date'];
    assertOk(verify({ ...req, headers }));
  });

  it('joins a repeated signed header with "," when given the raw headers', async () => {
    const req = await sign({ headers: { 'x-custom': 'one,two' } });
    // What Node makes of the two header lines: joined with ', ' in headers, separate in rawHeaders.
    const node = withHeader(req, 'x-custom', 'one, two');
    const rawHeaders = Object.entries(node.headers).flatMap(([k, v]) => (k === 'x-custom' ? [k, 'one', k, '  two '] : [k, String(v)]));
    assertFailure(verify(node), 'InvalidSignatureException', MISMATCH);
    assertOk(verify({ ...node, rawHeaders }));
  });

  it('trims header values and collapses runs of spaces', async () => {
    const req = await sign({ headers: { 'x-spaced': 'a b c' } });
    assertOk(verify(withHeader(req, 'x-spaced', '   a    b \t c  ')));
  });

  it('checks the scope service and region when asked to', async () => {
    const req = await sign({}, { service: 'apigateway', region: 'eu-west-1' });
    assertOk(verify(req));
    assertOk(verify(req, { service: 'apigateway', region: 'eu-west-1' }));
    assertFailure(verify(req, { service: 'lambda' }), 'InvalidSignatureException', "Credential should be scoped to correct service: 'lambda'. ");
    assertFailure(verify(req, { region: 'us-east-1' }), 'InvalidSignatureException', "Credential should be scoped to a valid region, not 'eu-west-1'. ");
  });

  it('accepts a request within five minutes of the clock, either way', async () => {
    const req = await sign({});
    assertOk(verify(req, { now: new Date(T0.getTime() + 5 * 60_000) }));
    assertOk(verify(req, { now: new Date(T0.getTime() - 5 * 60_000) }));
  });
});

describe('verifySigV4: session tokens', () => {
  it('accepts the matching token in the header form', async () => {
    const req = await sign({}, { credentials: BOB });
    assert.equal(req.headers['x-amz-security-token'], BOB.sessionToken);
    assertOk(verify(req), BOB.accessKeyId);
  });

  it('rejects a missing or different token', async () => {
    const req = await sign({}, { credentials: BOB });
    assertFailure(verify(withHeader(req, 'x-amz-security-token', undefined)), 'UnrecognizedClientException', INVALID_TOKEN);
    // Signed with the wrong token: the token check answers before the signature check.
    const wrong = await sign({}, { credentials: { ...BOB, sessionToken: 'other-token' } });
    assertFailure(verify(wrong), 'UnrecognizedClientException', INVALID_TOKEN);
  });

  it('rejects a token sent for a key that has none', async () => {
    const req = await sign({}, { credentials: { ...ALICE, sessionToken: 'made-up' } });
    assertFailure(verify(req), 'UnrecognizedClientException', INVALID_TOKEN);
  });

  it('accepts the matching token in a presigned URL', async () => {
    const req = await presign({}, { credentials: BOB });
    assert.match(req.url, /X-Amz-Security-Token=/);
    assertOk(verify(req), BOB.accessKeyId);
    assertFailure(verify({ ...req, url: req.url.replace(/X-Amz-Security-Token=[^&]*/, 'X-Amz-Security-Token=nope') }), 'UnrecognizedClientException', INVALID_TOKEN);
  });
});

describe('verifySigV4: presigned query form', () => {
  it('accepts a presigned GET', async () => {
    const req = await presign({ path: '/2015-03-31/functions/my%20fn%3A%24LATEST', query: { Qualifier: '1' } }, { expiresIn: 900 });
    assert.equal(req.headers.authorization, undefined);
    assert.match(req.url, /X-Amz-Algorithm=AWS4-HMAC-SHA256/);
    const result = verify(req);
    assertOk(result);
    assert.deepEqual(result.ok && result.signedHeaders, ['host']);
  });

  it('accepts a presigned request with a body the presigner hashed', async () => {
    assertOk(verify(await presign({ method: 'POST', path: '/p', body: '{"a":1}' })));
  });

  it('accepts UNSIGNED-PAYLOAD, declared in the query or implied', async () => {
    // S3-style presigners hoist x-amz-content-sha256 into the query.
    const declared = await presign({ path: '/s3ish', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.match(declared.url, /X-Amz-Content-Sha256=UNSIGNED-PAYLOAD/i);
    assertOk(verify({ ...declared, body: Buffer.from('any body') }));
    // A body the presigner cannot hash (a stream) is presigned as UNSIGNED-PAYLOAD.
    const implied = await presign({ method: 'PUT', path: '/stream', body: { stream: true } as never });
    assertOk(verify({ ...implied, body: Buffer.from('streamed bytes') }));
  });

  it('honours X-Amz-Expires', async () => {
    const req = await presign({}, { expiresIn: 3600 });
    assertOk(verify(req, { now: new Date(T0.getTime() + 3600_000) }));
    assertFailure(
      verify(req, { now: new Date(T0.getTime() + 3601_000) }),
      'InvalidSignatureException',
      'Signature expired: 20261121T102000Z is now earlier than 20261121T102001Z (20261121T112001Z - 3600 sec.)',
    );
    assertFailure(verify(req, { now: new Date(T0.getTime() - 6 * 60_000) }), 'InvalidSignatureException', /^Signature not yet current: /);
  });

  it('rejects X-Amz-Expires over a week, or not a number', async () => {
    const req = await presign({}, { expiresIn: 604800 });
    assertOk(verify(req));
    assertFailure(verify({ ...req, url: req.url.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801') }), 'IncompleteSignatureException', /less than a week/);
    assertFailure(verify({ ...req, url: req.url.replace('X-Amz-Expires=604800', 'X-Amz-Expires=soon') }), 'IncompleteSignatureException', 'X-Amz-Expires should be a number');
  });

  it('rejects tampering with the presigned query', async () => {
    const req = await presign({ query: { Qualifier: '1' } });
    assertFailure(verify({ ...req, url: req.url.replace('Qualifier=1', 'Qualifier=2') }), 'InvalidSignatureException', MISMATCH);
    assertFailure(verify({ ...req, url: `${req.url}&extra=1` }), 'InvalidSignatureException', MISMATCH);
    assertFailure(verify({ ...req, url: req.url.replace('/2015-03-31/', '/2015-03-30/') }), 'InvalidSignatureException', MISMATCH);
  });

  it('names the missing presigned parameters', () => {
    const result = verify({ method: 'GET', url: '/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261121T102000Z', headers: { host: HOST } });
    assertFailure(
      result,
      'IncompleteSignatureException',
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    );
  });

  it('rejects a request carrying both an Authorization header and a presigned query', async () => {
    const header = await sign({});
    const query = await presign({});
    assertFailure(verify({ ...query, headers: header.headers }), 'IncompleteSignatureException', /Only one auth mechanism allowed/);
  });
});

describe('verifySigV4: rejections', () => {
  it('answers Missing Authentication Token without any signature', () => {
    assertFailure(
      verify({ method: 'GET', url: '/2015-03-31/functions', headers: { host: HOST } }),
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    );
  });

  it('rejects a tampered body', async () => {
    const spec: Spec = { method: 'POST', path: '/f', body: '{"amount":1}' };
    const hashed = await sign(spec);
    assertFailure(verify({ ...hashed, body: Buffer.from('{"amount":9}') }), 'InvalidSignatureException', /x-amz-content-sha256/);
    const unhashed = await sign(spec, { applyChecksum: false });
    assertFailure(verify({ ...unhashed, body: Buffer.from('{"amount":9}') }), 'InvalidSignatureException', MISMATCH);
    // Rewriting the declared digest to match the new body breaks the signature instead.
    const forged = withHeader(hashed, 'x-amz-content-sha256', 'a'.repeat(64));
    assertFailure(verify({ ...forged, body: undefined }), 'InvalidSignatureException', MISMATCH);
  });

  it('rejects a tampered signed header, and an unsigned one does not matter', async () => {
    const req = await sign({ method: 'POST', path: '/f', headers: { 'content-type': 'application/json', 'x-amz-target': 'A.B' }, body: '{}' });
    assertFailure(verify(withHeader(req, 'x-amz-target', 'A.C')), 'InvalidSignatureException', MISMATCH);
    assertFailure(verify(withHeader(req, 'content-type', 'text/plain')), 'InvalidSignatureException', MISMATCH);
    assertFailure(verify(withHeader(req, 'host', 'evil.example:4566')), 'InvalidSignatureException', MISMATCH);
    assertOk(verify(withHeader(req, 'user-agent', 'changed')));
  });

  it('rejects a tampered path or query', async () => {
    const req = await sign({ path: '/2015-03-31/functions/my%20fn/invocations', query: { Qualifier: '1', a: ['x', 'y'] } });
    for (const url of [
      req.url.replace('my%20fn', 'my%20fo'),
      req.url.replace('my%20fn', 'my fn'),
      req.url.replace('my%20fn', 'my%2520fn'),
      req.url.replace('Qualifier=1', 'Qualifier=2'),
      req.url.replace('a=y', 'a=z'),
      `${req.url}&a=z`,
      `${req.url}&flag`,
      req.url.split('?')[0]!,
    ]) {
      assertFailure(verify({ ...req, url }), 'InvalidSignatureException', MISMATCH);
    }
    assertFailure(verify({ ...req, method: 'DELETE' }), 'InvalidSignatureException', MISMATCH);
  });

  it('rejects the wrong secret and an unknown access key', async () => {
    assertFailure(verify(await sign({}, { credentials: { ...ALICE, secretAccessKey: 'wrong' } })), 'InvalidSignatureException', MISMATCH);
    assertFailure(verify(await sign({}, { credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } })), 'UnrecognizedClientException', INVALID_TOKEN);
  });

  it('rejects a tampered signature, including one of the wrong length', async () => {
    const req = await sign({});
    const auth = req.headers.authorization!;
    const signature = /Signature=([0-9a-f]+)/.exec(auth)![1]!;
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    for (const s of [flipped, signature.slice(0, 10), signature.toUpperCase(), `${signature}00`, '']) {
      assertFailure(verify(withHeader(req, 'authorization', auth.replace(signature, s))), 'InvalidSignatureException', MISMATCH);
    }
  });

  it('rejects expired and future requests with AWS messages', async () => {
    const req = await sign({}, { date: new Date('2026-11-21T10:15:00Z') });
    assertFailure(
      verify(req, { now: new Date('2026-11-21T10:25:00Z') }),
      'InvalidSignatureException',
      'Signature expired: 20261121T101500Z is now earlier than 20261121T102000Z (20261121T102500Z - 5 min.)',
    );
    const future = await sign({}, { date: new Date('2026-11-21T10:31:00Z') });
    assertFailure(
      verify(future, { now: new Date('2026-11-21T10:25:00Z') }),
      'InvalidSignatureException',
      'Signature not yet current: 20261121T103100Z is still later than 20261121T103000Z (20261121T102500Z + 5 min.)',
    );
  });

  it('names the missing Authorization parameters', async () => {
    const header = 'AWS4-HMAC-SHA256 Credential=AKIDALICE/20261121/us-east-1/lambda/aws4_request';
    assertFailure(
      verify({ method: 'GET', url: '/', headers: { host: HOST, 'x-amz-date': '20261121T102000Z', authorization: header } }),
      'IncompleteSignatureException',
      `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${header}`,
    );
    assertFailure(
      verify({ method: 'GET', url: '/', headers: { host: HOST, authorization: 'Bearer eyJhbGciOi.x.y' } }),
      'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer eyJhbGciOi.x.y",
    );
    const req = await sign({});
    assertFailure(verify(withHeader(req, 'x-amz-date', undefined)), 'IncompleteSignatureException', /requires existence of either a 'X-Amz-Date' or a 'Date' header/);
  });

  it('rejects malformed Authorization parameters', async () => {
    const req = await sign({});
    const auth = req.headers.authorization!;
    assertFailure(
      verify(withHeader(req, 'authorization', auth.replace('Credential=AKIDALICE/', 'Credential=AKIDALICE /'))),
      'IncompleteSignatureException',
      /^'\/20261121\/us-east-1\/lambda\/aws4_request,?' not a valid key=value pair \(missing equal-sign\) in Authorization header: /,
    );
    assertFailure(
      verify(withHeader(req, 'authorization', auth.replace('/us-east-1/lambda/', '/us-east-1/'))),
      'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDALICE/20261121/us-east-1/aws4_request'",
    );
    assertFailure(
      verify(withHeader(req, 'authorization', auth.replace('aws4_request', 'aws5_request'))),
      'InvalidSignatureException',
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
    );
    assertFailure(
      verify(withHeader(req, 'authorization', auth.replace('/20261121/', '/20261120/'))),
      'InvalidSignatureException',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261120' != '20261121', from '20261121T102000Z'.",
    );
    assertFailure(verify(withHeader(req, 'x-amz-date', '2026-11-21T10:20:00Z')), 'IncompleteSignatureException', /^Date must be in ISO-8601 'basic format'/);
    assertFailure(verify(withHeader(req, 'x-amz-date', '20261340T102000Z')), 'IncompleteSignatureException', /^Date must be in ISO-8601 'basic format'/);
    assertFailure(verify(withHeader(req, 'authorization', auth.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'))), 'IncompleteSignatureException', /Unsupported AWS 'algorithm'/);
  });

  it('requires host among the signed headers', async () => {
    const req = await sign({}, { unsignableHeaders: new Set(['host']) });
    assert.doesNotMatch(req.headers.authorization!, /SignedHeaders=[^,]*host/);
    assertFailure(verify(req), 'InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it('rejects x-amz-content-sha256 values it cannot check the body against', async () => {
    const req = await sign({ method: 'PUT', path: '/c', headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }, body: 'x' });
    assertFailure(verify(req), 'InvalidSignatureException', /x-amz-content-sha256 must be UNSIGNED-PAYLOAD/);
  });

  it('never throws on garbage', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['A', 'z', '0', '/', '=', ',', ';', ' ', '\t', '%', '%2', '%zz', '?', '&', '#', '.', '..', '\u0000', '\uD800', '😀', 'é', 'AWS4-HMAC-SHA256', 'Credential=', 'SignedHeaders=', 'Signature=', 'host', 'X-Amz-Algorithm=', 'X-Amz-Date=', '20261121T102000Z', 'X-Amz-Expires=', '99999999999', 'aws4_request', 'AKIDALICE', 'ASIABOB', '__proto__', 'constructor'];
    const junk = (max: number): string => Array.from({ length: rand(max) }, () => alphabet[rand(alphabet.length)]).join('');
    const values = (): unknown[] => [junk(20), [junk(5), junk(5)], undefined, 42, null, {}, junk(400)];
    for (let i = 0; i < 3000; i++) {
      const pick = <T>(xs: T[]): T => xs[rand(xs.length)]!;
      const headers: Record<string, unknown> = {};
      for (const name of ['authorization', 'x-amz-date', 'date', 'host', 'x-amz-security-token', 'x-amz-content-sha256', junk(6)]) {
        if (rand(3) > 0) headers[name] = pick(values());
      }
      if (rand(2)) headers.authorization = `AWS4-HMAC-SHA256 Credential=${pick(['AKIDALICE', 'ASIABOB', junk(5)])}/${pick(['20261121', junk(9)])}/us-east-1/lambda/aws4_request, SignedHeaders=${pick(['host', junk(8)])}, Signature=${junk(64)}`;
      const req = {
        method: pick<unknown>(['GET', junk(4), undefined, 7]),
        url: pick<unknown>([`/${junk(30)}`, `/${junk(10)}?${junk(40)}`, junk(20), '', undefined, `http://${junk(5)}/${junk(5)}?${junk(5)}`]),
        headers: pick<unknown>([headers, headers, undefined, null, 'str']),
        rawHeaders: pick<unknown>([undefined, [junk(5), junk(5), 'host'], 'nope', [1, 2, 3]]),
        body: pick<unknown>([undefined, Buffer.from(junk(10)), 'string body', 12]),
      } as unknown as SignedRequest;
      let result: VerifyResult | undefined;
      assert.doesNotThrow(() => {
        result = verifySigV4(req, { lookup, now: pick([T0, new Date(NaN), undefined as unknown as Date]) });
      }, JSON.stringify(req));
      assert.equal(result!.ok, false);
    }
  });

  it('passes lookup failures through rather than answering 403', async () => {
    const req = await sign({});
    assert.throws(
      () =>
        verifySigV4(req, {
          now: T0,
          lookup: () => {
            throw new Error('store offline');
          },
        }),
      /store offline/,
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('verifySigV4 end to end with LambdaClient', () => {
  let server: Server;
  let endpoint: string;
  const seen: Array<{ url: string; result: VerifyResult }> = [];
  const admin = AdminCredentials.resolve({ host: '127.0.0.1', env: {} });

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const result = verifySigV4(
          { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) },
          { lookup: (id) => admin.lookup(id), service: 'lambda' },
        );
        seen.push({ url: req.url ?? '', result });
        if (result.ok) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          res
            .writeHead(result.statusCode, { 'content-type': 'application/json', 'x-amzn-ErrorType': result.code })
            .end(JSON.stringify({ message: result.message }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = (credentials: Credential): LambdaClient =>
    new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

  it('verifies GetFunction for a name that needs encoding', async () => {
    const lambda = client({ accessKeyId: 'test', secretAccessKey: 'test' });
    try {
      seen.length = 0;
      await lambda.send(new GetFunctionCommand({ FunctionName: 'my fn:$LATEST' }));
      assert.equal(seen.length, 1);
      assert.match(seen[0]!.url, /^\/2015-03-31\/functions\/my%20fn%3A%24LATEST/);
      assert.ok(seen[0]!.result.ok, JSON.stringify(seen[0]!.result));
    } finally {
      lambda.destroy();
    }
  });

  it('verifies Invoke with a payload and a qualifier', async () => {
    const lambda = client({ accessKeyId: 'test', secretAccessKey: 'test' });
    try {
      seen.length = 0;
      await lambda.send(
        new InvokeCommand({
          FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:hello',
          Qualifier: '$LATEST',
          Payload: Buffer.from(JSON.stringify({ greeting: 'hé llo', bytes: [0, 255] })),
        }),
      );
      assert.equal(seen.length, 1);
      assert.ok(seen[0]!.result.ok, JSON.stringify(seen[0]!.result));
    } finally {
      lambda.destroy();
    }
  });

  it('surfaces InvalidSignatureException for the wrong secret', async () => {
    const lambda = client({ accessKeyId: 'test', secretAccessKey: 'not-test' });
    try {
      await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'hello' })), (err: Error) => {
        assert.equal(err.name, 'InvalidSignatureException');
        assert.match(err.message, /does not match the signature you provided/);
        return true;
      });
    } finally {
      lambda.destroy();
    }
  });

  it('surfaces UnrecognizedClientException for an unknown key', async () => {
    const lambda = client({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' });
    try {
      await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'hello' })), (err: Error) => {
        assert.equal(err.name, 'UnrecognizedClientException');
        assert.equal(err.message, INVALID_TOKEN);
        return true;
      });
    } finally {
      lambda.destroy();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('isLoopbackHost', () => {
  it('recognises loopback addresses and names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LocalHost', 'localhost.']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it('rejects everything else', () => {
    for (const host of ['0.0.0.0', '::', '[::]', '192.168.1.10', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'example.com', 'localhost.example.com', '', '1::1']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});

describe('AdminCredentials.resolve', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-admin-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, content: unknown): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('accepts test/test on a loopback host when nothing is configured', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      const admin = AdminCredentials.resolve({ host, env: {} });
      assert.equal(admin.source, 'default-loopback');
      assert.deepEqual(admin.lookup('test'), { accessKeyId: 'test', secretAccessKey: 'test' });
      assert.equal(admin.lookup('other'), undefined);
    }
  });

  it('refuses a non-loopback host without credentials, saying how to give them', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      assert.throws(
        () => AdminCredentials.resolve({ host, env: {} }),
        (err: Error) => {
          assert.ok(err instanceof AdminCredentialsError);
          assert.ok(err.message.startsWith(`Binding to ${host} needs admin credentials`), err.message);
          assert.match(err.message, /PORTICO_ADMIN_ACCESS_KEY_ID/);
          assert.match(err.message, /PORTICO_ADMIN_SECRET_ACCESS_KEY/);
          assert.match(err.message, /--admin-credentials <file>/);
          return true;
        },
      );
    }
  });

  it('reads credentials from the environment, on any host', () => {
    const env = { PORTICO_ADMIN_ACCESS_KEY_ID: 'AKIDADMIN', PORTICO_ADMIN_SECRET_ACCESS_KEY: 's3cret', PORTICO_ADMIN_SESSION_TOKEN: 'tok' };
    const admin = AdminCredentials.resolve({ host: '0.0.0.0', env });
    assert.equal(admin.source, 'environment');
    assert.deepEqual(admin.lookup('AKIDADMIN'), { accessKeyId: 'AKIDADMIN', secretAccessKey: 's3cret', sessionToken: 'tok' });
    // Configured credentials replace the loopback default.
    assert.equal(AdminCredentials.resolve({ host: '127.0.0.1', env }).lookup('test'), undefined);
  });

  it('rejects half-configured environments', () => {
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ PORTICO_ADMIN_ACCESS_KEY_ID: 'AKID' }, /PORTICO_ADMIN_ACCESS_KEY_ID is set but PORTICO_ADMIN_SECRET_ACCESS_KEY is not/],
      [{ PORTICO_ADMIN_SECRET_ACCESS_KEY: 'x' }, /PORTICO_ADMIN_SECRET_ACCESS_KEY is set but PORTICO_ADMIN_ACCESS_KEY_ID is not/],
      [{ PORTICO_ADMIN_SESSION_TOKEN: 't' }, /PORTICO_ADMIN_SESSION_TOKEN is set/],
      [{ PORTICO_ADMIN_ACCESS_KEY_ID: 'AK ID', PORTICO_ADMIN_SECRET_ACCESS_KEY: 'x' }, /contains whitespace/],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => AdminCredentials.resolve({ host: '127.0.0.1', env }), (err: Error) => err instanceof AdminCredentialsError && message.test(err.message));
    }
  });

  it('reads a credentials file, merged with the environment', async () => {
    const path = await file('ok.json', {
      credentials: [
        { accessKeyId: 'AKIDONE', secretAccessKey: 'one' },
        { accessKeyId: 'ASIATWO', secretAccessKey: 'two', sessionToken: 'tok2' },
      ],
    });
    const admin = AdminCredentials.resolve({
      host: '0.0.0.0',
      file: path,
      env: { PORTICO_ADMIN_ACCESS_KEY_ID: 'AKIDENV', PORTICO_ADMIN_SECRET_ACCESS_KEY: 'env' },
    });
    assert.equal(admin.source, 'file');
    assert.equal(admin.size, 3);
    assert.deepEqual(admin.lookup('ASIATWO'), { accessKeyId: 'ASIATWO', secretAccessKey: 'two', sessionToken: 'tok2' });
    assert.equal(admin.lookup('AKIDENV')?.secretAccessKey, 'env');
    assert.equal(admin.lookup('test'), undefined);
  });

  it('names the file and the problem when a credentials file is unusable', async () => {
    const tooMany = { credentials: Array.from({ length: MAX_FILE_CREDENTIALS + 1 }, (_, i) => ({ accessKeyId: `AKID${i}`, secretAccessKey: 's' })) };
    const cases: Array<[string, unknown, RegExp]> = [
      ['bad.json', '{"credentials": [', /is not valid JSON/],
      ['array.json', [], /must be a JSON object with a "credentials" array/],
      ['nolist.json', { credentials: {} }, /must be a JSON object with a "credentials" array/],
      ['empty.json', { credentials: [] }, /"credentials" is empty/],
      ['nosecret.json', { credentials: [{ accessKeyId: 'AKID' }] }, /credentials\[0\]\.secretAccessKey must be a non-empty string/],
      ['nokey.json', { credentials: [{ accessKeyId: 'A', secretAccessKey: 'x' }, { secretAccessKey: 'x' }] }, /credentials\[1\]\.accessKeyId must be a non-empty string/],
      ['typo.json', { credentials: [{ accessKeyId: 'A', secretAccessKey: 'x', sessiontoken: 't' }] }, /credentials\[0\] has unknown field "sessiontoken"/],
      ['token.json', { credentials: [{ accessKeyId: 'A', secretAccessKey: 'x', sessionToken: 5 }] }, /credentials\[0\]\.sessionToken must be a non-empty string/],
      ['entry.json', { credentials: ['AKID:secret'] }, /credentials\[0\] must be an object/],
      ['slash.json', { credentials: [{ accessKeyId: 'A/B', secretAccessKey: 'x' }] }, /contains whitespace, '\/'/],
      ['dupe.json', { credentials: [{ accessKeyId: 'A', secretAccessKey: 'x' }, { accessKeyId: 'A', secretAccessKey: 'y' }] }, /'A' is configured twice/],
      ['toomany.json', tooMany, new RegExp(`has ${MAX_FILE_CREDENTIALS + 1} entries; at most ${MAX_FILE_CREDENTIALS}`)],
    ];
    for (const [name, content, message] of cases) {
      const path = await file(name, content);
      assert.throws(
        () => AdminCredentials.resolve({ host: '127.0.0.1', file: path, env: {} }),
        (err: Error) => {
          assert.ok(err instanceof AdminCredentialsError, name);
          assert.ok(err.message.includes(name) || /configured twice/.test(err.message), err.message);
          assert.match(err.message, message);
          return true;
        },
      );
    }
    assert.throws(
      () => AdminCredentials.resolve({ host: '127.0.0.1', file: join(dir, 'missing.json'), env: {} }),
      (err: Error) => err instanceof AdminCredentialsError && err.message.includes('missing.json') && /cannot be read/.test(err.message),
    );
  });
});
