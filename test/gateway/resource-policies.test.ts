/**
 * API resource policies through a real Portico: APIs are imported and deployed with the AWS SDK,
 * requests arrive over loopback TCP (127.0.0.1, 127.0.0.2 standing in for a VPC endpoint's
 * clients, and ::1 on a dual-stack listener), and Cognito tokens come from a real OpenID provider
 * standing in for the user pool. Covers source-address conditions, the explicit-deny-first
 * order around an authorizer, AWS's denial bodies, and the management API's validation and
 * stored form of policies.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  ImportRestApiCommand,
  PutRestApiCommand,
  UpdateRestApiCommand,
} from '@aws-sdk/client-api-gateway';
import { Portico } from '../../src/portico.js';
import { createGatewayServer } from '../../src/gateway/server.js';
import { Networks } from '../../src/auth/networks.js';
import { generateSigningKey, startOidcProvider, type RunningProvider } from '../auth/oidc-provider-harness.js';
import { rejectsWith } from '../management/harness.js';
import { tempDir } from '../helpers.js';

const POOL_ARN = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Policy01';
const POOL_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Policy01';
const VPCE = 'vpce-0123456789abcdef0';
const INVALID_POLICY = 'Invalid policy document. Please check the policy syntax and ensure that Principals are valid.';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One GET from a chosen local address to a chosen listener address. */
function get(host: string, port: number, path: string, options: { headers?: Record<string, string>; localAddress?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: options.headers, localAddress: options.localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const statement = (effect: 'Allow' | 'Deny', resource: string, condition?: object): object => ({
  Effect: effect,
  Principal: '*',
  Action: 'execute-api:Invoke',
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});

const mock = (security?: object[]): object => ({
  ...(security ? { security } : {}),
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"email":"$context.authorizer.claims.email"}' } } },
  },
});

const SCHEMES = {
  pool: {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    'x-amazon-apigateway-authtype': 'cognito_user_pools',
    'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [POOL_ARN] },
  },
};

function openapi(title: string, policy: object | string, paths: Record<string, object>, extra: Record<string, unknown> = {}): object {
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    'x-amazon-apigateway-policy': policy,
    components: { securitySchemes: SCHEMES },
    paths: Object.fromEntries(Object.entries(paths).map(([path, op]) => [path, { get: op }])),
    ...extra,
  };
}

/** A stored policy as GetRestApi returns it (escaped once more), read back as a document. */
const unescape = (policy: string | undefined): any => JSON.parse((policy ?? '').replace(/\\(.)/g, '$1'));

