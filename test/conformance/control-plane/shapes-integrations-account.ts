/**
 * Success-shape scenarios of integrations, integration and method responses, API keys, usage
 * plans and exports, keyed like shapes.ts. They follow LocalStack's test_apigateway_api.py
 * (TestApigatewayIntegration, TestApigatewayIntegrationResponse, TestApigatewayMethodResponse),
 * test_apigateway_integrations.py (test_put_integration_responses), test_apigateway_s3.py,
 * test_apigateway_lambda.py, test_apigateway_common.py (TestUsagePlans) and
 * test_apigateway_extended.py (TestApigatewayApiKeysCrud, test_export_swagger_openapi).
 *
 * The recorded tests ran against real Lambda functions, IAM roles and S3 buckets; Portico stores
 * integration URIs and credentials without calling AWS when they are set, so syntactically valid
 * ARNs stand in for them here (the recordings hide those values behind placeholders).
 */
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../support.js';
import { call, method, methodResponse, mockIntegration, resource, restApi, shortUid, step, type Entry, type Json, type Step, type World } from './scenario.js';

const IR = (key: string): string => `TestApigatewayIntegrationResponse::${key}`;
const MR = (key: string): string => `TestApigatewayMethodResponse::${key}`;
const IN = (key: string): string => `TestApigatewayIntegration::${key}`;
const UP = (key: string): string => `TestUsagePlans::${key}`;
const AK = (key: string): string => `TestApigatewayApiKeysCrud::${key}`;

