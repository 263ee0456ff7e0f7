/**
 * Error scenarios of resources, methods and authorizers, after TestApiGatewayApiResource,
 * TestApiGatewayApiMethod and TestApiGatewayApiAuthorizer in LocalStack's test_apigateway_api.py.
 */
import { call, method, resource, restApi, step, type Entry, type Scenario, type Step } from './scenario.js';

const R = (key: string): string => `test_apigateway_api/TestApiGatewayApiResource::${key}`;
const M = (key: string): string => `test_apigateway_api/TestApiGatewayApiMethod::${key}`;
const AU = (key: string): string => `test_apigateway_api/TestApiGatewayApiAuthorizer::${key}`;

const updateResource = (id: string, setup: Step[], res: string | ((ids: Record<string, string>) => string), patch: (ids: Record<string, string>) => object[]): Scenario => ({
  id,
  setup,
  call: call('UpdateResource', (w) => ({
    restApiId: w.ids.api,
    resourceId: typeof res === 'string' ? w.ids[res] : res(w.ids),
    patchOperations: patch(w.ids),
  })),
});

const pets = (): Step[] => [restApi({ description: 'testing resource behaviour' }), resource('pets', 'root', 'pets')];
const petsSubpets = (): Step[] => [...pets(), resource('subpets', 'pets', 'subpets')];

const updateMethod = (id: string, setup: Step[], input: Record<string, unknown>, res = 'root'): Scenario => ({
  id,
  setup,
  call: call('UpdateMethod', (w) => ({ restApiId: w.ids.api, resourceId: w.ids[res], httpMethod: 'ANY', patchOperations: [], ...input })),
});

/** test_update_method_validation after its PutMethod: ANY on / with an API key required. */
const anyWithKey = (): Step[] => [restApi(), method('root', 'ANY', { apiKeyRequired: true })];

const models = (): Step[] =>
  ['MySchema', 'MySchemaTwo'].map((name) =>
    step('CreateModel', (w) => ({
      name,
      restApiId: w.ids.api,
      contentType: 'application/json',
      description: '',
      schema: JSON.stringify({ title: name, type: 'object' }),
    })),
  );

const setModel = (res: string, op: string, value: string): Step =>
  step('UpdateMethod', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids[res],
    httpMethod: 'ANY',
    patchOperations: [{ op, path: '/requestModels/application~1json', value }],
  }));

// test_put_method_model, step by step: each recorded DeleteModel failure follows the state so far.
const modelUse1 = (): Step[] => [restApi(), ...models(), method('root', 'ANY', { requestModels: { 'application/json': 'MySchema' } })];
const modelUse2 = (): Step[] => [
  ...modelUse1(),
  setModel('root', 'replace', 'MySchemaTwo'),
  step('DeleteModel', (w) => ({ restApiId: w.ids.api, modelName: 'MySchema' })),
];
const modelUse3 = (): Step[] => [
  ...modelUse2(),
  resource('test', 'root', 'test'),
  method('test', 'ANY', { requestModels: { 'application/json': 'MySchemaTwo' } }),
];
const modelUse4 = (): Step[] => [...modelUse3(), setModel('test', 'remove', 'MySchemaTwo')];

const deleteModel = (id: string, setup: Step[], modelName: string): Scenario => ({
  id,
  setup,
  call: call('DeleteModel', (w) => ({ restApiId: w.ids.api, modelName })),
});

