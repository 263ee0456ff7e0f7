/**
 * Success-shape scenarios of the REST API structure (REST APIs, resources, methods, models,
 * request validators, gateway responses, and the imports that build them), keyed like shapes.ts.
 *
 * Most recorded tests are one sequence of calls on one API; `sequence` replays such a test: each
 * recorded call becomes a scenario whose set-up is every successful call the test made before
 * it (calls that failed in the recording changed nothing, so they are left out). The tests
 * followed are LocalStack's tests/aws/services/apigateway/test_apigateway_api.py,
 * test_apigateway_import.py and test_apigateway_common.py.
 */
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../support.js';
import { call, shortUid, step, type Entry, type Json, type Scenario, type Step, type World } from './scenario.js';

/** One call of a recorded test; `key` names its snapshot when the recording kept its response. */
interface Act {
  op: string;
  input: (w: World) => Json;
  save?: (w: World, out: Json) => void;
  key?: string;
}

/**
 * The scenarios of one recorded test (`<class>::<test>`): one per keyed act, set up by the acts
 * before it. Keys listed in `elsewhere` have their scenario in shapes.ts and are not repeated.
 */
function sequence(test: string, acts: (Act | Step)[], elsewhere: string[] = []): Scenario[] {
  const out: Scenario[] = [];
  acts.forEach((act, i) => {
    if ('run' in act || act.key === undefined || elsewhere.includes(act.key)) return;
    const setup = acts.slice(0, i).map((a) => ('run' in a ? a : step(a.op, a.input, a.save)));
    out.push({ id: `${test}/${act.key}`, setup, call: call(act.op, act.input) });
  });
  return out;
}

const createApi = (input: Json = {}, key?: string): Act => ({
  op: 'CreateRestApi',
  input: () => ({ name: `test-api-${shortUid()}`, ...input }),
  save: (w, out) => {
    w.ids.api = out.id;
    w.ids.root = out.rootResourceId;
  },
  key,
});

const onApi = (op: string, input: (w: World) => Json, key?: string, save?: Act['save']): Act => ({
  op,
  input: (w) => ({ restApiId: w.ids.api, ...input(w) }),
  save,
  key,
});

const saveId = (name: string) => (w: World, out: Json) => {
  w.ids[name] = out.id;
};

/**
 * LocalStack's apigw_cleanup_before_run: the recorded list calls see only the test's own APIs,
 * because every REST API in the account is deleted before the test class runs.
 */
const deleteEveryRestApi: Step = {
  op: 'DeleteRestApi',
  async run(w) {
    let ids: string[] = [];
    let position: string | undefined;
    do {
      const page = await w.send('GetRestApis', { limit: 500, ...(position ? { position } : {}) });
      ids = [...ids, ...((page.items ?? []) as Json[]).map((api) => api.id as string)];
      position = page.position;
    } while (position);
    for (const restApiId of ids) await w.send('DeleteRestApi', { restApiId });
  },
};

/**
 * The recorded list is sorted by createdDate, which has a resolution of one second: the second
 * API is created in a later second than the first, so that the sort gives the recorded order.
 */
const nextSecond: Step = {
  op: 'GetRestApis',
  async run() {
    await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
  },
};

// ---- REST APIs ---------------------------------------------------------------------------------

const REST_APIS: Entry[] = [
  ...sequence(
    'TestApiGatewayApiRestApi::test_list_and_delete_apis',
    [
      deleteEveryRestApi,
      createApi({ description: 'this is my api' }, 'create-rest-api-1'),
      nextSecond,
      { op: 'CreateRestApi', input: () => ({ name: `test-list-and-delete-apis-${shortUid()}`, description: 'this is my api2' }), key: 'create-rest-api-2' },
      { op: 'GetRestApis', input: () => ({}), key: 'get-rest-api-before-delete' },
      onApi('DeleteRestApi', () => ({}), 'delete-rest-api'),
      { op: 'GetRestApis', input: () => ({}), key: 'get-rest-api-after-delete' },
    ],
    ['create-rest-api-1', 'create-rest-api-2', 'delete-rest-api'],
  ),
  ...sequence(
    'TestApiGatewayApiRestApi::test_create_rest_api_with_tags',
    [
      deleteEveryRestApi,
      createApi({ description: 'this is my api', tags: { MY_TAG1: 'MY_VALUE1' } }),
      onApi('GetRestApi', () => ({}), 'get-rest-api-w-tags'),
      { op: 'GetRestApis', input: () => ({}), key: 'get-rest-apis-w-tags' },
    ],
    ['get-rest-api-w-tags'],
  ),
];

