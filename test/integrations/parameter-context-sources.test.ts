/**
 * `context.*` sources of parameter mappings, end to end through a real Portico: a REST API made
 * with the AWS SDK whose methods sit behind a Lambda TOKEN authorizer (a Node function created
 * through the Lambda API) and an API key, with an HTTP integration to a local server that records
 * the headers, query and body it receives. The request template renders the same variables from
 * `$context`, so the backend sees both and the test checks they agree. A second Portico checks a
 * Cognito user pool claim, with tokens from a real OpenID provider.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  ImportRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Portico } from '../../src/portico.js';
import { startManagement, rejectsWith, type ManagementHarness } from '../management/harness.js';
import { generateSigningKey, startOidcProvider, type RunningProvider } from '../auth/oidc-provider-harness.js';
import { lambdaUri, listen, rawRequest, tempDir, type RawResponse } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

/** A TOKEN authorizer: `allow:USER` answers with a context map, `plain:USER` with none. */
const TOKEN_AUTHORIZER = `
const policy = (resource) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }] });
export const handler = async (event) => {
  const [verb, user] = event.authorizationToken.split(':');
  const apiWide = event.methodArn.split('/')[0] + '/*';
  if (verb === 'allow') return { principalId: user, policyDocument: policy(apiWide), context: { tenant: 't1', n: 5, ok: true } };
  if (verb === 'plain') return { principalId: user, policyDocument: policy(apiWide) };
  throw new Error('Unauthorized');
};`;

/** Mapped name → source; each is mapped to header `x-NAME` and to query parameter NAME. */
const SOURCES: Record<string, string> = {
  principal: 'context.authorizer.principalId',
  tenant: 'context.authorizer.tenant',
  n: 'context.authorizer.n',
  ok: 'context.authorizer.ok',
  latency: 'context.authorizer.integrationLatency',
  key: 'context.identity.apiKey',
  keyid: 'context.identity.apiKeyId',
  ip: 'context.identity.sourceIp',
  agent: 'context.identity.userAgent',
  requestid: 'context.requestId',
  stage: 'context.stage',
  apiid: 'context.apiId',
  method: 'context.httpMethod',
  resourcepath: 'context.resourcePath',
  path: 'context.path',
  epoch: 'context.requestTimeEpoch',
  time: 'context.requestTime',
  prefix: 'context.domainPrefix',
  canary: 'context.isCanaryRequest',
  // Values the request never has: the mapping must send nothing.
  missing: 'context.authorizer.missing',
  claim: 'context.authorizer.claims.email',
  userarn: 'context.identity.userArn',
  waf: 'context.wafResponseCode',
  // A key every object inherits, which the authorizer did not return.
  proto: 'context.authorizer.constructor',
};
const ABSENT = ['missing', 'claim', 'userarn', 'waf', 'proto'];

/** The same variables read through `$context` in the request template (the absent ones print as ''). */
const CONTEXT_TEMPLATE =
  '{' +
  Object.entries(SOURCES)
    .map(([name, source]) => `"${name}":"$${source}"`)
    .join(',') +
  '}';

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  body: Record<string, string>;
}

