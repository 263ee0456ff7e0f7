/**
 * Request validators and models at the module level: which parameters are required, which model
 * a body meets, and AWS's messages. Cases named `request-validator…/…` reproduce the setups of
 * test/conformance/fixtures/gateway-responses/data_plane_error_responses.json; the `-ref-models`
 * and `-oneof-models` fixtures record only AWS's responses, so their models follow the LocalStack
 * tests the fixture cites.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Method, Model, RestApiDocument } from '../../src/model/rest-api.js';
import { GatewayError } from '../../src/gateway/errors.js';
import {
  compileRequestValidation,
  type RequestValidation,
  type ValidationRequest,
} from '../../src/gateway/rest/request-validation.js';
import { CompiledModels } from '../../src/gateway/rest/models.js';

const API_ID = 'abcde12345';
const modelRef = (name: string, apiId = API_ID) => `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;

function apiDocument(models: Record<string, object | string | undefined> = {}): RestApiDocument {
  const docModels: Record<string, Model> = {};
  for (const [name, schema] of Object.entries(models)) {
    docModels[name] = {
      id: `m-${name}`,
      name,
      contentType: 'application/json',
      schema: schema === undefined ? undefined : typeof schema === 'string' ? schema : JSON.stringify(schema),
    };
  }
  return {
    restApi: {
      id: API_ID,
      name: 'validation',
      createdDate: 0,
      binaryMediaTypes: [],
      apiKeySource: 'HEADER',
      endpointConfiguration: { types: ['REGIONAL'] },
      disableExecuteApiEndpoint: false,
      tags: {},
    },
    rootResourceId: 'root',
    resources: {},
    models: docModels,
    requestValidators: {
      all: { id: 'all', name: 'all', validateRequestBody: true, validateRequestParameters: true },
      body: { id: 'body', name: 'body', validateRequestBody: true, validateRequestParameters: false },
      params: { id: 'params', name: 'params-only', validateRequestBody: false, validateRequestParameters: true },
      none: { id: 'none', name: 'none', validateRequestBody: false, validateRequestParameters: false },
    },
    authorizers: {},
    gatewayResponses: {},
  };
}

function apiMethod(overrides: Partial<Method> = {}): Method {
  return {
    httpMethod: 'POST',
    authorizationType: 'NONE',
    apiKeyRequired: false,
    requestParameters: {},
    requestModels: {},
    requestValidatorId: 'all',
    methodResponses: {},
    ...overrides,
  };
}

interface RequestShape {
  headers?: Record<string, string | string[]>;
  query?: Record<string, string | string[]>;
  pathParameters?: Record<string, string> | null;
  contentType?: string;
  body?: string | object;
}

/** A request as the gateway hands it over; `reads` counts how often the body was read. */
function request(shape: RequestShape = {}): ValidationRequest & { reads: number } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(shape.query ?? {})) {
    multi[name] = Array.isArray(value) ? value : [value];
    single[name] = multi[name]!.at(-1)!;
  }
  const raw = shape.body === undefined ? '' : typeof shape.body === 'string' ? shape.body : JSON.stringify(shape.body);
  const req = {
    reads: 0,
    headers: { ...(shape.headers ?? {}) } as Record<string, string | string[] | undefined>,
    query: { single, multi },
    pathParameters: shape.pathParameters === undefined ? null : shape.pathParameters,
    contentType: shape.contentType,
    body: async () => {
      req.reads++;
      return Buffer.from(raw, 'utf8');
    },
  };
  if (shape.contentType !== undefined) req.headers['content-type'] = shape.contentType;
  return req;
}

function compile(doc: RestApiDocument, method: Method): RequestValidation {
  const validation = compileRequestValidation(doc, method);
  assert.ok(validation, 'expected the method to validate something');
  return validation;
}