// ---- Resources ---------------------------------------------------------------------------------

const createResource = (name: string, parent: string, pathPart: string, key?: string): Act =>
  onApi('CreateResource', (w) => ({ parentId: w.ids[parent], pathPart }), key, saveId(name));

const updateResource = (resource: string, patchOperations: (w: World) => object[], key?: string): Act =>
  onApi('UpdateResource', (w) => ({ resourceId: w.ids[resource], patchOperations: patchOperations(w) }), key);

const RESOURCES: Entry[] = [
  ...sequence(
    'TestApiGatewayApiResource::test_resource_lifecycle',
    [
      createApi({ description: 'testing resource lifecycle' }),
      onApi('GetResources', () => ({}), 'rest-api-root-resource'),
      createResource('pets', 'root', 'pets', 'create-resource'),
      onApi('GetResources', () => ({}), 'rest-api-resources-after-create'),
      createResource('subpets', 'pets', 'subpets', 'create-subresource'),
      onApi('GetResources', () => ({}), 'rest-api-resources-after-create-sub'),
      updateResource('pets', () => [{ op: 'replace', path: '/pathPart', value: 'dogs' }], 'update-path-part'),
      onApi('GetResource', (w) => ({ resourceId: w.ids.pets }), 'get-resp-after-update-path-part'),
      onApi('DeleteResource', (w) => ({ resourceId: w.ids.pets }), 'del-resource'),
    ],
    ['rest-api-root-resource', 'create-resource', 'create-subresource'],
  ),
  ...sequence(
    'TestApiGatewayApiResource::test_update_resource_behaviour',
    [
      createApi({ description: 'testing resource behaviour' }),
      createResource('pets', 'root', 'pets'),
      createResource('subpets', 'pets', 'subpets', 'create-subresource'),
      createResource('child', 'subpets', 'pets'),
      onApi('DeleteResource', (w) => ({ resourceId: w.ids.child })),
      updateResource('subpets', (w) => [{ op: 'replace', path: '/parentId', value: w.ids.root }], 'update-parent-id-to-root-id'),
    ],
    ['create-subresource'],
  ),
  ...sequence('TestApiGatewayApiResource::test_delete_resource', [
    createApi({ description: 'testing resource behaviour' }),
    createResource('pets', 'root', 'pets'),
    createResource('subpets', 'pets', 'subpets'),
    onApi('DeleteResource', (w) => ({ resourceId: w.ids.pets }), 'delete-resource'),
  ]),
];

// ---- Methods and models ------------------------------------------------------------------------

const onRoot = (op: string, input: Json, key?: string): Act => onApi(op, (w) => ({ resourceId: w.ids.root, ...input }), key);

const createModel = (name: string, schema: string, extra: Json = {}, key?: string): Act =>
  onApi('CreateModel', () => ({ name, contentType: 'application/json', schema, ...extra }), key);

const objectSchema = (title: string): string => JSON.stringify({ title, type: 'object' });

const CALC_SCHEMA =
  '{\n\t"title": "Calc output",\n\t"type": "object",\n\t"properties": {\n\t\t"a": {\n\t\t\t"type": "number"\n\t\t},\n\t\t"b": {\n\t\t\t"type": "number"\n\t\t},\n\t\t"op": {\n\t\t\t"description": "operation of +, -, * or /",\n\t\t\t"type": "string"\n\t\t},\n\t\t"c": {\n\t\t    "type": "number"\n\t\t}\n\t},\n\t"required": ["a", "b", "op"]\n}\n';

