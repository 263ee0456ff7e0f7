/**
 * Methods protected by an authorizer (CUSTOM Lambda authorizers, COGNITO_USER_POOLS) or by IAM
 * (AWS_IAM) refuse callers they cannot authenticate (no Lambda function, no user pool keys, no
 * IAM principals configured): the request is answered as AWS answers an unauthenticated caller
 * and never reaches the integration. The authorizer step runs before the API key check. Signed
 * AWS_IAM requests are covered by iam-authorization.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TestInvokeMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { startManagement, type ManagementHarness } from '../management/harness.js';
import { lambdaUri, listen, rawRequest, type RawResponse } from '../helpers.js';

describe('methods with an authorizer or IAM authorization', () => {
  let h: ManagementHarness;
  let backend: Awaited<ReturnType<typeof listen>>;
  /** Requests that reached the backend, by path. */
  const reached: string[] = [];
  let api: string;
  let keyValue: string;
  /** resource path (no leading slash) → resource id */
  const resourceIds: Record<string, string> = {};

  before(async () => {
    h = await startManagement();
    backend = await listen((req, res) => {
      reached.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"reached":true}');
    });
    const created = await h.v1.send(new CreateRestApiCommand({ name: 'fail-closed' }));
    api = created.id!;
    const token = await h.v1.send(
      new CreateAuthorizerCommand({ restApiId: api, name: 'token', type: 'TOKEN', authorizerUri: lambdaUri('nobody'), identitySource: 'method.request.header.Authorization' }),
    );
    const cognito = await h.v1.send(
      new CreateAuthorizerCommand({
        restApiId: api,
        name: 'pool',
        type: 'COGNITO_USER_POOLS',
        providerARNs: ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abcdefghi'],
        identitySource: 'method.request.header.Authorization',
      }),
    );
    const methods = [
      { path: 'custom', authorizationType: 'CUSTOM', authorizerId: token.id, apiKeyRequired: false },
      { path: 'cognito', authorizationType: 'COGNITO_USER_POOLS', authorizerId: cognito.id, apiKeyRequired: false },
      { path: 'iam', authorizationType: 'AWS_IAM', apiKeyRequired: false },
      { path: 'custom-keyed', authorizationType: 'CUSTOM', authorizerId: token.id, apiKeyRequired: true },
      { path: 'iam-keyed', authorizationType: 'AWS_IAM', apiKeyRequired: true },
      { path: 'open', authorizationType: 'NONE', apiKeyRequired: false },
    ];
    for (const { path, ...method } of methods) {
      const resource = await h.v1.send(new CreateResourceCommand({ restApiId: api, parentId: created.rootResourceId, pathPart: path }));
      resourceIds[path] = resource.id!;
      const at = { restApiId: api, resourceId: resource.id, httpMethod: 'GET' };
      await h.v1.send(new PutMethodCommand({ ...at, ...method }));
      await h.v1.send(new PutIntegrationCommand({ ...at, type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `http://127.0.0.1:${backend.port}/${path}` }));
    }
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'dev' }));
    const key = await h.v1.send(new CreateApiKeyCommand({ name: 'fail-closed', enabled: true }));
    keyValue = key.value!;
    const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'fail-closed', apiStages: [{ apiId: api, stage: 'dev' }] }));
    await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
  });
  after(async () => {
    await backend?.close();
    await h?.close();
  });

  const call = (path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    rawRequest(h.portico.port, { path: `/_aws/execute-api/${api}/dev/${path}`, headers });

  const SIGNED = {
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000',
    'x-amz-date': '20240101T000000Z',
  };

  const expectUnauthorized = (res: RawResponse, why: string): void => {
    assert.equal(res.status, 401, `${why}: ${res.text}`);
    assert.deepEqual(res.json(), { message: 'Unauthorized' }, why);
    assert.equal(res.headers['x-amzn-errortype'], 'UnauthorizedException', why);
  };

  const expectMissingToken = (res: RawResponse, why: string): void => {
    assert.equal(res.status, 403, `${why}: ${res.text}`);
    assert.deepEqual(res.json(), { message: 'Missing Authentication Token' }, why);
    assert.equal(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException', why);
  };

  it('answers CUSTOM methods 401 Unauthorized without a token, and 500 when the authorizer function does not exist', async () => {
    expectUnauthorized(await call('custom'), 'no token');
    // Lambda authorizers are wired: the token is read, but there is no function `nobody` to call.
    const res = await call('custom', { authorization: 'Bearer allow' });
    assert.equal(res.status, 500, res.text);
    assert.equal(res.headers['x-amzn-errortype'], 'AuthorizerConfigurationException');
  });

  it('answers COGNITO_USER_POOLS methods 401 Unauthorized, with or without a token', async () => {
    expectUnauthorized(await call('cognito'), 'no token');
    expectUnauthorized(await call('cognito', { authorization: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }), 'an unverified JWT');
  });

  it('answers AWS_IAM methods 403 Missing Authentication Token unsigned, and InvalidSignatureException for a stale signature', async () => {
    expectMissingToken(await call('iam'), 'unsigned');
    const stale = await call('iam', SIGNED);
    assert.equal(stale.status, 403, stale.text);
    assert.equal(stale.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.match(stale.json().message, /^Signature expired: 20240101T000000Z is now earlier than /);
  });

  it('runs the authorizer step before the API key check', async () => {
    expectUnauthorized(await call('custom-keyed', { 'x-api-key': keyValue }), 'CUSTOM with a valid key');
    expectUnauthorized(await call('custom-keyed'), 'CUSTOM without a key');
    expectMissingToken(await call('iam-keyed', { 'x-api-key': keyValue }), 'AWS_IAM with a valid key');
  });

  it('lets none of those requests reach the integration, while an open method does', async () => {
    reached.length = 0;
    for (const path of ['custom', 'cognito', 'iam', 'custom-keyed', 'iam-keyed']) {
      await call(path, { ...SIGNED, 'x-api-key': keyValue });
    }
    assert.deepEqual(reached, []);
    const open = await call('open');
    assert.equal(open.status, 200);
    assert.deepEqual(reached, ['/open']);
  });

  it('still lets TestInvokeMethod run a protected method, as AWS bypasses authorization there', async () => {
    reached.length = 0;
    const out = await h.v1.send(new TestInvokeMethodCommand({ restApiId: api, resourceId: resourceIds['custom-keyed'], httpMethod: 'GET' }));
    assert.equal(out.status, 200, out.body);
    assert.deepEqual(reached, ['/custom-keyed']);
  });
});
