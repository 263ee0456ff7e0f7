/**
 * Data-plane SigV4 authentication for AWS_IAM methods, end to end: requests are signed by the
 * AWS SDK's own signer (@smithy/signature-v4), sent over real HTTP to a small server on a
 * loopback port, and verified there with verifyDataPlaneRequest against Portico's IAM
 * principals. Only authentication is exercised; evaluating policies is not this module's job.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { listen, rawRequest, type RawResponse } from '../helpers.js';
import { verifyDataPlaneRequest, accessDenied, type DataPlaneAuthResult } from '../../src/auth/sigv4-data-plane.js';
import { IamPrincipals } from '../../src/auth/iam-principals.js';
import { MAX_AUTHORIZATION_LENGTH, MAX_QUERY_PARAMS, type SignedRequest } from '../../src/auth/sigv4.js';

const REGION = 'eu-west-1';
const T0 = new Date('2026-11-21T10:20:00Z');
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

const ALICE = { accessKeyId: 'AKIAALICEEXAMPLE', secretAccessKey: 'alice/secret+key' };
const BOB = { accessKeyId: 'ASIABOBEXAMPLE', secretAccessKey: 'bob-secret', sessionToken: 'FwoGZXIvYXdzEBob//token+/=' };
const CAROL = { accessKeyId: 'ASIACAROLEXAMPLE', secretAccessKey: 'carol-secret', sessionToken: 'carol-token' };
const ALICE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:eu-west-1:111122223333:a1b2c3d4e5/prod/GET/*' },
    { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:eu-west-1:111122223333:a1b2c3d4e5/prod/DELETE/*' },
  ],
};

const principals = IamPrincipals.fromConfig({
  principals: [
    { ...ALICE, arn: 'arn:aws:iam::111122223333:user/engineering/alice', uniqueId: 'AIDAALICEUNIQUEID0001', policy: ALICE_POLICY },
    { ...BOB, arn: 'arn:aws:sts::111122223333:assumed-role/reader/bob-session', uniqueId: 'AROAREADERROLEID00001' },
    // Temporary credentials that lapse one minute after T0.
    { ...CAROL, expiration: '2026-11-21T10:21:00Z', arn: 'arn:aws:sts::444455556666:assumed-role/writer/carol' },
  ],
});

// ---------------------------------------------------------------------------------------------
// The server: reads the body, verifies, and answers with the result.

let clock = T0;
let port = 0;
let close: () => Promise<void>;

function handler(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    // Bounded like the gateway's own body reader; nothing in these tests comes close.
    if (size <= 1024 * 1024) chunks.push(c);
  });
  req.on('end', () => {
    const result = verifyDataPlaneRequest(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) },
      { principals, region: REGION, now: () => clock },
    );
    const status = result.ok ? 200 : result.status;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!result.ok) headers['x-amzn-ErrorType'] = result.errorType;
    res.writeHead(status, headers).end(JSON.stringify(result));
  });
}

before(async () => {
  const listening = await listen(handler);
  port = listening.port;
  close = listening.close;
});
after(() => close());

// ---------------------------------------------------------------------------------------------
// Signing with the SDK and sending.

interface Spec {
  method?: string;
  /** The path as it goes on the wire, already percent-encoded. */
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

interface SignOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region?: string;
  service?: string;
  date?: Date;
  applyChecksum?: boolean;
  uriEscapePath?: boolean;
}

