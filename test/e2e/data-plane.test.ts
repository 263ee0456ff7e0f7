/**
 * End-to-end tests of the data plane: a real Portico on an ephemeral port, real backends and
 * real functions, driven over HTTP. Covers dispatch, routing, every integration type, AWS's
 * limits and errors, atomic redeploys and restarts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Portico } from '../../src/portico.js';
import { lambdaUri, listen, rawRequest, tempDir, writeHandler, UUID } from '../helpers.js';

const FUNCTIONS: Record<string, string> = {
  echo: `export const handler = async (event, context) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event, requestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis(), env: process.env.GREETING }) });`,
  thrower: `export const handler = async () => { throw new Error('boom'); };`,
  badshape: `export const handler = async () => ({ statusCode: 200, wrongValue: 1 });`,
  sleeper: `export const handler = async () => { await new Promise(r => setTimeout(r, 3000)); return { statusCode: 200, body: 'late' }; };`,
  crasher: `export const handler = async () => { process.exit(3); };`,
  callback: `export const handler = (event, context, callback) => { setTimeout(() => callback(null, { statusCode: 201, body: 'cb' }), 5); };`,
  commonjs: null as unknown as string,
};

describe('data plane', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;
  let upstream: Awaited<ReturnType<typeof listen>>;
  let apiId: string;
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];

  const openapi = (upstreamPort: number) => ({
    openapi: '3.0.1',
    info: { title: 'data-plane', version: '1' },
    paths: {
      '/mock': {
        get: {
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: {
              default: {
                statusCode: '200',
                responseParameters: { 'method.response.header.X-Mock': "'yes'" },
                responseTemplates: { 'application/json': '{"mocked":true}' },
              },
            },
          },
          responses: { '200': { description: 'ok', headers: { 'X-Mock': { schema: { type: 'string' } } } } },
        },
      },
      '/mock/teapot': {
        get: {
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 418}' },
            responses: {
              default: { statusCode: '200' },
              '418': { statusCode: '418', responseTemplates: { 'application/json': '{"tea":true}' } },
            },
          },
        },
      },
      '/proxy/{proxy+}': {
        'x-amazon-apigateway-any-method': {
          parameters: [{ name: 'proxy', in: 'path', required: true, schema: { type: 'string' } }],
          'x-amazon-apigateway-integration': {
            type: 'http_proxy',
            httpMethod: 'ANY',
            uri: '${stageVariables.backend}/{proxy}',
            requestParameters: {
              'integration.request.path.proxy': 'method.request.path.proxy',
              'integration.request.header.X-Stage': 'context.stage',
            },
          },
        },
      },
      '/slow': {
        get: {
          'x-amazon-apigateway-integration': {
            type: 'http_proxy',
            httpMethod: 'GET',
            uri: `http://127.0.0.1:${upstreamPort}/slow`,
            timeoutInMillis: 300,
          },
        },
      },
      '/dead': {
        get: {
          'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: 'http://127.0.0.1:9/nothing' },
        },
      },
      '/plain': {
        post: {
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'POST',
            uri: `http://127.0.0.1:${upstreamPort}/status/404`,
            responses: {
              default: { statusCode: '200', responseParameters: { 'method.response.header.X-Upstream': 'integration.response.header.x-upstream' } },
            },
          },
          responses: { '200': { description: 'ok', headers: { 'X-Upstream': { schema: { type: 'string' } } } } },
        },
      },
      '/items/{id}': {
        get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('echo') } },
      },
      '/items/special': {
        get: {
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '"literal wins"' } } },
          },
        },
      },
      '/fn/{name}': {
        'x-amazon-apigateway-any-method': {
          'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('${stageVariables.fn}') },
        },
      },
      '/thrower': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('thrower') } } },
      '/badshape': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('badshape') } } },
      '/sleeper': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('sleeper') } } },
      '/sleeper-short': {
        get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('sleeper'), timeoutInMillis: 200 } },
      },
      '/crasher': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('crasher') } } },
      '/callback': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('callback') } } },
      '/missing-fn': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('nope') } } },
      '/cjs': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('commonjs') } } },
    },
  });

  before(async () => {
    dir = await tempDir();
    upstream = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url === '/slow') {
          setTimeout(() => res.end('too late'), 1500);
          return;
        }
        const status = /^\/status\/(\d{3})/.exec(req.url!);
        res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'application/json', 'x-upstream': 'here', server: 'echo/1.0' });
        res.end(JSON.stringify({ method: req.method, url: req.url, length: body.length, size: req.headers['content-length'] ?? null }));
      });
    });
    portico = await Portico.start({ dataDir: dir.path, port: 0 });
    for (const [name, source] of Object.entries(FUNCTIONS)) {
      let codeDirectory: string;
      if (name === 'commonjs') {
        codeDirectory = await writeHandler(dir.path, name, '');
        const { writeFile } = await import('node:fs/promises');
        await writeFile(`${codeDirectory}/index.js`, `exports.handler = async (event) => ({ statusCode: 200, body: 'cjs ' + event.httpMethod });`);
        await writeFile(`${codeDirectory}/package.json`, '{"type":"commonjs"}');
        const { rm } = await import('node:fs/promises');
        await rm(`${codeDirectory}/index.mjs`);
      } else {
        codeDirectory = await writeHandler(dir.path, name, source);
      }
      await portico.putFunction({
        functionName: name,
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        codeDirectory,
        timeout: name === 'sleeper' ? 1 : 3,
        memorySize: 128,
        environment: { GREETING: 'hi' },
      });
    }
    const deployed = await portico.deployOpenApi(openapi(upstream.port), {
      stageName: 'test',
      stageVariables: { backend: `http://127.0.0.1:${upstream.port}`, fn: 'echo' },
      sourceKey: 'inline:data-plane',
    });
    apiId = deployed.api.id;
  });

  after(async () => {
    await portico.close();
    await upstream.close();
    await dir.remove();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(portico.port, { path: `/_aws/execute-api/${apiId}/test${path}`, headers });

  it('answers a MOCK route from its integration response, with AWS request ids', async () => {
    const res = await get('/mock');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { mocked: true });
    assert.equal(res.headers['x-mock'], 'yes');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.match(String(res.headers['x-amzn-requestid']), UUID);
    assert.ok(res.headers['x-amz-apigw-id']);
  });

  it('selects a MOCK integration response by the status in the request template', async () => {
    const res = await get('/mock/teapot');
    assert.equal(res.status, 418);
    assert.deepEqual(res.json(), { tea: true });
  });

  it('serves host-style invoke URLs', async () => {
    const res = await rawRequest(portico.port, { path: '/test/mock', headers: { host: `${apiId}.execute-api.localhost:${portico.port}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { mocked: true });
  });

  it('answers Missing Authentication Token for an unknown path or method', async () => {
    for (const [method, path] of [['GET', '/nowhere'], ['DELETE', '/mock'], ['GET', '/items']]) {
      const res = await rawRequest(portico.port, { method, path: `/_aws/execute-api/${apiId}/test${path}` });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.deepEqual(res.json(), { message: 'Missing Authentication Token' });
      assert.equal(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
      assert.match(String(res.headers['x-amzn-requestid']), UUID);
    }
  });

  it('answers 403 Forbidden for an unknown stage and 404 for an unknown API', async () => {
    const stage = await rawRequest(portico.port, { path: `/_aws/execute-api/${apiId}/nostage/mock` });
    assert.equal(stage.status, 403);
    assert.deepEqual(stage.json(), { message: 'Forbidden' });
    assert.equal(stage.headers['x-amzn-errortype'], 'ForbiddenException');
    const api = await rawRequest(portico.port, { path: '/_aws/execute-api/zzzzzzzzzz/test/mock' });
    assert.equal(api.status, 404);
    assert.ok(api.headers['x-amzn-requestid']);
  });

  it('prefers a literal resource over {param}', async () => {
    const res = await get('/items/special');
    assert.equal(res.text, '"literal wins"');
    const param = await get('/items/42');
    assert.equal(param.json().event.pathParameters.id, '42');
  });

  it('proxies HTTP_PROXY with path, query, headers and stage variables', async () => {
    seen.length = 0;
    const res = await get('/proxy/a/b%20c?x=1&x=2', { 'x-custom': 'kept', connection: 'keep-alive' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { method: 'GET', url: '/a/b%20c?x=1&x=2', length: 0, size: null });
    const hit = seen[0]!;
    assert.equal(hit.headers['x-custom'], 'kept');
    assert.equal(hit.headers['x-stage'], 'test');
    assert.equal(hit.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(hit.headers['x-forwarded-proto'], 'http');
    assert.equal(hit.headers['x-forwarded-port'], String(portico.port));
    assert.match(String(hit.headers['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    // The backend's own Server header is AWS's to rename.
    assert.equal(res.headers['x-amzn-remapped-server'], 'echo/1.0');
    assert.equal(res.headers['x-upstream'], 'here');
  });

  it('passes the backend status through HTTP_PROXY', async () => {
    const res = await get('/proxy/status/404');
    assert.equal(res.status, 404);
  });

  it('streams a large body to the backend and back', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024, 'a');
    const res = await rawRequest(portico.port, { method: 'POST', path: `/_aws/execute-api/${apiId}/test/proxy/upload`, body });
    assert.equal(res.status, 200);
    assert.equal(res.json().length, body.length);
  });

  it('rejects a body over 10 MB with 413', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');
    const res = await rawRequest(portico.port, { method: 'POST', path: `/_aws/execute-api/${apiId}/test/fn/x`, body }).catch(
      (err: Error) => err,
    );
    // The server may close the socket while the client is still sending: both mean refused.
    if (!(res instanceof Error)) {
      assert.equal(res.status, 413);
      assert.equal(res.headers['x-amzn-errortype'], 'RequestTooLargeException');
    }
    const declared = await rawRequest(portico.port, {
      method: 'POST',
      path: `/_aws/execute-api/${apiId}/test/proxy/upload`,
      headers: { 'content-length': String(11 * 1024 * 1024) },
    }).catch((err: Error) => err);
    if (!(declared instanceof Error)) assert.equal(declared.status, 413);
    // The gateway is still healthy afterwards.
    assert.equal((await get('/mock')).status, 200);
  });

  it('answers 504 "Endpoint request timed out" past timeoutInMillis', async () => {
    const res = await get('/slow');
    assert.equal(res.status, 504);
    assert.deepEqual(res.json(), { message: 'Endpoint request timed out' });
  });

  it('answers AWS\'s 5xx for an unreachable backend', async () => {
    const res = await get('/dead');
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), { message: 'Internal server error' });
    assert.equal(res.headers['x-amzn-errortype'], 'InternalServerErrorException');
  });

  it('maps any backend status to the default integration response for HTTP', async () => {
    seen.length = 0;
    const res = await rawRequest(portico.port, {
      method: 'POST',
      path: `/_aws/execute-api/${apiId}/test/plain?dropped=1`,
      headers: { 'content-type': 'application/json', 'user-agent': 'me', 'x-dropped': '1' },
      body: '{"a":1}',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-upstream'], 'here');
    assert.equal(seen[0]!.url, '/status/404');
    assert.equal(seen[0]!.body, '{"a":1}');
    assert.equal(seen[0]!.headers['user-agent'], `AmazonAPIGateway_${apiId}`);
    assert.equal(seen[0]!.headers['x-dropped'], undefined);
  });

  it('invokes a Lambda proxy integration with the payload 1.0 event and the Lambda context', async () => {
    const res = await get('/items/7?a=1&a=2&b=x+y', { 'X-Mixed-Case': 'v' });
    assert.equal(res.status, 200);
    const { event, requestId, remaining, env } = res.json();
    assert.equal(env, 'hi');
    assert.match(requestId, UUID);
    assert.ok(remaining > 0 && remaining <= 3000);
    assert.equal(event.resource, '/items/{id}');
    assert.equal(event.path, '/items/7');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.pathParameters, { id: '7' });
    assert.deepEqual(event.queryStringParameters, { a: '2', b: 'x y' });
    assert.deepEqual(event.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x y'] });
    assert.equal(event.headers['X-Mixed-Case'], 'v');
    assert.deepEqual(event.multiValueHeaders['X-Mixed-Case'], ['v']);
    assert.deepEqual(event.stageVariables, { backend: `http://127.0.0.1:${upstream.port}`, fn: 'echo' });
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.stage, 'test');
    assert.equal(event.requestContext.resourcePath, '/items/{id}');
    assert.equal(event.requestContext.path, '/test/items/7');
    assert.equal(event.requestContext.accountId, '000000000000');
    assert.equal(event.requestContext.apiId, apiId);
    assert.equal(event.requestContext.requestId, res.headers['x-amzn-requestid']);
    assert.equal(typeof event.requestContext.requestTimeEpoch, 'number');
    assert.equal(event.requestContext.identity.sourceIp, '127.0.0.1');
  });

  it('resolves stage variables in Lambda ARNs and passes POST bodies', async () => {
    const res = await rawRequest(portico.port, {
      method: 'POST',
      path: `/_aws/execute-api/${apiId}/test/fn/x`,
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    assert.equal(res.status, 200);
    assert.equal(res.json().event.body, '{"hello":"world"}');
  });

  it('answers 502 when a handler throws or returns an invalid shape', async () => {
    for (const path of ['/thrower', '/badshape']) {
      const res = await get(path);
      assert.equal(res.status, 502, path);
      assert.deepEqual(res.json(), { message: 'Internal server error' });
    }
  });

  it('answers 502 when a function times out, 504 when the integration times out first', async () => {
    const fn = await get('/sleeper');
    assert.equal(fn.status, 502);
    const integration = await get('/sleeper-short');
    assert.equal(integration.status, 504);
    assert.deepEqual(integration.json(), { message: 'Endpoint request timed out' });
  });

  it('survives a function that kills its own process, and replaces the instance', async () => {
    const res = await get('/crasher');
    assert.equal(res.status, 502);
    assert.equal((await get('/items/1')).status, 200);
    assert.equal((await get('/crasher')).status, 502);
  });

  it('supports callback-style and CommonJS handlers', async () => {
    const cb = await get('/callback');
    assert.equal(cb.status, 201);
    assert.equal(cb.text, 'cb');
    const cjs = await get('/cjs');
    assert.equal(cjs.text, 'cjs GET');
  });

  it('answers 500 for a Lambda integration naming no function', async () => {
    const res = await get('/missing-fn');
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), { message: 'Internal server error' });
  });

  it('survives clients that disconnect mid-upload, on proxy and Lambda routes', async () => {
    const { connect } = await import('node:net');
    for (const path of ['/proxy/upload', '/fn/x']) {
      await new Promise<void>((resolve) => {
        const socket = connect(portico.port, '127.0.0.1', () => {
          socket.write(`POST /_aws/execute-api/${apiId}/test${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial`);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 50);
        });
        socket.on('error', () => resolve());
      });
    }
    await sleep(50);
    assert.equal((await get('/mock')).status, 200);
    assert.equal((await get('/items/3')).status, 200);
  });

  it('reports what is loaded on /_portico/health', async () => {
    const res = await rawRequest(portico.port, { path: '/_portico/health' });
    assert.equal(res.status, 200);
    const health = res.json();
    assert.equal(health.status, 'ok');
    assert.ok(health.version);
    const api = health.apis.find((a: { id: string }) => a.id === apiId);
    assert.equal(api.name, 'data-plane');
    assert.equal(api.stages[0].stageName, 'test');
  });

  it('swaps a redeployed stage atomically: requests in flight finish on the old deployment', async () => {
    const doc = openapi(upstream.port);
    // Slow the backend route down so a request is in flight during the redeploy.
    const inflight = get('/slow').catch((e: Error) => e);
    await sleep(50);
    const changed = structuredClone(doc) as typeof doc;
    (changed.paths['/mock'].get['x-amazon-apigateway-integration'].responses.default.responseTemplates as Record<string, string>)['application/json'] =
      '{"mocked":"v2"}';
    changed.paths['/slow'].get['x-amazon-apigateway-integration'].timeoutInMillis = 5000;
    const before = await get('/mock');
    assert.deepEqual(before.json(), { mocked: true });
    const redeployed = await portico.deployOpenApi(changed, {
      stageName: 'test',
      stageVariables: { backend: `http://127.0.0.1:${upstream.port}`, fn: 'echo' },
      sourceKey: 'inline:data-plane',
    });
    assert.equal(redeployed.api.id, apiId, 'the same source updates the same API');
    assert.deepEqual((await get('/mock')).json(), { mocked: 'v2' });
    const old = await inflight;
    // The in-flight request kept its deployment's 300 ms timeout.
    assert.ok(!(old instanceof Error) && old.status === 504);
  });
});