const METHODS_AND_MODELS: Entry[] = [
  ...sequence(
    'TestApiGatewayApiMethod::test_method_lifecycle',
    [
      createApi({ description: 'testing resource method lifecycle' }),
      onRoot('PutMethod', { httpMethod: 'ANY', authorizationType: 'NONE' }, 'put-base-method-response'),
      onRoot('GetMethod', { httpMethod: 'ANY' }, 'get-base-method-response'),
      onRoot('DeleteMethod', { httpMethod: 'ANY' }, 'del-base-method-response'),
    ],
    ['put-base-method-response'],
  ),
  ...sequence(
    'TestApiGatewayApiMethod::test_method_request_parameters',
    [
      createApi({ description: 'testing resource method request params' }),
      onRoot(
        'PutMethod',
        {
          httpMethod: 'ANY',
          authorizationType: 'NONE',
          requestParameters: {
            'method.request.querystring.q_optional': false,
            'method.request.querystring.q_required': true,
            'method.request.header.h_optional': false,
            'method.request.header.h_required': true,
          },
        },
        'put-method-request-params-response',
      ),
      onRoot('GetMethod', { httpMethod: 'ANY' }, 'get-method-request-params-response'),
    ],
    ['put-method-request-params-response'],
  ),
  ...sequence(
    'TestApiGatewayApiMethod::test_put_method_model',
    [
      createApi({ description: 'testing resource method model' }),
      createModel('MySchema', objectSchema('MySchema'), { description: '' }, 'create-model'),
      createModel('MySchemaTwo', objectSchema('MySchemaTwo'), { description: '' }, 'create-model-2'),
      onRoot('PutMethod', { httpMethod: 'ANY', authorizationType: 'NONE', requestModels: { 'application/json': 'MySchema' } }, 'put-method-request-models'),
      onRoot(
        'UpdateMethod',
        { httpMethod: 'ANY', patchOperations: [{ op: 'replace', path: '/requestModels/application~1json', value: 'MySchemaTwo' }] },
        'update-method-model',
      ),
      onApi('DeleteModel', () => ({ modelName: 'MySchema' }), 'delete-model-unused'),
      createResource('test', 'root', 'test'),
      onApi('PutMethod', (w) => ({
        resourceId: w.ids.test,
        httpMethod: 'ANY',
        authorizationType: 'NONE',
        requestModels: { 'application/json': 'MySchemaTwo' },
      })),
      onApi(
        'UpdateMethod',
        (w) => ({
          resourceId: w.ids.test,
          httpMethod: 'ANY',
          patchOperations: [{ op: 'remove', path: '/requestModels/application~1json', value: 'MySchemaTwo' }],
        }),
        'update-method-model-2',
      ),
      onRoot('DeleteMethod', { httpMethod: 'ANY' }, 'delete-method-using-model-2'),
      onApi('DeleteModel', () => ({ modelName: 'MySchemaTwo' }), 'delete-model-unused-2'),
    ],
    ['create-model', 'create-model-2', 'put-method-request-models'],
  ),
  ...sequence('TestApiGatewayApiMethod::test_update_method', [
    createApi({ description: 'testing update method' }),
    onRoot('PutMethod', { httpMethod: 'ANY', authorizationType: 'NONE' }),
    onRoot(
      'UpdateMethod',
      {
        httpMethod: 'ANY',
        patchOperations: [
          { op: 'add', path: '/requestParameters/method.request.querystring.optional', value: 'true' },
          { op: 'add', path: '/requestModels/application~1json', value: 'Empty' },
        ],
      },
      'update-method-add',
    ),
  ]),
  ...sequence(
    'TestApiGatewayApiModels::test_model_lifecycle',
    [
      createApi({ description: 'testing resource model lifecycle' }),
      createModel('CalcOutput', CALC_SCHEMA, { description: 'Calc output model' }, 'create-model'),
      onApi('GetModels', () => ({}), 'get-models'),
      onApi('GetModel', () => ({ modelName: 'CalcOutput' }), 'get-model'),
      onApi('DeleteModel', () => ({ modelName: 'CalcOutput' }), 'del-model'),
    ],
    ['create-model'],
  ),
  ...sequence('TestApiGatewayApiModels::test_update_model', [
    createApi({ description: 'testing update resource model' }),
    createModel('MySchema', objectSchema('MySchema'), { description: '' }),
    onApi(
      'UpdateModel',
      () => ({
        modelName: 'MySchema',
        patchOperations: [
          { op: 'replace', path: '/schema', value: JSON.stringify({ title: 'Updated schema', type: 'object' }) },
          { op: 'replace', path: '/description', value: '' },
        ],
      }),
      'update-model',
    ),
  ]),
];