async function refusal(validation: RequestValidation, req: ValidationRequest): Promise<GatewayError> {
  try {
    await validation(req);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to be refused');
}

async function assertMissing(validation: RequestValidation, req: ValidationRequest, message: string): Promise<void> {
  const err = await refusal(validation, req);
  assert.equal(err.responseType, 'BAD_REQUEST_PARAMETERS');
  assert.equal(err.message, message);
}

async function assertInvalidBody(validation: RequestValidation, req: ValidationRequest, validationErrorString?: string): Promise<void> {
  const err = await refusal(validation, req);
  assert.equal(err.responseType, 'BAD_REQUEST_BODY');
  assert.equal(err.message, 'Invalid request body');
  assert.equal(err.statusCode, undefined);
  if (validationErrorString !== undefined) assert.equal(err.validationErrorString, validationErrorString);
}

async function assertConfigurationError(validation: RequestValidation, req: ValidationRequest): Promise<void> {
  const err = await refusal(validation, req);
  assert.equal(err.responseType, 'API_CONFIGURATION_ERROR');
  assert.equal(err.message, 'Internal server error');
}

/** The model of the `request-validator/*` cases. */
const TEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'testSchema',
  type: 'object',
  properties: { a: { type: 'number' }, b: { type: 'number' } },
  required: ['a', 'b'],
};

/** The `/nested/{test}` method of the `request-validator/*` cases. */
const NESTED_PARAMETERS = {
  'method.request.path.test': true,
  'method.request.querystring.qs1': true,
  'method.request.header.x-header-param': true,
};

describe('recorded cases: request-validator', () => {
  it('request-validator/missing-all-required-request-params-post: header, path, querystring order', async () => {
    const doc = apiDocument();
    // The POST method had its path parameter renamed to {issuer}, which the route does not have.
    const validation = compile(
      doc,
      apiMethod({
        requestParameters: {
          'method.request.path.issuer': true,
          'method.request.querystring.qs1': true,
          'method.request.header.x-header-param': true,
        },
      }),
    );
    const req = request({ pathParameters: { test: 'value' }, contentType: 'application/json', body: { test: 'test' } });
    await assertMissing(validation, req, 'Missing required request parameters: [x-header-param, issuer, qs1]');
    const err = await refusal(validation, req);
    assert.equal(err.validationErrorString, 'Missing required request parameters: [x-header-param, issuer, qs1]');
  });

  it('request-validator/missing-required-headers-request-params-get', async () => {
    const validation = compile(apiDocument(), apiMethod({ httpMethod: 'GET', requestParameters: NESTED_PARAMETERS }));
    await assertMissing(
      validation,
      request({ pathParameters: { test: 'value' }, query: { qs1: 'test' } }),
      'Missing required request parameters: [x-header-param]',
    );
  });

  it('request-validator/missing-required-qs-request-params-get', async () => {
    const validation = compile(apiDocument(), apiMethod({ httpMethod: 'GET', requestParameters: NESTED_PARAMETERS }));
    await assertMissing(
      validation,
      request({ pathParameters: { test: 'value' }, headers: { 'x-header-param': 'test' } }),
      'Missing required request parameters: [qs1]',
    );
  });

  it('request-validator/invalid-request-body, and the other requests of that test', async () => {
    const doc = apiDocument({ testSchema: TEST_SCHEMA });
    const models = { 'application/json': 'testSchema' };
    const post = compile(doc, apiMethod({ requestParameters: NESTED_PARAMETERS, requestModels: models }));
    const get = compile(doc, apiMethod({ httpMethod: 'GET', requestParameters: NESTED_PARAMETERS, requestModels: models }));
    const complete = { pathParameters: { test: 'value' }, query: { qs1: 'test' }, headers: { 'x-header-param': 'test' } };

    await assertInvalidBody(
      post,
      request({ ...complete, contentType: 'application/json', body: { test: 'test' } }),
      '[object has missing required properties (["a","b"])]',
    );
    // A GET without a body, with and without a JSON Content-Type, is held to the model too.
    await assertInvalidBody(get, request(complete), '[object has missing required properties (["a","b"])]');
    await assertInvalidBody(get, request({ ...complete, contentType: 'application/json' }));
    await post(request({ ...complete, contentType: 'application/json', body: { a: 1, b: 2 } }));

    // With the validator removed the same requests pass untouched.
    assert.equal(compileRequestValidation(doc, apiMethod({ requestParameters: NESTED_PARAMETERS, requestModels: models, requestValidatorId: undefined })), undefined);
    assert.equal(compileRequestValidation(doc, apiMethod({ requestParameters: NESTED_PARAMETERS, requestModels: models, requestValidatorId: '' })), undefined);
  });
});

