/**
 * OpenAPI/Swagger import: the documents it builds, the ids it keeps across re-imports, and the
 * problems (with JSON pointers and lines) it reports for documents it cannot import; and the
 * model validation the import relies on, exercised directly on hand-made documents.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { importOpenApi, OpenApiImportError, parseOpenApi, type ImportProblem } from '../../src/importers/openapi.js';
import type { Integration, Method, Resource, RestApiDocument } from '../../src/model/rest-api.js';
import {
  assertValidRestApiDocument,
  jsonPointer,
  ModelValidationError,
  parseJsonPointer,
  parsePathPart,
  validateRestApiDocument,
  validateStageVariables,
  type Problem,
} from '../../src/model/validate.js';

const FIXTURES = new URL('../../../test/fixtures/openapi/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

const NOW = 1_700_000_000;
const API_ID = 'petstore01';
const RESOURCE_ID = /^[a-z0-9]{10}$/;
const SHORT_ID = /^[a-z0-9]{6}$/;

function resourceAt(doc: RestApiDocument, path: string): Resource {
  const found = Object.values(doc.resources).find((r) => r.path === path);
  assert.ok(found, `no resource at ${path}; have ${Object.values(doc.resources).map((r) => r.path).join(', ')}`);
  return found;
}

function methodAt(doc: RestApiDocument, path: string, verb: string): Method {
  const method = resourceAt(doc, path).resourceMethods[verb as keyof Resource['resourceMethods']];
  assert.ok(method, `no ${verb} ${path}`);
  return method;
}

function idOfName<T extends { id: string; name: string }>(records: Record<string, T>, name: string): string {
  const found = Object.values(records).find((r) => r.name === name);
  assert.ok(found, `nothing named ${name}`);
  return found.id;
}

/** Runs `fn`, expecting an OpenApiImportError, and returns its problems. */
function importProblems(fn: () => unknown): ImportProblem[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OpenApiImportError, `expected OpenApiImportError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the import succeeded');
}

/** 1-based line of the first line of `text` that contains `needle` at or after line `from`. */
function lineOf(text: string, needle: string, from = 1): number {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  assert.fail(`'${needle}' not found`);
}

function problemAt(problems: ImportProblem[], location: string): ImportProblem {
  const found = problems.find((p) => p.location === location);
  assert.ok(found, `no problem at ${location}; have:\n${problems.map((p) => `${p.location}: ${p.message}`).join('\n')}`);
  return found;
}

const minimal = (extra: Record<string, unknown> = {}) => ({
  openapi: '3.0.0',
  info: { title: 'Minimal', version: '1' },
  paths: {},
  ...extra,
});

describe('Swagger 2.0 JSON petstore', () => {
  const text = fixture('petstore-swagger2.json');
  const doc = importOpenApi(text, { sourceName: 'petstore-swagger2.json', apiId: API_ID, now: NOW });

  it('builds the RestApi from info and the API-wide extensions', () => {
    assert.deepEqual(doc.restApi, {
      id: API_ID,
      name: 'PetStore (Swagger 2)',
      description: 'Pets behind mock, HTTP, Lambda and proxy integrations.',
      version: '2024-01-01',
      createdDate: NOW,
      binaryMediaTypes: ['image/png', 'application/octet-stream', 'image/*'],
      apiKeySource: 'AUTHORIZER',
      endpointConfiguration: { types: ['REGIONAL'] },
      disableExecuteApiEndpoint: true,
      minimumCompressionSize: 1024,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 'execute-api:Invoke',
            Resource: [`arn:aws:execute-api:us-east-1:000000000000:${API_ID}/*`],
          },
        ],
      }),
      tags: {},
    });
  });

  it('creates one resource per path under the root, with consistent ids and parents', () => {
    const paths = Object.values(doc.resources).map((r) => r.path).sort();
    assert.deepEqual(paths, ['/', '/pets', '/pets/{petId}', '/{proxy+}']);
    const root = doc.resources[doc.rootResourceId]!;
    assert.deepEqual(Object.keys(root).sort(), ['id', 'path', 'resourceMethods']);
    assert.equal(root.path, '/');
    for (const [id, resource] of Object.entries(doc.resources)) {
      assert.match(id, RESOURCE_ID);
      assert.equal(resource.id, id);
    }
    const pets = resourceAt(doc, '/pets');
    const pet = resourceAt(doc, '/pets/{petId}');
    const proxy = resourceAt(doc, '/{proxy+}');
    assert.equal(pets.parentId, root.id);
    assert.equal(pets.pathPart, 'pets');
    assert.equal(pet.parentId, pets.id);
    assert.equal(pet.pathPart, '{petId}');
    assert.equal(proxy.parentId, root.id);
    assert.equal(proxy.pathPart, '{proxy+}');
  });

  it('imports a MOCK integration with templates and a default response', () => {
    assert.deepEqual(methodAt(doc, '/', 'GET'), {
      httpMethod: 'GET',
      authorizationType: 'NONE',
      apiKeyRequired: false,
      operationName: 'home',
      requestParameters: {},
      requestModels: {},
      methodResponses: {
        '200': { statusCode: '200', responseParameters: { 'method.response.header.Content-Type': false }, responseModels: {} },
      },
      methodIntegration: {
        type: 'MOCK',
        requestParameters: {},
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        passthroughBehavior: 'WHEN_NO_TEMPLATES',
        timeoutInMillis: 29000,
        cacheKeyParameters: [],
        integrationResponses: {
          '200': {
            statusCode: '200',
            responseParameters: { 'method.response.header.Content-Type': "'text/html'" },
            responseTemplates: { 'text/html': '<h1>PetStore</h1>' },
          },
        },
      },
    });
  });

  it('imports an HTTP integration with parameters, an API key, a validator and a response model', () => {
    const validatorId = idOfName(doc.requestValidators, 'params-only');
    assert.deepEqual(methodAt(doc, '/pets', 'GET'), {
      httpMethod: 'GET',
      authorizationType: 'NONE',
      apiKeyRequired: true,
      operationName: 'listPets',
      requestValidatorId: validatorId,
      requestParameters: { 'method.request.querystring.type': false, 'method.request.querystring.page': true },
      requestModels: {},
      methodResponses: {
        '200': {
          statusCode: '200',
          responseParameters: { 'method.response.header.Access-Control-Allow-Origin': false },
          responseModels: { 'application/json': 'Pets' },
        },
      },
      methodIntegration: {
        type: 'HTTP',
        httpMethod: 'GET',
        uri: 'http://petstore.example.com/petstore/pets',
        requestParameters: {
          'integration.request.querystring.type': 'method.request.querystring.type',
          'integration.request.querystring.page': 'method.request.querystring.page',
          // `$stageVariables.` as AWS's documentation also writes it, stored without the `$`.
          'integration.request.header.x-stage': 'stageVariables.name',
        },
        requestTemplates: {},
        passthroughBehavior: 'WHEN_NO_MATCH',
        timeoutInMillis: 5000,
        cacheNamespace: 'pets',
        cacheKeyParameters: ['method.request.querystring.page'],
        integrationResponses: {
          '200': {
            statusCode: '200',
            responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" },
            responseTemplates: {},
          },
        },
      },
    });
  });

  it('uses a body parameter schema as the request model and a token authorizer', () => {
    const post = methodAt(doc, '/pets', 'POST');
    assert.equal(post.authorizationType, 'CUSTOM');
    assert.equal(post.authorizerId, idOfName(doc.authorizers, 'tokenAuth'));
    assert.equal(post.requestValidatorId, idOfName(doc.requestValidators, 'all'));
    assert.deepEqual(post.requestModels, { 'application/json': 'NewPet' });
    assert.deepEqual(post.methodResponses['200']?.responseModels, { 'application/json': 'Pet' });
    assert.equal(post.apiKeyRequired, false);
  });

  it('imports an AWS (Lambda) integration with selection patterns, IAM auth and path-item parameters', () => {
    const get = methodAt(doc, '/pets/{petId}', 'GET');
    assert.equal(get.authorizationType, 'AWS_IAM');
    assert.equal(get.authorizerId, undefined);
    assert.deepEqual(get.requestParameters, { 'method.request.path.petId': true });
    // `default` has no status code of its own, so it is not a method response.
    assert.deepEqual(Object.keys(get.methodResponses).sort(), ['200', '404']);
    assert.deepEqual(get.methodIntegration, {
      type: 'AWS',
      httpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:getPet/invocations',
      credentials: 'arn:aws:iam::123456789012:role/invoke-lambda',
      requestParameters: {},
      requestTemplates: { 'application/json': '{"petId": "$input.params(\'petId\')"}' },
      passthroughBehavior: 'WHEN_NO_MATCH',
      contentHandling: 'CONVERT_TO_TEXT',
      timeoutInMillis: 29000,
      cacheKeyParameters: [],
      integrationResponses: {
        '200': { statusCode: '200', responseParameters: {}, responseTemplates: {} },
        '404': {
          statusCode: '404',
          selectionPattern: '.*not found.*',
          responseParameters: {},
          responseTemplates: { 'application/json': '{"message": "no such pet"}' },
        },
      },
    });
  });

  it('imports the ANY method on a greedy {proxy+} resource with an HTTP_PROXY integration', () => {
    assert.deepEqual(methodAt(doc, '/{proxy+}', 'ANY'), {
      httpMethod: 'ANY',
      authorizationType: 'NONE',
      apiKeyRequired: false,
      requestParameters: { 'method.request.path.proxy': true },
      requestModels: {},
      methodResponses: {},
      methodIntegration: {
        type: 'HTTP_PROXY',
        httpMethod: 'ANY',
        uri: 'https://legacy.example.com/{proxy}',
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        requestTemplates: {},
        passthroughBehavior: 'WHEN_NO_MATCH',
        timeoutInMillis: 29000,
        cacheKeyParameters: [],
        integrationResponses: {},
        tlsConfig: { insecureSkipVerification: true },
      },
    });
  });

  it('stores definitions as models with references rewritten to model URLs', () => {
    assert.deepEqual(Object.keys(doc.models).sort(), ['NewPet', 'Pet', 'Pets']);
    for (const model of Object.values(doc.models)) {
      assert.match(model.id, SHORT_ID);
      assert.equal(model.contentType, 'application/json');
    }
    assert.deepEqual(doc.models.Pets, {
      id: doc.models.Pets!.id,
      name: 'Pets',
      contentType: 'application/json',
      schema: JSON.stringify({
        type: 'array',
        items: { $ref: `https://apigateway.amazonaws.com/restapis/${API_ID}/models/Pet` },
      }),
    });
    const pet = JSON.parse(doc.models.Pet!.schema!);
    assert.equal(pet.properties.details.$ref, `https://apigateway.amazonaws.com/restapis/${API_ID}/models/NewPet`);
  });

  it('imports request validators, the token authorizer and gateway responses', () => {
    const validators = Object.values(doc.requestValidators).sort((a, b) => a.name.localeCompare(b.name));
    for (const v of validators) assert.match(v.id, SHORT_ID);
    assert.deepEqual(
      validators.map(({ name, validateRequestBody, validateRequestParameters }) => ({ name, validateRequestBody, validateRequestParameters })),
      [
        { name: 'all', validateRequestBody: true, validateRequestParameters: true },
        { name: 'params-only', validateRequestBody: false, validateRequestParameters: true },
      ],
    );
    const authorizerId = idOfName(doc.authorizers, 'tokenAuth');
    assert.match(authorizerId, SHORT_ID);
    assert.deepEqual(Object.keys(doc.authorizers), [authorizerId]);
    assert.deepEqual(doc.authorizers[authorizerId], {
      id: authorizerId,
      name: 'tokenAuth',
      type: 'TOKEN',
      authType: 'custom',
      authorizerUri:
        'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tokenAuth/invocations',
      authorizerCredentials: 'arn:aws:iam::123456789012:role/invoke-authorizer',
      // Not given in the extension: taken from the scheme's header name.
      identitySource: 'method.request.header.Authorization',
      identityValidationExpression: '^Bearer [-0-9a-zA-Z._]+$',
      authorizerResultTtlInSeconds: 60,
    });
    assert.deepEqual(doc.gatewayResponses, {
      DEFAULT_4XX: {
        responseType: 'DEFAULT_4XX',
        responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
        responseTemplates: { 'application/json': '{"message": $context.error.messageString}' },
      },
      MISSING_AUTHENTICATION_TOKEN: {
        responseType: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: '404',
        responseParameters: {},
        responseTemplates: { 'application/json': '{"message": "no such route"}' },
      },
    });
  });

  it('produces a document model validation accepts', () => {
    assert.deepEqual(validateRestApiDocument(doc), []);
  });

  it('imports already-parsed data the same way as text', () => {
    const fromObject = importOpenApi(JSON.parse(text) as object, { apiId: API_ID, now: NOW, previous: doc });
    assert.deepEqual(fromObject, doc);
  });
});

describe('OpenAPI 3.0 YAML petstore', () => {
  const text = fixture('petstore-openapi3.yaml');
  const doc = importOpenApi(text, { sourceName: 'petstore-openapi3.yaml', apiId: API_ID, now: NOW });

  it('reads info, defaults and the endpoint configuration from the server object', () => {
    assert.deepEqual(doc.restApi, {
      id: API_ID,
      name: 'PetStore (OpenAPI 3)',
      // `version: 1.0` unquoted in YAML keeps its spelling.
      version: '1.0',
      createdDate: NOW,
      binaryMediaTypes: ['application/pdf'],
      apiKeySource: 'HEADER',
      endpointConfiguration: { types: ['PRIVATE'], vpcEndpointIds: ['vpce-0123456789abcdef0'] },
      disableExecuteApiEndpoint: false,
      tags: {},
    });
  });

  it('creates intermediate resources for paths that are only prefixes', () => {
    const root = doc.resources[doc.rootResourceId]!;
    const store = resourceAt(doc, '/store');
    const inventory = resourceAt(doc, '/store/inventory');
    const items = resourceAt(doc, '/store/inventory/items');
    const lambda = resourceAt(doc, '/lambda');
    assert.equal(store.parentId, root.id);
    assert.equal(inventory.parentId, store.id);
    assert.equal(items.parentId, inventory.id);
    assert.equal(resourceAt(doc, '/lambda/{proxy+}').parentId, lambda.id);
    assert.deepEqual(store.resourceMethods, {});
    assert.deepEqual(inventory.resourceMethods, {});
    assert.deepEqual(lambda.resourceMethods, {});
    assert.equal(Object.keys(doc.resources).length, 8);
  });

  it('imports a request body reference, response content models, headers and a Cognito authorizer', () => {
    const post = methodAt(doc, '/pets', 'POST');
    const cognitoId = idOfName(doc.authorizers, 'cognito');
    assert.equal(post.authorizationType, 'COGNITO_USER_POOLS');
    assert.equal(post.authorizerId, cognitoId);
    assert.deepEqual(post.authorizationScopes, ['pets/write']);
    assert.deepEqual(post.requestModels, { 'application/json': 'NewPet' });
    assert.deepEqual(post.methodResponses, {
      '201': {
        statusCode: '201',
        responseParameters: { 'method.response.header.Location': false },
        responseModels: { 'application/json': 'Pet' },
      },
      '400': { statusCode: '400', responseParameters: {}, responseModels: { 'application/json': 'Error' } },
    });
    assert.deepEqual(post.methodIntegration, {
      type: 'HTTP',
      httpMethod: 'POST',
      uri: 'https://petstore.example.com/pets',
      connectionType: 'VPC_LINK',
      connectionId: 'vl1234',
      requestParameters: {},
      requestTemplates: {},
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutInMillis: 29000,
      cacheKeyParameters: [],
      integrationResponses: {
        '201': {
          statusCode: '201',
          selectionPattern: '2\\d{2}',
          responseParameters: { 'method.response.header.Location': 'integration.response.header.Location' },
          responseTemplates: {},
        },
        '400': { statusCode: '400', selectionPattern: '4\\d{2}', responseParameters: {}, responseTemplates: {} },
      },
    });
    assert.deepEqual(doc.authorizers[cognitoId], {
      id: cognitoId,
      name: 'cognito',
      type: 'COGNITO_USER_POOLS',
      authType: 'cognito_user_pools',
      providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcdefghi'],
      identitySource: 'method.request.header.Authorization',
    });
  });

  it('imports an AWS_PROXY Lambda integration with a REQUEST authorizer and a per-method validator', () => {
    const get = methodAt(doc, '/pets/{petId}', 'GET');
    const requestAuthId = idOfName(doc.authorizers, 'requestAuth');
    assert.equal(get.authorizationType, 'CUSTOM');
    assert.equal(get.authorizerId, requestAuthId);
    assert.equal(get.operationName, 'getPet');
    assert.equal(get.requestValidatorId, idOfName(doc.requestValidators, 'all'));
    // Path-item parameter (through a $ref) plus the operation's header; cookies are dropped.
    assert.deepEqual(get.requestParameters, { 'method.request.path.petId': true, 'method.request.header.X-Trace': false });
    // Only referenced schemas name models; the inline XML schema does not.
    assert.deepEqual(get.methodResponses['200']?.responseModels, { 'application/json': 'Pet' });
    assert.deepEqual(get.methodIntegration, {
      type: 'AWS_PROXY',
      httpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations',
      requestParameters: {},
      requestTemplates: {},
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutInMillis: 29000,
      cacheKeyParameters: [],
      integrationResponses: {},
    });
    assert.deepEqual(doc.authorizers[requestAuthId], {
      id: requestAuthId,
      name: 'requestAuth',
      type: 'REQUEST',
      authType: 'custom',
      authorizerUri:
        'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:requestAuth/invocations',
      identitySource: 'method.request.header.Authorization, method.request.querystring.tenant',
      authorizerResultTtlInSeconds: 0,
    });
  });

  it('applies x-amazon-apigateway-auth and the API-level default validator', () => {
    const del = methodAt(doc, '/pets/{petId}', 'DELETE');
    const bodyOnly = idOfName(doc.requestValidators, 'body-only');
    assert.equal(del.authorizationType, 'AWS_IAM');
    assert.equal(del.requestValidatorId, bodyOnly);
    assert.equal(del.methodIntegration?.type, 'MOCK');
    assert.equal(methodAt(doc, '/store/inventory/items', 'GET').requestValidatorId, bodyOnly);
  });

  it('leaves methods without the integration extension without an integration', () => {
    const get = methodAt(doc, '/store/inventory/items', 'GET');
    assert.equal(get.methodIntegration, undefined);
    assert.equal(get.authorizationType, 'NONE');
  });

  it('imports x-amazon-apigateway-any-method with an AWS_PROXY integration', () => {
    const any = methodAt(doc, '/lambda/{proxy+}', 'ANY');
    assert.equal(any.httpMethod, 'ANY');
    assert.deepEqual(any.requestParameters, { 'method.request.path.proxy': true });
    assert.equal(any.methodIntegration?.type, 'AWS_PROXY');
    assert.equal(any.methodIntegration?.contentHandling, 'CONVERT_TO_TEXT');
    assert.equal(any.methodIntegration?.timeoutInMillis, 29000);
  });

  it('imports components/schemas as models, including references inside allOf', () => {
    assert.deepEqual(Object.keys(doc.models).sort(), ['Error', 'NewPet', 'Pet']);
    assert.deepEqual(JSON.parse(doc.models.Pet!.schema!), {
      allOf: [
        { $ref: `https://apigateway.amazonaws.com/restapis/${API_ID}/models/NewPet` },
        { type: 'object', properties: { id: { type: 'integer' } } },
      ],
    });
  });

  it('imports gateway responses with numeric status codes as strings, and ignores unknown extensions', () => {
    assert.deepEqual(doc.gatewayResponses, {
      UNAUTHORIZED: {
        responseType: 'UNAUTHORIZED',
        statusCode: '401',
        responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
        responseTemplates: {},
      },
    });
  });

  it('only creates authorizers for schemes with the authorizer extension', () => {
    assert.deepEqual(Object.values(doc.authorizers).map((a) => a.name).sort(), ['cognito', 'requestAuth']);
  });

  it('produces a document model validation accepts', () => {
    assert.deepEqual(validateRestApiDocument(doc), []);
  });
});

describe('ids', () => {
  it('generates an AWS-shaped API id and uses the current time by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const doc = importOpenApi(minimal());
    assert.match(doc.restApi.id, /^[a-z0-9]{10}$/);
    assert.ok(doc.restApi.createdDate >= before && doc.restApi.createdDate <= before + 5);
    assert.match(doc.rootResourceId, RESOURCE_ID);
    assert.deepEqual(doc.resources[doc.rootResourceId], { id: doc.rootResourceId, path: '/', resourceMethods: {} });
  });

  it('keeps ids of resources, models, validators and authorizers that still exist on re-import', () => {
    const text = fixture('petstore-swagger2.json');
    const first = importOpenApi(text, { now: NOW });
    first.restApi.tags = { team: 'pets' };

    const changed = JSON.parse(text);
    delete changed.paths['/{proxy+}'];
    changed.paths['/owners/{ownerId}'] = { get: { responses: {} } };
    delete changed.definitions.Pets;
    changed.definitions.Owner = { type: 'object' };
    delete changed.paths['/pets'].get.responses['200'].schema;
    const second = importOpenApi(changed, { apiId: first.restApi.id, previous: first, now: NOW + 100 });

    assert.equal(second.restApi.id, first.restApi.id);
    assert.equal(second.restApi.createdDate, NOW, 'the API keeps its creation date');
    assert.deepEqual(second.restApi.tags, { team: 'pets' });
    assert.equal(second.rootResourceId, first.rootResourceId);
    for (const path of ['/', '/pets', '/pets/{petId}']) assert.equal(resourceAt(second, path).id, resourceAt(first, path).id, path);
    assert.ok(!Object.values(second.resources).some((r) => r.path === '/{proxy+}'));
    const firstIds = new Set(Object.keys(first.resources));
    assert.ok(!firstIds.has(resourceAt(second, '/owners').id));
    assert.ok(!firstIds.has(resourceAt(second, '/owners/{ownerId}').id));

    for (const name of ['NewPet', 'Pet']) assert.equal(second.models[name]?.id, first.models[name]?.id, name);
    assert.equal(second.models.Pets, undefined);
    assert.match(second.models.Owner!.id, SHORT_ID);
    for (const name of ['all', 'params-only']) {
      assert.equal(idOfName(second.requestValidators, name), idOfName(first.requestValidators, name));
    }
    assert.equal(idOfName(second.authorizers, 'tokenAuth'), idOfName(first.authorizers, 'tokenAuth'));
    assert.equal(methodAt(second, '/pets', 'POST').authorizerId, idOfName(first.authorizers, 'tokenAuth'));
  });

  it('keeps the previous API id when no apiId is given', () => {
    const first = importOpenApi(minimal());
    const second = importOpenApi(minimal(), { previous: first });
    assert.equal(second.restApi.id, first.restApi.id);
    assert.equal(second.rootResourceId, first.rootResourceId);
  });
});

describe('syntax errors', () => {
  it('reports malformed YAML with its line and column', () => {
    const text = fixture('malformed.yaml');
    const problems = importProblems(() => importOpenApi(text, { sourceName: 'malformed.yaml' }));
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.match(problem!.location, /^line \d+, column \d+$/);
    assert.equal(problem!.line, lineOf(text, 'post: {}'));
    assert.match(problem!.message, /^invalid YAML: /);
  });

  it('reports a JSON syntax error with its line and column', () => {
    const text = fixture('malformed.json');
    const problems = importProblems(() => importOpenApi(text, { sourceName: 'malformed.json' }));
    assert.deepEqual(problems, [
      {
        location: `line ${lineOf(text, '"/owners"')}, column 5`,
        line: lineOf(text, '"/owners"'),
        column: 5,
        message: `invalid JSON: expected ',' or '}' after a property value but found '"'`,
      },
    ]);
  });

  it('is strict about JSON even where YAML would be lenient', () => {
    const trailingComma = '{\n  "swagger": "2.0",\n  "paths": {},\n}\n';
    const problems = importProblems(() => parseOpenApi(trailingComma, 'api.json'));
    assert.equal(problems[0]!.location, 'line 4, column 1');
    const unterminated = importProblems(() => parseOpenApi('{"a": "b'));
    assert.equal(unterminated[0]!.location, 'line 1, column 7');
    assert.match(unterminated[0]!.message, /unterminated string/);
  });

  it('names the source in the error message and starts each problem line with its location', () => {
    try {
      importOpenApi(fixture('malformed.json'), { sourceName: 'malformed.json' });
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof OpenApiImportError);
      const [header, ...lines] = err.message.split('\n');
      assert.match(header!, /^malformed\.json cannot be imported \(1 problem\):$/);
      assert.deepEqual(lines, [`line 8, column 5: invalid JSON: expected ',' or '}' after a property value but found '"'`]);
    }
  });

  it('parses JSON and YAML into the same data', () => {
    const yaml = 'openapi: 3.0.0\ninfo:\n  title: T\npaths:\n  /a:\n    get: {}\n';
    const json = '{"openapi": "3.0.0", "info": {"title": "T"}, "paths": {"/a": {"get": {}}}}';
    assert.deepEqual(parseOpenApi(yaml), parseOpenApi(json));
    assert.deepEqual(parseOpenApi(json), JSON.parse(json));
  });

  it('reports duplicate YAML keys', () => {
    const problems = importProblems(() => parseOpenApi('openapi: 3.0.0\ninfo:\n  title: a\n  title: b\n', 'api.yaml'));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.line, 4);
  });
});

describe('invalid documents', () => {
  it('reports every problem of an OpenAPI 3 YAML document with pointers and lines', () => {
    const text = fixture('invalid-openapi3.yaml');
    const problems = importProblems(() => importOpenApi(text, { sourceName: 'invalid-openapi3.yaml' }));
    const expected: [string, number, RegExp][] = [
      ['/x-amazon-apigateway-gateway-responses/NOT_A_RESPONSE_TYPE', lineOf(text, 'NOT_A_RESPONSE_TYPE'), /'NOT_A_RESPONSE_TYPE' is not a gateway response type/],
      ['/paths/~1things/get/x-amazon-apigateway-integration/type', lineOf(text, 'type: FOO'), /'FOO' is not an integration type/],
      ['/paths/~1things~1{id}/get/x-amazon-apigateway-integration/timeoutInMillis', lineOf(text, 'timeoutInMillis: 10'), /10 is out of range; it must be between 50 and 29000/],
      ['/paths/~1things~1{id}/get/x-amazon-apigateway-integration/responses/(unclosed', lineOf(text, "'(unclosed'"), /not a valid regular expression/],
      ['/paths/~1things~1{id}/get/x-amazon-apigateway-integration/responses/4\\d{2}/statusCode', lineOf(text, "'4\\d{2}'"), /'statusCode' is required/],
      ['/paths/~1things~1{id}/put/x-amazon-apigateway-request-validator', lineOf(text, 'request-validator: nobody'), /no request validator 'nobody'/],
      ['/paths/~1things~1{id}/put/requestBody/content/application~1json/schema/$ref', lineOf(text, 'schemas/Missing'), /not defined/],
      ['/paths/~1things~1{id}/put/x-amazon-apigateway-integration/timeoutInMillis', lineOf(text, 'timeoutInMillis: 30000'), /30000 is out of range/],
      ['/paths/~1things~1{thingId}~1parts', lineOf(text, '/things/{thingId}/parts:'), /'\{thingId\}' conflicts with its sibling '\{id\}'/],
      ['/paths/~1things~1{thingId}~1parts/get/security/0/nowhere', lineOf(text, 'nowhere'), /no security scheme 'nowhere'/],
      ['/paths/relative~1path', lineOf(text, 'relative/path:'), /must start with '\/'/],
    ];
    assert.deepEqual(
      problems.map((p) => [p.location, p.line]),
      expected.map(([location, line]) => [location, line]),
    );
    for (const [location, , message] of expected) assert.match(problemAt(problems, location).message, message);
  });

  it('reports problems of a Swagger 2.0 JSON document with pointers and lines', () => {
    const text = fixture('invalid-swagger2.json');
    const problems = importProblems(() => importOpenApi(text, { sourceName: 'invalid-swagger2.json' }));
    assert.deepEqual(
      problems.map((p) => [p.location, p.line]),
      [
        ['/paths/~1orders/post/x-amazon-apigateway-integration/uri', lineOf(text, '"uri"')],
        ['/paths/~1orders/post/x-amazon-apigateway-integration/passthroughBehavior', lineOf(text, 'sometimes')],
        ['/paths/~1orders/get', lineOf(text, 'not an operation')],
        ['/paths/~1orders~1{id+}~1items', lineOf(text, '/orders/{id+}/items')],
      ],
    );
    assert.match(problems[0]!.message, /arn:aws:apigateway/);
    assert.match(problems[1]!.message, /'sometimes' is not a passthrough behavior/);
    assert.match(problems[2]!.message, /expected an operation object/);
    assert.match(problems[3]!.message, /greedy resource .* cannot have child resources/);
  });

  it('formats the message with one problem per line, each starting with its location and line', () => {
    try {
      importOpenApi(fixture('invalid-swagger2.json'), { sourceName: 'orders.json' });
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof OpenApiImportError);
      const [header, ...lines] = err.message.split('\n');
      assert.equal(header, 'orders.json cannot be imported (4 problems):');
      assert.equal(lines.length, 4);
      assert.match(lines[0]!, /^\/paths\/~1orders\/post\/x-amazon-apigateway-integration\/uri \(line 10\): /);
    }
  });

  it('rejects documents that are not OpenAPI 3 or Swagger 2 at /', () => {
    for (const input of [{ info: { title: 'x' }, paths: {} }, { swagger: '1.2', paths: {} }, { openapi: '2.5.0' }, '[1, 2]', 'just text']) {
      const problems = importProblems(() => importOpenApi(input as object));
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.location, '/');
      assert.match(problems[0]!.message, /not an OpenAPI 3\.0 or Swagger 2\.0 document/);
    }
  });

  it('reports non-object paths, a missing title, and no line for parsed input', () => {
    const problems = importProblems(() => importOpenApi({ swagger: '2.0', info: {}, paths: ['/a'] }));
    assert.deepEqual(
      problems.map(({ location, line }) => ({ location, line })),
      [{ location: '/info/title', line: undefined }, { location: '/paths', line: undefined }],
    );
    assert.match(problemAt(problems, '/paths').message, /expected an object mapping paths to path items but found a list/);
  });

  it('reports non-object paths in text with a line', () => {
    const text = 'openapi: 3.0.0\ninfo:\n  title: T\npaths: nope\n';
    const problems = importProblems(() => importOpenApi(text));
    assert.deepEqual(problems.map((p) => [p.location, p.line]), [['/paths', 4]]);
  });

  it('reports a missing info object and missing paths', () => {
    const problems = importProblems(() => importOpenApi({ openapi: '3.0.2' }));
    assert.deepEqual(problems.map((p) => p.location).sort(), ['/info', '/paths']);
    // OpenAPI 3.1 made paths optional.
    const doc = importOpenApi({ openapi: '3.1.0', info: { title: 'No paths' } });
    assert.deepEqual(Object.values(doc.resources).map((r) => r.path), ['/']);
  });

  it('reports problems in integration responses, validators, authorizers and references', () => {
    const doc = {
      swagger: '2.0',
      info: { title: 'More problems' },
      'x-amazon-apigateway-request-validators': { v: { validateRequestBody: 'yes' } },
      'x-amazon-apigateway-binary-media-types': ['image/png', 'not-a-media-type'],
      securityDefinitions: {
        jwt: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'jwt' } },
        noUri: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'token' } },
      },
      definitions: { 'Bad-Name': { type: 'object' }, Loop: { $ref: '#/definitions/Loop/properties/x' } },
      paths: {
        '/a': {
          get: {
            security: [{ jwt: [] }],
            parameters: [{ $ref: '#/parameters/missing' }, { name: 'q', in: 'matrix' }],
            responses: { '200': { description: 'ok' } },
            'x-amazon-apigateway-integration': {
              type: 'http',
              uri: 'ftp://example.com',
              requestParameters: { 'integration.request.header.x': 'method.request.header.undeclared' },
              responses: {
                default: { statusCode: '200', responseParameters: { 'method.response.header.X-Nope': "'1'" } },
                '5\\d{2}': { statusCode: 'abc' },
              },
            },
          },
          post: { security: [{ noUri: [] }], responses: {} },
        },
      },
    };
    const problems = importProblems(() => importOpenApi(doc));
    const locations = problems.map((p) => p.location);
    const integration = '/paths/~1a/get/x-amazon-apigateway-integration';
    for (const location of [
      '/x-amazon-apigateway-request-validators/v/validateRequestBody',
      '/x-amazon-apigateway-binary-media-types/1',
      '/securityDefinitions/jwt/x-amazon-apigateway-authorizer/type',
      '/securityDefinitions/noUri/x-amazon-apigateway-authorizer/authorizerUri',
      '/definitions/Bad-Name',
      '/definitions/Loop/$ref',
      '/paths/~1a/get/parameters/0/$ref',
      '/paths/~1a/get/parameters/1/in',
      `${integration}/httpMethod`,
      `${integration}/uri`,
      `${integration}/requestParameters/integration.request.header.x`,
      `${integration}/responses/default/responseParameters/method.response.header.X-Nope`,
      `${integration}/responses/5\\d{2}/statusCode`,
    ]) {
      assert.ok(locations.includes(location), `missing ${location} in\n${locations.join('\n')}`);
    }
    assert.match(problemAt(problems, '/definitions/Bad-Name').message, /only letters and digits/);
    assert.match(problemAt(problems, `${integration}/responses/default/responseParameters/method.response.header.X-Nope`).message, /does not declare the header 'X-Nope'/);
    assert.match(problemAt(problems, `${integration}/requestParameters/integration.request.header.x`).message, /not declared/);
    // The broken jwt scheme is reported once, not again where a method uses it.
    assert.ok(!locations.includes('/paths/~1a/get/security/0/jwt'));
    assert.equal(new Set(locations).size, locations.length, 'no duplicates');
  });

  it('reports a status code mapped by two selection patterns and a method with two authorizers', () => {
    const problems = importProblems(() =>
      importOpenApi(
        minimal({
          components: {
            securitySchemes: {
              a: { type: 'apiKey', name: 'A', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/a/invocations' } },
              b: { type: 'apiKey', name: 'B', in: 'header', 'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/b/invocations' } },
            },
          },
          paths: {
            '/x': {
              get: {
                security: [{ a: [], b: [] }],
                responses: { '500': { description: 'e' } },
                'x-amazon-apigateway-integration': {
                  type: 'mock',
                  responses: { 'error.*': { statusCode: '500' }, 'fail.*': { statusCode: 500 } },
                },
              },
            },
          },
        }),
      ),
    );
    assert.deepEqual(problems.map((p) => p.location), [
      '/paths/~1x/get/security/0/b',
      '/paths/~1x/get/x-amazon-apigateway-integration/responses/fail.*',
    ]);
    assert.match(problems[0]!.message, /only one authorizer/);
    assert.match(problems[1]!.message, /already maps to status 500/);
  });

  it('rejects an empty path segment and an invalid literal segment', () => {
    const problems = importProblems(() => importOpenApi(minimal({ paths: { '/a//b': {}, '/a/': {}, '/files/{name}.json': {} } })));
    assert.deepEqual(problems.map((p) => p.location), ['/paths/~1a~1~1b', '/paths/~1a~1', '/paths/~1files~1{name}.json']);
    assert.match(problems[2]!.message, /not a valid path segment/);
  });

  it('rejects an unknown x-amazon-apigateway-auth type', () => {
    const problems = importProblems(() =>
      importOpenApi(minimal({ paths: { '/a': { get: { 'x-amazon-apigateway-auth': { type: 'COGNITO' } } } } })),
    );
    assert.deepEqual(problems.map((p) => p.location), ['/paths/~1a/get/x-amazon-apigateway-auth/type']);
  });
});

describe('details', () => {
  it('accepts AWS_PROXY with a method other than POST, as AWS does at creation', () => {
    const doc = importOpenApi(
      minimal({
        paths: {
          '/f': {
            get: {
              'x-amazon-apigateway-integration': {
                type: 'aws_proxy',
                httpMethod: 'GET',
                uri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f/invocations',
              },
            },
          },
        },
      }),
    );
    assert.equal(methodAt(doc, '/f', 'GET').methodIntegration?.httpMethod, 'GET');
  });

  it('expands execute-api:/ in the policy with the given account and region', () => {
    const doc = importOpenApi(
      minimal({
        'x-amazon-apigateway-policy': {
          Statement: { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', NotResource: 'execute-api:/prod/GET/*' },
        },
      }),
      { apiId: 'abcdefghij', account: { accountId: '123456789012', region: 'eu-central-1' } },
    );
    const policy = JSON.parse(doc.restApi.policy!);
    assert.equal(policy.Statement.NotResource, 'arn:aws:execute-api:eu-central-1:123456789012:abcdefghij/prod/GET/*');
  });

  it('resolves ${AWS::…} variables from the account settings', () => {
    const text = [
      'openapi: 3.0.1',
      'info:',
      '  title: Variables',
      'paths:',
      '  /:',
      '    get:',
      '      x-amazon-apigateway-integration:',
      '        type: aws_proxy',
      '        httpMethod: POST',
      '        uri: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:tasks/invocations',
      '',
    ].join('\n');
    const doc = importOpenApi(text, { account: { accountId: '210987654321', region: 'cn-north-1' } });
    assert.equal(
      methodAt(doc, '/', 'GET').methodIntegration?.uri,
      'arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:210987654321:function:tasks/invocations',
    );
  });

  it('ignores a document-level security list, as API Gateway does', () => {
    const doc = importOpenApi(
      minimal({
        security: [{ api_key: [] }],
        components: { securitySchemes: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } } },
        paths: { '/a': { get: {} }, '/b': { get: { security: [{ api_key: [] }] } } },
      }),
    );
    assert.equal(methodAt(doc, '/a', 'GET').apiKeyRequired, false);
    assert.equal(methodAt(doc, '/b', 'GET').apiKeyRequired, true);
  });

  it('uses the scheme in a security requirement with awsSigv4 for IAM, and x-amazon-apigateway-auth NONE to open a method', () => {
    const doc = importOpenApi(
      minimal({
        components: { securitySchemes: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } } },
        paths: {
          '/iam': { get: { security: [{ sigv4: [] }] } },
          '/open': { get: { security: [{ sigv4: [] }], 'x-amazon-apigateway-auth': { type: 'none' } } },
        },
      }),
    );
    assert.equal(methodAt(doc, '/iam', 'GET').authorizationType, 'AWS_IAM');
    assert.equal(methodAt(doc, '/open', 'GET').authorizationType, 'NONE');
  });

  it('uses the consumes/produces types of Swagger 2 for body and response models', () => {
    const doc = importOpenApi({
      swagger: '2.0',
      info: { title: 'Types' },
      consumes: ['application/json', 'application/x-www-form-urlencoded'],
      definitions: { Thing: { type: 'object' } },
      paths: {
        '/t': {
          put: {
            produces: ['application/xml'],
            parameters: [{ in: 'body', name: 'body', schema: { $ref: '#/definitions/Thing' } }],
            responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Thing' } } },
          },
        },
      },
    });
    const put = methodAt(doc, '/t', 'PUT');
    assert.deepEqual(put.requestModels, { 'application/json': 'Thing', 'application/x-www-form-urlencoded': 'Thing' });
    assert.deepEqual(put.methodResponses['200']?.responseModels, { 'application/xml': 'Thing' });
  });

  it('takes the identity source of a REQUEST authorizer from a query scheme', () => {
    const doc = importOpenApi(
      minimal({
        components: {
          securitySchemes: {
            q: {
              type: 'apiKey',
              name: 'token',
              in: 'query',
              'x-amazon-apigateway-authorizer': {
                type: 'REQUEST',
                authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/q/invocations',
                authorizerResultTtlInSeconds: '120',
              },
            },
          },
        },
      }),
    );
    const [authorizer] = Object.values(doc.authorizers);
    assert.equal(authorizer?.identitySource, 'method.request.querystring.token');
    assert.equal(authorizer?.authorizerResultTtlInSeconds, 120);
  });
});

// ---------------------------------------------------------------------------------------------
// Model validation on hand-made documents.

const LAMBDA_URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations';

function httpIntegration(): Integration {
  return {
    type: 'HTTP',
    httpMethod: 'GET',
    uri: 'https://backend.example.com/items/{id}',
    requestParameters: {
      'integration.request.path.id': 'method.request.path.id',
      'integration.request.header.x-static': "'fixed value'",
      'integration.request.header.x-request': 'context.requestId',
      'integration.request.querystring.env': 'stageVariables.env',
      'integration.request.header.x-name': 'method.request.body.pet.name',
    },
    requestTemplates: { 'application/json': '$input.json("$")' },
    passthroughBehavior: 'WHEN_NO_MATCH',
    timeoutInMillis: 29000,
    cacheKeyParameters: [],
    integrationResponses: {
      '200': {
        statusCode: '200',
        responseParameters: { 'method.response.header.X-Id': 'integration.response.header.x-id' },
        responseTemplates: {},
      },
      '404': { statusCode: '404', selectionPattern: '404', responseParameters: {}, responseTemplates: {} },
    },
  };
}

/** A small valid document: `/`, `/items`, `/items/{id}` with a GET behind an HTTP integration. */
function handMade(): RestApiDocument {
  return {
    restApi: {
      id: 'abcdefghij',
      name: 'Hand made',
      createdDate: NOW,
      binaryMediaTypes: ['image/*', '*/*'],
      apiKeySource: 'HEADER',
      endpointConfiguration: { types: ['EDGE'] },
      disableExecuteApiEndpoint: false,
      tags: {},
    },
    rootResourceId: 'root000000',
    resources: {
      root000000: { id: 'root000000', path: '/', resourceMethods: {} },
      items00000: { id: 'items00000', parentId: 'root000000', pathPart: 'items', path: '/items', resourceMethods: {} },
      item000000: {
        id: 'item000000',
        parentId: 'items00000',
        pathPart: '{id}',
        path: '/items/{id}',
        resourceMethods: {
          GET: {
            httpMethod: 'GET',
            authorizationType: 'CUSTOM',
            authorizerId: 'auth01',
            apiKeyRequired: false,
            requestValidatorId: 'valid1',
            requestParameters: { 'method.request.path.id': true, 'method.request.multivalueheader.X-Tags': false },
            requestModels: { 'application/json': 'Item' },
            methodResponses: {
              '200': { statusCode: '200', responseParameters: { 'method.response.header.X-Id': false }, responseModels: { 'application/json': 'Item' } },
              '404': { statusCode: '404', responseParameters: {}, responseModels: {} },
            },
            methodIntegration: httpIntegration(),
          },
        },
      },
    },
    models: { Item: { id: 'model1', name: 'Item', contentType: 'application/json', schema: '{"type":"object"}' } },
    requestValidators: { valid1: { id: 'valid1', name: 'all', validateRequestBody: true, validateRequestParameters: true } },
    authorizers: {
      auth01: { id: 'auth01', name: 'token', type: 'TOKEN', authorizerUri: LAMBDA_URI, identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 300 },
    },
    gatewayResponses: {
      DEFAULT_5XX: { responseType: 'DEFAULT_5XX', statusCode: '503', responseParameters: { 'gatewayresponse.header.Retry-After': "'30'" }, responseTemplates: {} },
    },
  };
}

const GET_ITEM = '/resources/item000000/resourceMethods/GET';
const getItem = (doc: RestApiDocument): Method => doc.resources.item000000!.resourceMethods.GET!;

/** The problems of the hand-made document after `change`. */
function problemsAfter(change: (doc: RestApiDocument) => void): Problem[] {
  const doc = handMade();
  change(doc);
  return validateRestApiDocument(doc);
}

function expectProblems(problems: Problem[], expected: [string, RegExp][]): void {
  assert.deepEqual(
    problems.map((p) => p.location),
    expected.map(([location]) => location),
    problems.map((p) => `${p.location}: ${p.message}`).join('\n'),
  );
  expected.forEach(([, message], i) => assert.match(problems[i]!.message, message));
}

describe('validateRestApiDocument', () => {
  it('accepts the hand-made document', () => {
    assert.deepEqual(validateRestApiDocument(handMade()), []);
    assert.doesNotThrow(() => assertValidRestApiDocument(handMade()));
  });

  it('checks the root resource', () => {
    expectProblems(problemsAfter((d) => (d.rootResourceId = 'nope')), [['/rootResourceId', /no resource 'nope'/]]);
    expectProblems(problemsAfter((d) => (d.resources.root000000!.path = '/root')), [
      ['/resources/root000000/path', /root resource's path is '\/'/],
    ]);
    expectProblems(
      problemsAfter((d) => (d.resources.other00000 = { id: 'other00000', path: '/', resourceMethods: {} })),
      [['/resources/other00000/parentId', /only the root resource may have no parent/]],
    );
  });

  it('checks parents, path parts and paths', () => {
    expectProblems(problemsAfter((d) => (d.resources.items00000!.parentId = 'ghost')), [
      ['/resources/items00000/parentId', /no resource 'ghost'/],
      ['/resources/item000000/parentId', /not reachable from the root/],
    ]);
    expectProblems(problemsAfter((d) => (d.resources.items00000!.pathPart = 'it ems')), [
      ['/resources/items00000/pathPart', /not a valid path segment/],
      ['/resources/items00000/path', /does not match its place in the tree \(\/it ems\)/],
      ['/resources/item000000/path', /does not match its place in the tree/],
    ]);
    expectProblems(problemsAfter((d) => (d.resources.item000000!.path = '/items/{other}')), [
      ['/resources/item000000/path', /'\/items\/\{other\}' does not match its place in the tree \(\/items\/\{id\}\)/],
    ]);
    expectProblems(problemsAfter((d) => (d.resources.item000000!.id = 'different')), [['/resources/item000000/id', /must equal its key/]]);
  });

  it('rejects children of a greedy resource, two variable siblings and duplicate siblings', () => {
    const greedy = problemsAfter((d) => {
      d.resources.items00000!.pathPart = '{proxy+}';
      d.resources.items00000!.path = '/{proxy+}';
      d.resources.item000000!.path = '/{proxy+}/{id}';
    });
    expectProblems(greedy, [['/resources/item000000/parentId', /greedy resource \(\/\{proxy\+\}\) cannot have child resources/]]);

    const siblings = problemsAfter((d) => {
      d.resources.other00000 = { id: 'other00000', parentId: 'items00000', pathPart: '{name}', path: '/items/{name}', resourceMethods: {} };
      d.resources.proxy00000 = { id: 'proxy00000', parentId: 'items00000', pathPart: '{proxy+}', path: '/items/{proxy+}', resourceMethods: {} };
      d.resources.twin000000 = { id: 'twin000000', parentId: 'root000000', pathPart: 'items', path: '/items', resourceMethods: {} };
    });
    // The walk finishes a subtree before moving on to the next sibling.
    expectProblems(siblings, [
      ['/resources/other00000/pathPart', /'\{name\}' conflicts with its sibling '\{id\}'/],
      ['/resources/proxy00000/pathPart', /'\{proxy\+\}' conflicts with its sibling '\{id\}'/],
      ['/resources/twin000000/pathPart', /duplicates the sibling resource 'items00000'/],
    ]);
  });

  it('rejects a path parameter name used twice along a path, and cycles', () => {
    expectProblems(
      problemsAfter((d) => {
        d.resources.again00000 = { id: 'again00000', parentId: 'item000000', pathPart: '{id}', path: '/items/{id}/{id}', resourceMethods: {} };
      }),
      [['/resources/again00000/pathPart', /'id' is already used/]],
    );
    expectProblems(
      problemsAfter((d) => {
        d.resources.a000000000 = { id: 'a000000000', parentId: 'b000000000', pathPart: 'a', path: '/b/a', resourceMethods: {} };
        d.resources.b000000000 = { id: 'b000000000', parentId: 'a000000000', pathPart: 'b', path: '/a/b', resourceMethods: {} };
      }),
      [
        ['/resources/a000000000/parentId', /not reachable from the root/],
        ['/resources/b000000000/parentId', /not reachable from the root/],
      ],
    );
  });

  it('checks methods: verb, authorization, validator, models and parameters', () => {
    expectProblems(
      problemsAfter((d) => {
        const resource = d.resources.item000000!;
        (resource.resourceMethods as Record<string, Method>).FETCH = { ...getItem(d), httpMethod: 'GET' };
      }),
      [['/resources/item000000/resourceMethods/FETCH', /'FETCH' is not an HTTP method/]],
    );
    expectProblems(
      problemsAfter((d) => {
        const m = getItem(d);
        m.httpMethod = 'POST';
        (m as { authorizationType: string }).authorizationType = 'OAUTH';
        m.requestValidatorId = 'nobody';
        m.requestModels = { 'application/json': 'Missing', 'not a type': 'Item' };
        m.requestParameters = { 'method.request.path.id': true, 'method.request.cookie.c': true, 'request.header.x': false };
      }),
      [
        [`${GET_ITEM}/httpMethod`, /must equal its key 'GET'/],
        [`${GET_ITEM}/authorizationType`, /'OAUTH' is not an authorization type/],
        [`${GET_ITEM}/requestValidatorId`, /no request validator 'nobody'/],
        [`${GET_ITEM}/requestParameters/method.request.cookie.c`, /not a method request parameter/],
        [`${GET_ITEM}/requestParameters/request.header.x`, /not a method request parameter/],
        [`${GET_ITEM}/requestModels/application~1json`, /no model 'Missing'/],
        [`${GET_ITEM}/requestModels/not a type`, /not a content type/],
      ],
    );
  });

  it('requires an existing authorizer of the right kind for CUSTOM and COGNITO_USER_POOLS', () => {
    expectProblems(problemsAfter((d) => delete getItem(d).authorizerId), [[`${GET_ITEM}/authorizerId`, /CUSTOM needs an authorizer/]]);
    expectProblems(problemsAfter((d) => (getItem(d).authorizerId = 'ghost1')), [[`${GET_ITEM}/authorizerId`, /no authorizer 'ghost1'/]]);
    expectProblems(problemsAfter((d) => (getItem(d).authorizationType = 'COGNITO_USER_POOLS')), [
      [`${GET_ITEM}/authorizerId`, /COGNITO_USER_POOLS cannot use the TOKEN authorizer 'token'/],
    ]);
    assert.deepEqual(problemsAfter((d) => (getItem(d).authorizationType = 'AWS_IAM')), []);
  });

  it('checks integration type, timeout, passthrough behavior and content handling', () => {
    const at = `${GET_ITEM}/methodIntegration`;
    expectProblems(
      problemsAfter((d) => {
        const i = getItem(d).methodIntegration!;
        (i as { type: string }).type = 'LAMBDA';
        (i as { passthroughBehavior: string }).passthroughBehavior = 'ALWAYS';
        (i as { contentHandling: string }).contentHandling = 'CONVERT_TO_JSON';
      }),
      [
        [`${at}/type`, /'LAMBDA' is not an integration type/],
        [`${at}/passthroughBehavior`, /'ALWAYS' is not a passthrough behavior/],
        [`${at}/contentHandling`, /'CONVERT_TO_JSON' is not a content handling strategy/],
      ],
    );
    for (const [timeout, message] of [
      [49, /49 is out of range; it must be between 50 and 29000/],
      [29001, /29001 is out of range/],
      [1000.5, /not an integer/],
    ] as const) {
      expectProblems(problemsAfter((d) => (getItem(d).methodIntegration!.timeoutInMillis = timeout)), [[`${at}/timeoutInMillis`, message]]);
    }
    assert.deepEqual(problemsAfter((d) => (getItem(d).methodIntegration!.timeoutInMillis = 50)), []);
  });

  it('checks integration URIs and methods per type', () => {
    const at = `${GET_ITEM}/methodIntegration`;
    const withIntegration = (patch: Partial<Integration>, drop: (keyof Integration)[] = []) =>
      problemsAfter((d) => {
        const i = Object.assign(getItem(d).methodIntegration!, patch);
        for (const key of drop) delete i[key];
      });
    expectProblems(withIntegration({}, ['uri', 'httpMethod']), [
      [`${at}/httpMethod`, /needs the HTTP method/],
      [`${at}/uri`, /needs an http\(s\) URL/],
    ]);
    expectProblems(withIntegration({ uri: 'backend.example.com/x' }), [[`${at}/uri`, /not an http\(s\) URL/]]);
    // Stage variables may stand for the host.
    assert.deepEqual(withIntegration({ uri: 'https://${stageVariables.host}/items' }), []);
    assert.deepEqual(withIntegration({ uri: '${stageVariables.backendUrl}/items' }), []);
    expectProblems(withIntegration({ uri: '${context.path}' }), [[`${at}/uri`, /not an http\(s\) URL/]]);
    expectProblems(withIntegration({ type: 'AWS', uri: 'https://lambda.amazonaws.com' }), [[`${at}/uri`, /not an arn:aws:apigateway/]]);
    expectProblems(withIntegration({ type: 'AWS_PROXY', uri: 'arn:aws:apigateway:us-east-1:lambda:path/functions/f' }), [
      [`${at}/uri`, /not a Lambda invocation URI/],
    ]);
    assert.deepEqual(withIntegration({ type: 'AWS_PROXY', httpMethod: 'GET', uri: LAMBDA_URI }), []);
    assert.deepEqual(withIntegration({ type: 'AWS', httpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue' }), []);
    assert.deepEqual(withIntegration({ type: 'MOCK' }, ['uri', 'httpMethod']), []);
    expectProblems(withIntegration({ httpMethod: 'FETCH' }), [[`${at}/httpMethod`, /'FETCH' is not an HTTP method/]]);
    expectProblems(withIntegration({ connectionType: 'VPC_LINK' }), [[`${at}/connectionId`, /needs the VPC link id/]]);
    expectProblems(withIntegration({ type: 'MOCK', connectionType: 'VPC_LINK', connectionId: 'abc' }), [
      [`${at}/connectionType`, /only HTTP and HTTP_PROXY/],
    ]);
    expectProblems(withIntegration({ credentials: 'role' }), [[`${at}/credentials`, /not an IAM ARN/]]);
  });

  it('checks integration request parameter mappings', () => {
    const at = `${GET_ITEM}/methodIntegration/requestParameters`;
    expectProblems(
      problemsAfter((d) => {
        Object.assign(getItem(d).methodIntegration!.requestParameters, {
          'integration.request.body.x': "'a'",
          'integration.request.header.a': 'method.request.querystring.undeclared',
          'integration.request.header.b': 'static',
          'integration.request.header.c': '$context.requestId',
        });
      }),
      [
        [`${at}/integration.request.body.x`, /not an integration request parameter/],
        [`${at}/integration.request.header.a`, /'method.request.querystring.undeclared' is not declared/],
        [`${at}/integration.request.header.b`, /not a mapping expression/],
        [`${at}/integration.request.header.c`, /not a mapping expression/],
      ],
    );
  });

  it('checks integration responses', () => {
    const at = `${GET_ITEM}/methodIntegration/integrationResponses`;
    expectProblems(
      problemsAfter((d) => {
        const responses = getItem(d).methodIntegration!.integrationResponses;
        responses['404']!.selectionPattern = '[unclosed';
        responses['500'] = { statusCode: '500', responseParameters: {}, responseTemplates: {} };
        responses['20'] = { statusCode: '20', selectionPattern: 'x', responseParameters: {}, responseTemplates: {} };
        responses['200']!.responseParameters['method.response.header.Undeclared'] = "'v'";
        responses['200']!.responseParameters['method.response.header.X-Id'] = 'integration.request.header.x';
        responses['200']!.responseParameters['integration.response.header.Y'] = "'v'";
      }),
      // Integer-like keys come first, in numeric order, as JavaScript orders them.
      [
        [`${at}/20/statusCode`, /'20' is not an HTTP status code/],
        [`${at}/200/responseParameters/method.response.header.X-Id`, /not a mapping expression/],
        [`${at}/200/responseParameters/method.response.header.Undeclared`, /method response 200 does not declare the header 'Undeclared'/],
        [`${at}/200/responseParameters/integration.response.header.Y`, /not a method response header/],
        [`${at}/404/selectionPattern`, /'\[unclosed' is not a valid regular expression/],
        [`${at}/500/selectionPattern`, /only one integration response can be the default/],
      ],
    );
  });

  it('checks method responses', () => {
    const at = `${GET_ITEM}/methodResponses`;
    expectProblems(
      problemsAfter((d) => {
        const responses = getItem(d).methodResponses;
        responses['200']!.responseParameters['method.response.body'] = false;
        responses['200']!.responseModels['application/json'] = 'Missing';
        responses['2xx'] = { statusCode: '2xx', responseParameters: {}, responseModels: {} };
      }),
      [
        [`${at}/200/responseParameters/method.response.body`, /not a method response header/],
        [`${at}/200/responseModels/application~1json`, /no model 'Missing'/],
        [`${at}/2xx`, /'2xx' is not an HTTP status code/],
      ],
    );
  });

  it('checks API-wide settings', () => {
    expectProblems(
      problemsAfter((d) => {
        d.restApi.binaryMediaTypes = ['image/png', 'png', 'application/octet-stream;q=1'];
        (d.restApi as { apiKeySource: string }).apiKeySource = 'QUERY';
        d.restApi.endpointConfiguration = { types: ['EDGE', 'REGIONAL'], vpcEndpointIds: ['vpce-1'] };
        d.restApi.policy = '{not json';
        d.restApi.minimumCompressionSize = 10485761;
        d.restApi.name = ' ';
      }),
      [
        ['/restApi/name', /non-empty/],
        ['/restApi/apiKeySource', /'QUERY' is not an API key source/],
        ['/restApi/binaryMediaTypes/1', /'png' is not a media type/],
        ['/restApi/binaryMediaTypes/2', /not a media type/],
        ['/restApi/endpointConfiguration/types', /exactly one endpoint type/],
        ['/restApi/endpointConfiguration/vpcEndpointIds', /only to PRIVATE/],
        ['/restApi/policy', /JSON document/],
        ['/restApi/minimumCompressionSize', /out of range; it must be between 0 and 10485760/],
      ],
    );
  });

  it('checks models, validators, authorizers and gateway responses', () => {
    expectProblems(
      problemsAfter((d) => {
        d.models['Item-2'] = { id: 'model2', name: 'Item-2', contentType: 'application/json', schema: '{' };
        d.requestValidators.valid2 = { id: 'valid2', name: 'all', validateRequestBody: false, validateRequestParameters: false };
        d.authorizers.auth02 = { id: 'auth02', name: 'pool', type: 'COGNITO_USER_POOLS', identitySource: 'method.request.header.Authorization' };
        d.authorizers.auth03 = { id: 'auth03', name: 'req', type: 'REQUEST', authorizerUri: LAMBDA_URI, authorizerResultTtlInSeconds: 300 };
        d.authorizers.auth04 = {
          id: 'auth04',
          name: 'req2',
          type: 'REQUEST',
          authorizerUri: 'arn:aws:lambda:us-east-1:123456789012:function:f',
          identitySource: 'method.request.header.A, header.B',
          identityValidationExpression: '(',
          authorizerResultTtlInSeconds: 3601,
        };
        d.authorizers.auth01!.identitySource = undefined as unknown as string;
        delete d.authorizers.auth01!.identitySource;
        (d.gatewayResponses as Record<string, unknown>).TEAPOT = { responseType: 'TEAPOT', responseParameters: {}, responseTemplates: {} };
        d.gatewayResponses.DEFAULT_5XX!.statusCode = '5000';
        d.gatewayResponses.DEFAULT_5XX!.responseParameters['gatewayresponse.body.x'] = "'1'";
        d.gatewayResponses.DEFAULT_5XX!.responseParameters['gatewayresponse.header.Y'] = 'integration.response.header.y';
      }),
      [
        ['/models/Item-2/name', /only letters and digits/],
        ['/models/Item-2/schema', /JSON document/],
        ['/requestValidators/valid2/name', /already has the name 'all'/],
        ['/authorizers/auth01/identitySource', /needs an identity source header/],
        ['/authorizers/auth02/providerARNs', /at least one user pool ARN/],
        ['/authorizers/auth03/identitySource', /caches results needs an identity source/],
        ['/authorizers/auth04/authorizerUri', /not a Lambda invocation URI/],
        ['/authorizers/auth04/authorizerResultTtlInSeconds', /between 0 and 3600/],
        ['/authorizers/auth04/identitySource', /'header.B'/],
        ['/authorizers/auth04/identityValidationExpression', /not a valid regular expression/],
        ['/gatewayResponses/DEFAULT_5XX/statusCode', /'5000' is not an HTTP status code/],
        ['/gatewayResponses/DEFAULT_5XX/responseParameters/gatewayresponse.body.x', /not a gateway response parameter/],
        ['/gatewayResponses/DEFAULT_5XX/responseParameters/gatewayresponse.header.Y', /not a method request parameter/],
        ['/gatewayResponses/TEAPOT', /'TEAPOT' is not a gateway response type/],
      ],
    );
  });

  it('throws a ModelValidationError listing every problem, one per line', () => {
    const doc = handMade();
    doc.rootResourceId = 'nope';
    getItem(doc).methodIntegration!.timeoutInMillis = 10;
    try {
      assertValidRestApiDocument(doc);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof ModelValidationError);
      assert.equal(err.problems.length, 2);
      assert.equal(
        err.message,
        [
          'The REST API is not valid (2 problems):',
          "/rootResourceId: there is no resource 'nope'",
          `${GET_ITEM}/methodIntegration/timeoutInMillis: 10 is out of range; it must be between 50 and 29000`,
        ].join('\n'),
      );
    }
  });
});

describe('validateStageVariables', () => {
  it('accepts names of letters, digits and underscores with values of the allowed characters', () => {
    assert.deepEqual(validateStageVariables({ lambda_alias: 'live', url: 'https://example.com/a?b=c&d=e#f,g~h', n1: 'x'.repeat(512) }), []);
  });

  it('rejects bad names, bad characters and long values, located under /variables', () => {
    expectProblems(
      validateStageVariables({ 'bad-name': 'ok', spaces: 'a b', quote: "it's", long: 'x'.repeat(513), ['n'.repeat(65)]: 'v' }),
      [
        ['/variables/bad-name', /not a valid stage variable name/],
        ['/variables/spaces', /not a valid stage variable value/],
        ['/variables/quote', /not a valid stage variable value/],
        ['/variables/long', /longer than 512 characters/],
        [`/variables/${'n'.repeat(65)}`, /longer than 64 characters/],
      ],
    );
    assert.deepEqual(validateStageVariables({ 'a.b': 'v' }, ['patchOperations', '0']).map((p) => p.location), ['/patchOperations/0/a.b']);
  });
});

describe('pointer and path-part helpers', () => {
  it('escapes and parses JSON pointers as RFC 6901 does', () => {
    assert.equal(jsonPointer(['paths', '/pets/{id}', 'get', 'a~b']), '/paths/~1pets~1{id}/get/a~0b');
    assert.deepEqual(parseJsonPointer('/paths/~1pets~1{id}/get/a~0b'), ['paths', '/pets/{id}', 'get', 'a~b']);
    assert.equal(jsonPointer([]), '/');
    assert.deepEqual(parseJsonPointer('/'), []);
  });

  it('classifies path parts', () => {
    assert.deepEqual(parsePathPart('pets'), { kind: 'literal', value: 'pets' });
    assert.deepEqual(parsePathPart('v1.2,x:y_z-w'), { kind: 'literal', value: 'v1.2,x:y_z-w' });
    assert.deepEqual(parsePathPart('{petId}'), { kind: 'variable', name: 'petId', greedy: false });
    assert.deepEqual(parsePathPart('{proxy+}'), { kind: 'variable', name: 'proxy', greedy: true });
    for (const bad of ['', 'a b', '{a}b', 'a{b}', '{}', '{+}', 'a/b', 'caf\u00e9']) assert.equal(parsePathPart(bad), undefined, bad);
  });
});
