/**
 * AWS_IAM methods through a real Portico started with IAM principals: requests are signed with
 * the AWS SDK's own SigV4 signer (@smithy/signature-v4), in the Authorization header and as
 * presigned URLs, with and without session tokens and bodies, and go through the listener to a
 * MOCK integration that prints `$context.identity` and a Lambda proxy function that echoes its
 * event. Refusals are checked for AWS's status, x-amzn-ErrorType and message; the identity
 * policy is combined with the API's resource policy as the developer guide's tables say.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { APIGatewayClient, GetResourcesCommand, TestInvokeMethodCommand } from '@aws-sdk/client-api-gateway';
import { Portico } from '../../src/portico.js';
import { IamPrincipals } from '../../src/auth/iam-principals.js';
import { SIGNATURE_MISMATCH } from '../../src/auth/sigv4.js';
import { rawRequest, tempDir, writeHandler, type RawResponse } from '../helpers.js';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const REGION = 'us-east-1';

interface Key {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  arn: string;
}

const key = (accessKeyId: string, arn: string, sessionToken?: string): Key => ({
  accessKeyId,
  secretAccessKey: `${accessKeyId.toLowerCase()}-secret`,
  arn,
  ...(sessionToken ? { sessionToken } : {}),
});

/** Allowed everything on stage dev, explicitly denied GET /forbidden. */
const ALICE = key('AKIAALICE0000001', `arn:aws:iam::${ACCOUNT}:user/team/alice`);
/** Temporary credentials of an assumed role, allowed everything. */
const BOB = key('ASIABOB000000001', `arn:aws:sts::${ACCOUNT}:assumed-role/reader/bob`, 'bob-session-token');
/** No identity policy at all. */
const CAROL = key('AKIACAROL0000001', `arn:aws:iam::${ACCOUNT}:user/carol`);
/** Allowed GET /whoami from loopback, and GET /private only from 10.0.0.0/8. */
const ERIN = key('AKIAERIN00000001', `arn:aws:iam::${ACCOUNT}:user/erin`);
/** Temporary credentials that expired long ago. */
const EXPIRED = key('ASIAEXPIRED00001', `arn:aws:sts::${ACCOUNT}:assumed-role/reader/old`, 'old-session-token');
/** Another account, allowed everything by its own policy. */
const MALLORY = key('AKIAMALLORY00001', `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`);
/** Another account, no identity policy. */
const DAVE = key('AKIADAVE00000001', `arn:aws:iam::${OTHER_ACCOUNT}:user/dave`);

const invokeAll = (account: string): object => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `arn:aws:execute-api:${REGION}:${account}:*` }],
});

const PRINCIPALS = {
  principals: [
    {
      ...ALICE,
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'execute-api:*', Resource: `arn:aws:execute-api:${REGION}:${ACCOUNT}:*/dev/*` },
          { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `arn:aws:execute-api:${REGION}:${ACCOUNT}:*/dev/GET/forbidden` },
        ],
      },
    },
    { ...BOB, policy: invokeAll(ACCOUNT) },
    CAROL,
    {
      ...ERIN,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: `arn:aws:execute-api:${REGION}:${ACCOUNT}:*/dev/GET/whoami`,
            Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' }, StringEquals: { 'aws:username': 'erin' } },
          },
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: `arn:aws:execute-api:${REGION}:${ACCOUNT}:*/dev/GET/private`,
            Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          },
        ],
      },
    },
    { ...EXPIRED, expiration: '2020-01-01T00:00:00Z', policy: invokeAll(ACCOUNT) },
    { ...MALLORY, policy: invokeAll(ACCOUNT) },
    DAVE,
  ],
};

const IDENTITY_TEMPLATE =
  '{"accessKey":"$context.identity.accessKey","accountId":"$context.identity.accountId","caller":"$context.identity.caller",' +
  '"user":"$context.identity.user","userArn":"$context.identity.userArn","cognitoIdentityId":"$context.identity.cognitoIdentityId"}';

const SIGV4 = { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } };

const mock = (): object => ({
  security: [{ sigv4: [] }],
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200', responseTemplates: { 'application/json': IDENTITY_TEMPLATE } } },
  },
});