describe('resource policies', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let provider: RunningProvider;
  let portico: Portico;
  let client: APIGatewayClient;
  let token: string;
  const ids = { allow: '', deny: '', custom: '' };

  const deploy = async (doc: object): Promise<string> => {
    const api = await client.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(doc)) }));
    await client.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: 'dev' }));
    await portico.registry.settled();
    return api.id!;
  };

  const call = (api: string, path: string, options: { headers?: Record<string, string>; localAddress?: string } = {}): Promise<Reply> =>
    get('127.0.0.1', portico.port, `/_aws/execute-api/${api}/dev/${path}`, options);

  const denied = (api: string, path: string, explicit: boolean): string =>
    JSON.stringify({
      Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:${api}/dev/GET/${path}${explicit ? ' with an explicit deny' : ''}`,
    });

  const assertDenied = (res: Reply, api: string, path: string, explicit: boolean): void => {
    assert.equal(res.status, 403, res.text);
    assert.equal(res.text, denied(api, path, explicit));
    assert.equal(res.headers['x-amzn-errortype'], 'AccessDeniedException');
  };

  before(async () => {
    dir = await tempDir('portico-policy-');
    const key = await generateSigningKey('RS256', 'policy-rsa');
    provider = await startOidcProvider({ keys: [key], issuer: () => POOL_ISSUER });
    portico = await Portico.start({
      port: 0,
      dataDir: dir.path,
      cognitoJwks: { [POOL_ISSUER]: provider.jwksUrl },
      networks: { '127.0.0.2/32': { vpc: 'vpc-0a1b2c3d', vpce: VPCE } },
    });
    client = new APIGatewayClient({
      endpoint: `http://127.0.0.1:${portico.port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    token = await provider.issueIdToken({ claims: { token_use: 'id', email: 'ann@example.com' } });

    ids.allow = await deploy(
      openapi(
        'allow-list',
        {
          Version: '2012-10-17',
          Statement: [
            statement('Allow', 'execute-api:/dev/GET/v4', { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } }),
            statement('Allow', 'execute-api:/dev/GET/v6', { IpAddress: { 'aws:SourceIp': ['::1/128'] } }),
            statement('Allow', 'execute-api:/dev/GET/elsewhere', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }),
            statement('Allow', 'execute-api:/dev/GET/private', { StringEquals: { 'aws:SourceVpce': VPCE } }),
            statement('Allow', 'execute-api:/dev/GET/loopback', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }),
            statement('Allow', 'execute-api:/dev/GET/pool-v4', { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } }),
          ],
        },
        {
          '/v4': mock(),
          '/v6': mock(),
          '/elsewhere': mock(),
          '/private': mock(),
          '/loopback': mock(),
          '/pool-v4': mock([{ pool: [] }]),
          '/pool': mock([{ pool: [] }]),
        },
      ),
    );
    ids.deny = await deploy(
      openapi(
        'deny-list',
        {
          Version: '2012-10-17',
          Statement: [
            statement('Allow', 'execute-api:/*'),
            statement('Deny', 'execute-api:/dev/GET/blocked', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }),
            statement('Deny', 'execute-api:/dev/GET/outside', { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } }),
            statement('Deny', 'execute-api:/dev/GET/inside', { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8'] } }),
            statement('Deny', 'execute-api:/dev/GET/pool-denied', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }),
          ],
        },
        {
          '/open': mock(),
          '/blocked': mock(),
          '/outside': mock(),
          '/inside': mock(),
          '/pool': mock([{ pool: [] }]),
          '/pool-denied': mock([{ pool: [] }]),
        },
      ),
    );
    ids.custom = await deploy(
      openapi(
        'customised',
        { Version: '2012-10-17', Statement: [statement('Deny', 'execute-api:/*', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } })] },
        { '/open': mock() },
        {
          'x-amazon-apigateway-gateway-responses': {
            ACCESS_DENIED: { statusCode: 403, responseTemplates: { 'application/json': '{"denied":$context.error.messageString}' } },
          },
        },
      ),
    );
  });

  after(async () => {
    client?.destroy();
    await portico?.close();
    await provider?.stop();
    await dir?.remove();
  });

  it('admits a caller whose address the policy allows, and refuses others with an implicit deny', async () => {
    const res = await call(ids.allow, 'v4');
    assert.equal(res.status, 200, res.text);
    assertDenied(await call(ids.allow, 'elsewhere'), ids.allow, 'elsewhere', false);
    assertDenied(await call(ids.allow, 'v6'), ids.allow, 'v6', false);
  });

  it("refuses with AWS's explicit-deny body when a Deny matches the caller's address", async () => {
    assertDenied(await call(ids.deny, 'blocked'), ids.deny, 'blocked', true);
    assert.equal((await call(ids.deny, 'open')).status, 200);
  });

  it('evaluates NotIpAddress', async () => {
    assertDenied(await call(ids.deny, 'outside'), ids.deny, 'outside', true);
    assert.equal((await call(ids.deny, 'inside')).status, 200);
  });

  it('renders a customised ACCESS_DENIED gateway response instead of the default body', async () => {
    const res = await call(ids.custom, 'open');
    assert.equal(res.status, 403);
    assert.deepEqual(JSON.parse(res.text), { denied: JSON.parse(denied(ids.custom, 'open', true)).Message });
  });

  it('treats clients of a configured network as VPC endpoint traffic: aws:SourceVpce set, aws:SourceIp absent', async () => {
    const viaVpce = await call(ids.allow, 'private', { localAddress: '127.0.0.2' });
    assert.equal(viaVpce.status, 200, viaVpce.text);
    assertDenied(await call(ids.allow, 'private'), ids.allow, 'private', false);
    assert.equal((await call(ids.allow, 'loopback')).status, 200);
    assertDenied(await call(ids.allow, 'loopback', { localAddress: '127.0.0.2' }), ids.allow, 'loopback', false);
  });

  it('sees ::1 as an IPv6 caller and a mapped IPv4 caller as IPv4 on a dual-stack listener', async (t) => {
    const server: Server = createGatewayServer({ registry: portico.registry, version: 'test' });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '::', () => resolve());
      });
    } catch (err) {
      t.skip(`this machine cannot listen on IPv6 (${(err as Error).message})`);
      return;
    }
    try {
      const port = (server.address() as AddressInfo).port;
      const path = (p: string): string => `/_aws/execute-api/${ids.allow}/dev/${p}`;
      let v6: Reply;
      try {
        v6 = await get('::1', port, path('v6'));
      } catch (err) {
        t.skip(`this machine has no IPv6 loopback (${(err as Error).message})`);
        return;
      }
      assert.equal(v6.status, 200, v6.text);
      assertDenied(await get('::1', port, path('v4')), ids.allow, 'v4', false);
      // Arrives as ::ffff:127.0.0.1 on the dual-stack socket.
      assert.equal((await get('127.0.0.1', port, path('v4'))).status, 200);
      assertDenied(await get('127.0.0.1', port, path('v6')), ids.allow, 'v6', false);
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });

  it('combines a Cognito authorizer with the policy: both must admit the caller', async () => {
    const auth = { authorization: token };
    const ok = await call(ids.allow, 'pool-v4', { headers: auth });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(JSON.parse(ok.text).email, 'ann@example.com');
    const noToken = await call(ids.allow, 'pool-v4');
    assert.equal(noToken.status, 401);
    assert.equal(noToken.text, '{"message":"Unauthorized"}');
    // A verified token does not stand in for the explicit Allow the policy must give.
    assertDenied(await call(ids.allow, 'pool', { headers: auth }), ids.allow, 'pool', false);
    assert.equal((await call(ids.deny, 'pool', { headers: auth })).status, 200);
  });

  it("lets an explicit Deny win over a Cognito allow, before the token is even looked at", async () => {
    assertDenied(await call(ids.deny, 'pool-denied', { headers: { authorization: token } }), ids.deny, 'pool-denied', true);
    assertDenied(await call(ids.deny, 'pool-denied'), ids.deny, 'pool-denied', true);
    assert.equal((await call(ids.deny, 'pool')).status, 401);
  });

  it('stores a policy in AWS form: shorthand expanded, minified, escaped once more in responses', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [statement('Allow', 'execute-api:/*')] }, null, 2);
    const api = await client.send(new CreateRestApiCommand({ name: 'stored', policy }));
    const expected = { Version: '2012-10-17', Statement: [statement('Allow', `arn:aws:execute-api:us-east-1:000000000000:${api.id}/*`)] };
    assert.equal(api.policy, JSON.stringify(expected).replace(/["/]/g, (c) => `\\${c}`));
    assert.deepEqual(unescape((await client.send(new GetRestApiCommand({ restApiId: api.id! }))).policy), expected);
    assert.deepEqual(unescape((await client.send(new GetRestApiCommand({ restApiId: ids.deny }))).policy).Statement[0].Resource, `arn:aws:execute-api:us-east-1:000000000000:${ids.deny}/*`);

    const replaced = JSON.stringify({ Version: '2012-10-17', Statement: statement('Deny', 'execute-api:/dev/*') });
    const updated = await client.send(new UpdateRestApiCommand({ restApiId: api.id!, patchOperations: [{ op: 'replace', path: '/policy', value: replaced }] }));
    assert.equal(unescape(updated.policy).Statement.Resource, `arn:aws:execute-api:us-east-1:000000000000:${api.id}/dev/*`);
    const removed = await client.send(new UpdateRestApiCommand({ restApiId: api.id!, patchOperations: [{ op: 'remove', path: '/policy' }] }));
    assert.equal(removed.policy, undefined);
  });

  it('refuses a malformed policy on every way in and changes nothing', async () => {
    const count = async (): Promise<number> => (await client.send(new GetRestApisCommand({ limit: 500 }))).items?.length ?? 0;
    const before = await count();
    const bad = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Permit', Action: 'execute-api:Invoke', Resource: '*' }] });

    const created = await rejectsWith(client.send(new CreateRestApiCommand({ name: 'bad', policy: bad })), 'BadRequestException');
    assert.ok(created.message.startsWith(INVALID_POLICY), created.message);
    assert.match(created.message, /Statement\[0\]\.Effect/);
    assert.match(created.message, /Principal/);
    await rejectsWith(client.send(new CreateRestApiCommand({ name: 'bad', policy: '{"Version": "2012-10-17", ' })), 'BadRequestException', /not valid JSON/);
    const imported = openapi('bad', JSON.parse(bad), { '/open': mock() });
    await rejectsWith(client.send(new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(imported)) })), 'BadRequestException', /^Invalid policy document/);
    assert.equal(await count(), before);

    const original = (await client.send(new GetRestApiCommand({ restApiId: ids.deny }))).policy;
    await rejectsWith(
      client.send(new UpdateRestApiCommand({ restApiId: ids.deny, patchOperations: [{ op: 'replace', path: '/policy', value: bad }] })),
      'BadRequestException',
      /^Invalid policy document/,
    );
    for (const mode of ['merge', 'overwrite'] as const) {
      await rejectsWith(
        client.send(new PutRestApiCommand({ restApiId: ids.deny, mode, body: Buffer.from(JSON.stringify(imported)) })),
        'BadRequestException',
        /^Invalid policy document/,
      );
    }
    assert.equal((await client.send(new GetRestApiCommand({ restApiId: ids.deny }))).policy, original);
    assertDenied(await call(ids.deny, 'blocked'), ids.deny, 'blocked', true);
  });

  it('reads networks from PORTICO_NETWORKS and the option, most specific block first', () => {
    const networks = Networks.configure(
      { PORTICO_NETWORKS: JSON.stringify({ '10.0.0.0/8': { vpc: 'vpc-0wide' }, '10.1.0.0/16': { vpc: 'vpc-0narrow', vpce: 'vpce-0narrow' } }) },
      { '10.2.0.0/16': { vpce: 'vpce-0option' } },
    );
    assert.equal(networks.size, 3);
    assert.deepEqual(networks.lookup('10.1.2.3'), { vpc: 'vpc-0narrow', vpce: 'vpce-0narrow' });
    assert.deepEqual(networks.lookup('::ffff:10.9.9.9'), { vpc: 'vpc-0wide' });
    assert.deepEqual(networks.lookup('10.2.0.1'), { vpce: 'vpce-0option' });
    assert.equal(networks.lookup('192.0.2.1'), undefined);
    assert.throws(() => Networks.configure({ PORTICO_NETWORKS: 'nope' }, undefined), /PORTICO_NETWORKS is not JSON/);
    assert.throws(() => Networks.parse({ '10.0.0.0/33': { vpc: 'vpc-1' } }, 'test'), /invalid prefix/);
    assert.throws(() => Networks.parse({ '10.0.0.0/8': { vpc: 'subnet-1' } }, 'test'), /"vpc" must look like/);
    assert.throws(() => Networks.parse({ '10.0.0.0/8': {} }, 'test'), /neither/);
  });
});