/** A backend that records each request and answers 200 `{}`. */
async function recordingBackend(): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://backend');
      received.push({ method: req.method ?? '', headers: req.headers, query: url.searchParams, body: text === '' ? {} : JSON.parse(text) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { port: server.port, received, close: server.close };
}

describe('context.* parameter mapping sources behind a Lambda authorizer and an API key', () => {
  let h: ManagementHarness;
  let lambda: LambdaClient;
  let backend: Awaited<ReturnType<typeof recordingBackend>>;
  let api: string;
  let key: { id: string; value: string };

  /** POST /NAME behind the authorizer, mapping every SOURCES entry to a header and a query parameter. */
  async function method(restApiId: string, parentId: string, path: string, authorizerId: string, apiKeyRequired: boolean): Promise<void> {
    const resource = await h.v1.send(new CreateResourceCommand({ restApiId, parentId, pathPart: path }));
    const at = { restApiId, resourceId: resource.id, httpMethod: 'POST' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'CUSTOM', authorizerId, apiKeyRequired }));
    const requestParameters: Record<string, string> = {};
    for (const [name, source] of Object.entries(SOURCES)) {
      requestParameters[`integration.request.header.x-${name}`] = source;
      requestParameters[`integration.request.querystring.${name}`] = source;
    }
    await h.v1.send(
      new PutIntegrationCommand({
        ...at,
        type: 'HTTP',
        integrationHttpMethod: 'POST',
        uri: `http://127.0.0.1:${backend.port}/backend`,
        requestParameters,
        requestTemplates: { 'application/json': CONTEXT_TEMPLATE },
      }),
    );
    await h.v1.send(
      new PutMethodResponseCommand({
        ...at,
        statusCode: '200',
        responseParameters: { 'method.response.header.X-Tenant': false, 'method.response.header.X-Key-Id': false, 'method.response.header.X-Missing': false },
      }),
    );
    await h.v1.send(
      new PutIntegrationResponseCommand({
        ...at,
        statusCode: '200',
        responseParameters: {
          'method.response.header.X-Tenant': 'context.authorizer.tenant',
          'method.response.header.X-Key-Id': 'context.identity.apiKeyId',
          'method.response.header.X-Missing': 'context.authorizer.missing',
        },
      }),
    );
  }

  before(async () => {
    backend = await recordingBackend();
    h = await startManagement();
    lambda = new LambdaClient({ endpoint: h.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'pcs-token', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Timeout: 3, Code: { ZipFile: await handlerZip(TOKEN_AUTHORIZER) } }),
    );
    const rest = await h.v1.send(new CreateRestApiCommand({ name: 'context-sources' }));
    api = rest.id!;
    const authorizer = await h.v1.send(
      new CreateAuthorizerCommand({
        restApiId: api,
        name: 'token',
        type: 'TOKEN',
        authorizerUri: lambdaUri('pcs-token'),
        identitySource: 'method.request.header.Authorization',
        authorizerResultTtlInSeconds: 0,
      }),
    );
    await method(api, rest.rootResourceId!, 'keyed', authorizer.id!, true);
    await method(api, rest.rootResourceId!, 'open', authorizer.id!, false);
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'dev' }));
    const created = await h.v1.send(new CreateApiKeyCommand({ name: 'context-sources', enabled: true }));
    key = { id: created.id!, value: created.value! };
    const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'context-sources', apiStages: [{ apiId: api, stage: 'dev' }] }));
    await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
    await h.portico.registry.settled();
    await h.portico.apiKeys.settled();
  });

  after(async () => {
    lambda?.destroy();
    await h?.close();
    await backend?.close();
  });

  /** Sends a request and returns the client's answer with what the backend received for it. */
  async function call(path: string, headers: Record<string, string>): Promise<{ res: RawResponse; got: Received }> {
    const before = backend.received.length;
    const res = await rawRequest(h.portico.port, {
      method: 'POST',
      path: `/_aws/execute-api/${api}/dev/${path}`,
      headers: { 'content-type': 'application/json', 'user-agent': 'context-sources-test/1.0', ...headers },
      body: '{}',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(backend.received.length, before + 1, 'the backend was called once');
    return { res, got: backend.received[before]! };
  }

  it("maps authorizer, API key, identity and request variables to headers and query parameters, as AWS's strings", async () => {
    const { res, got } = await call('keyed', { authorization: 'allow:ann', 'x-api-key': key.value });
    const expected: Record<string, string> = {
      principal: 'ann',
      tenant: 't1',
      // The authorizer returned the number 5 and the boolean true: AWS hands them on as text.
      n: '5',
      ok: 'true',
      key: key.value,
      keyid: key.id,
      ip: '127.0.0.1',
      agent: 'context-sources-test/1.0',
      requestid: String(res.headers['x-amzn-requestid']),
      stage: 'dev',
      apiid: api,
      method: 'POST',
      resourcepath: '/keyed',
      path: '/dev/keyed',
      prefix: '127',
      canary: 'false',
    };
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(got.headers[`x-${name}`], value, `header x-${name} ← ${SOURCES[name]}`);
      assert.equal(got.query.get(name), value, `query ${name} ← ${SOURCES[name]}`);
    }
    assert.match(String(got.headers['x-latency']), /^\d+$/);
    assert.match(String(got.headers['x-epoch']), /^\d{13}$/);
    assert.match(String(got.headers['x-time']), /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    for (const name of ABSENT) {
      assert.equal(got.headers[`x-${name}`], undefined, `no header x-${name} for absent ${SOURCES[name]}`);
      assert.equal(got.query.has(name), false, `no query parameter ${name} for absent ${SOURCES[name]}`);
    }
  });

  it('reads the same values $context gives the request template', async () => {
    const { got } = await call('keyed', { authorization: 'allow:bea', 'x-api-key': key.value });
    assert.equal(got.body.principal, 'bea', 'the template rendered');
    for (const name of Object.keys(SOURCES)) {
      // An absent value is no header at all, and empty text in a template.
      assert.equal(got.headers[`x-${name}`] ?? '', got.body[name], `${SOURCES[name]}: mapping and $context agree`);
      assert.equal(got.query.get(name) ?? '', got.body[name], `${SOURCES[name]}: query mapping and $context agree`);
    }
  });

  it('omits the API key on a method that requires none and the context entries an authorizer did not return', async () => {
    const { got } = await call('open', { authorization: 'plain:cy', 'x-api-key': key.value });
    assert.equal(got.headers['x-principal'], 'cy');
    assert.equal(got.query.get('principal'), 'cy');
    for (const name of ['tenant', 'n', 'ok', 'key', 'keyid', ...ABSENT]) {
      assert.equal(got.headers[`x-${name}`], undefined, `no header x-${name} ← ${SOURCES[name]}`);
      assert.equal(got.query.has(name), false, `no query parameter ${name} ← ${SOURCES[name]}`);
      assert.equal(got.body[name], '', `$context has no ${SOURCES[name]} either`);
    }
  });

  it('maps context sources onto method response headers, leaving out absent ones', async () => {
    const { res } = await call('keyed', { authorization: 'allow:dee', 'x-api-key': key.value });
    assert.equal(res.headers['x-tenant'], 't1');
    assert.equal(res.headers['x-key-id'], key.id);
    assert.equal(res.headers['x-missing'], undefined);
    const open = await call('open', { authorization: 'plain:eve' });
    assert.equal(open.res.headers['x-tenant'], undefined);
    assert.equal(open.res.headers['x-key-id'], undefined);
  });

  it('refuses an import whose mappings name a context variable AWS does not map, and accepts authorizer keys and claims', async () => {
    const document = (requestSource: string, responseSource = "'static'"): string =>
      JSON.stringify({
        openapi: '3.0.1',
        info: { title: 'context-source-validation', version: '1' },
        paths: {
          '/x': {
            get: {
              responses: { '200': { description: 'ok', headers: { 'X-Out': { schema: { type: 'string' } } } } },
              'x-amazon-apigateway-integration': {
                type: 'http',
                httpMethod: 'GET',
                uri: `http://127.0.0.1:${backend.port}/x`,
                requestParameters: { 'integration.request.header.x-in': requestSource },
                responses: { default: { statusCode: '200', responseParameters: { 'method.response.header.X-Out': responseSource } } },
              },
            },
          },
        },
      });
    const importing = (body: string): Promise<unknown> => h.v1.send(new ImportRestApiCommand({ body: new TextEncoder().encode(body) }));
    for (const bad of ['context.bogus', 'context.identity.bogus', 'context.requestOverride.header.x', 'context.error.message', 'context.integrationLatency', 'context.authorizer']) {
      const err = await rejectsWith(importing(document(bad)), 'BadRequestException');
      assert.ok(err.message.includes(bad), `the refusal names ${bad}: ${err.message}`);
      const inResponse = await rejectsWith(importing(document("'static'", bad)), 'BadRequestException');
      assert.ok(inResponse.message.includes(bad), `the refusal names ${bad} in a response mapping: ${inResponse.message}`);
    }
    for (const good of ['context.authorizer.anyKey', 'context.authorizer.claims.email', 'context.identity.apiKeyId', 'context.domainPrefix']) {
      await importing(document(good, good));
    }
  });
});