const ROLE_ARN = 'arn:aws:iam::111111111111:role/apigw-invocation-role';
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:test-function';
const LAMBDA_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA_ARN}/invocations`;
/** The tests' echo_http_server_post: a public echo endpoint, hidden as `<uri:1>` in the recordings. */
const ECHO_POST = 'https://echo.example.com/post';

/** Adds the ids a step's output names to the world: `w.ids[name] = out.id`. */
const saveId = (name: string) => (w: World, out: Json) => void (w.ids[name] = out.id);

const onRoot = (op: string, input: Json = {}) => call(op, (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, ...input }));
const stepOnRoot = (op: string, input: Json = {}): Step => step(op, (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, ...input }));

// ---------------------------------------------------------------------------------------------
// Integration responses: test_lifecycle_integration_response, one call after another on GET /.

const GET_MOCK: Step[] = [restApi(), method('root', 'GET'), mockIntegration('root', 'GET')];
const irInput = (input: Json) => ({ httpMethod: 'GET', statusCode: '200', ...input });
const PUT_CREATED = irInput({ responseTemplates: { 'application/json': '"created"' }, selectionPattern: '' });
const UPDATE_PATTERN = irInput({ patchOperations: [{ op: 'replace', path: '/selectionPattern', value: 'updated-pattern' }] });
const OVERWRITE = irInput({ responseTemplates: { 'application/json': 'overwrite' }, selectionPattern: 'overwrite-pattern' });

/** The lifecycle's calls in order; each scenario runs the ones before its own as set-up. */
const IR_LIFECYCLE: [key: string, op: string, input: Json][] = [
  ['put-integration-response', 'PutIntegrationResponse', PUT_CREATED],
  ['get-integration-response', 'GetIntegrationResponse', irInput({})],
  ['update-integration-response', 'UpdateIntegrationResponse', UPDATE_PATTERN],
  ['overwrite-integration-response', 'PutIntegrationResponse', OVERWRITE],
  ['get-method', 'GetMethod', { httpMethod: 'GET' }],
  ['delete-integration-response', 'DeleteIntegrationResponse', irInput({})],
];

// ---------------------------------------------------------------------------------------------
// Method responses: test_lifecycle_method_response and test_update_method_response.

const mrInput = (input: Json) => ({ httpMethod: 'GET', statusCode: '200', ...input });
const HEADER = '/responseParameters/method.response.header.my-header';
const MODEL = '/responseModels/application~1json';
const MR_LIFECYCLE: [key: string, op: string, input: Json][] = [
  ['put-method-response', 'PutMethodResponse', mrInput({ responseParameters: {}, responseModels: {} })],
  ['get-integration-response', 'GetMethodResponse', mrInput({})],
  [
    'add-method-responses',
    'UpdateMethodResponse',
    mrInput({ patchOperations: [{ op: 'add', path: HEADER, value: 'true' }, { op: 'add', path: MODEL, value: 'Empty' }] }),
  ],
  [
    'update-method-responses',
    'UpdateMethodResponse',
    mrInput({ patchOperations: [{ op: 'replace', path: HEADER, value: 'true' }, { op: 'replace', path: MODEL, value: 'Empty' }] }),
  ],
  // GetMethod was called here; it changes nothing.
  ['delete-method-response', 'DeleteMethodResponse', mrInput({})],
];

/** Each call of a lifecycle as a scenario, the calls before it replayed as set-up. */
function lifecycle(id: (key: string) => string, base: Step[], calls: [string, string, Json][]): Entry[] {
  return calls.map(([key, op, input], i) => ({
    id: id(key),
    setup: [...base, ...calls.slice(0, i).map(([, before, beforeInput]) => stepOnRoot(before, beforeInput))],
    call: onRoot(op, input),
  }));
}

// ---------------------------------------------------------------------------------------------
// test_put_integration_responses (test_apigateway_integrations.py): GET then PUT on / of one API.
// The test's calls in order; those without a key have no response among the vendored recordings.

const PIR_CALLS: [key: string, op: string, input: Json][] = [
  ['put-method-response-get', 'PutMethodResponse', { httpMethod: 'GET', statusCode: '200' }],
  ['put-integration-get', 'PutIntegration', { httpMethod: 'GET', type: 'HTTP', uri: ECHO_POST, integrationHttpMethod: 'POST' }],
  ['', 'PutIntegrationResponse', { httpMethod: 'GET', statusCode: '200', selectionPattern: '2\\d{2}', responseTemplates: {} }],
  ['get-integration-response-get', 'GetIntegrationResponse', { httpMethod: 'GET', statusCode: '200' }],
  ['', 'CreateDeployment', {}],
  ['delete-integration-response-get', 'DeleteIntegrationResponse', { httpMethod: 'GET', statusCode: '200' }],
  ['', 'PutMethod', { httpMethod: 'PUT', authorizationType: 'none' }],
  ['put-method-response-put', 'PutMethodResponse', { httpMethod: 'PUT', statusCode: '200' }],
  ['put-integration-put', 'PutIntegration', { httpMethod: 'PUT', type: 'HTTP', uri: ECHO_POST, integrationHttpMethod: 'POST' }],
  ['', 'PutIntegrationResponse', { httpMethod: 'PUT', statusCode: '200', selectionPattern: '2\\d{2}', contentHandling: 'CONVERT_TO_BINARY' }],
  ['get-integration-response-put', 'GetIntegrationResponse', { httpMethod: 'PUT', statusCode: '200' }],
];

/** A call of test_put_integration_responses; CreateDeployment takes the API only. */
const pirStep = (op: string, input: Json): Step =>
  op === 'CreateDeployment' ? step(op, (w) => ({ restApiId: w.ids.api, stageName: 'local' })) : stepOnRoot(op, input);

const PUT_INTEGRATION_RESPONSES: Entry[] = PIR_CALLS.flatMap(([key, op, input], i) =>
  key === ''
    ? []
    : [
        {
          id: `test_put_integration_responses/${key}`,
          setup: [
            restApi({ name: 'my_api', description: 'this is my api' }),
            method('root', 'GET'),
            ...PIR_CALLS.slice(0, i).map(([, before, beforeInput]) => pirStep(before, beforeInput)),
          ],
          call: onRoot(op, input),
        },
      ],
);

// ---------------------------------------------------------------------------------------------
// test_create_integration_with_vpc_link: an HTTP_PROXY integration through a VPC link named by a
// stage variable, on GET / (the method the recorded calls address).

const VPC_LINK_URI = 'http://my-vpclink-test-nlb-1234567890abcdef.us-east-1.amazonaws.com';
const VPC_CALLS: [key: string, op: string, input: Json][] = [
  [
    'put-integration-vpc-link',
    'PutIntegration',
    {
      httpMethod: 'GET',
      type: 'HTTP_PROXY',
      uri: VPC_LINK_URI,
      integrationHttpMethod: 'GET',
      connectionType: 'VPC_LINK',
      connectionId: '${stageVariables.vpcLinkId}',
    },
  ],
  ['get-integration-vpc-link', 'GetIntegration', { httpMethod: 'GET' }],
  [
    'update-integration-vpc-link',
    'UpdateIntegration',
    { httpMethod: 'GET', patchOperations: [{ op: 'replace', path: '/connectionId', value: '${stageVariables.vpcLinkIdBeta}' }] },
  ],
  ['get-integration-update-vpc-link', 'GetIntegration', { httpMethod: 'GET' }],
];

// ---------------------------------------------------------------------------------------------
// TestApiGatewayS3BinarySupport: the fixture setup_s3_apigateway, with CONVERT_TO_BINARY as the
// request content handling. The recorded GetIntegration also shows a request template
// (`{"data": "$input.body"}`), which the test adds to the same integration; the stored copies of
// test_apigateway_s3.py predate the test, so it is put with the integration here.

const S3_BUCKET = 'apigw-binary-test-bucket';
const s3BinarySetup = (): Step[] => [
  restApi(),
  resource('object', 'root', '{object_path+}'),
  method('object', 'ANY', {
    requestParameters: {
      'method.request.path.object_path': true,
      'method.request.header.Content-Type': false,
      'method.request.header.response-content-type': false,
    },
  }),
  methodResponse('object', 'ANY', '200', { responseParameters: { 'method.response.header.ETag': false } }),
  step('PutIntegration', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids.object,
    httpMethod: 'ANY',
    integrationHttpMethod: 'ANY',
    type: 'AWS',
    uri: `arn:aws:apigateway:us-east-1:s3:path/${S3_BUCKET}/{object_path}`,
    requestParameters: {
      'integration.request.path.object_path': 'method.request.path.object_path',
      'integration.request.header.Content-Type': 'method.request.header.Content-Type',
      'integration.request.querystring.response-content-type': 'method.request.header.response-content-type',
    },
    credentials: ROLE_ARN,
    contentHandling: 'CONVERT_TO_BINARY',
    requestTemplates: { 'application/json': '{"data": "$input.body"}' },
  })),
  step('PutIntegrationResponse', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids.object,
    httpMethod: 'ANY',
    statusCode: '200',
    responseParameters: { 'method.response.header.ETag': 'integration.response.header.ETag' },
  })),
  step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: 'test' })),
];

// ---------------------------------------------------------------------------------------------
// test_lambda_aws_integration_with_request_template: an AWS (Lambda) integration on GET /test.

const lambdaTemplateSetup = (): Step[] => [
  restApi(),
  resource('test', 'root', 'test'),
  method('test', 'GET', { requestParameters: { 'method.request.querystring.param1': false } }),
  methodResponse('test', 'GET', '200'),
  step('PutIntegration', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids.test,
    httpMethod: 'GET',
    integrationHttpMethod: 'POST',
    type: 'AWS',
    uri: LAMBDA_URI,
    credentials: ROLE_ARN,
    requestTemplates: { 'application/json': '{"param1": "$input.params(\'param1\')"}' },
  })),
  step('PutIntegrationResponse', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.test, httpMethod: 'GET', statusCode: '200', selectionPattern: '' })),
  step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: 'api' })),
];

// ---------------------------------------------------------------------------------------------
// Account-level records: the recorded tests start by deleting what earlier tests left.

/** Lists every record of a kind, page by page, and deletes each: the tests' clean-up fixtures. */
const deleteAll = (listOp: string, deleteOp: string, input: (id: string) => Json): Step => ({
  // The list operation lives in the same handler module as the delete.
  op: deleteOp,
  async run(w) {
    for (;;) {
      const out = await w.send(listOp, { limit: 500 });
      const items: Json[] = out.items ?? [];
      if (items.length === 0) return;
      for (const item of items) await w.send(deleteOp, input(item.id));
    }
  },
});
const DELETE_API_KEYS = deleteAll('GetApiKeys', 'DeleteApiKey', (id) => ({ apiKey: id }));
const DELETE_USAGE_PLANS = deleteAll('GetUsagePlans', 'DeleteUsagePlan', (id) => ({ usagePlanId: id }));

// test_api_key_required_for_methods: GET /test requires an API key; the plan covers stage dev.
const keyRequiredApi = (): Step[] => [
  restApi({ name: 'test API key', apiKeySource: 'HEADER' }),
  resource('test', 'root', 'test'),
  method('test', 'GET', { apiKeyRequired: true }),
  methodResponse('test', 'GET', '200'),
  mockIntegration('test', 'GET', { integrationHttpMethod: 'GET' }),
  step('PutIntegrationResponse', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.test, httpMethod: 'GET', statusCode: '200', selectionPattern: '' })),
  step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: 'dev' })),
];
const createKeyRequiredPlan = (w: World): Json => ({
  name: `test-plan-${shortUid()}`,
  description: 'Test Usage Plan for API key',
  quota: { limit: 10, period: 'DAY', offset: 0 },
  throttle: { rateLimit: 2, burstLimit: 1 },
  apiStages: [{ apiId: w.ids.api, stage: 'dev' }],
  tags: { tag_key: 'tag_value' },
});
const createEnabledKey = (): Json => ({ name: `testApiKey-${shortUid()}`, enabled: true });

/**
 * test_usage_plan_crud's set-up: no usage plans left from earlier tests, and a plan on the dev
 * stage of an API whose GET / has an HTTP integration. Its plan id is `plan`, its API `api`.
 */
export const usagePlanCrudSetup = (): Step[] => [
  DELETE_USAGE_PLANS,
  restApi({ description: 'this is my api' }),
  method('root', 'GET', { authorizationType: 'none' }),
  stepOnRoot('PutIntegration', { httpMethod: 'GET', integrationHttpMethod: 'POST', type: 'HTTP', uri: ECHO_POST }),
  step('CreateDeployment', (w) => ({ restApiId: w.ids.api }), saveId('deployment')),
  step('CreateStage', (w) => ({ restApiId: w.ids.api, stageName: 'dev', deploymentId: w.ids.deployment })),
  step('CreateUsagePlan', usagePlanCrudInput, saveId('plan')),
];
function usagePlanCrudInput(w: World): Json {
  return { name: `test-usage-plan-${shortUid()}`, description: 'this is my usage plan', apiStages: [{ apiId: w.ids.api, stage: 'dev' }] };
}
const USAGE_PLAN_UPDATE = [
  { op: 'replace', path: '/throttle/burstLimit', value: '100' },
  { op: 'replace', path: '/throttle/rateLimit', value: '200' },
  { op: 'replace', path: '/quota/period', value: 'MONTH' },
  { op: 'replace', path: '/quota/limit', value: '5000' },
];
const updatePlan = (w: World): Json => ({ usagePlanId: w.ids.plan, patchOperations: USAGE_PLAN_UPDATE });

// TestApigatewayApiKeysCrud: its class fixture deletes every API key first.
const keyName = (): string => `test-key-${shortUid()}`;
const createKey = (name: string, input: () => Json = () => ({ name: keyName() })): Step => step('CreateApiKey', input, saveId(name));

// ---------------------------------------------------------------------------------------------
// test_export_swagger_openapi: an imported API deployed to `local`, exported as Swagger 2.0.

const importFixture = (file: string): Step =>
  step(
    'ImportRestApi',
    () => {
      // The test puts its region's pet store endpoint where the document says ${uri}.
      const text = readFileSync(new URL(`control-plane-shapes/${file}`, FIXTURES), 'utf8').replaceAll(
        '${uri}',
        'http://petstore.execute-api.us-east-1.amazonaws.com/petstore/pets',
      );
      return { body: new TextEncoder().encode(text), failOnWarnings: true };
    },
    (w, out) => {
      w.ids.api = out.id;
      w.ids.root = out.rootResourceId;
    },
  );
const exported = (file: string): Step[] => [importFixture(file), step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: 'local' }))];
/**
 * The recorded client (boto3) sent no Accept header; SDK v3 sends `Accept: application/json`
 * unless told otherwise, so the call states no preference with an empty one.
 */
const getExport = (parameters?: Record<string, string>) =>
  call('GetExport', (w) => ({ restApiId: w.ids.api, stageName: 'local', exportType: 'swagger', accepts: '', ...(parameters ? { parameters } : {}) }));

export const INTEGRATION_ACCOUNT_SHAPE_SCENARIOS: Entry[] = [
  ...lifecycle((key) => IR(`test_lifecycle_integration_response/${key}`), GET_MOCK, IR_LIFECYCLE),
  { id: IR('test_delete_integration_response_errors/put-integration-response'), setup: GET_MOCK, call: onRoot('PutIntegrationResponse', PUT_CREATED) },
  ...lifecycle((key) => MR(`test_lifecycle_method_response/${key}`), GET_MOCK, MR_LIFECYCLE),
  {
    id: MR('test_update_method_response/remove-update-method-response'),
    setup: [
      ...GET_MOCK,
      methodResponse('root', 'GET', '200', {
        responseParameters: { 'method.response.header.my-header': false },
        responseModels: { 'application/json': 'Empty' },
      }),
    ],
    call: onRoot(
      'UpdateMethodResponse',
      mrInput({ patchOperations: [{ op: 'remove', path: HEADER, value: 'true' }, { op: 'remove', path: MODEL, value: 'Empty' }] }),
    ),
  },
  ...PUT_INTEGRATION_RESPONSES,
  ...lifecycle((key) => IN(`test_create_integration_with_vpc_link/${key}`), [restApi(), method('root', 'GET')], VPC_CALLS),
  {
    id: 'TestApiGatewayS3BinarySupport::test_apigw_s3_binary_support_request_convert_to_binary_with_request_template/get-integration',
    setup: s3BinarySetup(),
    call: call('GetIntegration', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.object, httpMethod: 'ANY' })),
  },
  {
    id: 'test_lambda_aws_integration_with_request_template/delete-integration',
    setup: lambdaTemplateSetup(),
    call: call('DeleteIntegration', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.test, httpMethod: 'GET' })),
  },

  // TestUsagePlans::test_api_key_required_for_methods
  { id: UP('test_api_key_required_for_methods/create-usage-plan'), setup: keyRequiredApi(), call: call('CreateUsagePlan', createKeyRequiredPlan) },
  {
    id: UP('test_api_key_required_for_methods/create-api-key'),
    setup: [...keyRequiredApi(), step('CreateUsagePlan', createKeyRequiredPlan, saveId('plan'))],
    call: call('CreateApiKey', createEnabledKey),
  },
  {
    id: UP('test_api_key_required_for_methods/create-usage-plan-key'),
    setup: [...keyRequiredApi(), step('CreateUsagePlan', createKeyRequiredPlan, saveId('plan')), step('CreateApiKey', createEnabledKey, saveId('key'))],
    call: call('CreateUsagePlanKey', (w) => ({ usagePlanId: w.ids.plan, keyId: w.ids.key, keyType: 'API_KEY' })),
  },
  {
    id: UP('test_api_key_required_for_methods/update-api-key-disabled'),
    setup: [
      ...keyRequiredApi(),
      step('CreateUsagePlan', createKeyRequiredPlan, saveId('plan')),
      step('CreateApiKey', createEnabledKey, saveId('key')),
      step('CreateUsagePlanKey', (w) => ({ usagePlanId: w.ids.plan, keyId: w.ids.key, keyType: 'API_KEY' })),
    ],
    call: call('UpdateApiKey', (w) => ({ apiKey: w.ids.key, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] })),
  },

  // TestUsagePlans::test_usage_plan_crud
  {
    id: UP('test_usage_plan_crud/create-usage-plan'),
    setup: usagePlanCrudSetup().slice(0, -1),
    call: call('CreateUsagePlan', usagePlanCrudInput),
  },
  { id: UP('test_usage_plan_crud/get-usage-plan'), setup: usagePlanCrudSetup(), call: call('GetUsagePlan', (w) => ({ usagePlanId: w.ids.plan })) },
  { id: UP('test_usage_plan_crud/get-usage-plans'), setup: usagePlanCrudSetup(), call: call('GetUsagePlans', () => ({})) },
  { id: UP('test_usage_plan_crud/update-usage-plan'), setup: usagePlanCrudSetup(), call: call('UpdateUsagePlan', updatePlan) },
  {
    id: UP('test_usage_plan_crud/get-usage-plan-after-update'),
    setup: [...usagePlanCrudSetup(), step('UpdateUsagePlan', updatePlan)],
    call: call('GetUsagePlan', (w) => ({ usagePlanId: w.ids.plan })),
  },
  {
    id: UP('test_usage_plan_crud/get-usage-plans-after-update'),
    setup: [...usagePlanCrudSetup(), step('UpdateUsagePlan', updatePlan)],
    call: call('GetUsagePlans', () => ({})),
  },

  // TestApigatewayApiKeysCrud::test_get_api_keys
  { id: AK('test_get_api_keys/get-api-keys'), setup: [DELETE_API_KEYS], call: call('GetApiKeys', () => ({})) },
  { id: AK('test_get_api_keys/create-api-key'), setup: [DELETE_API_KEYS], call: call('CreateApiKey', () => ({ name: keyName() })) },
  { id: AK('test_get_api_keys/get-api-keys-after-create-1'), setup: [DELETE_API_KEYS, createKey('key')], call: call('GetApiKeys', () => ({})) },
  {
    id: AK('test_get_api_keys/get-api-keys-wrong-name-query'),
    setup: [DELETE_API_KEYS, createKey('key')],
    // The name of the second key, not created yet.
    call: call('GetApiKeys', () => ({ nameQuery: keyName() })),
  },
  { id: AK('test_get_api_keys/create-api-key-2'), setup: [DELETE_API_KEYS, createKey('key')], call: call('CreateApiKey', () => ({ name: keyName() })) },

  // TestApigatewayApiKeysCrud::test_get_usage_plan_api_keys
  ...(() => {
    const keys = [DELETE_API_KEYS, createKey('key'), createKey('key2')];
    const plan = step('CreateUsagePlan', () => ({ name: `usage-plan-${shortUid()}` }), saveId('plan'));
    const addKey = (name: string) => (w: World) => ({ usagePlanId: w.ids.plan, keyId: w.ids[name], keyType: 'API_KEY' });
    const bothKeys = [...keys, plan, step('CreateUsagePlanKey', addKey('key')), step('CreateUsagePlanKey', addKey('key2'))];
    const T = (key: string) => AK(`test_get_usage_plan_api_keys/${key}`);
    return [
      { id: T('create-usage-plan'), setup: keys, call: call('CreateUsagePlan', () => ({ name: `usage-plan-${shortUid()}` })) },
      { id: T('get-up-keys-before-create'), setup: [...keys, plan], call: call('GetUsagePlanKeys', (w) => ({ usagePlanId: w.ids.plan })) },
      { id: T('create-up-key'), setup: [...keys, plan], call: call('CreateUsagePlanKey', addKey('key')) },
      { id: T('create-up-key-2'), setup: [...keys, plan, step('CreateUsagePlanKey', addKey('key'))], call: call('CreateUsagePlanKey', addKey('key2')) },
      { id: T('get-up-keys'), setup: bothKeys, call: call('GetUsagePlanKeys', (w) => ({ usagePlanId: w.ids.plan })) },
      { id: T('get-up-keys-name-query'), setup: bothKeys, call: call('GetUsagePlanKeys', (w) => ({ usagePlanId: w.ids.plan, nameQuery: 'test-key' })) },
    ];
  })(),

  // TestApigatewayApiKeysCrud: the remaining tests each start from a fresh key.
  {
    id: AK('test_negative_get_usage_plan_api_keys/update-api-key-name'),
    setup: [DELETE_API_KEYS, createKey('key', () => ({ name: 'key-enabled-false', enabled: false }))],
    call: call('UpdateApiKey', (w) => ({ apiKey: w.ids.key, patchOperations: [{ op: 'replace', path: '/name', value: 'new-name' }] })),
  },
  {
    id: AK('test_update_api_key_invalid_enabled_type/update-api-key-invalid-enabled-type'),
    setup: [DELETE_API_KEYS, createKey('key', () => ({}))],
    call: call('UpdateApiKey', (w) => ({ apiKey: w.ids.key, patchOperations: [{ op: 'replace', path: '/enabled', value: 'not-a-boolean' }] })),
  },

  // test_export_swagger_openapi
  { id: 'test_export_swagger_openapi[TEST_IMPORT_PETSTORE_SWAGGER]/get-export', setup: exported('petstore-swagger.json'), call: getExport() },
  {
    id: 'test_export_swagger_openapi[TEST_IMPORT_PETSTORE_SWAGGER]/get-export-with-extensions',
    setup: exported('petstore-swagger.json'),
    call: getExport({ extensions: 'apigateway' }),
  },
  { id: 'test_export_swagger_openapi[TEST_IMPORT_PETS]/get-export', setup: exported('pets.json'), call: getExport() },
];
