/**
 * Success-shape scenarios: the set-up and call that produced each recorded successful response,
 * keyed by `<test class>::<test>/<snapshot key>` of the recording, after LocalStack's
 * test_apigateway_api.py.
 */
import { call, resource, restApi, shortUid, step, type Entry, type Scenario } from './scenario.js';

const withRoot = (id: string, setup: Scenario['setup'], op: string, input: Record<string, unknown>): Scenario => ({
  id,
  setup,
  call: call(op, (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, ...input })),
});

const createModel = (name: string, description: string, schema: string) => ({
  name,
  contentType: 'application/json',
  description,
  schema,
});

const CALC_SCHEMA =
  '{\n\t"title": "Calc output",\n\t"type": "object",\n\t"properties": {\n\t\t"a": {\n\t\t\t"type": "number"\n\t\t},\n\t\t"b": {\n\t\t\t"type": "number"\n\t\t},\n\t\t"op": {\n\t\t\t"description": "operation of +, -, * or /",\n\t\t\t"type": "string"\n\t\t},\n\t\t"c": {\n\t\t    "type": "number"\n\t\t}\n\t},\n\t"required": ["a", "b", "op"]\n}\n';

export const SHAPE_SCENARIOS: Entry[] = [
  ...[
    ['test_list_and_delete_apis/create-rest-api-1', 'this is my api'],
    ['test_list_and_delete_apis/create-rest-api-2', 'this is my api2'],
  ].map(([key, description]) => ({
    id: `TestApiGatewayApiRestApi::${key!}`,
    setup: [],
    call: call('CreateRestApi', () => ({ name: `test-api-${shortUid()}`, description })),
  })),
  {
    id: 'TestApiGatewayApiRestApi::test_get_api_case_insensitive/create-rest-api',
    outOfScope:
      'recorded on 2024-04-15, before AWS added endpointConfiguration.ipAddressType to CreateRestApi responses (the 2025 recordings of the same call have it)',
  },
  {
    id: 'TestApiGatewayApiRestApi::test_create_rest_api_with_tags/get-rest-api-w-tags',
    setup: [restApi({ description: 'this is my api', tags: { MY_TAG1: 'MY_VALUE1' } })],
    call: call('GetRestApi', (w) => ({ restApiId: w.ids.api })),
  },
  {
    id: 'TestApiGatewayApiRestApi::test_list_and_delete_apis/delete-rest-api',
    setup: [restApi({ description: 'this is my api' })],
    call: call('DeleteRestApi', (w) => ({ restApiId: w.ids.api })),
  },
  ...[
    ['update-rest-api-add', [], [{ op: 'add', path: '/binaryMediaTypes/image~1png' }, { op: 'add', path: '/binaryMediaTypes/image~1jpeg' }]],
    [
      'update-rest-api-replace',
      [[{ op: 'add', path: '/binaryMediaTypes/image~1png' }, { op: 'add', path: '/binaryMediaTypes/image~1jpeg' }]],
      [{ op: 'replace', path: '/binaryMediaTypes/image~1png', value: 'image/gif' }],
    ],
    [
      'update-rest-api-remove',
      [
        [{ op: 'add', path: '/binaryMediaTypes/image~1png' }, { op: 'add', path: '/binaryMediaTypes/image~1jpeg' }],
        [{ op: 'replace', path: '/binaryMediaTypes/image~1png', value: 'image/gif' }],
      ],
      [{ op: 'remove', path: '/binaryMediaTypes/image~1gif' }, { op: 'remove', path: '/description' }],
    ],
  ].map(([key, before, patchOperations]) => ({
    id: `TestApiGatewayApiRestApi::test_update_rest_api_operation_add_remove/${key as string}`,
    setup: [
      restApi({ description: 'this is my api' }),
      ...(before as object[][]).map((ops) => step('UpdateRestApi', (w) => ({ restApiId: w.ids.api, patchOperations: ops }))),
    ],
    call: call('UpdateRestApi', (w) => ({ restApiId: w.ids.api, patchOperations })),
  })),
  {
    id: 'TestApiGatewayApiResource::test_resource_lifecycle/create-resource',
    setup: [restApi({ description: 'testing resource lifecycle' })],
    call: call('CreateResource', (w) => ({ restApiId: w.ids.api, parentId: w.ids.root, pathPart: 'pets' })),
  },
  ...['test_resource_lifecycle', 'test_update_resource_behaviour'].map((test) => ({
    id: `TestApiGatewayApiResource::${test}/create-subresource`,
    setup: [restApi(), resource('pets', 'root', 'pets')],
    call: call('CreateResource', (w) => ({ restApiId: w.ids.api, parentId: w.ids.pets, pathPart: 'subpets' })),
  })),
  {
    id: 'TestApiGatewayApiResource::test_resource_lifecycle/rest-api-root-resource',
    setup: [restApi()],
    call: call('GetResources', (w) => ({ restApiId: w.ids.api })),
  },
  withRoot('TestApiGatewayApiMethod::test_method_lifecycle/put-base-method-response', [restApi()], 'PutMethod', {
    httpMethod: 'ANY',
    authorizationType: 'NONE',
  }),
  withRoot('TestApiGatewayApiMethod::test_method_request_parameters/put-method-request-params-response', [restApi()], 'PutMethod', {
    httpMethod: 'ANY',
    authorizationType: 'NONE',
    requestParameters: {
      'method.request.querystring.q_optional': false,
      'method.request.querystring.q_required': true,
      'method.request.header.h_optional': false,
      'method.request.header.h_required': true,
    },
  }),
  ...[
    ['create-model', 'MySchema'],
    ['create-model-2', 'MySchemaTwo'],
  ].map(([key, name]) => ({
    id: `TestApiGatewayApiMethod::test_put_method_model/${key!}`,
    setup: [restApi()],
    call: call('CreateModel', (w) => ({ restApiId: w.ids.api, ...createModel(name!, '', JSON.stringify({ title: name, type: 'object' })) })),
  })),
  {
    id: 'TestApiGatewayApiModels::test_model_lifecycle/create-model',
    setup: [restApi()],
    call: call('CreateModel', (w) => ({ restApiId: w.ids.api, ...createModel('CalcOutput', 'Calc output model', CALC_SCHEMA) })),
  },
  ...['test_request_validator_lifecycle', 'test_invalid_update_request_validator_operations'].map((test) => ({
    id: `TestApiGatewayApiRequestValidator::${test}/create-request-validator`,
    setup: [restApi({ description: 'my api' })],
    call: call('CreateRequestValidator', (w) => ({ restApiId: w.ids.api, name: `test-validator-${shortUid()}` })),
  })),
  withRoot('TestApiGatewayApiMethod::test_put_method_model/put-method-request-models', [
    restApi(),
    step('CreateModel', (w) => ({ restApiId: w.ids.api, ...createModel('MySchema', '', JSON.stringify({ title: 'MySchema', type: 'object' })) })),
  ], 'PutMethod', { httpMethod: 'ANY', authorizationType: 'NONE', requestModels: { 'application/json': 'MySchema' } }),
];

