/**
 * The contract authorizers and the resource policy plug into (src/gateway/rest/authorization.ts),
 * exercised through the real data plane: a store, the stage registry and the listener, with
 * small header-driven implementations of MethodAuthorizer (one per authorizationType) and of
 * ResourcePolicyGate plugged in where the Lambda, Cognito and IAM verifiers and the policy
 * library will be. Pins down what each step may yield and where it shows: `$context.authorizer`,
 * `$context.identity`, the Lambda proxy event, the authorizer-sourced API key, and the order of
 * the steps.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SqliteStore } from '../../src/store/sqlite.js';
import { LocalInvoker } from '../../src/functions/local-invoker.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/model/settings.js';
import { RECORD_KINDS, type ApiKey, type UsagePlan, type UsagePlanKey } from '../../src/model/usage-plan.js';
import { ApiKeyIndex } from '../../src/gateway/api-key-index.js';
import { StageRegistry } from '../../src/gateway/stage-registry.js';
import { createGatewayServer } from '../../src/gateway/server.js';
import { missingAuthenticationToken } from '../../src/gateway/errors.js';
import {
  unauthorized,
  type MethodAuthorizerBinding,
  type MethodAuthorizerFactories,
  type ResourcePolicyBinding,
  type ResourcePolicyGateFactory,
} from '../../src/gateway/rest/authorization.js';
import { GatewayError } from '../../src/gateway/errors.js';
import { deployRestApi, importRestApi, putFunctions } from '../../src/control/rest-apis.js';
import { lambdaUri, rawRequest, tempDir, writeHandler, type RawResponse } from '../helpers.js';

const KEY_VALUE = 'plugged-key-plugged-key-0001';
const KEY_ID = 'pluggedk01';

/** What the plugged steps saw, in order, for the assertions on ordering. */
const events: string[] = [];
const bindings: MethodAuthorizerBinding[] = [];
const policyBindings: ResourcePolicyBinding[] = [];

const header = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join(',') : (value ?? ''));

/**
 * CUSTOM: `Authorization: allow <user> [<key>]` admits `<user>` (with `<key>` as its
 * usageIdentifierKey), `silent <user>` admits with an implicit deny, anything else is refused.
 * COGNITO_USER_POOLS: `Authorization: jwt <email>` admits with claims. AWS_IAM: `x-signer`.
 */
const AUTHORIZERS: MethodAuthorizerFactories = {
  CUSTOM: (binding) => {
    bindings.push(binding);
    return {
      authorize: async (inv) => {
        events.push('authorizer');
        const [verb, user, key] = header(inv.req.headers.authorization).split(' ');
        if (verb === 'allow' && user) {
          return { principalId: user, context: { tier: 'gold', n: 1, ok: true }, usageIdentifierKey: key, integrationLatency: 3 };
        }
        if (verb === 'silent' && user) return { principalId: user, verdict: 'IMPLICIT_DENY' };
        throw unauthorized();
      },
    };
  },
  COGNITO_USER_POOLS: (binding) => {
    bindings.push(binding);
    return {
      authorize: async (inv) => {
        const [verb, email] = header(inv.req.headers.authorization).split(' ');
        if (verb !== 'jwt' || !email) throw unauthorized();
        return { claims: { email, sub: 'sub-1', 'cognito:username': 'ann' } };
      },
    };
  },
  AWS_IAM: (binding) => {
    bindings.push(binding);
    return {
      authorize: async (inv) => {
        const signer = header(inv.req.headers['x-signer']);
        if (signer === '') throw missingAuthenticationToken();
        return {
          identity: { accountId: '111122223333', caller: `AIDA${signer}`, user: `AIDA${signer}`, userArn: `arn:aws:iam::111122223333:user/${signer}`, accessKey: 'AKIAEXAMPLE' },
        };
      },
    };
  },
};

