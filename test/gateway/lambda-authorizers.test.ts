/**
 * Lambda (CUSTOM) authorizers on the data plane, driven as a user drives them: functions in
 * Node and Python created through the Lambda API and run by Portico's function runtime, a REST
 * API with TOKEN and REQUEST authorizers built with the AWS SDK, then real HTTP requests to the
 * deployed stage. Every function appends the event it received to a file, which is how the
 * tests count invocations (caching) and see the events AWS documents.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  FlushStageAuthorizersCacheCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startManagement, type ManagementHarness } from '../management/harness.js';
import { lambdaUri, rawRequest, tempDir, type RawResponse } from '../helpers.js';
import { buildZip, handlerZip } from '../fixtures/lambda-api/zips.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const ACCOUNT = '000000000000';

/** A TOKEN authorizer: the token `verb:user[:key]` picks the answer. */
const NODE_TOKEN_AUTHORIZER = `
import { appendFileSync } from 'node:fs';
const policy = (effect, resource) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] });
export const handler = async (event) => {
  appendFileSync(process.env.SEEN_FILE, JSON.stringify(event) + '\\n');
  const [verb, user = 'anon', key] = event.authorizationToken.split(':');
  const apiWide = event.methodArn.split('/')[0] + '/*';
  switch (verb) {
    case 'allow': return { principalId: user, policyDocument: policy('Allow', apiWide), context: { tier: 'gold', n: 7, ok: true }, ...(key ? { usageIdentifierKey: key } : {}) };
    case 'only-this': return { principalId: user, policyDocument: policy('Allow', event.methodArn) };
    case 'deny': return { principalId: user, policyDocument: policy('Deny', apiWide) };
    case 'elsewhere': return { principalId: user, policyDocument: policy('Allow', 'arn:aws:execute-api:us-east-1:${ACCOUNT}:otherapi1/*') };
    case 'unauthorized': throw new Error('Unauthorized');
    case 'crash': throw new Error('database unavailable');
    case 'nested-context': return { principalId: user, policyDocument: policy('Allow', apiWide), context: { roles: ['admin'] } };
    case 'bad-policy': return { principalId: user, policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 'execute-api:Invoke', Resource: '*' }] } };
    case 'no-principal': return { policyDocument: policy('Allow', apiWide) };
    case 'text': return 'Allow';
    default: throw new Error('unexpected token');
  }
};`;

/** A REQUEST authorizer in Python: the X-User header decides, the team query parameter is passed on. */
const PYTHON_REQUEST_AUTHORIZER = `
import json, os

def policy(effect, resource):
    return {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}

def handler(event, context):
    with open(os.environ["SEEN_FILE"], "a") as f:
        f.write(json.dumps(event) + "\\n")
    user = (event.get("headers") or {}).get("X-User", "")
    team = (event.get("queryStringParameters") or {}).get("team", "")
    if user == "nobody":
        raise Exception("Unauthorized")
    if user == "crash":
        raise ValueError("lookup failed")
    effect = "Deny" if user == "blocked" else "Allow"
    api_wide = event["methodArn"].split("/")[0] + "/*"
    return {"principalId": user or "anonymous", "policyDocument": policy(effect, api_wide), "context": {"team": team, "runtime": "python", "level": 3}}
`;

/** Never answers within its 1 second timeout. */
const NODE_SLOW_AUTHORIZER = `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  appendFileSync(process.env.SEEN_FILE, JSON.stringify(event) + '\\n');
  await new Promise((resolve) => setTimeout(resolve, 5000));
  return {};
};`;

/** The Lambda proxy integration behind an authorizer: answers what it was told of the caller. */
const NODE_ECHO = `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer ?? null) });`;

/** A MOCK response showing `$context.authorizer` and the API key the request was admitted with. */
const CONTEXT_TEMPLATE =
  '{"principalId":"$context.authorizer.principalId","tier":"$context.authorizer.tier","n":"$context.authorizer.n","ok":"$context.authorizer.ok",' +
  '"team":"$context.authorizer.team","runtime":"$context.authorizer.runtime","level":"$context.authorizer.level",' +
  '"latency":"$context.authorizer.integrationLatency","apiKeyId":"$context.identity.apiKeyId"}';