// ---- Request validators ------------------------------------------------------------------------

const onValidator = (op: string, input: Json, key?: string): Act => onApi(op, (w) => ({ requestValidatorId: w.ids.validator, ...input }), key);

const REQUEST_VALIDATORS: Entry[] = [
  ...sequence(
    'TestApiGatewayApiRequestValidator::test_request_validator_lifecycle',
    [
      createApi({ description: 'my api' }),
      onApi('CreateRequestValidator', () => ({ name: `test-validator-${shortUid()}` }), 'create-request-validator', saveId('validator')),
      onValidator('GetRequestValidator', {}, 'get-request-validator'),
      onApi('GetRequestValidators', () => ({}), 'get-request-validators'),
      onValidator(
        'UpdateRequestValidator',
        { patchOperations: [{ op: 'replace', path: '/validateRequestBody', value: 'true' }] },
        'update-request-validator-with-value',
      ),
      onValidator('UpdateRequestValidator', { patchOperations: [{ op: 'replace', path: '/validateRequestBody' }] }, 'update-request-validator-without-value'),
      onValidator('GetRequestValidator', {}, 'get-request-validators-after-update-operation'),
      onValidator('DeleteRequestValidator', {}, 'delete-request-validator'),
      onApi('GetRequestValidators', () => ({}), 'get-request-validators-after-delete'),
    ],
    ['create-request-validator'],
  ),
];

// ---- Gateway responses -------------------------------------------------------------------------

const ERROR_TEMPLATE =
  '{\n     "message": $context.error.messageString,\n     "type":  "$context.error.responseType",\n     "stage":  "$context.stage",\n     "resourcePath":  "$context.resourcePath",\n     "stageVariables.a":  "$stageVariables.a",\n     "statusCode": "\'404\'"\n}';

const REQUEST_HEADERS = {
  'gatewayresponse.header.x-request-path': 'method.request.path.petId',
  'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'",
  'gatewayresponse.header.x-request-query': 'method.request.querystring.q',
  'gatewayresponse.header.x-request-header': 'method.request.header.Accept',
};

const MISSING_TOKEN = 'MISSING_AUTHENTICATION_TOKEN';

const onResponseType = (op: string, responseType: string, input: Json = {}, key?: string): Act => onApi(op, () => ({ responseType, ...input }), key);

