/**
 * ImportRestApi, PutRestApi and GetExport through the real AWS SDK v3 client (and once through
 * the AWS CLI): documents in, the RestApi shape out, exports that import again as the same API
 * and serve the same answers on the data plane.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { GetExportCommand, ImportRestApiCommand, PutRestApiCommand } from '@aws-sdk/client-api-gateway';
import { deployRestApi } from '../../src/control/rest-apis.js';
import type { RestApiDocument } from '../../src/model/rest-api.js';
import { AWS_CLI, awsCliEnv, awsCliMissing, rawRequest, tempDir } from '../helpers.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/management');
const ORDERS_FILE = join(FIXTURES, 'orders-openapi3.json');
const ORDERS = readFileSync(ORDERS_FILE);
const PETS_YAML = readFileSync(join(FIXTURES, 'petstore-swagger2.yaml'));

type Json = Record<string, any>;

describe('apigateway import and export', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  const stored = async (id: string): Promise<RestApiDocument> => {
    const api = await h.portico.store.getApi(id);
    assert.ok(api, `API ${id} is stored`);
    return api.document;
  };
  const paths = (doc: RestApiDocument): string[] => Object.values(doc.resources).map((r) => r.path).sort();
  const methodsAt = (doc: RestApiDocument, path: string): string[] =>
    Object.keys(Object.values(doc.resources).find((r) => r.path === path)?.resourceMethods ?? {}).sort();
  const importApi = async (body: Uint8Array, parameters?: Record<string, string>) =>
    h.v1.send(new ImportRestApiCommand({ body, ...(parameters ? { parameters } : {}) }));
  const deploy = (id: string, stageName = 'test') => deployRestApi(h.portico.store, id, { stageName });
  const exportText = async (id: string, exportType: string, options: { extensions?: string; accepts?: string; stageName?: string } = {}) => {
    const out = await h.v1.send(
      new GetExportCommand({
        restApiId: id,
        stageName: options.stageName ?? 'test',
        exportType,
        ...(options.extensions ? { parameters: { extensions: options.extensions } } : {}),
        ...(options.accepts ? { accepts: options.accepts } : {}),
      }),
    );
    return { ...out, text: Buffer.from(out.body ?? new Uint8Array()).toString('utf8') };
  };
  const exportJson = async (id: string, exportType: string, extensions?: string): Promise<Json> =>
    JSON.parse((await exportText(id, exportType, extensions ? { extensions } : {})).text) as Json;

  describe('ImportRestApi', () => {
    it('creates a new API from OpenAPI 3 JSON and answers the RestApi shape', async () => {
      const api = await importApi(ORDERS);
      assert.equal(api.$metadata.httpStatusCode, 201);
      assert.match(api.id!, /^[a-z0-9]{10}$/);
      assert.equal(api.name, 'Orders');
      assert.equal(api.description, 'Orders service used by the import/export tests');
      assert.equal(api.version, '1.4');
      assert.deepEqual(api.binaryMediaTypes, ['image/png']);
      assert.equal(api.apiKeySource, 'HEADER');
      assert.deepEqual(api.endpointConfiguration?.types, ['EDGE']);
      const doc = await stored(api.id!);
      assert.equal(api.rootResourceId, doc.rootResourceId);
      assert.deepEqual(paths(doc), ['/', '/files', '/files/{proxy+}', '/greetings', '/greetings/{name}', '/orders', '/orders/{orderId}']);
      assert.deepEqual(methodsAt(doc, '/orders'), ['GET', 'POST']);
      assert.deepEqual(Object.keys(doc.models).sort(), ['Empty', 'Greeting', 'NewOrder', 'Order', 'Orders']);
      assert.deepEqual(Object.values(doc.requestValidators).map((v) => v.name).sort(), ['body-only', 'params-only']);
    });

    it('imports Swagger 2.0 YAML with endpoint type and base path parameters', async () => {
      const api = await importApi(PETS_YAML, { endpointConfigurationTypes: 'REGIONAL', basepath: 'prepend' });
      assert.equal(api.name, 'Pets (Swagger)');
      assert.deepEqual(api.endpointConfiguration?.types, ['REGIONAL']);
      assert.deepEqual(paths(await stored(api.id!)), ['/', '/api', '/api/v2', '/api/v2/pets']);

      const split = await importApi(PETS_YAML, { basepath: 'split', ignore: 'documentation' });
      assert.deepEqual(paths(await stored(split.id!)), ['/', '/v2', '/v2/pets']);
      const ignored = await importApi(PETS_YAML);
      assert.deepEqual(paths(await stored(ignored.id!)), ['/', '/pets']);
    });

    it('rejects documents it cannot read, with AWS’s message, and stores nothing', async () => {
      const before = (await h.portico.store.listApis()).length;
      await rejectsWith(importApi(Buffer.from('{"openapi": "3.0.1", "info": ')), 'BadRequestException', 'Invalid OpenAPI input.');
      await rejectsWith(importApi(Buffer.from('paths: [unclosed\n  - : :')), 'BadRequestException', 'Invalid OpenAPI input.');
      await rejectsWith(importApi(Buffer.from('{"hello": "world"}')), 'BadRequestException', 'Invalid OpenAPI input.');
      const broken = JSON.parse(ORDERS.toString('utf8')) as Json;
      broken.paths['/orders'].post.requestBody.content['application/json'].schema.$ref = '#/components/schemas/Missing';
      const err = await rejectsWith(importApi(Buffer.from(JSON.stringify(broken))), 'BadRequestException', /^Errors found during import:\n\t/);
      assert.match(err.message, /Missing/);
      assert.equal(err.$metadata?.httpStatusCode, 400);
      await rejectsWith(importApi(ORDERS, { endpointConfigurationTypes: 'GLOBAL' }), 'BadRequestException', 'Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE');
      await rejectsWith(importApi(ORDERS, { basepath: 'sideways' }), 'BadRequestException', /basepath/);
      assert.equal((await h.portico.store.listApis()).length, before);
    });
  });

  describe('PutRestApi', () => {
    const small = (paths: Json, extra: Json = {}): Buffer =>
      Buffer.from(JSON.stringify({ openapi: '3.0.1', info: { title: 'Replaced', version: '2' }, paths, ...extra }));
    const mock = (status: string) => ({
      responses: { [status]: { description: 'ok' } },
      'x-amazon-apigateway-integration': {
        type: 'mock',
        requestTemplates: { 'application/json': `{"statusCode": ${status}}` },
        responses: { default: { statusCode: status } },
      },
    });

    it('overwrites the whole definition, keeping the API id, root resource and ids of paths that remain', async () => {
      const api = await importApi(ORDERS);
      const before = await stored(api.id!);
      const ordersId = Object.values(before.resources).find((r) => r.path === '/orders')!.id;
      const put = await h.v1.send(
        new PutRestApiCommand({ restApiId: api.id!, mode: 'overwrite', body: small({ '/orders': { get: mock('200') }, '/health': { get: mock('204') } }) }),
      );
      assert.equal(put.$metadata.httpStatusCode, 200);
      assert.equal(put.id, api.id);
      assert.equal(put.rootResourceId, api.rootResourceId);
      assert.equal(put.name, 'Replaced');
      assert.equal(put.version, '2');
      const after = await stored(api.id!);
      assert.deepEqual(paths(after), ['/', '/health', '/orders']);
      assert.deepEqual(methodsAt(after, '/orders'), ['GET']);
      assert.equal(Object.values(after.resources).find((r) => r.path === '/orders')!.id, ordersId);
      assert.deepEqual(after.models, {});
      assert.equal(after.restApi.createdDate, before.restApi.createdDate);
    });

    it('merges by default: the document’s methods replace those it names, the rest stays', async () => {
      const api = await importApi(ORDERS);
      const before = await stored(api.id!);
      const put = await h.v1.send(
        new PutRestApiCommand({
          restApiId: api.id!,
          body: small({ '/orders': { get: mock('202') }, '/reports/{year}': { get: mock('200') } }, { 'x-amazon-apigateway-binary-media-types': ['application/pdf'] }),
        }),
      );
      assert.equal(put.name, 'Orders', 'a merge keeps the name');
      assert.deepEqual(put.binaryMediaTypes, ['image/png', 'application/pdf']);
      const after = await stored(api.id!);
      assert.deepEqual(paths(after), [...paths(before), '/reports', '/reports/{year}'].sort());
      assert.deepEqual(methodsAt(after, '/orders'), ['GET', 'POST']);
      const orders = Object.values(after.resources).find((r) => r.path === '/orders')!;
      assert.deepEqual(Object.keys(orders.resourceMethods.GET!.methodResponses), ['202']);
      assert.equal(orders.resourceMethods.POST!.operationName, 'CreateOrder');
      assert.deepEqual(Object.keys(after.models).sort(), Object.keys(before.models).sort());
    });

    it('answers NotFoundException for an unknown API and BadRequestException first for an unreadable body', async () => {
      await rejectsWith(
        h.v1.send(new PutRestApiCommand({ restApiId: 'nope000000', mode: 'overwrite', body: small({}) })),
        'NotFoundException',
        'Invalid API identifier specified 000000000000:nope000000',
      );
      await rejectsWith(h.v1.send(new PutRestApiCommand({ restApiId: 'nope000000', body: Buffer.from('{bad') })), 'BadRequestException', 'Invalid OpenAPI input.');
    });

    it('changes nothing when the merged document is invalid', async () => {
      const api = await importApi(ORDERS);
      const before = await stored(api.id!);
      const bad = small({ '/orders': { get: { ...mock('200'), 'x-amazon-apigateway-request-validator': 'nope' } } });
      await rejectsWith(h.v1.send(new PutRestApiCommand({ restApiId: api.id!, mode: 'merge', body: bad })), 'BadRequestException', /Errors found during import/);
      assert.deepEqual(await stored(api.id!), before);
    });
  });

  describe('GetExport', () => {
    let apiId: string;
    before(async () => {
      apiId = (await importApi(ORDERS)).id!;
      await deploy(apiId);
    });

    it('exports Swagger 2.0 at the stage’s invoke host, without extensions unless asked', async () => {
      const out = await exportText(apiId, 'swagger', { accepts: 'application/json' });
      assert.equal(out.contentType, 'application/json');
      assert.equal(out.contentDisposition, 'attachment; filename="swagger_1.4.json"');
      const doc = JSON.parse(out.text) as Json;
      assert.equal(doc.swagger, '2.0');
      assert.deepEqual(doc.info, { title: 'Orders', description: 'Orders service used by the import/export tests', version: '1.4' });
      assert.equal(doc.host, `${apiId}.execute-api.us-east-1.amazonaws.com`);
      assert.equal(doc.basePath, '/test');
      assert.deepEqual(doc.schemes, ['https']);
      assert.deepEqual(Object.keys(doc.paths), ['/', '/files/{proxy+}', '/greetings/{name}', '/orders', '/orders/{orderId}']);
      const post = doc.paths['/orders'].post;
      assert.deepEqual(post.parameters, [{ in: 'body', name: 'NewOrder', required: true, schema: { $ref: '#/definitions/NewOrder' } }]);
      assert.deepEqual(post.consumes, ['application/json']);
      assert.deepEqual(doc.paths['/greetings/{name}'].get.parameters, [
        { name: 'name', in: 'path', required: true, type: 'string' },
        { name: 'lang', in: 'query', required: false, type: 'string' },
      ]);
      assert.deepEqual(doc.paths['/greetings/{name}'].get.responses['200'].headers, { 'X-Greeting': { type: 'string' } });
      assert.deepEqual(doc.definitions.Orders, { type: 'array', items: { $ref: '#/definitions/Order' } });
      assert.deepEqual(doc.paths['/orders/{orderId}'].delete.security, [{ api_key: [] }]);
      assert.deepEqual(doc.securityDefinitions, { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } });
      assert.ok(!out.text.includes('x-amazon-apigateway-integration'), 'no integrations without the extensions parameter');
      assert.ok('x-amazon-apigateway-any-method' in doc.paths['/files/{proxy+}'], 'ANY has only the extension to say it');
    });

    it('exports OpenAPI 3.0.1 with every API Gateway extension', async () => {
      const doc = await exportJson(apiId, 'oas30', 'apigateway');
      assert.equal(doc.openapi, '3.0.1');
      assert.deepEqual(doc.servers, [
        { url: `https://${apiId}.execute-api.us-east-1.amazonaws.com/{basePath}`, variables: { basePath: { default: '/test' } } },
      ]);
      const list = doc.paths['/orders'].get;
      assert.deepEqual(list['x-amazon-apigateway-integration'], {
        type: 'http',
        httpMethod: 'GET',
        uri: 'http://orders.invalid/orders',
        responses: {
          default: { statusCode: '200' },
          '5\\d{2}': { statusCode: '500', responseTemplates: { 'application/json': '{"error": "backend"}' } },
        },
        requestParameters: { 'integration.request.querystring.max': 'method.request.querystring.limit' },
        passthroughBehavior: 'when_no_match',
        timeoutInMillis: 5000,
      });
      assert.deepEqual(list.responses['200'].content, { 'application/json': { schema: { $ref: '#/components/schemas/Orders' } } });
      assert.deepEqual(doc.paths['/orders'].post.requestBody, {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/NewOrder' } } },
        required: true,
      });
      assert.equal(doc.paths['/orders'].post['x-amazon-apigateway-request-validator'], 'body-only');
      assert.equal(doc.paths['/orders/{orderId}'].get['x-amazon-apigateway-integration'].type, 'aws_proxy');
      assert.deepEqual(doc.components.schemas.Order.properties.order, { $ref: '#/components/schemas/NewOrder' });
      assert.deepEqual(doc['x-amazon-apigateway-request-validators'], {
        'body-only': { validateRequestBody: true, validateRequestParameters: false },
        'params-only': { validateRequestBody: false, validateRequestParameters: true },
      });
      assert.deepEqual(doc['x-amazon-apigateway-binary-media-types'], ['image/png']);
      assert.equal(doc['x-amazon-apigateway-gateway-responses'].DEFAULT_4XX.statusCode, '418');
      // Integrations only: no validators.
      const integrations = await exportJson(apiId, 'oas30', 'integrations');
      assert.ok(integrations.paths['/orders'].get['x-amazon-apigateway-integration']);
      assert.equal(integrations.paths['/orders'].post['x-amazon-apigateway-request-validator'], undefined);
      assert.equal(integrations['x-amazon-apigateway-request-validators'], undefined);
    });

    it('answers YAML for Accept: application/yaml', async () => {
      const out = await exportText(apiId, 'oas30', { accepts: 'application/yaml', extensions: 'integrations' });
      assert.equal(out.contentType, 'application/yaml');
      assert.equal(out.contentDisposition, 'attachment; filename="oas30_1.4.yaml"');
      const doc = parseYaml(out.text) as Json;
      assert.equal(doc.openapi, '3.0.1');
      assert.equal(
        doc.paths['/orders'].post['x-amazon-apigateway-integration'].requestTemplates['application/json'],
        '#set($o = $input.path(\'$\'))\n{"item": "$o.item", "quantity": $o.quantity}',
      );
      assert.deepEqual(doc, await exportJson(apiId, 'oas30', 'integrations'));
    });

    it('uses the deployment date as the version when the API has none', async () => {
      const body = JSON.parse(ORDERS.toString('utf8')) as Json;
      delete body.info.version;
      const api = await importApi(Buffer.from(JSON.stringify(body)));
      const { deployment } = await deploy(api.id!);
      const out = await exportText(api.id!, 'swagger');
      const version = new Date(deployment.createdDate * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      assert.equal((JSON.parse(out.text) as Json).info.version, version);
      assert.equal(out.contentDisposition, `attachment; filename="swagger_${version}.json"`);
    });

    it('answers NotFoundException for unknown APIs and stages, BadRequestException for unknown types', async () => {
      await rejectsWith(exportText('nope000000', 'oas30'), 'NotFoundException', 'Invalid API identifier specified 000000000000:nope000000');
      await rejectsWith(exportText(apiId, 'oas30', { stageName: 'nostage' }), 'NotFoundException', 'Invalid stage identifier specified');
      await rejectsWith(exportText(apiId, 'raml'), 'BadRequestException', /export type/);
      await rejectsWith(exportText(apiId, 'oas30', { extensions: 'everything' }), 'BadRequestException', /extensions/);
    });
  });

  describe('round trip', () => {
    const normalise = (doc: Json, apiId: string): Json => JSON.parse(JSON.stringify(doc).replaceAll(apiId, '<api-id>')) as Json;

    for (const exportType of ['oas30', 'swagger']) {
      it(`import → deploy → export (${exportType}) → import → deploy → export gives the same document and the same answers`, async () => {
        const first = await importApi(ORDERS);
        await deploy(first.id!);
        const exported = await exportText(first.id!, exportType, { extensions: 'apigateway' });

        const second = await importApi(Buffer.from(exported.text));
        assert.notEqual(second.id, first.id);
        assert.equal(second.name, first.name);
        assert.deepEqual(second.binaryMediaTypes, first.binaryMediaTypes);
        await deploy(second.id!);
        const again = await exportText(second.id!, exportType, { extensions: 'apigateway' });
        assert.deepEqual(normalise(JSON.parse(again.text) as Json, second.id!), normalise(JSON.parse(exported.text) as Json, first.id!));

        // The re-imported API is the original, method by method: what the export said is what the source said.
        const [a, b] = [await stored(first.id!), await stored(second.id!)];
        assert.deepEqual(paths(b), paths(a));
        for (const resource of Object.values(a.resources)) {
          const twin = Object.values(b.resources).find((r) => r.path === resource.path)!;
          assert.deepEqual(Object.keys(twin.resourceMethods), Object.keys(resource.resourceMethods), resource.path);
          // OpenAPI needs every path template parameter declared, so the export adds the ones a
          // method left out (GET /orders/{orderId}); that is the only difference allowed.
          const pathParameters = Object.fromEntries([...resource.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => [`method.request.path.${m[1]}`, true]));
          for (const [verb, source] of Object.entries(resource.resourceMethods)) {
            const method = { ...source!, requestParameters: { ...pathParameters, ...source!.requestParameters } };
            const other = twin.resourceMethods[verb as keyof typeof twin.resourceMethods]!;
            assert.deepEqual(other.methodIntegration, method.methodIntegration, `${verb} ${resource.path}`);
            assert.deepEqual(other.requestParameters, method.requestParameters, `${verb} ${resource.path}`);
            assert.equal(other.apiKeyRequired, method.apiKeyRequired);
            if (exportType === 'oas30') {
              // Validator ids differ between the APIs; their names are compared with the export.
              const { requestValidatorId: _x, ...rest } = other;
              const { requestValidatorId: _y, ...original } = method;
              assert.deepEqual(rest, original, `${verb} ${resource.path}`);
            }
          }
        }
        assert.deepEqual(Object.values(b.models).map((m) => [m.name, m.schema?.replaceAll(second.id!, '<api-id>')]), Object.values(a.models).map((m) => [m.name, m.schema?.replaceAll(first.id!, '<api-id>')]));
        const answers = await Promise.all(
          [first.id!, second.id!].map((id) => rawRequest(h.portico.port, { path: `/_aws/execute-api/${id}/test/greetings/ann?lang=en` })),
        );
        for (const answer of answers) {
          assert.equal(answer.status, 200, answer.text);
          assert.deepEqual(answer.json(), { greeting: 'hello ann', stage: 'test' });
          assert.equal(answer.headers['x-greeting'], 'mock');
        }
        assert.equal(answers[0]!.text, answers[1]!.text);
      });
    }
  });

  describe('through the AWS CLI', () => {
    // Skipped only off CI, on a machine without the AWS CLI v2 at /usr/bin/aws (the reason is
    // awsCliMissing's text); under CI a missing CLI fails this test instead.
    it('imports with import-rest-api --body fileb:// and downloads with get-export', { skip: awsCliMissing }, async () => {
      const run = promisify(execFile);
      const dir = await tempDir('portico-cli-export-');
      try {
        const env = awsCliEnv(dir.path);
        const common = ['--endpoint-url', h.endpoint, '--output', 'json'];
        const imported = await run(AWS_CLI, ['apigateway', 'import-rest-api', '--body', `fileb://${ORDERS_FILE}`, '--fail-on-warnings', ...common], { env });
        const api = JSON.parse(imported.stdout) as Json;
        assert.equal(api.name, 'Orders');
        await deploy(api.id as string, 'prod');

        const outfile = join(dir.path, 'export.yaml');
        const exported = await run(
          AWS_CLI,
          ['apigateway', 'get-export', '--rest-api-id', api.id, '--stage-name', 'prod', '--export-type', 'swagger', '--parameters', 'extensions=integrations', '--accepts', 'application/yaml', outfile, ...common],
          { env },
        );
        const meta = JSON.parse(exported.stdout) as Json;
        assert.equal(meta.contentType, 'application/yaml');
        const doc = parseYaml(await readFile(outfile, 'utf8')) as Json;
        assert.equal(doc.swagger, '2.0');
        assert.equal(doc.basePath, '/prod');
        assert.equal(doc.paths['/greetings/{name}'].get['x-amazon-apigateway-integration'].type, 'mock');

        // The downloaded file imports again.
        await writeFile(join(dir.path, 'again.yaml'), await readFile(outfile));
        const reimported = await run(AWS_CLI, ['apigateway', 'import-rest-api', '--body', `fileb://${join(dir.path, 'again.yaml')}`, ...common], { env });
        assert.equal((JSON.parse(reimported.stdout) as Json).name, 'Orders');
      } finally {
        await dir.remove();
      }
    });
  });
});