/** `x-policy: deny-before` refuses before the authorizer, `deny-after` after it, `allow` grants an implicit deny. */
const RESOURCE_POLICY: ResourcePolicyGateFactory = (binding) => {
  policyBindings.push(binding);
  const denied = (): GatewayError => new GatewayError('ACCESS_DENIED', 'User: anonymous is not authorized to perform: execute-api:Invoke');
  return {
    beforeAuthentication: async (inv) => {
      events.push('policy-before');
      if (inv.req.headers['x-policy'] === 'deny-before') throw denied();
    },
    afterAuthentication: async (inv, caller) => {
      events.push(`policy-after:${caller?.principalId ?? 'anonymous'}`);
      if (inv.req.headers['x-policy'] === 'deny-after') throw denied();
      if (caller?.verdict === 'IMPLICIT_DENY' && inv.req.headers['x-policy'] !== 'allow') throw caller.denial ?? denied();
    },
  };
};

const CONTEXT_TEMPLATE =
  '{"principalId":"$context.authorizer.principalId","tier":"$context.authorizer.tier","n":"$context.authorizer.n","ok":"$context.authorizer.ok",' +
  '"email":"$context.authorizer.claims.email","userArn":"$context.identity.userArn","caller":"$context.identity.caller",' +
  '"accountId":"$context.identity.accountId","apiKey":"$context.identity.apiKey","apiKeyId":"$context.identity.apiKeyId"}';

function mock(security: object[] | undefined): object {
  return {
    ...(security ? { security } : {}),
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: { default: { statusCode: '200', responseTemplates: { 'application/json': CONTEXT_TEMPLATE } } },
    },
  };
}

function proxy(security: object[]): object {
  return {
    security,
    responses: {},
    'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('plugged-echo') },
  };
}

const SCHEMES = {
  api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
  token: {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    'x-amazon-apigateway-authtype': 'custom',
    'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: lambdaUri('nobody'), authorizerResultTtlInSeconds: 0 },
  },
  pool: {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    'x-amazon-apigateway-authtype': 'cognito_user_pools',
    'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abcdefghi'] },
  },
  sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
};