const GATEWAY_RESPONSES: Entry[] = [
  ...sequence('TestApiGatewayGatewayResponse::test_gateway_response_crud', [
    createApi({ description: 'APIGW test GatewayResponse' }),
    onResponseType('GetGatewayResponse', MISSING_TOKEN, {}, 'get-gateway-response-default'),
    onResponseType(
      'PutGatewayResponse',
      MISSING_TOKEN,
      { statusCode: '404', responseParameters: REQUEST_HEADERS, responseTemplates: { 'application/json': ERROR_TEMPLATE } },
      'put-gateway-response',
    ),
    onApi('GetGatewayResponses', () => ({}), 'get-gateway-responses'),
    onResponseType('GetGatewayResponse', MISSING_TOKEN, {}, 'get-gateway-response'),
    onResponseType('DeleteGatewayResponse', MISSING_TOKEN, {}, 'delete-gateway-response'),
    onResponseType('GetGatewayResponse', MISSING_TOKEN, {}, 'get-deleted-gw-response'),
  ]),
  ...sequence('TestApiGatewayGatewayResponse::test_gateway_response_put', [
    createApi({ description: 'APIGW test GatewayResponse' }),
    onResponseType(
      'PutGatewayResponse',
      MISSING_TOKEN,
      { statusCode: '404', responseParameters: REQUEST_HEADERS, responseTemplates: { 'application/json': ERROR_TEMPLATE } },
      'put-gateway-response-all-value',
    ),
    onResponseType('PutGatewayResponse', MISSING_TOKEN, { statusCode: '404' }),
    onResponseType('PutGatewayResponse', MISSING_TOKEN, {
      responseParameters: { 'gatewayresponse.header.x-request-header': 'method.request.header.Accept' },
    }),
    onResponseType('PutGatewayResponse', MISSING_TOKEN, { responseTemplates: { 'application/json': ERROR_TEMPLATE } }),
    onResponseType('PutGatewayResponse', 'DEFAULT_5XX', {
      statusCode: '599',
      responseParameters: { 'gatewayresponse.header.x-request-header': 'method.request.header.Accept' },
      responseTemplates: { 'application/json': ERROR_TEMPLATE },
    }),
    onResponseType('PutGatewayResponse', 'AUTHORIZER_FAILURE', { responseParameters: { 'gatewayresponse.header.foo': "'bar'" } }),
    onApi('GetGatewayResponses', () => ({}), 'get-gateway-responses'),
  ]),
  ...sequence('TestApiGatewayGatewayResponse::test_update_gateway_response', [
    createApi({ description: 'APIGW test GatewayResponse' }),
    onResponseType(
      'UpdateGatewayResponse',
      'DEFAULT_4XX',
      { patchOperations: [{ op: 'replace', path: '/statusCode', value: '444' }] },
      'update-gateway-response-not-set',
    ),
    onResponseType(
      'PutGatewayResponse',
      'DEFAULT_4XX',
      {
        statusCode: '404',
        responseParameters: REQUEST_HEADERS,
        // Python's json.dumps of {"application/json": '{"message":$context.error.messageString}'}.
        responseTemplates: { 'application/json': `{"application/json": ${JSON.stringify('{"message":$context.error.messageString}')}}` },
      },
      'put-gateway-response',
    ),
    onResponseType(
      'UpdateGatewayResponse',
      'DEFAULT_4XX',
      {
        patchOperations: [
          { op: 'replace', path: '/statusCode', value: '444' },
          { op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin', value: "'example.com'" },
          {
            op: 'add',
            path: '/responseTemplates/application~1xml',
            value: '<gatewayResponse><message>$context.error.messageString</message><type>$context.error.responseType</type></gatewayResponse>',
          },
        ],
      },
      'update-gateway-response',
    ),
  ]),
];

// ---- Imports -----------------------------------------------------------------------------------

/** A LocalStack test file vendored next to the recordings (tests/aws/files/). */
const localStackFile = (name: string): string => readFileSync(new URL(`control-plane-shapes/${name}`, FIXTURES), 'utf8');

/**
 * The tests import these documents with a real Lambda function's invocation ARN and a real role
 * in place of the files' placeholders (the recording masks both); any well-formed ones will do.
 */
const AUTHORIZER_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:test-authorizer-import/invocations';
const AUTHORIZER_ROLE = 'arn:aws:iam::111111111111:role/lambda-su-role';

const body = (text: string): Uint8Array => new TextEncoder().encode(text);

const importApi = (text: () => string): Act => ({
  op: 'ImportRestApi',
  input: () => ({ body: body(text()), failOnWarnings: true }),
  save: (w, out) => {
    w.ids.api = out.id;
  },
});

const IMPORTS: Entry[] = [
  ...(['ignore', 'prepend', 'split'] as const).flatMap((basepath) =>
    sequence(`TestApiGatewayImportRestApi::test_import_rest_apis_with_base_path_swagger[${basepath}]`, [
      { ...createApi(), input: () => ({ name: `restapi-${shortUid()}` }) },
      onApi(
        'PutRestApi',
        () => ({
          body: body(
            localStackFile('swagger.json')
              .replace(
                'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:myapi-authorizer-0-22ad13b/invocations',
                AUTHORIZER_URI,
              )
              .replace('arn:aws:iam::000000000000:role/myapi-authorizer-0-authorizer-role-3bd761a', AUTHORIZER_ROLE),
          ),
          mode: 'overwrite',
          parameters: { basepath },
        }),
        'put-rest-api-swagger-json',
      ),
    ]),
  ),
  ...sequence('TestApiGatewayImportRestApi::test_import_swagger_api', [
    importApi(() =>
      localStackFile('petstore-authorizer.swagger.json')
        .replace('${uri}', 'http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets')
        .replaceAll(
          'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:account-id:function:function-name/invocations',
          AUTHORIZER_URI,
        )
        .replaceAll('arn:aws:iam::account-id:role', AUTHORIZER_ROLE),
    ),
    onApi('GetAuthorizers', () => ({}), 'get-authorizers'),
  ]),
  ...sequence('TestApiGatewayImportRestApi::test_import_with_global_api_key_authorizer', [
    importApi(() => localStackFile('openapi.spec.global-auth.json').replace('${authorizer_lambda_invocation_arn}', AUTHORIZER_URI)),
    onApi('GetAuthorizers', () => ({}), 'get-authorizers'),
  ]),
  ...sequence('TestApiGatewayImportRestApi::test_import_with_circular_models_and_request_validation', [
    importApi(() => localStackFile('openapi.spec.circular-ref-with-request-body.json')),
    onApi('GetRequestValidators', () => ({}), 'request-validators'),
  ]),
  ...['merge', 'overwrite'].map((mode) => ({
    id: `TestApiGatewayImportRestApi::test_put_rest_api_mode_binary_media_types[${mode}]/get-rest-api`,
    outOfScope:
      'test_put_rest_api_mode_binary_media_types is in no available version of test_apigateway_import.py, so the REST API it created and the document it put (whose binary media types the recording shows) are unknown',
  })),
];

// ---- Request validation (test_apigateway_common.py) --------------------------------------------

const DRAFT_4 = 'http://json-schema.org/draft-04/schema#';

/** A model whose schema refers to another model of the same API by its model URL. */
const modelUrl = (w: World, name: string): string => `https://apigateway.amazonaws.com/restapis/${w.ids.api}/models/${name}`;

const COMMON: Entry[] = [
  // The test's version with this snapshot is not available; the validator it created (name and
  // both checks on) is the one of the test's other versions, and the recorded answer shows the
  // update turned both checks off.
  ...sequence('TestApiGatewayCommon::test_api_gateway_request_validator', [
    { ...createApi(), input: () => ({ name: 'aws lambda api' }) },
    onApi(
      'CreateRequestValidator',
      () => ({ name: 'test-validator', validateRequestParameters: true, validateRequestBody: true }),
      undefined,
      saveId('validator'),
    ),
    onValidator(
      'UpdateRequestValidator',
      {
        patchOperations: [
          { op: 'replace', path: '/validateRequestBody', value: 'false' },
          { op: 'replace', path: '/validateRequestParameters', value: 'false' },
        ],
      },
      'disable-request-validator',
    ),
  ]),
  // These tests' sources are not available either; the models they created are the ones the
  // recorded GetModels answer lists, schemas included.
  ...sequence('TestApiGatewayCommon::test_api_gateway_request_validator_with_ref_models', [
    { ...createApi(), input: () => ({ name: 'aws lambda api' }) },
    createModel(
      'testSchema',
      JSON.stringify({
        $schema: DRAFT_4,
        title: 'testSchema',
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      }),
    ),
    onApi('CreateModel', (w) => ({
      name: 'testSchemaList',
      contentType: 'application/json',
      schema: JSON.stringify({ type: 'array', items: { $ref: modelUrl(w, 'testSchema') } }),
    })),
    onApi('GetModels', () => ({}), 'get-models-with-ref'),
  ]),
  ...sequence('TestApiGatewayCommon::test_api_gateway_request_validator_with_ref_one_ofmodels', [
    { ...createApi(), input: () => ({ name: 'aws lambda api' }) },
    createModel(
      'StatusModel',
      JSON.stringify({ type: 'object', properties: { Status: { type: 'string' }, Order: { type: 'integer' } }, required: ['Status', 'Order'] }),
    ),
    onApi('CreateModel', (w) => ({
      name: 'TestModel',
      contentType: 'application/json',
      schema: JSON.stringify({
        type: 'object',
        properties: { status: { oneOf: [{ type: 'null' }, { $ref: modelUrl(w, 'StatusModel') }] } },
        required: ['status'],
      }),
    })),
    onApi('GetModels', () => ({}), 'get-models-with-ref'),
  ]),
];

export const STRUCTURE_SHAPE_SCENARIOS: Entry[] = [
  ...REST_APIS,
  ...RESOURCES,
  ...METHODS_AND_MODELS,
  ...REQUEST_VALIDATORS,
  ...GATEWAY_RESPONSES,
  ...IMPORTS,
  ...COMMON,
];