const escape = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function wireQuery(query: Record<string, string | string[] | null | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(v === null || v === undefined ? escape(key) : `${escape(key)}=${escape(v)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function signer(options: SignOptions): SignatureV4 {
  return new SignatureV4({
    credentials: options.credentials ?? ALICE,
    region: options.region ?? REGION,
    service: options.service ?? 'execute-api',
    sha256: Sha256,
    applyChecksum: options.applyChecksum,
    uriEscapePath: options.uriEscapePath,
  });
}

function httpRequest(spec: Spec) {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...(spec.headers ?? {}) };
  if (spec.body !== undefined) headers['content-length'] = String(Buffer.byteLength(spec.body));
  return {
    method: spec.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: spec.path ?? '/prod/pets',
    query: { ...(spec.query ?? {}) },
    headers,
    body: spec.body,
  };
}

interface Wire {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

async function sign(spec: Spec, options: SignOptions = {}): Promise<Wire> {
  const signed = await signer(options).sign(httpRequest(spec), { signingDate: options.date ?? T0 });
  return { method: signed.method, path: signed.path + wireQuery(signed.query as Record<string, string>), headers: signed.headers, body: spec.body };
}

async function presign(spec: Spec, options: SignOptions & { expiresIn?: number } = {}): Promise<Wire> {
  const signed = await signer(options).presign(httpRequest(spec) as never, { signingDate: options.date ?? T0, expiresIn: options.expiresIn });
  return { method: signed.method, path: signed.path + wireQuery(signed.query as Record<string, string>), headers: signed.headers, body: spec.body };
}

async function send(wire: Wire, at: Date = T0): Promise<{ response: RawResponse; result: DataPlaneAuthResult }> {
  clock = at;
  const response = await rawRequest(port, { method: wire.method, path: wire.path, headers: wire.headers, body: wire.body });
  return { response, result: response.json() as DataPlaneAuthResult };
}

async function assertAccepted(wire: Wire, at: Date = T0, accessKeyId = ALICE.accessKeyId): Promise<Extract<DataPlaneAuthResult, { ok: true }>> {
  const { response, result } = await send(wire, at);
  assert.equal(response.status, 200, JSON.stringify(result));
  assert.ok(result.ok);
  assert.equal(result.principal.accessKeyId, accessKeyId);
  return result;
}

async function assertRejected(
  wire: Wire,
  expected: { errorType: string; gatewayResponseType: string; message: string | RegExp },
  at: Date = T0,
): Promise<void> {
  const { response, result } = await send(wire, at);
  assert.equal(response.status, 403, JSON.stringify(result));
  assert.equal(response.headers['x-amzn-errortype'], expected.errorType);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.errorType, expected.errorType);
  assert.equal(result.gatewayResponseType, expected.gatewayResponseType);
  if (typeof expected.message === 'string') assert.equal(result.message, expected.message);
  else assert.match(result.message, expected.message);
}

const invalidSignature = (message: string | RegExp) => ({ errorType: 'InvalidSignatureException', gatewayResponseType: 'INVALID_SIGNATURE', message });
const unrecognized = { errorType: 'UnrecognizedClientException', gatewayResponseType: 'INVALID_SIGNATURE', message: INVALID_TOKEN };
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

// ---------------------------------------------------------------------------------------------

describe('verifyDataPlaneRequest: requests signed by the AWS SDK', () => {
  it('accepts the Authorization header form and names the principal', async () => {
    const result = await assertAccepted(await sign({ path: '/prod/pets', query: { limit: '10' } }));
    assert.deepEqual(result.identity, {
      accessKey: 'AKIAALICEEXAMPLE',
      accountId: '111122223333',
      caller: 'AIDAALICEUNIQUEID0001',
      user: 'AIDAALICEUNIQUEID0001',
      userArn: 'arn:aws:iam::111122223333:user/engineering/alice',
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
    });
    assert.deepEqual(result.signedHeaders, ['host', 'x-amz-content-sha256', 'x-amz-date']);
    assert.equal(result.stringToSign.split('\n')[2], `20261121/${REGION}/execute-api/aws4_request`);
  });

  it("exposes the principal's policy document as configured, for the caller to evaluate", async () => {
    const result = await assertAccepted(await sign({}));
    assert.deepEqual(result.principal.policy, ALICE_POLICY);
    const direct = principals.lookup(ALICE.accessKeyId)!;
    assert.ok(Object.isFrozen(direct.policy) && Object.isFrozen(direct));
    assert.equal('secretAccessKey' in direct, false);
  });

  it('accepts a body, hashed by the signer into x-amz-content-sha256 or hashed by the verifier', async () => {
    const spec: Spec = { method: 'POST', path: '/prod/orders', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'café', n: [1, 2] }) };
    await assertAccepted(await sign(spec));
    const unhashed = await sign(spec, { applyChecksum: false });
    assert.equal(unhashed.headers['x-amz-content-sha256'], undefined);
    await assertAccepted(unhashed);
  });

  it('accepts session credentials, whose identity is the assumed-role session', async () => {
    const wire = await sign({ method: 'PUT', path: '/prod/pets/7', body: '{"name":"rex"}' }, { credentials: BOB });
    assert.equal(wire.headers['x-amz-security-token'], BOB.sessionToken);
    const result = await assertAccepted(wire, T0, BOB.accessKeyId);
    assert.equal(result.identity.caller, 'AROAREADERROLEID00001:bob-session');
    assert.equal(result.identity.user, 'AROAREADERROLEID00001:bob-session');
    assert.equal(result.identity.userArn, 'arn:aws:sts::111122223333:assumed-role/reader/bob-session');
    assert.equal(result.principal.policy, null);
  });

  it('accepts the presigned query form, with and without a session token, and with a body', async () => {
    const plain = await presign({ path: '/prod/reports/q3', query: { format: 'csv' } }, { expiresIn: 900 });
    assert.equal(plain.headers.authorization, undefined);
    assert.match(plain.path, /X-Amz-Expires=900/);
    await assertAccepted(plain);
    const withToken = await presign({}, { credentials: BOB });
    assert.match(withToken.path, /X-Amz-Security-Token=/);
    await assertAccepted(withToken, T0, BOB.accessKeyId);
    await assertAccepted(await presign({ method: 'POST', path: '/prod/upload', body: 'a,b\n1,2\n' }));
  });

  it('accepts x-amz-content-sha256: UNSIGNED-PAYLOAD whatever the body', async () => {
    const wire = await sign({ method: 'POST', path: '/prod/raw', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'original' });
    await assertAccepted(wire);
    await assertAccepted({ ...wire, body: 'replaced' });
  });

  it('double-encodes the path, as AWS does for execute-api', async () => {
    const result = await assertAccepted(await sign({ path: '/prod/files/my%20report%2Bfinal.pdf' }));
    assert.equal(result.canonicalRequest.split('\n')[1], '/prod/files/my%2520report%252Bfinal.pdf');
    // A signer that encodes the path only once (as for S3) signed something else.
    await assertRejected(await sign({ path: '/prod/files/my%20report%2Bfinal.pdf' }, { uriEscapePath: false }), invalidSignature(/^The request signature we calculated/));
  });

  it('sorts repeated query keys by value', async () => {
    const result = await assertAccepted(await sign({ query: { tag: ['zeta', 'Alpha', 'beta'], a: '1' } }));
    assert.equal(result.canonicalRequest.split('\n')[2], 'a=1&tag=Alpha&tag=beta&tag=zeta');
  });

  it('trims header values and collapses inner whitespace', async () => {
    const wire = await sign({ headers: { 'x-note': 'a b c' } });
    await assertAccepted({ ...wire, headers: { ...wire.headers, 'x-note': '   a    b \t c  ' } });
  });

  it('joins a signed header sent on several lines with ","', async () => {
    const wire = await sign({ headers: { 'x-multi': 'one,two' } });
    // Two header lines on the wire; the server sees both in rawHeaders.
    const headers = { ...wire.headers, 'x-multi': ['one', ' two'] } as unknown as Record<string, string>;
    const result = await assertAccepted({ ...wire, headers });
    assert.match(result.canonicalRequest, /\nx-multi:one,two\n/);
  });
});

describe('verifyDataPlaneRequest: rejections, with the answers AWS gives for execute-api', () => {
  it('answers Missing Authentication Token to an unsigned request', async () => {
    await assertRejected(
      { method: 'GET', path: '/prod/pets', headers: { host: `127.0.0.1:${port}` } },
      { errorType: 'MissingAuthenticationTokenException', gatewayResponseType: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' },
    );
  });

  it('rejects a replay outside the five-minute window, and a request from the future', async () => {
    const wire = await sign({});
    await assertAccepted(wire, at(300));
    await assertRejected(wire, invalidSignature('Signature expired: 20261121T102000Z is now earlier than 20261121T102001Z (20261121T102501Z - 5 min.)'), at(301));
    await assertRejected(
      wire,
      invalidSignature('Signature not yet current: 20261121T102000Z is still later than 20261121T101959Z (20261121T101459Z + 5 min.)'),
      at(-301),
    );
  });

  it('rejects a credential scoped to another region or service', async () => {
    await assertRejected(await sign({}, { region: 'us-west-2' }), invalidSignature("Credential should be scoped to a valid region, not 'us-west-2'. "));
    await assertRejected(await sign({}, { service: 'apigateway' }), invalidSignature("Credential should be scoped to correct service: 'execute-api'. "));
    await assertRejected(
      await sign({}, { region: 'us-east-1', service: 'lambda' }),
      invalidSignature("Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'execute-api'. "),
    );
  });

  it('rejects a tampered body, explaining the canonical request and string to sign it expected', async () => {
    const body = '{"amount":100}';
    const forged = '{"amount":900}';
    const wire = await sign({ method: 'POST', path: '/prod/transfer', headers: { 'content-type': 'application/json' }, body }, { applyChecksum: false });
    const canonical = [
      'POST',
      '/prod/transfer',
      '',
      `content-length:14\ncontent-type:application/json\nhost:127.0.0.1:${port}\nx-amz-date:20261121T102000Z\n`,
      'content-length;content-type;host;x-amz-date',
      sha256(forged),
    ].join('\n');
    const stringToSign = `AWS4-HMAC-SHA256\n20261121T102000Z\n20261121/${REGION}/execute-api/aws4_request\n${sha256(canonical)}`;
    await assertRejected(
      { ...wire, body: forged },
      invalidSignature(
        `${MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
      ),
    );
    // With the digest declared in x-amz-content-sha256, the body is checked against it.
    const hashed = await sign({ method: 'POST', path: '/prod/transfer', body });
    await assertRejected({ ...hashed, body: forged }, invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed."));
  });

  it('rejects a tampered signed header, path, query or method; an unsigned header does not matter', async () => {
    const wire = await sign({ path: '/prod/accounts/1', query: { view: 'full' }, headers: { 'x-api-version': '1' } });
    await assertRejected({ ...wire, headers: { ...wire.headers, 'x-api-version': '2' } }, invalidSignature(/^The request signature we calculated/));
    await assertRejected({ ...wire, path: wire.path.replace('/accounts/1', '/accounts/2') }, invalidSignature(/^The request signature we calculated/));
    await assertRejected({ ...wire, path: wire.path.replace('view=full', 'view=all') }, invalidSignature(/^The request signature we calculated/));
    await assertRejected({ ...wire, method: 'DELETE' }, invalidSignature(/\n'DELETE\n\/prod\/accounts\/1\n/));
    await assertAccepted({ ...wire, headers: { ...wire.headers, 'user-agent': 'other' } });
  });

  it('rejects the wrong secret and an unknown access key', async () => {
    await assertRejected(await sign({}, { credentials: { ...ALICE, secretAccessKey: 'guessed' } }), invalidSignature(/^The request signature we calculated/));
    await assertRejected(await sign({}, { credentials: { accessKeyId: 'AKIANOBODYEXAMPLE', secretAccessKey: 'x' } }), unrecognized);
    await assertRejected(await presign({}, { credentials: { accessKeyId: 'AKIANOBODYEXAMPLE', secretAccessKey: 'x' } }), unrecognized);
  });

  it('rejects a wrong or missing session token, and a token for a key that has none', async () => {
    await assertRejected(await sign({}, { credentials: { ...BOB, sessionToken: 'stolen-elsewhere' } }), unrecognized);
    const wire = await sign({}, { credentials: BOB });
    const { 'x-amz-security-token': _dropped, ...withoutToken } = wire.headers;
    await assertRejected({ ...wire, headers: withoutToken }, unrecognized);
    await assertRejected(await sign({}, { credentials: { ...ALICE, sessionToken: 'invented' } }), unrecognized);
    const presigned = await presign({}, { credentials: BOB });
    await assertRejected({ ...presigned, path: presigned.path.replace(/X-Amz-Security-Token=[^&]*/, 'X-Amz-Security-Token=other') }, unrecognized);
  });

  it('rejects temporary credentials once they have expired', async () => {
    const wire = await sign({}, { credentials: CAROL, date: at(59) });
    await assertAccepted(wire, at(59), CAROL.accessKeyId);
    await assertRejected(
      wire,
      { errorType: 'ExpiredTokenException', gatewayResponseType: 'EXPIRED_TOKEN', message: 'The security token included in the request is expired' },
      at(60),
    );
  });

  it('rejects an expired presigned URL, and one valid for more than a week', async () => {
    const wire = await presign({}, { expiresIn: 60 });
    await assertAccepted(wire, at(60));
    await assertRejected(wire, invalidSignature('Signature expired: 20261121T102000Z is now earlier than 20261121T102001Z (20261121T102101Z - 60 sec.)'), at(61));
    const week = await presign({}, { expiresIn: 604800 });
    await assertAccepted(week, at(604800));
    await assertRejected(
      { ...week, path: week.path.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801') },
      { errorType: 'IncompleteSignatureException', gatewayResponseType: 'INVALID_SIGNATURE', message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800' },
    );
  });

  it('rejects an incomplete Authorization header', async () => {
    const wire = await sign({});
    const authorization = wire.headers.authorization!.replace(/, Signature=[0-9a-f]+/, '');
    await assertRejected(
      { ...wire, headers: { ...wire.headers, authorization } },
      {
        errorType: 'IncompleteSignatureException',
        gatewayResponseType: 'INVALID_SIGNATURE',
        message: `Authorization header requires 'Signature' parameter. Authorization=${authorization}`,
      },
    );
  });
});

describe('verifyDataPlaneRequest: bounds and failures of its own', () => {
  const direct = (req: Partial<SignedRequest>): DataPlaneAuthResult =>
    verifyDataPlaneRequest({ method: 'GET', url: '/prod/pets', headers: { host: 'h' }, ...req }, { principals, region: REGION, now: () => T0 });

  it('refuses oversized Authorization headers and query strings before parsing them', async () => {
    const wire = await sign({});
    const long = `${wire.headers.authorization}, ${'x'.repeat(MAX_AUTHORIZATION_LENGTH)}`;
    const tooLong = direct({ headers: { ...wire.headers, authorization: long } });
    assert.equal(tooLong.ok || tooLong.message, MISMATCH);
    const many = await sign({ query: Object.fromEntries(Array.from({ length: MAX_QUERY_PARAMS + 1 }, (_, i) => [`p${i}`, '1'])) });
    const tooMany = direct({ url: many.path, headers: many.headers });
    assert.equal(tooMany.ok || tooMany.message, MISMATCH);
    // The same request with the limit's worth of parameters is fine.
    const enough = await sign({ query: Object.fromEntries(Array.from({ length: MAX_QUERY_PARAMS - 1 }, (_, i) => [`p${i}`, '1'])) });
    assert.equal(direct({ url: enough.path, headers: enough.headers }).ok, true);
  });

  it("passes the principal directory's own failures through instead of answering 403", async () => {
    const wire = await sign({});
    assert.throws(
      () =>
        verifyDataPlaneRequest(
          { method: wire.method, url: wire.path, headers: wire.headers },
          {
            region: REGION,
            now: () => T0,
            principals: {
              credential: () => {
                throw new Error('directory offline');
              },
              lookup: () => undefined,
            },
          },
        ),
      /directory offline/,
    );
  });

  it('shapes access denied as AWS does, masking account ids', () => {
    const alice = principals.lookup(ALICE.accessKeyId)!;
    const arn = 'arn:aws:execute-api:eu-west-1:111122223333:a1b2c3d4e5/prod/DELETE/pets/7';
    assert.deepEqual(accessDenied(alice, arn), {
      ok: false,
      status: 403,
      errorType: 'AccessDeniedException',
      gatewayResponseType: 'ACCESS_DENIED',
      message:
        'User: arn:aws:iam::********3333:user/engineering/alice is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:********3333:a1b2c3d4e5/prod/DELETE/pets/7',
    });
    assert.match(accessDenied(alice, arn, { explicitDeny: true }).message, /pets\/7 with an explicit deny$/);
  });

  it('uses the signing key AWS derives (HMAC chain over date, region, service, aws4_request)', async () => {
    // An independent signature over the string to sign the verifier reports must equal the
    // one the SDK sent, so a verifier that accepted without checking would be caught here.
    const wire = await sign({ path: '/prod/check' });
    const result = await assertAccepted(wire);
    let key: Buffer | string = `AWS4${ALICE.secretAccessKey}`;
    for (const part of ['20261121', REGION, 'execute-api', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    const signature = createHmac('sha256', key).update(result.stringToSign).digest('hex');
    assert.equal(/Signature=([0-9a-f]{64})/.exec(wire.headers.authorization!)![1], signature);
  });
});