const proxy = (): object => ({
  security: [{ sigv4: [] }],
  responses: {},
  'x-amazon-apigateway-integration': {
    type: 'aws_proxy',
    httpMethod: 'POST',
    uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:iam-echo/invocations`,
  },
});

const statement = (effect: 'Allow' | 'Deny', principal: unknown, resource: string): object => ({
  Effect: effect,
  Principal: principal,
  Action: 'execute-api:Invoke',
  Resource: resource,
});

const signer = (k: Key, region = REGION, service = 'execute-api', applyChecksum = true): SignatureV4 =>
  new SignatureV4({
    service,
    region,
    credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, ...(k.sessionToken ? { sessionToken: k.sessionToken } : {}) },
    sha256: Sha256,
    applyChecksum,
  });

interface Call {
  method?: string;
  body?: string;
  region?: string;
  service?: string;
  signingDate?: Date;
  /** Sign without x-amz-content-sha256, so the payload hash is only inside the signature. */
  noChecksum?: boolean;
}

const MINUTE = 60_000;

describe('AWS_IAM methods', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;
  /** No resource policy. */
  let plain: string;
  /** A resource policy granting carol, mallory and dave, and denying GET /blocked to everyone. */
  let guarded: string;

  before(async () => {
    dir = await tempDir('portico-iam-');
    portico = await Portico.start({
      port: 0,
      dataDir: dir.path,
      account: { accountId: ACCOUNT, region: REGION },
      iamPrincipals: IamPrincipals.fromConfig(PRINCIPALS),
    });
    const code = await writeHandler(
      dir.path,
      'iam-echo',
      'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ identity: event.requestContext.identity, body: event.body, authorizer: event.requestContext.authorizer ?? null }) });',
    );
    await portico.putFunction({ functionName: 'iam-echo', runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory: code, timeout: 10, memorySize: 128, environment: {} });
    const paths = {
      '/whoami': { get: mock() },
      '/forbidden': { get: mock() },
      '/private': { get: mock() },
      '/blocked': { get: mock() },
      '/echo': { get: proxy(), post: proxy() },
    };
    plain = (await portico.deployOpenApi({ openapi: '3.0.1', info: { title: 'iam', version: '1' }, components: { securitySchemes: SIGV4 }, paths }, { stageName: 'dev' })).api.id;
    guarded = (
      await portico.deployOpenApi(
        {
          openapi: '3.0.1',
          info: { title: 'iam-guarded', version: '1' },
          'x-amazon-apigateway-policy': {
            Version: '2012-10-17',
            Statement: [
              // Full ARNs: deployOpenApi's import expands execute-api:/ for the default account.
              statement('Allow', { AWS: [CAROL.arn, MALLORY.arn, DAVE.arn] }, `arn:aws:execute-api:${REGION}:${ACCOUNT}:*`),
              statement('Deny', '*', `arn:aws:execute-api:${REGION}:${ACCOUNT}:*/dev/GET/blocked`),
            ],
          },
          components: { securitySchemes: SIGV4 },
          paths,
        },
        { stageName: 'dev' },
      )
    ).api.id;
  });

  after(async () => {
    await portico?.close();
    await dir?.remove();
  });

  const pathOf = (api: string, resource: string): string => `/_aws/execute-api/${api}/dev/${resource}`;
  const host = (): string => `127.0.0.1:${portico.port}`;

  /** A request signed in the Authorization header, sent as signed. */
  const signedCall = async (k: Key, api: string, resource: string, c: Call = {}): Promise<RawResponse> => {
    const method = c.method ?? (c.body === undefined ? 'GET' : 'POST');
    const headers: Record<string, string> = { host: host() };
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const signed = await signer(k, c.region, c.service, !c.noChecksum).sign(
      { method, protocol: 'http:', hostname: '127.0.0.1', port: portico.port, path: pathOf(api, resource), query: {}, headers, body: c.body },
      c.signingDate ? { signingDate: c.signingDate } : {},
    );
    return rawRequest(portico.port, { method, path: pathOf(api, resource), headers: signed.headers as Record<string, string>, body: c.body });
  };

  /** A presigned URL, fetched. */
  const presignedCall = async (k: Key, api: string, resource: string, c: { signingDate?: Date; expiresIn?: number } = {}): Promise<RawResponse> => {
    const url = await signer(k).presign(
      { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: portico.port, path: pathOf(api, resource), query: {}, headers: { host: host() } },
      { expiresIn: c.expiresIn ?? 300, ...(c.signingDate ? { signingDate: c.signingDate } : {}) },
    );
    const query = Object.entries(url.query ?? {})
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
      .join('&');
    return rawRequest(portico.port, { path: `${pathOf(api, resource)}?${query}`, headers: { host: host() } });
  };

  const expectIdentity = (res: RawResponse, k: Key, principalId: RegExp): void => {
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    assert.equal(body.accessKey, k.accessKeyId);
    assert.equal(body.accountId, k.arn.split(':')[4]);
    assert.equal(body.userArn, k.arn);
    assert.match(body.caller, principalId);
    assert.equal(body.user, body.caller);
    assert.equal(body.cognitoIdentityId, '');
  };

  const expectRefused = (res: RawResponse, errorType: string, message: string | RegExp, why: string): void => {
    assert.equal(res.status, 403, `${why}: ${res.text}`);
    assert.equal(res.headers['x-amzn-errortype'], errorType, why);
    assert.equal(res.headers['content-type'], 'application/json', why);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['message'], why);
    if (typeof message === 'string') assert.equal(body.message, message, why);
    else assert.match(body.message, message, why);
  };

  /** ACCESS_DENIED as AWS sends it: {"Message":…}, account ids masked to their last four digits. */
  const expectDenied = (res: RawResponse, caller: Key, api: string, resource: string, explicit: boolean, why: string): void => {
    assert.equal(res.status, 403, `${why}: ${res.text}`);
    assert.equal(res.headers['x-amzn-errortype'], 'AccessDeniedException', why);
    const mask = (arn: string): string => arn.replace(/^(arn:[^:]*:[^:]*:[^:]*:)\d{8}(\d{4})/, '$1********$2');
    const resourceArn = mask(`arn:aws:execute-api:${REGION}:${ACCOUNT}:${api}/dev/GET/${resource}`);
    const expected = `User: ${mask(caller.arn)} is not authorized to perform: execute-api:Invoke on resource: ${resourceArn}${explicit ? ' with an explicit deny' : ''}`;
    assert.deepEqual(res.json(), { Message: expected }, why);
  };

  // --- Signed requests that are let through -------------------------------------------------

  it('admits a request signed in the Authorization header and fills $context.identity', async () => {
    expectIdentity(await signedCall(ALICE, plain, 'whoami'), ALICE, /^AIDA[A-Z2-7]{17}$/);
  });

  it('admits temporary credentials with their session token; the caller is the role id and session name', async () => {
    expectIdentity(await signedCall(BOB, plain, 'whoami'), BOB, /^AROA[A-Z2-7]{17}:bob$/);
  });

  it('admits presigned URLs, with and without a session token', async () => {
    expectIdentity(await presignedCall(ALICE, plain, 'whoami'), ALICE, /^AIDA/);
    expectIdentity(await presignedCall(BOB, plain, 'whoami'), BOB, /^AROA.*:bob$/);
  });

  it('verifies a signed body and still hands the same body to the integration, with the identity in the proxy event', async () => {
    const body = JSON.stringify({ pet: 'Rex', tags: ['a', 'b'], note: 'é ✓' });
    for (const noChecksum of [false, true]) {
      const res = await signedCall(ALICE, plain, 'echo', { body, noChecksum });
      assert.equal(res.status, 200, res.text);
      const echoed = res.json();
      assert.equal(echoed.body, body);
      assert.equal(echoed.identity.accessKey, ALICE.accessKeyId);
      assert.equal(echoed.identity.accountId, ACCOUNT);
      assert.equal(echoed.identity.userArn, ALICE.arn);
      assert.match(echoed.identity.caller, /^AIDA/);
      assert.equal(echoed.identity.user, echoed.identity.caller);
      assert.equal(echoed.identity.sourceIp, '127.0.0.1');
      assert.equal(echoed.identity.cognitoIdentityId, null);
      // IAM callers carry no $context.authorizer.
      assert.equal(echoed.authorizer, null);
    }
  });

  // --- Signature failures -------------------------------------------------------------------

  it('answers an unsigned request 403 Missing Authentication Token', async () => {
    const res = await rawRequest(portico.port, { path: pathOf(plain, 'whoami') });
    expectRefused(res, 'MissingAuthenticationTokenException', 'Missing Authentication Token', 'unsigned');
    const post = await rawRequest(portico.port, { method: 'POST', path: pathOf(plain, 'echo'), headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expectRefused(post, 'MissingAuthenticationTokenException', 'Missing Authentication Token', 'unsigned with a body');
  });

  it("answers a wrong secret 403 InvalidSignatureException with AWS's message and the canonical request", async () => {
    const res = await signedCall({ ...ALICE, secretAccessKey: 'not-the-secret' }, plain, 'whoami');
    expectRefused(res, 'InvalidSignatureException', /^The request signature we calculated does not match/, 'wrong secret');
    const message: string = res.json().message;
    assert.ok(message.startsWith(`${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'GET\n${pathOf(plain, 'whoami')}\n`), message);
    assert.match(message, /\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/execute-api\/aws4_request\n[0-9a-f]{64}'\n$/);
  });

  it('refuses signatures outside the five-minute window, and expired presigned URLs', async () => {
    const old = new Date(Date.now() - 10 * MINUTE);
    expectRefused(await signedCall(ALICE, plain, 'whoami', { signingDate: old }), 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/, 'old');
    const future = new Date(Date.now() + 10 * MINUTE);
    expectRefused(
      await signedCall(ALICE, plain, 'whoami', { signingDate: future }),
      'InvalidSignatureException',
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
      'future',
    );
    expectRefused(
      await presignedCall(ALICE, plain, 'whoami', { signingDate: old, expiresIn: 60 }),
      'InvalidSignatureException',
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 60 sec\.\)$/,
      'expired presigned URL',
    );
    // A presigned URL lives for its X-Amz-Expires, past the five minutes of a header signature.
    expectIdentity(await presignedCall(ALICE, plain, 'whoami', { signingDate: old, expiresIn: 3600 }), ALICE, /^AIDA/);
  });

  it('refuses a signature scoped to another region or service', async () => {
    expectRefused(
      await signedCall(ALICE, plain, 'whoami', { region: 'eu-west-1' }),
      'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'eu-west-1'. ",
      'region',
    );
    expectRefused(
      await signedCall(ALICE, plain, 'whoami', { service: 'apigateway' }),
      'InvalidSignatureException',
      "Credential should be scoped to correct service: 'execute-api'. ",
      'service',
    );
  });

  it('refuses a body changed after signing', async () => {
    const signedBody = '{"amount":1}';
    const method = 'POST';
    const path = pathOf(plain, 'echo');
    for (const noChecksum of [false, true]) {
      const signed = await signer(ALICE, REGION, 'execute-api', !noChecksum).sign({
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: portico.port,
        path,
        query: {},
        headers: { host: host(), 'content-type': 'application/json' },
        body: signedBody,
      });
      const res = await rawRequest(portico.port, { method, path, headers: signed.headers as Record<string, string>, body: '{"amount":9}' });
      if (noChecksum) expectRefused(res, 'InvalidSignatureException', /^The request signature we calculated does not match/, 'payload hash in the signature only');
      else expectRefused(res, 'InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.", 'declared payload hash');
    }
  });

  it('refuses unknown keys, and session tokens missing or not issued, as UnrecognizedClientException', async () => {
    const invalid = 'The security token included in the request is invalid.';
    const unknown = key('AKIANOBODY000001', `arn:aws:iam::${ACCOUNT}:user/nobody`);
    expectRefused(await signedCall(unknown, plain, 'whoami'), 'UnrecognizedClientException', invalid, 'unknown key');
    expectRefused(await signedCall({ ...BOB, sessionToken: undefined }, plain, 'whoami'), 'UnrecognizedClientException', invalid, 'no session token');
    expectRefused(await signedCall({ ...BOB, sessionToken: 'another-token' }, plain, 'whoami'), 'UnrecognizedClientException', invalid, 'wrong session token');
    expectRefused(await signedCall({ ...ALICE, sessionToken: 'made-up' }, plain, 'whoami'), 'UnrecognizedClientException', invalid, 'token on long-term key');
  });

  it('answers expired temporary credentials 403 ExpiredTokenException', async () => {
    expectRefused(await signedCall(EXPIRED, plain, 'whoami'), 'ExpiredTokenException', 'The security token included in the request is expired', 'expired');
  });

  // --- Identity policies --------------------------------------------------------------------

  it("refuses what the caller's identity policy explicitly denies", async () => {
    expectDenied(await signedCall(ALICE, plain, 'forbidden'), ALICE, plain, 'forbidden', true, 'explicit deny');
    // The same method for a caller whose policy allows it.
    expectIdentity(await signedCall(BOB, plain, 'forbidden'), BOB, /^AROA/);
  });

  it('refuses a caller whose identity policy allows nothing here, and evaluates its conditions', async () => {
    expectDenied(await signedCall(CAROL, plain, 'whoami'), CAROL, plain, 'whoami', false, 'no identity policy');
    // erin's Allow for /whoami holds from loopback and for the user erin; the one for /private needs 10.0.0.0/8.
    expectIdentity(await signedCall(ERIN, plain, 'whoami'), ERIN, /^AIDA/);
    expectDenied(await signedCall(ERIN, plain, 'private'), ERIN, plain, 'private', false, 'condition not met');
  });

  // --- Identity policy with the resource policy (tables A and B) ------------------------------

  it('same account: the resource policy alone or the identity policy alone suffices', async () => {
    // carol has no identity policy; the resource policy grants her.
    expectIdentity(await signedCall(CAROL, guarded, 'whoami'), CAROL, /^AIDA/);
    // alice is not named by the resource policy; her identity policy grants her.
    expectIdentity(await signedCall(ALICE, guarded, 'whoami'), ALICE, /^AIDA/);
  });

  it("an explicit Deny wins, whether it is the resource policy's or the identity policy's", async () => {
    expectDenied(await signedCall(ALICE, guarded, 'blocked'), ALICE, guarded, 'blocked', true, 'resource policy deny');
    // carol is granted by the resource policy everywhere but /blocked.
    assert.equal((await signedCall(CAROL, guarded, 'blocked')).status, 403);
    // alice's own Deny holds though the resource policy does not name her.
    expectDenied(await signedCall(ALICE, guarded, 'forbidden'), ALICE, guarded, 'forbidden', true, 'identity deny under a resource policy');
  });

  it('another account: both the identity policy and the resource policy must allow', async () => {
    // mallory: both allow.
    expectIdentity(await signedCall(MALLORY, guarded, 'whoami'), MALLORY, /^AIDA/);
    // dave: the resource policy allows, his account's side does not.
    const dave = await signedCall(DAVE, guarded, 'whoami');
    assert.equal(dave.status, 403, dave.text);
    assert.equal(dave.headers['x-amzn-errortype'], 'AccessDeniedException');
    assert.match(dave.json().Message, /^User: arn:aws:iam::.*:user\/dave is not authorized to perform: execute-api:Invoke on resource: .*\/dev\/GET\/whoami$/);
    // mallory on an API without a resource policy: nothing on the API's side grants her.
    expectDenied(await signedCall(MALLORY, plain, 'whoami'), MALLORY, plain, 'whoami', false, 'cross-account without a resource policy');
  });

  it('TestInvokeMethod still bypasses IAM authorization, as on AWS', async () => {
    const client = new APIGatewayClient({
      endpoint: `http://127.0.0.1:${portico.port}`,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const resources = await client.send(new GetResourcesCommand({ restApiId: plain }));
      const forbidden = resources.items?.find((r) => r.path === '/forbidden');
      assert.ok(forbidden?.id);
      const out = await client.send(new TestInvokeMethodCommand({ restApiId: plain, resourceId: forbidden.id, httpMethod: 'GET' }));
      assert.equal(out.status, 200, out.body);
    } finally {
      client.destroy();
    }
  });
});
