/**
 * REST API fidelity end to end: mapping templates and passthrough behaviours, request and
 * response parameter mapping, integration responses of HTTP and AWS (Lambda) integrations,
 * models and validators, customised gateway responses, CORS and compression — each through a
 * real Portico server, a real backend on loopback and a real function.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, gunzipSync } from 'node:zlib';
import { Portico } from '../../src/portico.js';
import { lambdaUri, listen, rawRequest, tempDir, writeHandler } from '../helpers.js';

describe('REST API fidelity', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;
  let backend: Awaited<ReturnType<typeof listen>>;
  let base: string;

  before(async () => {
    dir = await tempDir();
    // Echoes what it received, and answers the status a `status` query parameter asks for.
    backend = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://backend');
        const status = Number(url.searchParams.get('status') ?? 200);
        const text = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), pet: { id: 7, name: 'Rex' } });
        res.writeHead(status, { 'content-type': 'application/json', 'x-backend': 'echo' });
        res.end(text);
      });
    });
    portico = await Portico.start({ dataDir: dir.path, port: 0 });
    const codeDirectory = await writeHandler(
      dir.path,
      'pets',
      `export const handler = async (event) => {
        if (event.petId === 'missing') throw new Error('NotFound: no pet ' + event.petId);
        return { id: event.petId, name: 'Rex', tags: ['a', 'b'] };
      };`,
    );
    await portico.putFunction({ functionName: 'pets', runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory, timeout: 3, memorySize: 128, environment: {} });

    const echo = `http://127.0.0.1:${backend.port}`;
    const httpIntegration = (extra: Record<string, unknown>) => ({
      type: 'http',
      httpMethod: 'POST',
      uri: `${echo}/echo`,
      responses: { default: { statusCode: '200' } },
      ...extra,
    });
    const { api } = await portico.deployOpenApi({
      openapi: '3.0.1',
      info: { title: 'fidelity', version: '1' },
      'x-amazon-apigateway-minimum-compression-size': 100,
      'x-amazon-apigateway-request-validators': {
        all: { validateRequestBody: true, validateRequestParameters: true },
      },
      'x-amazon-apigateway-gateway-responses': {
        BAD_REQUEST_BODY: {
          statusCode: 422,
          responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
          responseTemplates: { 'application/json': '{"error": "$context.error.message", "detail": "$context.error.validationErrorString", "type": "$context.error.responseType"}' },
        },
        DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } },
      },
      components: {
        schemas: {
          Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } } },
        },
      },
      paths: {
        '/never': {
          post: {
            'x-amazon-apigateway-integration': httpIntegration({
              passthroughBehavior: 'never',
              requestTemplates: { 'application/json': '{"mapped": $input.json(\'$\')}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '$input.json(\'$.body\')' } } },
            }),
          },
        },
        '/no-templates': {
          post: { 'x-amazon-apigateway-integration': httpIntegration({ passthroughBehavior: 'when_no_templates', requestTemplates: { 'application/json': '{}' } }) },
        },
        '/no-match': {
          post: {
            'x-amazon-apigateway-integration': httpIntegration({
              passthroughBehavior: 'when_no_match',
              requestTemplates: { 'application/json': '{"mapped": true}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '$input.json(\'$.body\')' } } },
            }),
          },
        },
        '/overrides/{id}': {
          post: {
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            responses: {
              '200': {
                description: 'mapped',
                headers: { 'X-Pet-Name': { schema: { type: 'string' } }, 'X-Backend': { schema: { type: 'string' } }, 'X-Static': { schema: { type: 'string' } } },
              },
            },
            'x-amazon-apigateway-integration': httpIntegration({
              requestParameters: { 'integration.request.header.x-pet-id': 'method.request.path.id', 'integration.request.querystring.static': "'yes'" },
              requestTemplates: {
                'application/json': [
                  '#set($context.requestOverride.header.x-override = "from-template")',
                  '#set($context.requestOverride.querystring.q = $input.path(\'$.q\'))',
                  '{"id": "$input.params(\'id\')", "stage": "$context.stage", "n": $input.json(\'$.n\')}',
                ].join('\n'),
              },
              responses: {
                default: {
                  statusCode: '200',
                  responseParameters: {
                    'method.response.header.X-Pet-Name': 'integration.response.body.pet.name',
                    'method.response.header.X-Backend': 'integration.response.header.x-backend',
                    'method.response.header.X-Static': "'fixed'",
                  },
                  responseTemplates: {
                    'application/json': '#set($b = $input.path(\'$\'))#set($context.responseOverride.header.X-Seen = $b.headers.get(\'x-override\')){"url": "$b.url", "pet": "$b.headers.get(\'x-pet-id\')", "body": $b.body}',
                    'application/xml': '<pet>$input.path(\'$.pet.name\')</pet>',
                  },
                },
              },
            }),
          },
        },
        '/status': {
          get: {
            parameters: [{ name: 'status', in: 'query', schema: { type: 'string' } }],
            'x-amazon-apigateway-integration': {
              type: 'http',
              httpMethod: 'GET',
              uri: `${echo}/status`,
              requestParameters: { 'integration.request.querystring.status': 'method.request.querystring.status' },
              responses: {
                default: { statusCode: '200' },
                '4\\d{2}': { statusCode: '400', responseTemplates: { 'application/json': '{"backendFailed": true}' } },
              },
            },
          },
        },
        '/pets/{petId}': {
          get: {
            parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
            'x-amazon-apigateway-integration': {
              type: 'aws',
              httpMethod: 'POST',
              uri: lambdaUri('pets'),
              requestTemplates: { 'application/json': '{"petId": "$input.params(\'petId\')"}' },
              responses: {
                default: { statusCode: '200', responseTemplates: { 'application/json': '{"name": "$input.path(\'$.name\')", "tags": $input.json(\'$.tags\'), "count": $input.path(\'$.tags\').size()}' } },
                'NotFound.*': { statusCode: '404', responseTemplates: { 'application/json': '{"error": "$input.path(\'$.errorMessage\')"}' } },
              },
            },
          },
        },
        '/validated': {
          post: {
            'x-amazon-apigateway-request-validator': 'all',
            parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string' } }],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } },
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } } },
            },
          },
        },
        '/cors': {
          options: {
            responses: {
              '200': {
                description: 'preflight',
                headers: {
                  'Access-Control-Allow-Origin': { schema: { type: 'string' } },
                  'Access-Control-Allow-Methods': { schema: { type: 'string' } },
                  'Access-Control-Allow-Headers': { schema: { type: 'string' } },
                },
              },
            },
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              passthroughBehavior: 'when_no_match',
              responses: {
                default: {
                  statusCode: '200',
                  responseParameters: {
                    'method.response.header.Access-Control-Allow-Origin': "'*'",
                    'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS,POST'",
                    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'",
                  },
                  responseTemplates: { 'application/json': '' },
                },
              },
            },
          },
        },
        '/big': {
          get: {
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"items": [#foreach($i in [1..200])"item-$i"#if($foreach.hasNext),#end#end]}' } } },
            },
          },
        },
        '/gz': {
          post: {
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '#set($context.responseOverride.header.X-Name = $input.path(\'$.name\')){"statusCode": 200}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"name": "$context.responseOverride.header.X-Name"}' } } },
            },
          },
        },
        '/runaway': {
          get: {
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '#foreach($i in [1..100000000])#set($x = "$i")#end' } } },
            },
          },
        },
      },
    });
    base = `/_aws/execute-api/${api.id}/dev`;
  });

  after(async () => {
    await portico.close();
    await backend.close();
    await dir.remove();
  });

  describe('template selection and passthrough', () => {
    it('maps a JSON body with the application/json template, also when no Content-Type is sent', async () => {
      for (const headers of [{ 'content-type': 'application/json' }, {}] as Record<string, string>[]) {
        const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/never`, headers, body: '{"a":1}' });
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.json()), { mapped: { a: 1 } });
      }
    });

    it('NEVER refuses a Content-Type without a template with 415', async () => {
      const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/never`, headers: { 'content-type': 'text/plain' }, body: 'hi' });
      assert.equal(res.status, 415);
      assert.deepEqual(res.json(), { message: 'Unsupported Media Type' });
      assert.equal(res.headers['x-amzn-errortype'], 'UnsupportedMediaTypeException');
    });

    it('WHEN_NO_TEMPLATES refuses an unmatched Content-Type once any template exists', async () => {
      const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/no-templates`, headers: { 'content-type': 'text/plain' }, body: 'hi' });
      assert.equal(res.status, 415);
    });

    it('WHEN_NO_MATCH passes an unmatched body through unchanged', async () => {
      const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/no-match`, headers: { 'content-type': 'text/plain' }, body: 'raw text' });
      assert.equal(res.status, 200);
      assert.equal(res.json(), 'raw text');
    });
  });

  describe('HTTP integration mapping', () => {
    it('applies request parameters, the template and its requestOverride, then maps the response', async () => {
      const res = await rawRequest(portico.port, {
        method: 'POST',
        path: `${base}/overrides/42`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ q: 'search', n: 5 }),
      });
      assert.equal(res.status, 200, res.text);
      const body = res.json();
      assert.equal(body.pet, '42');
      assert.match(body.url, /^\/echo\?/);
      const query = new URLSearchParams(body.url.split('?')[1]);
      assert.equal(query.get('static'), 'yes');
      assert.equal(query.get('q'), 'search');
      assert.deepEqual(body.body, { id: '42', stage: 'dev', n: 5 });
      assert.equal(res.headers['x-seen'], 'from-template');
      assert.equal(res.headers['x-pet-name'], 'Rex');
      assert.equal(res.headers['x-backend'], 'echo');
      assert.equal(res.headers['x-static'], 'fixed');
      assert.equal(res.headers['content-type'], 'application/json');
    });

    it('chooses the response template by the Accept header', async () => {
      const res = await rawRequest(portico.port, {
        method: 'POST',
        path: `${base}/overrides/1`,
        headers: { 'content-type': 'application/json', accept: 'application/xml' },
        body: '{"q": "x", "n": 1}',
      });
      assert.equal(res.status, 200);
      assert.equal(res.text, '<pet>Rex</pet>');
      assert.equal(res.headers['content-type'], 'application/xml');
    });

    it('selects an integration response by the backend status', async () => {
      const ok = await rawRequest(portico.port, { path: `${base}/status?status=200` });
      assert.equal(ok.status, 200);
      const failed = await rawRequest(portico.port, { path: `${base}/status?status=404` });
      assert.equal(failed.status, 400);
      assert.deepEqual(failed.json(), { backendFailed: true });
    });
  });

  describe('AWS (non-proxy) Lambda integration', () => {
    it('maps the request into the event and the payload into the response', async () => {
      const res = await rawRequest(portico.port, { path: `${base}/pets/7` });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), { name: 'Rex', tags: ['a', 'b'], count: 2 });
    });

    it('selects an integration response by the errorMessage of a failed function', async () => {
      const res = await rawRequest(portico.port, { path: `${base}/pets/missing` });
      assert.equal(res.status, 404);
      assert.deepEqual(res.json(), { error: 'NotFound: no pet missing' });
    });
  });

  describe('request validation and gateway responses', () => {
    it('answers a missing required parameter through BAD_REQUEST_PARAMETERS (DEFAULT_4XX headers)', async () => {
      const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/validated`, headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { message: 'Missing required request parameters: [q]' });
      assert.equal(res.headers['access-control-allow-origin'], '*');
    });

    it('renders a customised BAD_REQUEST_BODY template with the validation error', async () => {
      const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/validated?q=1`, headers: { 'content-type': 'application/json' }, body: '{"age": -1}' });
      assert.equal(res.status, 422);
      const body = res.json();
      assert.equal(body.error, 'Invalid request body');
      assert.equal(body.type, 'BAD_REQUEST_BODY');
      assert.match(body.detail, /name/);
      assert.equal(res.headers['access-control-allow-origin'], '*');
    });

    it('lets a valid request through', async () => {
      const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/validated?q=1`, headers: { 'content-type': 'application/json' }, body: '{"name": "Rex", "age": 3}' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { ok: true });
    });

    it('adds DEFAULT_4XX headers to a missing-route 403 as well', async () => {
      const res = await rawRequest(portico.port, { path: `${base}/nowhere` });
      assert.equal(res.status, 403);
      assert.equal(res.headers['access-control-allow-origin'], '*');
    });
  });

  describe('CORS', () => {
    it('answers a preflight from the OPTIONS MOCK method with the Access-Control headers', async () => {
      const res = await rawRequest(portico.port, {
        method: 'OPTIONS',
        path: `${base}/cors`,
        headers: { origin: 'http://example.com', 'access-control-request-method': 'POST' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['access-control-allow-methods'], 'GET,OPTIONS,POST');
      assert.equal(res.headers['access-control-allow-headers'], 'Content-Type,X-Amz-Date,Authorization,X-Api-Key');
      assert.equal(res.text, '');
    });
  });

  describe('compression', () => {
    it('gzips a response over minimumCompressionSize when the client accepts gzip', async () => {
      const res = await rawRequest(portico.port, { path: `${base}/big`, headers: { 'accept-encoding': 'gzip' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.equal(JSON.parse(gunzipSync(res.body).toString('utf8')).items.length, 200);
    });

    it('sends it uncompressed to a client that does not ask', async () => {
      const res = await rawRequest(portico.port, { path: `${base}/big` });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.json().items[199], 'item-200');
    });

    it('decodes a gzip request body before mapping it', async () => {
      const res = await rawRequest(portico.port, {
        method: 'POST',
        path: `${base}/gz`,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync('{"name": "zipped"}'),
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), { name: 'zipped' });
      assert.equal(res.headers['x-name'], 'zipped');
    });

    it('refuses a body that is not in the coding it names with 415', async () => {
      const res = await rawRequest(portico.port, {
        method: 'POST',
        path: `${base}/gz`,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: 'not gzip',
      });
      assert.equal(res.status, 415);
    });
  });

  it('stops a runaway template with a 500 and keeps serving', async () => {
    const res = await rawRequest(portico.port, { path: `${base}/runaway` });
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), { message: 'Internal server error' });
    const next = await rawRequest(portico.port, { path: `${base}/big` });
    assert.equal(next.status, 200);
  });
});