describe('authorizers and the resource policy plugged into the method request', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: SqliteStore;
  let invoker: LocalInvoker;
  let apiKeys: ApiKeyIndex;
  let registry: StageRegistry;
  let server: Server;
  let port: number;
  let keyed: string;
  let guarded: string;

  before(async () => {
    dir = await tempDir('portico-plugged-');
    store = SqliteStore.open(dir.path);
    const account = DEFAULT_ACCOUNT_SETTINGS;
    invoker = new LocalInvoker({ account, resolveFunction: (name) => store.getFunction(name) });
    apiKeys = new ApiKeyIndex(store);
    await apiKeys.loadAll();
    registry = new StageRegistry(store, { account, invoker, apiKeys, authorizers: AUTHORIZERS, resourcePolicy: RESOURCE_POLICY });
    await registry.loadAll();
    server = createGatewayServer({ registry, version: 'test' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;

    const codeDirectory = await writeHandler(dir.path, 'plugged-echo', `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext) });`);
    await putFunctions(store, [{ functionName: 'plugged-echo', runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory, timeout: 10, memorySize: 128, environment: {} }]);

    const keyedApi = await importRestApi(store, {
      openapi: '3.0.1',
      info: { title: 'plugged', version: '1' },
      'x-amazon-apigateway-api-key-source': 'AUTHORIZER',
      components: { securitySchemes: SCHEMES },
      paths: {
        '/custom': { get: mock([{ token: [], api_key: [] }]) },
        '/custom-proxy': { get: proxy([{ token: [], api_key: [] }]) },
        '/cognito': { get: mock([{ pool: [] }]) },
        '/cognito-proxy': { get: proxy([{ pool: [] }]) },
        '/iam': { get: mock([{ sigv4: [] }]) },
        '/iam-proxy': { get: proxy([{ sigv4: [] }]) },
        '/open': { get: mock(undefined) },
      },
    });
    keyed = keyedApi.id;
    await deployRestApi(store, keyed, { stageName: 'dev' });

    const guardedApi = await importRestApi(store, {
      openapi: '3.0.1',
      info: { title: 'guarded', version: '1' },
      'x-amazon-apigateway-policy': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }] },
      components: { securitySchemes: SCHEMES },
      paths: {
        '/custom': { get: mock([{ token: [] }]) },
        '/open': { get: mock(undefined) },
      },
    });
    guarded = guardedApi.id;
    await deployRestApi(store, guarded, { stageName: 'dev' });

    const now = Math.floor(Date.now() / 1000);
    await store.transaction(async (tx) => {
      const key: ApiKey = { id: KEY_ID, value: KEY_VALUE, enabled: true, createdDate: now, lastUpdatedDate: now, stageKeys: [], tags: {} };
      const plan: UsagePlan = { id: 'plug01', name: 'plugged', apiStages: [{ apiId: keyed, stage: 'dev' }], tags: {}, createdDate: now };
      const member: UsagePlanKey = { usagePlanId: plan.id, keyId: key.id, type: 'API_KEY' };
      await tx.putRecord(RECORD_KINDS.apiKey, key.id, key);
      await tx.putRecord(RECORD_KINDS.usagePlan, plan.id, plan);
      await tx.putRecord(RECORD_KINDS.usagePlanKey, `${plan.id}:${key.id}`, member);
    });
    await registry.settled();
    await apiKeys.settled();
  });

  after(async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    registry?.close();
    apiKeys?.close();
    await invoker?.close();
    await store?.close();
    await dir?.remove();
  });

  const call = (api: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    rawRequest(port, { path: `/_aws/execute-api/${api}/dev/${path}`, headers });

  it('builds one authorizer per protected method at deployment-compile time, and no step for open methods', () => {
    const custom = bindings.find((b) => b.restApi.id === keyed && b.resourcePath === '/custom');
    assert.ok(custom, 'the CUSTOM method was bound');
    assert.equal(custom.authorizer?.name, 'token');
    assert.equal(custom.httpMethod, 'GET');
    assert.equal(custom.stageName, 'dev');
    const iam = bindings.find((b) => b.restApi.id === keyed && b.resourcePath === '/iam');
    assert.ok(iam);
    assert.equal(iam.authorizer, undefined);
    const stage = registry.get(keyed, 'dev');
    assert.ok(stage);
    assert.equal(stage.router.match('GET', '/open')?.method.authorize, undefined);
    assert.equal(typeof stage.router.match('GET', '/custom')?.method.authorize, 'function');
    // Under a resource policy every method has the step, open ones included.
    assert.equal(typeof registry.get(guarded, 'dev')?.router.match('GET', '/open')?.method.authorize, 'function');
    assert.ok(policyBindings.some((b) => b.restApi.id === guarded && b.resourcePath === '/open' && JSON.parse(b.policy).Version === '2012-10-17'));
  });

  it("puts a Lambda authorizer's principalId, context and usageIdentifierKey in $context", async () => {
    const res = await call(keyed, 'custom', { authorization: `allow ann ${KEY_VALUE}` });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), {
      principalId: 'ann',
      tier: 'gold',
      n: '1',
      ok: 'true',
      email: '',
      userArn: '',
      caller: '',
      accountId: '',
      apiKey: KEY_VALUE,
      apiKeyId: KEY_ID,
    });
  });

  it('hands the Lambda authorizer output to a proxy function in requestContext', async () => {
    const res = await call(keyed, 'custom-proxy', { authorization: `allow ann ${KEY_VALUE}` });
    assert.equal(res.status, 200, res.text);
    const context = res.json();
    assert.deepEqual(context.authorizer, { tier: 'gold', n: '1', ok: 'true', principalId: 'ann', integrationLatency: 3 });
    assert.equal(context.identity.apiKey, KEY_VALUE);
    assert.equal(context.identity.apiKeyId, KEY_ID);
  });

  it('takes the API key from the authorizer only, with apiKeySource AUTHORIZER', async () => {
    const noKey = await call(keyed, 'custom', { authorization: 'allow ann', 'x-api-key': KEY_VALUE });
    assert.equal(noKey.status, 403);
    assert.deepEqual(noKey.json(), { message: 'Forbidden' });
    const wrongKey = await call(keyed, 'custom', { authorization: 'allow ann not-a-key-not-a-key-0000' });
    assert.equal(wrongKey.status, 403);
    assert.equal(wrongKey.headers['x-amzn-errortype'], 'ForbiddenException');
  });

  it("answers with the authorizer's error and never reaches the integration", async () => {
    const refused = await call(keyed, 'custom-proxy', { authorization: 'nonsense' });
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.json(), { message: 'Unauthorized' });
    const unsigned = await call(keyed, 'iam-proxy');
    assert.equal(unsigned.status, 403);
    assert.deepEqual(unsigned.json(), { message: 'Missing Authentication Token' });
  });

  it('puts Cognito claims in $context.authorizer.claims and requestContext.authorizer.claims', async () => {
    const res = await call(keyed, 'cognito', { authorization: 'jwt ann@example.com' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().email, 'ann@example.com');
    assert.equal(res.json().principalId, '');
    const event = (await call(keyed, 'cognito-proxy', { authorization: 'jwt ann@example.com' })).json();
    assert.deepEqual(event.authorizer, { claims: { email: 'ann@example.com', sub: 'sub-1', 'cognito:username': 'ann' } });
    assert.equal('apiKey' in event.identity, false);
  });

  it("puts an IAM caller's identity in $context.identity and the proxy event, with no authorizer entry", async () => {
    const res = await call(keyed, 'iam', { 'x-signer': 'bob' });
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    assert.equal(body.userArn, 'arn:aws:iam::111122223333:user/bob');
    assert.equal(body.caller, 'AIDAbob');
    assert.equal(body.accountId, '111122223333');
    const event = (await call(keyed, 'iam-proxy', { 'x-signer': 'bob' })).json();
    assert.equal(event.identity.userArn, 'arn:aws:iam::111122223333:user/bob');
    assert.equal(event.identity.accessKey, 'AKIAEXAMPLE');
    assert.equal(event.identity.user, 'AIDAbob');
    assert.equal(event.authorizer, undefined);
  });

  it('refuses an implicit deny with ACCESS_DENIED when no resource policy can grant access', async () => {
    const res = await call(keyed, 'custom', { authorization: `silent ann` });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { message: 'User is not authorized to access this resource' });
    assert.equal(res.headers['x-amzn-errortype'], 'AccessDeniedException');
  });

  it('runs the resource policy around the authorizer, in AWS order, and lets it decide an implicit deny', async () => {
    events.length = 0;
    assert.equal((await call(guarded, 'custom', { authorization: 'allow ann' })).status, 200);
    assert.deepEqual(events, ['policy-before', 'authorizer', 'policy-after:ann']);

    events.length = 0;
    const before = await call(guarded, 'custom', { authorization: 'allow ann', 'x-policy': 'deny-before' });
    assert.equal(before.status, 403);
    assert.equal(before.headers['x-amzn-errortype'], 'AccessDeniedException');
    assert.deepEqual(events, ['policy-before'], 'an explicit deny stops the request before the authorizer');

    events.length = 0;
    assert.equal((await call(guarded, 'custom', { authorization: 'allow ann', 'x-policy': 'deny-after' })).status, 403);
    assert.deepEqual(events, ['policy-before', 'authorizer', 'policy-after:ann']);

    assert.equal((await call(guarded, 'custom', { authorization: 'silent ann' })).status, 403);
    assert.equal((await call(guarded, 'custom', { authorization: 'silent ann', 'x-policy': 'allow' })).status, 200);

    events.length = 0;
    assert.equal((await call(guarded, 'open')).status, 200);
    assert.deepEqual(events, ['policy-before', 'policy-after:anonymous']);
    assert.equal((await call(guarded, 'open', { 'x-policy': 'deny-after' })).status, 403);
  });
});