describe('recorded cases: request-validator-ref-models', () => {
  // testSchemaList is an array of testSchema, referenced by its model URL.
  const doc = apiDocument({
    testSchema: TEST_SCHEMA,
    testSchemaList: { type: 'array', items: { $ref: modelRef('testSchema') } },
  });
  const validation = compile(doc, apiMethod({ requestValidatorId: 'all', requestModels: { 'application/json': 'testSchemaList' } }));

  it('request-validator-ref-models/successful', async () => {
    await validation(request({ contentType: 'application/json', body: [{ a: 1, b: 2 }] }));
  });

  it('request-validator-ref-models/failed-validation', async () => {
    await assertInvalidBody(
      validation,
      request({ contentType: 'application/json', body: [{ a: 1 }] }),
      '[object has missing required properties (["b"])]',
    );
  });
});

describe('recorded cases: request-validator-oneof-models', () => {
  // `status` is either null or a StatusModel, the latter by model URL inside oneOf.
  const doc = apiDocument({
    StatusModel: {
      type: 'object',
      properties: { Status: { type: 'string' }, Order: { type: 'integer' } },
      required: ['Status', 'Order'],
    },
    TestModel: {
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: 'TestModel',
      type: 'object',
      properties: { status: { oneOf: [{ type: 'null' }, { $ref: modelRef('StatusModel') }] } },
      required: ['status'],
    },
  });
  const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'TestModel' } }));

  it('request-validator-oneof-models/successful', async () => {
    await validation(request({ contentType: 'application/json', body: { status: null } }));
  });

  it('request-validator-oneof-models/successful-with-data', async () => {
    await validation(request({ contentType: 'application/json', body: { status: { Status: 'works', Order: 1 } } }));
  });

  it('request-validator-oneof-models/failed-validation-no-data', async () => {
    await assertInvalidBody(
      validation,
      request({ contentType: 'application/json', body: {} }),
      '[object has missing required properties (["status"])]',
    );
  });

  it('request-validator-oneof-models/failed-validation-bad-data', async () => {
    await assertInvalidBody(
      validation,
      request({ contentType: 'application/json', body: { status: { Status: 'works' } } }),
      '[instance failed to match exactly one schema (matched 0 out of 2)]',
    );
  });
});