export const RESOURCE_METHOD_SCENARIOS: Entry[] = [
  updateResource(R('test_update_resource_behaviour/nonexistent-resource'), pets(), () => 'fake-resource', () => [
    { op: 'replace', path: '/pathPart', value: 'dogs' },
  ]),
  updateResource(R('test_update_resource_behaviour/invalid-path-part'), pets(), 'pets', () => [{ op: 'replace', path: '/invalid', value: 'dogs' }]),
  updateResource(R('test_update_resource_behaviour/invalid-parent-id'), pets(), 'pets', () => [
    { op: 'replace', path: '/parentId', value: 'fake-parent-id' },
  ]),
  updateResource(
    R('test_update_resource_behaviour/existing-future-sibling-path'),
    [...petsSubpets(), resource('child', 'subpets', 'pets')],
    'child',
    (ids) => [{ op: 'replace', path: '/parentId', value: ids.root }],
  ),
  updateResource(R('test_update_resource_behaviour/update-parent-id-to-subresource-id'), petsSubpets(), 'pets', (ids) => [
    { op: 'replace', path: '/parentId', value: ids.subpets },
  ]),
  updateResource(
    R('test_update_resource_behaviour/update-path-already-exists'),
    [
      ...petsSubpets(),
      step('UpdateResource', (w) => ({
        restApiId: w.ids.api,
        resourceId: w.ids.subpets,
        patchOperations: [{ op: 'replace', path: '/parentId', value: w.ids.root }],
      })),
    ],
    'subpets',
    () => [{ op: 'replace', path: '/pathPart', value: 'pets' }],
  ),
  updateResource(R('test_update_resource_behaviour/remove-unsupported'), petsSubpets(), 'subpets', () => [{ op: 'remove', path: '/pathPart' }]),
  updateResource(R('test_update_resource_behaviour/add-unsupported'), petsSubpets(), 'subpets', () => [
    { op: 'add', path: '/pathPart', value: 'added-pets' },
  ]),
  {
    id: R('test_delete_resource/delete-subresource'),
    setup: [...petsSubpets(), step('DeleteResource', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.pets }))],
    call: call('DeleteResource', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.subpets })),
  },
  {
    id: R('test_create_resource_parent_invalid/wrong-resource-parent-id'),
    setup: [restApi({ description: 'testing resource parent' })],
    call: call('CreateResource', (w) => ({ restApiId: w.ids.api, parentId: 'fake-resource-id', pathPart: 'subpets' })),
  },
  ...[
    ['create-proxy-dynamic-sibling-resource', 'root', '{dynamic}'],
    ['create-proxy-static-child-resource', 'proxy', 'child'],
    ['create-proxy-dynamic-child-resource', 'proxy', '{child}'],
  ].map(([key, parent, pathPart]) => ({
    id: R(`test_create_proxy_resource_validation/${key!}`),
    setup: [restApi({ description: 'testing resource proxy' }), resource('proxy', 'root', '{proxy+}')],
    call: call('CreateResource', (w) => ({ restApiId: w.ids.api, parentId: w.ids[parent!], pathPart })),
  })),
  // test_update_resource_on_root was added after every available version of the test file, which
  // passes its patch operations as a variable. The recorded message names the member, and only
  // `replace` on /pathPart or /parentId gets past the path and op checks to this answer; the
  // values are ours (an existing resource as the new parent, so no other check could object).
  ...(
    [
      ['update-root-path-part', () => [{ op: 'replace', path: '/pathPart', value: 'root' }]],
      ['update-root-parent', (ids: Record<string, string>) => [{ op: 'replace', path: '/parentId', value: ids.pets }]],
    ] as const
  ).map(([key, patch]) => updateResource(R(`test_update_resource_on_root/${key}`), pets(), 'root', patch)),

  {
    id: AU('test_authorizer_crud_no_api/wrong-rest-api-id-create-authorizer'),
    setup: [],
    call: call('CreateAuthorizer', () => ({
      restApiId: 'test-fake-rest-id',
      name: 'fake-auth-name',
      type: 'TOKEN',
      authorizerUri:
        'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:myApiAuthorizer/invocations',
      identitySource: 'method.request.header.Authorization',
    })),
  },
  {
    id: AU('test_authorizer_crud_no_api/wrong-rest-api-id-get-authorizers'),
    setup: [],
    call: call('GetAuthorizers', () => ({ restApiId: 'test-fake-rest-id' })),
  },

  ...(['GetMethod', 'DeleteMethod'] as const).map((op) => ({
    id: M(`test_method_lifecycle/${op === 'GetMethod' ? 'get' : 'delete'}-deleted-method-response`),
    setup: [
      restApi({ description: 'testing resource method lifecycle' }),
      method('root', 'ANY'),
      step('DeleteMethod', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'ANY' })),
    ],
    call: call(op, (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'ANY' })),
  })),
  {
    id: M('test_method_request_parameters/req-params-same-name'),
    setup: [
      restApi(),
      method('root', 'ANY', {
        requestParameters: {
          'method.request.querystring.q_optional': false,
          'method.request.querystring.q_required': true,
          'method.request.header.h_optional': false,
          'method.request.header.h_required': true,
        },
      }),
    ],
    call: call('PutMethod', (w) => ({
      restApiId: w.ids.api,
      resourceId: w.ids.root,
      httpMethod: 'GET',
      authorizationType: 'NONE',
      requestParameters: { 'method.request.querystring.optional': false, 'method.request.header.optional': false },
    })),
  },
  deleteModel(M('test_put_method_model/delete-model-used'), modelUse1(), 'MySchema'),
  deleteModel(M('test_put_method_model/delete-model-used-2'), modelUse2(), 'MySchemaTwo'),
  deleteModel(M('test_put_method_model/delete-model-used-by-2-method'), modelUse3(), 'MySchemaTwo'),
  deleteModel(M('test_put_method_model/delete-model-used-by-method-1'), modelUse4(), 'MySchemaTwo'),
  ...[
    ['wrong-api', { restApiId: 'fake-api', httpMethod: 'WRONG' }],
    ['wrong-resource', { resourceId: 'fake-resource-id', httpMethod: 'WRONG' }],
    ['wrong-method', { httpMethod: 'WRONG' }],
    ['missing-authorizer-id', { authorizationType: 'CUSTOM' }],
    ['invalid-request-validator', { requestValidatorId: 'fake-validator' }],
    ['invalid-model-name', { requestModels: { 'application/json': 'petModel' } }],
  ].map(([key, input]) => ({
    id: M(`test_put_method_validation/${key as string}`),
    setup: [restApi()],
    call: call('PutMethod', (w) => ({
      restApiId: w.ids.api,
      resourceId: w.ids.root,
      httpMethod: 'ANY',
      authorizationType: 'NONE',
      ...(input as object),
    })),
  })),
  updateMethod(M('test_update_method_validation/wrong-rest-api'), [restApi()], { restApiId: 'fake-api' }),
  updateMethod(M('test_update_method_validation/wrong-resource-id'), [restApi()], { resourceId: 'fake-resource-id' }),
  updateMethod(M('test_update_method_validation/method-does-not-exist'), [restApi()], {
    httpMethod: 'GET',
    patchOperations: [{ op: 'replace', path: '/operationName', value: 'methodDoesNotExist' }],
  }),
  ...(
    [
      ['unsupported-operation', [{ op: 'add', path: '/operationName', value: 'operationName' }]],
      ['unsupported-operation-2', [{ op: 'add', path: '/requestValidatorId', value: 'wrong-id' }]],
      ['unsupported-path', [{ op: 'add', path: '/httpMethod', value: 'PUT' }]],
      ['wrong-path-request-parameters', [{ op: 'replace', path: '/requestParameters', value: 'method.request.querystring.optional=false' }]],
      ['wrong-path-request-models', [{ op: 'add', path: '/requestModels/application/json', value: 'Empty' }]],
      ['wrong-auth-type', [{ op: 'replace', path: '/authorizationType', value: 'CUSTOM' }]],
      [
        'wrong-auth-id',
        [
          { op: 'replace', path: '/authorizationType', value: 'CUSTOM' },
          { op: 'replace', path: '/authorizerId', value: 'abc123' },
        ],
      ],
      ['wrong-req-validator-id', [{ op: 'replace', path: '/requestValidatorId', value: 'fake-id' }]],
    ] as const
  ).map(([key, patchOperations]) => updateMethod(M(`test_update_method_validation/${key}`), anyWithKey(), { patchOperations })),
];
