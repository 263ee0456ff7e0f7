/**
 * The management service itself, below any operation: routing, authentication, body checks and
 * the answer for operations Portico does not implement; and the compatibility table in docs/
 * matching the registry.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { createServer, type Server } from 'node:http';
import { APIGatewayClient, GetSdkCommand } from '@aws-sdk/client-api-gateway';
import { createManagementApi } from '../../src/management/service.js';
import { handlerFor } from '../../src/management/registry.js';
import { SqliteStore, IN_MEMORY } from '../../src/store/sqlite.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/model/settings.js';
import { rawRequest } from '../helpers.js';
import { compatibilityTable, COMPATIBILITY_DOC } from '../../src/management/compatibility.js';
import { matchOperation } from '../../src/management/router.js';
import { OPERATIONS } from '../../src/management/operations.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

describe('management operation routing', () => {
  const match = (method: string, path: string): string | undefined => {
    const q = path.indexOf('?');
    const m = matchOperation(method, q === -1 ? path : path.slice(0, q), new URLSearchParams(q === -1 ? '' : path.slice(q + 1)));
    return m && `${m.binding.service}:${m.binding.name} ${JSON.stringify(m.labels)}`;
  };

  it('tells operations apart by method, path and literal query', () => {
    assert.equal(match('POST', '/restapis'), 'apigateway:CreateRestApi {}');
    assert.equal(match('POST', '/restapis?mode=import'), 'apigateway:ImportRestApi {}');
    assert.equal(match('GET', '/restapis/abc123/resources/r1'), 'apigateway:GetResource {"restApiId":"abc123","resourceId":"r1"}');
    assert.equal(match('GET', '/restapis/abc/stages/prod/exports/oas30'), 'apigateway:GetExport {"restApiId":"abc","stageName":"prod","exportType":"oas30"}');
    assert.equal(match('PATCH', '/v2/apis/a1/stages/s1'), 'apigatewayv2:UpdateStage {"ApiId":"a1","StageName":"s1"}');
    assert.equal(match('GET', '/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc'), 'apigateway:GetTags {"resourceArn":"arn:aws:apigateway:us-east-1::/restapis/abc"}');
    assert.equal(match('DELETE', '/restapis'), undefined);
  });

  it('knows every operation of both services', () => {
    assert.equal(OPERATIONS.filter((o) => o.service === 'apigateway').length, 124);
    assert.equal(OPERATIONS.filter((o) => o.service === 'apigatewayv2').length, 103);
  });

  it('has a handler for every operation of both services', () => {
    const missing = OPERATIONS.filter((o) => !handlerFor(o.service, o.name)).map((o) => `${o.service}:${o.name}`);
    assert.deepEqual(missing, []);
  });

  it('has a compatibility table in docs/ generated from the registry', () => {
    assert.equal(readFileSync(COMPATIBILITY_DOC, 'utf8'), compatibilityTable(), 'docs/management-api.md is stale: run node dist/src/management/compatibility.js');
  });
});

describe('management service on the wire', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  const signed = async (method: string, path: string, body?: string, secret = 'test') => {
    const signer = new SignatureV4({ service: 'apigateway', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: secret }, sha256: Sha256 });
    const [pathname, query] = path.split('?') as [string, string | undefined];
    const request = await signer.sign({
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: h.portico.port,
      path: pathname,
      query: Object.fromEntries(new URLSearchParams(query ?? '')),
      headers: { host: `127.0.0.1:${h.portico.port}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
    });
    return rawRequest(h.portico.port, { method, path, headers: request.headers as Record<string, string>, body });
  };

  it('refuses unsigned and wrongly signed calls in AWS\'s shape', async () => {
    const unsigned = await rawRequest(h.portico.port, { path: '/restapis' });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.equal(typeof unsigned.json().message, 'string');
    const wrong = await signed('GET', '/restapis', undefined, 'not-the-secret');
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers['x-amzn-errortype'], 'InvalidSignatureException');
  });

  it('answers bad JSON, unknown fields and wrong types with 400 and writes nothing', async () => {
    for (const body of ['{not json', '[]', '{"name": 5}', '{"name": "a", "bogus": true}']) {
      const r = await signed('POST', '/restapis', body);
      assert.equal(r.status, 400, body);
      assert.equal(r.headers['x-amzn-errortype'], 'SerializationException', body);
    }
  });

  it('answers a path no operation has with 404', async () => {
    const r = await signed('GET', '/restapis/a/b/c/d/e/f/g');
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-amzn-errortype'], 'NotFoundException');
  });
});

describe('management service without a handler for an operation', () => {
  let server: Server;
  let store: SqliteStore;
  let client: APIGatewayClient;
  before(async () => {
    store = SqliteStore.open(IN_MEMORY);
    // A registry missing GetSdk stands in for an operation AWS added after operations.ts was generated.
    const api = createManagementApi({
      store,
      account: DEFAULT_ACCOUNT_SETTINGS,
      authenticate: () => undefined,
      handlerFor: (service, name) => (name === 'GetSdk' ? undefined : handlerFor(service, name)),
    });
    server = createServer((req, res) => {
      if (!api(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    client = new APIGatewayClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  it('answers 501 naming the operation', async () => {
    const e = await rejectsWith(client.send(new GetSdkCommand({ restApiId: 'abc123', stageName: 'dev', sdkType: 'javascript' })), 'NotImplementedException', 'Portico does not implement apigateway:GetSdk yet');
    assert.equal(e.$metadata?.httpStatusCode, 501);
  });
});