describe('the developer guide sample API (api-gateway-request-validation-test)', () => {
  const doc = apiDocument({
    RequestBodyModel: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        type: { type: 'string', enum: ['dog', 'cat', 'fish'] },
        name: { type: 'string' },
        price: { type: 'number', minimum: 25, maximum: 500 },
      },
      required: ['type', 'name', 'price'],
    },
  });
  const get = compile(doc, apiMethod({ httpMethod: 'GET', requestValidatorId: 'params', requestParameters: { 'method.request.querystring.q1': true } }));
  const post = compile(
    doc,
    apiMethod({
      requestParameters: { 'method.request.header.h1': true },
      requestModels: { 'application/json': 'RequestBodyModel' },
    }),
  );

  it('GET /validation needs q1 present and not blank', async () => {
    await get(request({ query: { q1: 'cat' } }));
    await assertMissing(get, request(), 'Missing required request parameters: [q1]');
    await assertMissing(get, request({ query: { q1: '' } }), 'Missing required request parameters: [q1]');
  });

  it('POST /validation needs h1 and a body matching RequestBodyModel', async () => {
    const pet = { name: 'Marco', type: 'dog', price: 260 };
    await post(request({ headers: { h1: 'v1' }, contentType: 'application/json', body: pet }));
    await assertMissing(post, request({ contentType: 'application/json', body: pet }), 'Missing required request parameters: [h1]');
    await assertMissing(post, request({ headers: { h1: '  ' }, contentType: 'application/json', body: pet }), 'Missing required request parameters: [h1]');
    await assertInvalidBody(
      post,
      request({ headers: { h1: 'v1' }, contentType: 'application/json', body: { name: 'Molly', type: 'bird', price: 269 } }),
      '[instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]',
    );
    await assertInvalidBody(
      post,
      request({ headers: { h1: 'v1' }, contentType: 'application/json', body: { name: 'Molly', type: 'dog', price: 501 } }),
      '[numeric instance is greater than the required maximum (maximum: 500, found: 501)]',
    );
  });
});

describe('request parameters', () => {
  it('finds headers whatever case the method declares them in, and names them as declared', async () => {
    const validation = compile(apiDocument(), apiMethod({ requestParameters: { 'method.request.header.X-Api-Thing': true } }));
    await validation(request({ headers: { 'x-api-thing': 'yes' } }));
    await assertMissing(validation, request({ headers: { 'x-other': 'yes' } }), 'Missing required request parameters: [X-Api-Thing]');
  });

  it('counts a blank query string value as missing, and any non-blank repeat as present', async () => {
    const validation = compile(apiDocument(), apiMethod({ requestParameters: { 'method.request.querystring.q': true } }));
    await assertMissing(validation, request({ query: { q: '' } }), 'Missing required request parameters: [q]');
    await assertMissing(validation, request({ query: { q: ['', ' '] } }), 'Missing required request parameters: [q]');
    await validation(request({ query: { q: ['', 'x'] } }));
  });

  it('checks multivalue parameters, and only the required ones', async () => {
    const validation = compile(
      apiDocument(),
      apiMethod({
        requestParameters: {
          'method.request.multivaluequerystring.tags': true,
          'method.request.multivalueheader.x-list': true,
          'method.request.querystring.optional': false,
        },
      }),
    );
    await validation(request({ query: { tags: ['a', 'b'] }, headers: { 'x-list': 'a,b' } }));
    await assertMissing(validation, request(), 'Missing required request parameters: [x-list, tags]');
  });

  it('accepts repeated headers that node delivers as arrays', async () => {
    const validation = compile(apiDocument(), apiMethod({ requestParameters: { 'method.request.header.set-cookie': true } }));
    await validation(request({ headers: { 'set-cookie': ['', 'a=1'] } }));
  });

  it('checks parameters before the body, and reads no body when they fail', async () => {
    const doc = apiDocument({ testSchema: TEST_SCHEMA });
    const validation = compile(
      doc,
      apiMethod({ requestParameters: { 'method.request.header.h1': true }, requestModels: { 'application/json': 'testSchema' } }),
    );
    const req = request({ contentType: 'application/json', body: 'not json' });
    await assertMissing(validation, req, 'Missing required request parameters: [h1]');
    assert.equal(req.reads, 0);
  });

  it('leaves parameters alone under a body-only validator', async () => {
    const validation = compile(
      apiDocument({ testSchema: TEST_SCHEMA }),
      apiMethod({ requestValidatorId: 'body', requestParameters: { 'method.request.header.h1': true }, requestModels: { 'application/json': 'testSchema' } }),
    );
    await validation(request({ contentType: 'application/json', body: { a: 1, b: 2 } }));
  });
});