describe('context.authorizer.claims.* behind a Cognito user pool authorizer', () => {
  const POOL_ID = 'us-east-1_Context01';
  const POOL_ARN = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL_ID}`;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let provider: RunningProvider;
  let portico: Portico;
  let backend: Awaited<ReturnType<typeof recordingBackend>>;
  let apiId: string;

  before(async () => {
    dir = await tempDir('portico-context-claims-');
    backend = await recordingBackend();
    const rsa = await generateSigningKey('RS256', 'claims-rsa');
    provider = await startOidcProvider({ keys: [rsa], issuer: () => `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}` });
    portico = await Portico.start({ port: 0, dataDir: dir.path, cognitoJwks: { [POOL_ARN]: provider.jwksUrl } });
    const deployed = await portico.deployOpenApi({
      openapi: '3.0.1',
      info: { title: 'context-claims', version: '1' },
      components: {
        securitySchemes: {
          pool: {
            type: 'apiKey',
            name: 'Authorization',
            in: 'header',
            'x-amazon-apigateway-authtype': 'cognito_user_pools',
            'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [POOL_ARN] },
          },
        },
      },
      paths: {
        '/claims': {
          get: {
            security: [{ pool: [] }],
            responses: { '200': { description: 'ok' } },
            'x-amazon-apigateway-integration': {
              type: 'http',
              httpMethod: 'GET',
              uri: `http://127.0.0.1:${backend.port}/claims`,
              requestParameters: {
                'integration.request.header.x-email': 'context.authorizer.claims.email',
                'integration.request.querystring.sub': 'context.authorizer.claims.sub',
                'integration.request.header.x-verified': 'context.authorizer.claims.email_verified',
                'integration.request.header.x-nickname': 'context.authorizer.claims.nickname',
                'integration.request.header.x-principal': 'context.authorizer.principalId',
              },
              responses: { default: { statusCode: '200' } },
            },
          },
        },
      },
    });
    apiId = deployed.api.id;
  });

  after(async () => {
    await portico?.close();
    await provider?.stop();
    await backend?.close();
    await dir?.remove();
  });

  it("maps the token's claims as AWS's strings, and omits a claim the token lacks and the principalId a user pool has none of", async () => {
    const token = await provider.issueIdToken({ sub: 'ann-sub', claims: { token_use: 'id', email: 'ann@example.com', email_verified: true } });
    const res = await rawRequest(portico.port, { path: `/_aws/execute-api/${apiId}/dev/claims`, headers: { authorization: token } });
    assert.equal(res.status, 200, res.text);
    const got = backend.received.at(-1)!;
    assert.equal(got.headers['x-email'], 'ann@example.com');
    assert.equal(got.query.get('sub'), 'ann-sub');
    assert.equal(got.headers['x-verified'], 'true');
    assert.equal(got.headers['x-nickname'], undefined);
    assert.equal(got.headers['x-principal'], undefined);
  });
});