const EXPLICIT_DENY = { Message: 'User is not authorized to access this resource with an explicit deny' };
const IMPLICIT_DENY = { Message: 'User is not authorized to access this resource' };

describe('Lambda authorizers on the data plane', () => {
  let h: ManagementHarness;
  let lambda: LambdaClient;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let api: string;
  let keyedApi: string;
  let apiKey: { id: string; value: string };
  const seenFile = (fn: string): string => join(dir.path, `${fn}.jsonl`);

  /** Every event the function received so far. */
  const seen = (fn: string): Record<string, any>[] => {
    let text: string;
    try {
      text = readFileSync(seenFile(fn), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  };
  const tokenCalls = (token: string): number => seen('lz-token').filter((e) => e.authorizationToken === token).length;

  const call = (apiId: string, stage: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    rawRequest(h.portico.port, { path: `/_aws/execute-api/${apiId}/${stage}/${path}`, headers });

  async function createFunction(name: string, zip: Buffer, runtime: string, handler: string, timeout = 3): Promise<void> {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: runtime as 'nodejs20.x',
        Role: ROLE,
        Handler: handler,
        Timeout: timeout,
        Code: { ZipFile: zip },
        Environment: { Variables: { SEEN_FILE: seenFile(name) } },
      }),
    );
  }

  async function authorizer(restApiId: string, name: string, fields: { type: 'TOKEN' | 'REQUEST'; fn: string; identitySource?: string; ttl: number; expression?: string }): Promise<string> {
    const out = await h.v1.send(
      new CreateAuthorizerCommand({
        restApiId,
        name,
        type: fields.type,
        authorizerUri: lambdaUri(fields.fn),
        identitySource: fields.identitySource,
        identityValidationExpression: fields.expression,
        authorizerResultTtlInSeconds: fields.ttl,
      }),
    );
    return out.id!;
  }

  /** GET /{path} behind the authorizer: a MOCK answering CONTEXT_TEMPLATE, or a Lambda proxy to `proxyTo`. */
  async function method(restApiId: string, rootId: string, path: string, authorizerId: string, options: { proxyTo?: string; apiKeyRequired?: boolean } = {}): Promise<void> {
    const resource = await h.v1.send(new CreateResourceCommand({ restApiId, parentId: rootId, pathPart: path }));
    const at = { restApiId, resourceId: resource.id, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'CUSTOM', authorizerId, apiKeyRequired: options.apiKeyRequired ?? false }));
    if (options.proxyTo) {
      await h.v1.send(new PutIntegrationCommand({ ...at, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri(options.proxyTo) }));
      return;
    }
    await h.v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
    await h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': CONTEXT_TEMPLATE } }));
  }

  before(async () => {
    dir = await tempDir('portico-lambda-authorizers-');
    h = await startManagement();
    lambda = new LambdaClient({ endpoint: h.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await createFunction('lz-token', await handlerZip(NODE_TOKEN_AUTHORIZER), 'nodejs20.x', 'index.handler');
    await createFunction('lz-slow', await handlerZip(NODE_SLOW_AUTHORIZER), 'nodejs20.x', 'index.handler', 1);
    await createFunction('lz-echo', await handlerZip(NODE_ECHO), 'nodejs20.x', 'index.handler');
    await createFunction('lz-python', await buildZip([{ name: 'app.py', content: PYTHON_REQUEST_AUTHORIZER }]), 'python3.11', 'app.handler');

    const rest = await h.v1.send(new CreateRestApiCommand({ name: 'lambda-authorizers' }));
    api = rest.id!;
    const root = rest.rootResourceId!;
    const header = 'method.request.header.Authorization';
    const cached = await authorizer(api, 'token-cached', { type: 'TOKEN', fn: 'lz-token', identitySource: header, ttl: 300 });
    const uncached = await authorizer(api, 'token-uncached', { type: 'TOKEN', fn: 'lz-token', identitySource: header, ttl: 0 });
    const validated = await authorizer(api, 'token-validated', { type: 'TOKEN', fn: 'lz-token', identitySource: header, ttl: 0, expression: 'allow:[a-z]+' });
    const slow = await authorizer(api, 'token-slow', { type: 'TOKEN', fn: 'lz-slow', identitySource: header, ttl: 0 });
    const request = await authorizer(api, 'request-cached', {
      type: 'REQUEST',
      fn: 'lz-python',
      identitySource: 'method.request.header.X-User, method.request.querystring.team, stageVariables.zone',
      ttl: 300,
    });
    const requestUncached = await authorizer(api, 'request-uncached', { type: 'REQUEST', fn: 'lz-python', identitySource: 'method.request.header.X-User', ttl: 0 });
    await method(api, root, 'token', cached);
    await method(api, root, 'a', cached);
    await method(api, root, 'b', cached);
    await method(api, root, 'uncached', uncached);
    await method(api, root, 'validated', validated);
    await method(api, root, 'slow', slow);
    await method(api, root, 'proxy', uncached, { proxyTo: 'lz-echo' });
    await method(api, root, 'request', request);
    await method(api, root, 'request-uncached', requestUncached);
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'dev', variables: { zone: 'eu' } }));
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'bare' }));

    // An API whose keys come from the authorizer's usageIdentifierKey.
    const keyed = await h.v1.send(new CreateRestApiCommand({ name: 'authorizer-keys', apiKeySource: 'AUTHORIZER' }));
    keyedApi = keyed.id!;
    const keyedAuthorizer = await authorizer(keyedApi, 'token', { type: 'TOKEN', fn: 'lz-token', identitySource: header, ttl: 0 });
    await method(keyedApi, keyed.rootResourceId!, 'keyed', keyedAuthorizer, { apiKeyRequired: true });
    await h.v1.send(new CreateDeploymentCommand({ restApiId: keyedApi, stageName: 'dev' }));
    const key = await h.v1.send(new CreateApiKeyCommand({ name: 'from-authorizer', enabled: true }));
    apiKey = { id: key.id!, value: key.value! };
    const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'authorizer-plan', apiStages: [{ apiId: keyedApi, stage: 'dev' }] }));
    await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: apiKey.id, keyType: 'API_KEY' }));
    await h.portico.registry.settled();
    await h.portico.apiKeys.settled();
  });

  after(async () => {
    lambda?.destroy();
    await h?.close();
    await dir?.remove();
  });

  const assertStatus = (res: RawResponse, status: number, errorType: string | undefined, why: string): void => {
    assert.equal(res.status, status, `${why}: ${res.text}`);
    if (errorType) assert.equal(res.headers['x-amzn-errortype'], errorType, why);
  };
  const assertUnauthorized = (res: RawResponse, why: string): void => {
    assertStatus(res, 401, 'UnauthorizedException', why);
    assert.deepEqual(res.json(), { message: 'Unauthorized' }, why);
  };
  const assertConfigurationError = (res: RawResponse, why: string): void => {
    assertStatus(res, 500, 'AuthorizerConfigurationException', why);
    assert.deepEqual(res.json(), { message: null }, why);
  };

  it('TOKEN (Node): calls the function with the token and the method ARN, and shows principalId and context in $context', async () => {
    const res = await call(api, 'dev', 'token', { Authorization: 'allow:ann' });
    assertStatus(res, 200, undefined, 'allowed');
    const body = res.json();
    assert.deepEqual({ ...body, latency: undefined }, { principalId: 'ann', tier: 'gold', n: '7', ok: 'true', team: '', runtime: '', level: '', latency: undefined, apiKeyId: '' });
    assert.match(body.latency, /^\d+$/);
    const events = seen('lz-token').filter((e) => e.authorizationToken === 'allow:ann');
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], { type: 'TOKEN', authorizationToken: 'allow:ann', methodArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${api}/dev/GET/token` });
  });

  it('TOKEN: caches the answer by token for the TTL, and calls every time with TTL 0', async () => {
    for (let i = 0; i < 3; i++) assertStatus(await call(api, 'dev', 'token', { Authorization: 'allow:cache' }), 200, undefined, `cached call ${i}`);
    assert.equal(tokenCalls('allow:cache'), 1);
    // A cache hit calls nothing, so the authorizer's latency is 0.
    assert.equal((await call(api, 'dev', 'token', { Authorization: 'allow:cache' })).json().latency, '0');
    assertStatus(await call(api, 'dev', 'token', { Authorization: 'allow:other' }), 200, undefined, 'another token');
    assert.equal(tokenCalls('allow:other'), 1);

    for (let i = 0; i < 3; i++) assertStatus(await call(api, 'dev', 'uncached', { Authorization: 'allow:nocache' }), 200, undefined, `uncached call ${i}`);
    assert.equal(tokenCalls('allow:nocache'), 3);
  });

  it('FlushStageAuthorizersCache empties that stage\'s cached answers and no other stage\'s', async () => {
    assertStatus(await call(api, 'dev', 'token', { Authorization: 'allow:flush' }), 200, undefined, 'first call');
    assertStatus(await call(api, 'bare', 'token', { Authorization: 'allow:flush' }), 200, undefined, 'first call on bare');
    assertStatus(await call(api, 'dev', 'token', { Authorization: 'allow:flush' }), 200, undefined, 'cached');
    assert.equal(tokenCalls('allow:flush'), 2, 'one call per stage, then the cache');
    const flushed = await h.v1.send(new FlushStageAuthorizersCacheCommand({ restApiId: api, stageName: 'dev' }));
    assert.equal(flushed.$metadata.httpStatusCode, 202);
    assertStatus(await call(api, 'dev', 'token', { Authorization: 'allow:flush' }), 200, undefined, 'after the flush');
    assert.equal(tokenCalls('allow:flush'), 3, 'the flushed stage calls the function again');
    assertStatus(await call(api, 'bare', 'token', { Authorization: 'allow:flush' }), 200, undefined, 'other stage');
    assert.equal(tokenCalls('allow:flush'), 3, 'the other stage kept its cached answer');
  });

  it('TOKEN: refuses a missing or empty token, or one the validation expression rejects, without calling the function', async () => {
    const before = seen('lz-token').length;
    assertUnauthorized(await call(api, 'dev', 'token'), 'no Authorization header');
    assertUnauthorized(await call(api, 'dev', 'token', { Authorization: '' }), 'an empty token');
    assertUnauthorized(await call(api, 'dev', 'validated', { Authorization: 'deny:eve' }), 'a token the expression does not match');
    // The expression must match the whole token.
    assertUnauthorized(await call(api, 'dev', 'validated', { Authorization: 'allow:eve:x' }), 'a token the expression matches only in part');
    assert.equal(seen('lz-token').length, before);
    assertStatus(await call(api, 'dev', 'validated', { Authorization: 'allow:eve' }), 200, undefined, 'a token the expression matches');
    assert.equal(tokenCalls('allow:eve'), 1);
  });

  it('TOKEN: a Deny is 403 with an explicit deny, a policy not naming the method 403 without', async () => {
    const denied = await call(api, 'dev', 'token', { Authorization: 'deny:eve' });
    assertStatus(denied, 403, 'AccessDeniedException', 'explicit deny');
    assert.deepEqual(denied.json(), EXPLICIT_DENY);
    const elsewhere = await call(api, 'dev', 'token', { Authorization: 'elsewhere:eve' });
    assertStatus(elsewhere, 403, 'AccessDeniedException', 'implicit deny');
    assert.deepEqual(elsewhere.json(), IMPLICIT_DENY);
    // A cached Deny is still a Deny.
    assert.deepEqual((await call(api, 'dev', 'token', { Authorization: 'deny:eve' })).json(), EXPLICIT_DENY);
    assert.equal(tokenCalls('deny:eve'), 1);
  });

  it('TOKEN: "Unauthorized" from the function is 401; any other error or an unusable answer is 500, and none is cached', async () => {
    assertUnauthorized(await call(api, 'dev', 'token', { Authorization: 'unauthorized:x' }), 'the function refused');
    assertUnauthorized(await call(api, 'dev', 'token', { Authorization: 'unauthorized:x' }), 'refused again');
    assert.equal(tokenCalls('unauthorized:x'), 2);
    for (const token of ['crash:x', 'nested-context:x', 'bad-policy:x', 'no-principal:x', 'text:x']) {
      assertConfigurationError(await call(api, 'dev', 'token', { Authorization: token }), token);
    }
    assertConfigurationError(await call(api, 'dev', 'token', { Authorization: 'crash:x' }), 'crash again');
    assert.equal(tokenCalls('crash:x'), 2);
  });

  it('a function that times out is a 500 AUTHORIZER_CONFIGURATION_ERROR', async () => {
    assertConfigurationError(await call(api, 'dev', 'slow', { Authorization: 'anything' }), 'timed out');
    assert.equal(seen('lz-slow').length, 1);
  });

  it("a cached policy is evaluated for each request's method ARN: an allow cached for method A denies method B", async () => {
    const a = await call(api, 'dev', 'a', { Authorization: 'only-this:ann' });
    assertStatus(a, 200, undefined, 'method A, which the policy names');
    const b = await call(api, 'dev', 'b', { Authorization: 'only-this:ann' });
    assertStatus(b, 403, 'AccessDeniedException', 'method B, from the cached policy');
    assert.deepEqual(b.json(), IMPLICIT_DENY);
    // Again, now that the cached answer has decided both ARNs once.
    assertStatus(await call(api, 'dev', 'b', { Authorization: 'only-this:ann' }), 403, 'AccessDeniedException', 'method B again');
    assertStatus(await call(api, 'dev', 'a', { Authorization: 'only-this:ann' }), 200, undefined, 'method A again');
    assert.equal(tokenCalls('only-this:ann'), 1, 'B was decided from the cache');
    assert.equal(seen('lz-token').find((e) => e.authorizationToken === 'only-this:ann')!.methodArn, `arn:aws:execute-api:us-east-1:${ACCOUNT}:${api}/dev/GET/a`);
  });

  it('REQUEST (Python): sends the request event, caches by every identity source, and shows the context', async () => {
    const res = await call(api, 'dev', 'request?team=red', { 'X-User': 'ann' });
    assertStatus(res, 200, undefined, 'allowed');
    assert.deepEqual({ ...res.json(), latency: undefined }, { principalId: 'ann', tier: '', n: '', ok: '', team: 'red', runtime: 'python', level: '3', latency: undefined, apiKeyId: '' });
    const event = seen('lz-python').at(-1)!;
    assert.deepEqual(Object.keys(event).sort(), [
      'headers',
      'httpMethod',
      'methodArn',
      'multiValueHeaders',
      'multiValueQueryStringParameters',
      'path',
      'pathParameters',
      'queryStringParameters',
      'requestContext',
      'resource',
      'stageVariables',
      'type',
    ]);
    assert.equal(event.type, 'REQUEST');
    assert.equal(event.methodArn, `arn:aws:execute-api:us-east-1:${ACCOUNT}:${api}/dev/GET/request`);
    assert.equal(event.resource, '/request');
    assert.equal(event.path, '/request');
    assert.equal(event.httpMethod, 'GET');
    assert.equal(event.headers['X-User'], 'ann');
    assert.deepEqual(event.multiValueHeaders['X-User'], ['ann']);
    assert.deepEqual(event.queryStringParameters, { team: 'red' });
    assert.deepEqual(event.multiValueQueryStringParameters, { team: ['red'] });
    assert.deepEqual(event.stageVariables, { zone: 'eu' });
    assert.equal(event.requestContext.stage, 'dev');
    assert.equal(event.requestContext.resourcePath, '/request');
    assert.equal(event.requestContext.apiId, api);
    assert.equal(event.requestContext.authorizer, undefined);

    const calls = (): number => seen('lz-python').length;
    const afterFirst = calls();
    assertStatus(await call(api, 'dev', 'request?team=red', { 'X-User': 'ann' }), 200, undefined, 'same identity');
    assert.equal(calls(), afterFirst, 'served from the cache');
    assertStatus(await call(api, 'dev', 'request?team=blue', { 'X-User': 'ann' }), 200, undefined, 'another team');
    assert.equal(calls(), afterFirst + 1, 'a different query parameter is a different key');
  });

  it('REQUEST with caching: a missing identity source is 401 without calling the function', async () => {
    const before = seen('lz-python').length;
    assertUnauthorized(await call(api, 'dev', 'request', { 'X-User': 'ann' }), 'no team');
    assertUnauthorized(await call(api, 'dev', 'request?team=red'), 'no X-User');
    assertUnauthorized(await call(api, 'dev', 'request?team=', { 'X-User': 'ann' }), 'an empty team');
    assertUnauthorized(await call(api, 'bare', 'request?team=red', { 'X-User': 'ann' }), 'a stage without the zone variable');
    assert.equal(seen('lz-python').length, before);
  });

  it('REQUEST (Python): Unauthorized is 401, another exception 500, a Deny 403', async () => {
    assertUnauthorized(await call(api, 'dev', 'request?team=red', { 'X-User': 'nobody' }), 'refused by the function');
    assertConfigurationError(await call(api, 'dev', 'request?team=red', { 'X-User': 'crash' }), 'the function raised');
    const denied = await call(api, 'dev', 'request?team=red', { 'X-User': 'blocked' });
    assertStatus(denied, 403, 'AccessDeniedException', 'denied');
    assert.deepEqual(denied.json(), EXPLICIT_DENY);
  });

  it('REQUEST without caching: identity sources are not required, and the function is called every time', async () => {
    const before = seen('lz-python').length;
    const res = await call(api, 'dev', 'request-uncached');
    assertStatus(res, 200, undefined, 'no X-User, TTL 0');
    assert.equal(res.json().principalId, 'anonymous');
    assertStatus(await call(api, 'dev', 'request-uncached', { 'X-User': 'ann' }), 200, undefined, 'with X-User');
    assertStatus(await call(api, 'dev', 'request-uncached', { 'X-User': 'ann' }), 200, undefined, 'again');
    assert.equal(seen('lz-python').length, before + 3);
  });

  it('passes principalId, the context (as strings) and the latency to a Lambda proxy integration as requestContext.authorizer', async () => {
    const res = await call(api, 'dev', 'proxy', { Authorization: 'allow:ann' });
    assertStatus(res, 200, undefined, 'proxied');
    const authorizer = res.json();
    assert.equal(typeof authorizer.integrationLatency, 'number');
    assert.deepEqual({ ...authorizer, integrationLatency: undefined }, { principalId: 'ann', tier: 'gold', n: '7', ok: 'true', integrationLatency: undefined });
  });

  it("admits with the authorizer's usageIdentifierKey when the API's apiKeySource is AUTHORIZER", async () => {
    const ok = await call(keyedApi, 'dev', 'keyed', { Authorization: `allow:ann:${apiKey.value}` });
    assertStatus(ok, 200, undefined, 'the key from the authorizer');
    assert.equal(ok.json().apiKeyId, apiKey.id);
    assertStatus(await call(keyedApi, 'dev', 'keyed', { Authorization: 'allow:ann' }), 403, 'ForbiddenException', 'no usageIdentifierKey');
    assertStatus(await call(keyedApi, 'dev', 'keyed', { Authorization: 'allow:ann:not-a-key-value' }), 403, 'ForbiddenException', 'an unknown key');
    // The x-api-key header does not count when the key comes from the authorizer.
    assertStatus(await call(keyedApi, 'dev', 'keyed', { Authorization: 'allow:ann', 'x-api-key': apiKey.value }), 403, 'ForbiddenException', 'a header key');
  });
});