describe('choosing the model', () => {
  const doc = apiDocument({
    testSchema: TEST_SCHEMA,
    Text: { type: 'string' },
    NoSchema: undefined,
  });

  it('matches the Content-Type media type, ignoring case and parameters', async () => {
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'testSchema' } }));
    await assertInvalidBody(validation, request({ contentType: 'Application/JSON; charset=utf-8', body: { a: 1 } }));
    await validation(request({ contentType: 'application/json; charset=utf-8', body: { a: 1, b: 2 } }));
  });

  it('falls back to $default, but prefers an exact match', async () => {
    const validation = compile(doc, apiMethod({ requestModels: { $default: 'Text', 'application/json': 'testSchema' } }));
    await validation(request({ contentType: 'text/plain', body: '"just a string"' }));
    await assertInvalidBody(
      validation,
      request({ contentType: 'text/plain', body: { a: 1, b: 2 } }),
      '[instance type (object) does not match any allowed primitive type (allowed: ["string"])]',
    );
    await validation(request({ contentType: 'application/json', body: { a: 1, b: 2 } }));
  });

  it('does not validate, nor read, a body whose content type has no model and no $default', async () => {
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'testSchema' } }));
    const req = request({ contentType: 'application/xml', body: '<pet/>' });
    await validation(req);
    assert.equal(req.reads, 0);
  });

  it('validates a request without Content-Type as application/json', async () => {
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'testSchema' } }));
    await assertInvalidBody(validation, request({ body: { a: 1 } }), '[object has missing required properties (["b"])]');
  });

  it('refuses a body that is not JSON', async () => {
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'testSchema' } }));
    await assertInvalidBody(validation, request({ contentType: 'application/json', body: '{"a": 1,' }), '[Invalid JSON in request body]');
  });

  it('validates an empty body as {}', async () => {
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Empty' } }));
    const empty = compile(
      apiDocument({ Empty: { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' } }),
      apiMethod({ requestModels: { 'application/json': 'Empty' } }),
    );
    await empty(request());
    await empty(request({ contentType: 'application/json', body: '  \n' }));
    // A model name that does not exist is a broken configuration, not a pass.
    await assertConfigurationError(validation, request());
  });

  it('accepts anything for a model without a schema', async () => {
    const validation = compile(doc, apiMethod({ requestModels: { 'text/plain': 'NoSchema' } }));
    const req = request({ contentType: 'text/plain', body: 'free text' });
    await validation(req);
    assert.equal(req.reads, 0);
  });

  it('is undefined when the validator checks nothing the method declares', () => {
    const withModel = { requestModels: { 'application/json': 'testSchema' } };
    const withParameter = { requestParameters: { 'method.request.header.h1': true } };
    assert.equal(compileRequestValidation(doc, apiMethod({ requestValidatorId: 'none', ...withModel, ...withParameter })), undefined);
    assert.equal(compileRequestValidation(doc, apiMethod({ requestValidatorId: 'params', ...withModel })), undefined);
    assert.equal(compileRequestValidation(doc, apiMethod({ requestValidatorId: 'body', ...withParameter })), undefined);
    assert.equal(compileRequestValidation(doc, apiMethod({ requestValidatorId: 'no-such-validator', ...withModel })), undefined);
    assert.equal(compileRequestValidation(doc, apiMethod({ requestParameters: { 'method.request.header.h1': false } })), undefined);
  });
});

describe('models', () => {
  it('are compiled once per deployment document', () => {
    const doc = apiDocument({ testSchema: TEST_SCHEMA });
    assert.equal(CompiledModels.of(doc), CompiledModels.of(doc));
    assert.notEqual(CompiledModels.of(doc), CompiledModels.of(apiDocument({ testSchema: TEST_SCHEMA })));
    assert.equal(CompiledModels.of(doc).get('testSchema'), CompiledModels.of(doc).get('testSchema'));
  });

  it('resolve model URLs by name whatever API id they carry, with fragments', async () => {
    const doc = apiDocument({
      Bin: { type: 'object', properties: { price: { type: 'number' } }, definitions: { Kind: { enum: ['a', 'b'] } } },
      Store: {
        type: 'object',
        properties: {
          bins: { type: 'array', items: { $ref: modelRef('Bin', 'fugvjdxtri') } },
          kind: { $ref: `${modelRef('Bin', 'otherapi01')}#/definitions/Kind` },
        },
      },
    });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Store' } }));
    await validation(request({ body: { bins: [{ price: 1 }], kind: 'a' } }));
    await assertInvalidBody(
      validation,
      request({ body: { bins: [{ price: 'x' }] } }),
      '[instance type (string) does not match any allowed primitive type (allowed: ["integer","number"])]',
    );
    await assertInvalidBody(
      validation,
      request({ body: { kind: 'c' } }),
      '[instance value ("c") not found in enum (possible values: ["a","b"])]',
    );
  });

  it('resolve #/definitions inside a model, and draft 4 ids', async () => {
    const doc = apiDocument({
      Order: {
        id: 'http://example.com/order.json',
        definitions: { qty: { type: 'integer', minimum: 1 } },
        type: 'object',
        properties: { qty: { $ref: '#/definitions/qty' } },
      },
    });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Order' } }));
    await validation(request({ body: { qty: 2 } }));
    await assertInvalidBody(
      validation,
      request({ body: { qty: 0 } }),
      '[numeric instance is lower than the required minimum (minimum: 1, found: 0)]',
    );
  });

  it('read exclusiveMinimum / exclusiveMaximum as draft 4 booleans', async () => {
    const doc = apiDocument({ Range: { type: 'number', minimum: 5, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true } });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Range' } }));
    await validation(request({ body: '7.5' }));
    await assertInvalidBody(validation, request({ body: '5' }), '[numeric instance is not strictly greater than the required minimum 5]');
    await assertInvalidBody(validation, request({ body: '10' }), '[numeric instance is not strictly lower than the required maximum 10]');
  });

  it('ignore the siblings of a $ref, as draft 4 does', async () => {
    const doc = apiDocument({ Ref: { definitions: { n: { type: 'number' } }, properties: { v: { $ref: '#/definitions/n', type: 'string' } } } });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Ref' } }));
    await validation(request({ body: { v: 3 } }));
  });

  it('accept unknown keywords and formats, and check the draft 4 formats', async () => {
    const doc = apiDocument({
      Event: {
        type: 'object',
        'x-vendor': { anything: true },
        example: { at: 'x' },
        properties: {
          at: { type: 'string', format: 'date-time' },
          note: { type: 'string', format: 'int64-ish' },
          mail: { type: 'string', format: 'email' },
        },
      },
    });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Event' } }));
    await validation(request({ body: { at: '2024-01-10T00:06:10Z', note: 'whatever', mail: 'a@example.com' } }));
    await validation(request({ body: { at: '2024-01-10T00:06:10.123+01:00' } }));
    await assertInvalidBody(
      validation,
      request({ body: { at: 'yesterday' } }),
      `[string "yesterday" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]]`,
    );
    await assertInvalidBody(validation, request({ body: { mail: 'nobody' } }), '[string "nobody" is not a valid email address]');
  });

  it('read patterns as plain ECMA 262, not Unicode mode', async () => {
    const doc = apiDocument({ Code: { type: 'string', pattern: '^[\\w-.]+$' } });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Code' } }));
    await validation(request({ body: '"a-b.c"' }));
    await assertInvalidBody(validation, request({ body: '"a b"' }), '[ECMA 262 regex "^[\\w-.]+$" does not match input string "a b"]');
  });

  it('that are broken fail only the requests that need them, with API_CONFIGURATION_ERROR', async () => {
    const doc = apiDocument({
      NotJson: '{"type": "object",',
      BadType: { type: 'file' },
      Dangling: { type: 'array', items: { $ref: modelRef('Missing') } },
      UsesBroken: { properties: { p: { $ref: modelRef('BadType') } } },
      testSchema: TEST_SCHEMA,
    });
    for (const name of ['NotJson', 'BadType', 'Dangling', 'UsesBroken', 'Missing']) {
      const validation = compile(doc, apiMethod({ requestModels: { 'application/json': name } }));
      await assertConfigurationError(validation, request({ body: {} }));
      // Parameters are still checked first.
      const withParameter = compile(doc, apiMethod({ requestParameters: { 'method.request.header.h1': true }, requestModels: { 'application/json': name } }));
      await assertMissing(withParameter, request({ body: {} }), 'Missing required request parameters: [h1]');
    }
    const healthy = compile(doc, apiMethod({ requestModels: { 'application/json': 'testSchema', 'text/plain': 'NotJson' } }));
    await healthy(request({ body: { a: 1, b: 2 } }));
    await assertConfigurationError(healthy, request({ contentType: 'text/plain', body: {} }));
  });

  it('survive deeply nested bodies', async () => {
    const depth = 10_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const doc = apiDocument({
      List: { type: 'array' },
      Tree: { type: 'array', items: { $ref: '#' } },
      Leaf: { type: 'array', items: { $ref: '#' }, maxItems: 0 },
    });
    await compile(doc, apiMethod({ requestModels: { 'application/json': 'List' } }))(request({ body: nested }));
    // A recursive model follows the body down: either it copes or the body is refused, never a crash.
    const tree = compile(doc, apiMethod({ requestModels: { 'application/json': 'Tree' } }));
    const deeper = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const body of [nested, deeper]) {
      try {
        await tree(request({ body }));
      } catch (err) {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.responseType, 'BAD_REQUEST_BODY');
      }
    }
    // A failure deep inside is still explained, or at least refused as a bad body.
    const leaf = compile(doc, apiMethod({ requestModels: { 'application/json': 'Leaf' } }));
    await assertInvalidBody(leaf, request({ body: '[[[[1]]]]' }), '[array is too long: must have at most 0 elements but instance has 1 elements]');
    await assertInvalidBody(
      leaf,
      request({ body: '['.repeat(5000) + '1' + ']'.repeat(5000) }),
      '[array is too long: must have at most 0 elements but instance has 1 elements]',
    );
  });
});

describe('the description of a failure', () => {
  it('stays bounded for a huge failing body', async () => {
    const doc = apiDocument({ Numbers: { type: 'array', items: { type: 'number' } } });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'Numbers' } }));
    const err = await refusal(validation, request({ body: JSON.stringify(new Array(100_000).fill('x')) }));
    assert.equal(err.responseType, 'BAD_REQUEST_BODY');
    assert.equal(err.validationErrorString?.match(/instance type \(string\)/g)?.length, 100);
  });

  it('names the outermost failure when the body is too deep to walk', async () => {
    const doc = apiDocument({
      NumberOrList: { anyOf: [{ type: 'number', minimum: 5, exclusiveMinimum: true }, { type: 'array', items: { $ref: '#' } }] },
    });
    const validation = compile(doc, apiMethod({ requestModels: { 'application/json': 'NumberOrList' } }));
    await validation(request({ body: '['.repeat(1500) + '6' + ']'.repeat(1500) }));
    await assertInvalidBody(
      validation,
      request({ body: '['.repeat(1500) + '5' + ']'.repeat(1500) }),
      '[instance failed to match at least one required schema among 2]',
    );
  });
});

describe("fge's messages", () => {
  async function reasons(schema: object, body: unknown): Promise<string | undefined> {
    const validation = compile(apiDocument({ M: schema }), apiMethod({ requestModels: { 'application/json': 'M' } }));
    try {
      await validation(request({ body: JSON.stringify(body) }));
      return undefined;
    } catch (err) {
      assert.ok(err instanceof GatewayError && err.responseType === 'BAD_REQUEST_BODY');
      return err.validationErrorString;
    }
  }

  it('list every failing keyword of a level in keyword order', async () => {
    const schema = {
      type: 'object',
      required: ['name'],
      minProperties: 3,
      additionalProperties: false,
      properties: { a: { type: 'string' } },
    };
    assert.equal(
      await reasons(schema, { a: 1, b: 2 }),
      '[object instance has properties which are not allowed by the schema: ["b"], object has too few properties (found 2 but schema requires at least 3), object has missing required properties (["name"])]',
    );
  });

  it('do not descend into members once something failed', async () => {
    const schema = { type: 'object', required: ['a', 'b'], properties: { a: { type: 'number' } } };
    assert.equal(await reasons(schema, { a: 'x' }), '[object has missing required properties (["b"])]');
    assert.equal(
      await reasons(schema, { a: 'x', b: 1 }),
      '[instance type (string) does not match any allowed primitive type (allowed: ["integer","number"])]',
    );
  });

  it('cover strings, arrays and composites', async () => {
    assert.equal(await reasons({ minLength: 3 }, 'ab'), '[string "ab" is too short (length: 2, required minimum: 3)]');
    assert.equal(await reasons({ maxLength: 1 }, 'ab'), '[string "ab" is too long (length: 2, maximum allowed: 1)]');
    assert.equal(await reasons({ pattern: '^\\d+$' }, 'abc'), '[ECMA 262 regex "^\\d+$" does not match input string "abc"]');
    assert.equal(await reasons({ minItems: 2 }, [1]), '[array is too short: must have at least 2 elements but instance has 1 elements]');
    assert.equal(await reasons({ uniqueItems: true }, [1, 1.0]), '[array must not contain duplicate elements]');
    assert.equal(
      await reasons({ items: [{ type: 'string' }], additionalItems: false }, ['a', 'b']),
      '[schema only allows 1 elements in array but instance has 2 elements]',
    );
    assert.equal(
      await reasons({ anyOf: [{ type: 'string' }, { type: 'boolean' }] }, 1),
      '[instance failed to match at least one required schema among 2]',
    );
    assert.equal(
      await reasons({ allOf: [{ type: 'integer' }, { minimum: 5 }] }, 3),
      '[instance failed to match all required schemas (matched only 1 out of 2)]',
    );
    assert.equal(
      await reasons({ oneOf: [{ type: 'integer' }, { minimum: 0 }] }, 3),
      '[instance failed to match exactly one schema (matched 2 out of 2)]',
    );
    assert.equal(await reasons({ not: { type: 'null' } }, null), '[instance matched a schema which it should not have]');
    assert.equal(await reasons({ multipleOf: 0.1 }, 0.3), undefined);
    assert.equal(await reasons({ multipleOf: 2 }, 3), '[remainder of division is not zero (3 / 2)]');
    assert.equal(
      await reasons({ dependencies: { card: ['billing'] } }, { card: 1 }),
      '[property "card" of object has missing property dependencies (schema requires ["billing"]; missing: ["billing"])]',
    );
  });

  it('report members in sorted order, each against its own schema', async () => {
    const schema = {
      type: 'object',
      properties: { z: { type: 'string' }, a: { type: 'string' } },
      patternProperties: { '^n_': { type: 'number' } },
      additionalProperties: { type: 'boolean' },
    };
    assert.equal(
      await reasons(schema, { z: 1, a: 2, n_1: 'x', other: 'y' }),
      '[instance type (integer) does not match any allowed primitive type (allowed: ["string"]), ' +
        'instance type (string) does not match any allowed primitive type (allowed: ["integer","number"]), ' +
        'instance type (string) does not match any allowed primitive type (allowed: ["boolean"]), ' +
        'instance type (integer) does not match any allowed primitive type (allowed: ["string"])]',
    );
  });
});
