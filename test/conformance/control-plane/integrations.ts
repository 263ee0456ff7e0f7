/**
 * Error scenarios of integrations, integration responses, method responses and TestInvokeMethod,
 * after LocalStack's test_apigateway_api.py (TestApigatewayIntegration*, TestApigatewayMethodResponse,
 * TestApigatewayTestInvoke), test_apigateway_integrations.py and test_apigateway_lambda.py.
 */
import { call, method, methodResponse, mockIntegration, resource, restApi, shortUid, step, type Entry, type Step } from './scenario.js';

const T = (cls: string) => (key: string): string => `test_apigateway_api/${cls}::${key}`;
const IN = T('TestApigatewayIntegration');
const IR = T('TestApigatewayIntegrationResponse');
const MR = T('TestApigatewayMethodResponse');
const TI = T('TestApigatewayTestInvoke');

/** GET / with a MOCK integration: the common start of the integration tests. */
const getWithMock = (): Step[] => [restApi(), method('root', 'GET'), mockIntegration('root', 'GET')];

/** …and the 200 method response the method response tests declare. */
const withMethodResponse = (declared: boolean): Step[] => [
  ...getWithMock(),
  methodResponse(
    'root',
    'GET',
    '200',
    declared
      ? { responseParameters: { 'method.response.header.my-header': false }, responseModels: { 'application/json': 'Empty' } }
      : { responseParameters: {}, responseModels: {} },
  ),
];

const HEADER_PATH = '/responseParameters/method.response.header.my-header';
const MODEL_PATH = '/responseModels/application~1json';
const wrongHeader = { op: 'wrong_op', path: HEADER_PATH, value: 'true' };
const wrongModel = { op: 'wrong_op', path: MODEL_PATH, value: 'Empty' };

const updateMethodResponse = (id: string, setup: Step[], patchOperations: object[], input: Record<string, unknown> = {}): Entry => ({
  id,
  setup,
  call: call('UpdateMethodResponse', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids.root,
    httpMethod: 'GET',
    statusCode: '200',
    patchOperations,
    ...input,
  })),
});

const integrationResponseCall = (op: string, input: Record<string, unknown>) =>
  call(op, (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'GET', statusCode: '200', ...input }));

/** test_invoke_test_method's API: /pets/{petId} with GET and POST behind MOCK integrations. */
const petsApi = (): Step[] => [
  restApi({ name: 'aws lambda api' }),
  resource('pets', 'root', 'pets'),
  resource('pet', 'pets', '{petId}'),
  ...['GET', 'POST'].flatMap((verb) => [
    method('pet', verb, { requestParameters: { 'method.request.path.petId': true } }),
    methodResponse('pet', verb, '200'),
    mockIntegration('pet', verb, {
      integrationHttpMethod: verb,
      requestParameters: { 'integration.request.path.id': 'method.request.path.petId' },
    }),
    step('PutIntegrationResponse', (w) => ({
      restApiId: w.ids.api,
      resourceId: w.ids.pet,
      httpMethod: verb,
      statusCode: '200',
      responseTemplates: { 'application/json': JSON.stringify({ petId: "$input.params('petId')" }) },
    })),
  ]),
];

const putIntegration = (id: string, setup: Step[], input: Record<string, unknown>): Entry => ({
  id,
  setup,
  call: call('PutIntegration', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'GET', ...input })),
});

export const INTEGRATION_SCENARIOS: Entry[] = [
  putIntegration(IN('test_put_integration_wrong_type/put-integration-wrong-type'), [restApi()], { type: 'HTTPS_PROXY' }),
  putIntegration(IN('test_put_integration_response_validation/put-integration-wrong-method'), [restApi(), method('root', 'POST')], {
    integrationHttpMethod: 'GET',
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
  }),
  putIntegration(IN('test_put_integration_response_validation/put-integration-wrong-resource'), [restApi(), method('root', 'POST')], {
    resourceId: 'badresource',
    integrationHttpMethod: 'GET',
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
  }),
  ...[
    ['put-integration-response-wrong-method', {}],
    ['put-integration-response-wrong-resource', { resourceId: 'badresource' }],
  ].map(([key, input]) => ({
    id: IN(`test_put_integration_response_validation/${key as string}`),
    setup: [restApi(), method('root', 'POST'), mockIntegration('root', 'POST', { integrationHttpMethod: 'GET' })],
    call: integrationResponseCall('PutIntegrationResponse', {
      selectionPattern: '',
      responseTemplates: { 'application/json': JSON.stringify({}) },
      ...(input as object),
    }),
  })),
  // Values of the wrong JSON type, as the recorded boto3 client sent them with validation off.
  {
    id: IN('test_put_integration_request_parameter_bool_type/put-method-request-param-wrong-type'),
    setup: [restApi(), method('root', 'GET', { requestParameters: { 'method.request.path.testPath': true } })],
    call: call('PutMethod', (w) => ({
      restApiId: w.ids.api,
      resourceId: w.ids.root,
      httpMethod: 'POST',
      authorizationType: 'NONE',
      requestParameters: { 'method.request.path.testPath': true, true: true },
    })),
  },
  ...[
    ['put-integration-request-param-wrong-type', { true: true }],
    ['put-integration-request-param-bool-value', { 'integration.request.path.testPath': true }],
  ].map(([key, requestParameters]) =>
    putIntegration(
      IN(`test_put_integration_request_parameter_bool_type/${key as string}`),
      [restApi(), method('root', 'GET', { requestParameters: { 'method.request.path.testPath': true } })],
      { type: 'HTTP_PROXY', requestParameters },
    ),
  ),
  ...(['PutIntegrationResponse', 'GetIntegrationResponse'] as const).flatMap((op) => {
    const verb = op === 'PutIntegrationResponse' ? 'put' : 'get';
    return [
      { id: IR(`test_integration_response_wrong_api/${verb}-integration-response-wrong-api`), setup: [], call: call(op, () => ({ restApiId: 'wrong-api', resourceId: 'dummy-value', httpMethod: 'GET', statusCode: '200' })) },
      { id: IR(`test_integration_response_wrong_resource/${verb}-integration-response-wrong-resource`), setup: [restApi()], call: integrationResponseCall(op, { resourceId: 'wrong-resource' }) },
      { id: IR(`test_integration_response_wrong_method/${verb}-integration-response-wrong-method`), setup: [restApi()], call: integrationResponseCall(op, { httpMethod: 'wrong-method' }) },
      {
        id: IR(`test_integration_response_invalid_statuscode/${verb}-integration-response-invalid-statusCode`),
        setup: [restApi()],
        call: integrationResponseCall(op, {
          statusCode: 'wrong',
          ...(op === 'PutIntegrationResponse' ? { responseTemplates: { 'application/json': '"created"' }, selectionPattern: '' } : {}),
        }),
      },
    ];
  }),
  ...[
    ['put-integration-response-invalid-responseTemplates-1', { 'application/json': 123 }],
    ['put-integration-response-invalid-responseTemplates-2', { 123: '{"statusCode": 200}' }],
  ].map(([key, responseTemplates]) => ({
    id: IR(`test_integration_response_invalid_responsetemplates/${key as string}`),
    setup: [restApi(), method('root', 'GET'), mockIntegration('root', 'GET', { integrationHttpMethod: 'GET' })],
    call: integrationResponseCall('PutIntegrationResponse', { selectionPattern: '', responseTemplates }),
  })),
  {
    id: IR('test_integration_response_invalid_integration/get-integration-response-without-integration'),
    setup: [restApi(), method('root', 'GET')],
    call: integrationResponseCall('GetIntegrationResponse', {}),
  },
  {
    id: IR('test_integration_response_wrong_status_code/get-integration-response-wrong-status-code'),
    setup: getWithMock(),
    call: integrationResponseCall('GetIntegrationResponse', { statusCode: '201' }),
  },
  // The recorded test's set-up is not in the recording; every error below only needs GET / with
  // an integration, which its messages ("Invalid Response status code specified" for 201) confirm.
  ...[
    ['non-existent-resource', { resourceId: 'bad-resource' }],
    ['non-existent-api-id', { restApiId: 'bad-api-id' }],
    ['non-existent-method', { httpMethod: 'POST' }],
    ['non-existent-status-code', { statusCode: '201' }],
    ['bad-method', { httpMethod: 'WRONG', statusCode: '201' }],
  ].map(([key, input]) => ({
    id: IR(`test_delete_integration_response_errors/${key as string}`),
    setup: getWithMock(),
    call: integrationResponseCall('DeleteIntegrationResponse', input as Record<string, unknown>),
  })),
  ...[
    ['get-integration-no-api', [restApi()], { restApiId: shortUid() }],
    ['get-integration-no-resource', [restApi()], { resourceId: shortUid() }],
    ['get-integration-no-method', [restApi()], {}],
    ['get-integration-no-integration', [restApi(), method('root', 'GET')], {}],
  ].map(([key, setup, input]) => ({
    id: IN(`test_get_integration_non_existent/${key as string}`),
    setup: setup as Step[],
    call: call('GetIntegration', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'GET', ...(input as object) })),
  })),
  {
    id: 'test_apigateway_lambda/test_lambda_aws_integration_with_request_template/get-integration-after-delete',
    setup: [...getWithMock(), step('DeleteIntegration', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'GET' }))],
    call: call('GetIntegration', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'GET' })),
  },
  ...['HTTP', 'HTTP_PROXY', 'AWS'].map((type) =>
    putIntegration(`test_apigateway_integrations/test_put_integration_validation/required-integration-method-${type}`, [restApi(), method('root', 'GET')], {
      type,
      uri: 'http://example.com',
    }),
  ),
  ...[
    ['invalid-uri-HTTP', 'HTTP', 'non-valid-http'],
    ['invalid-uri-HTTP_PROXY', 'HTTP_PROXY', 'non-valid-http'],
    ['invalid-uri-not-an-arn', 'AWS', 'non-valid-arn'],
    ['invalid-uri-invalid-arn', 'AWS', 'arn:aws:iam::0000000000:role/service-role/asdf'],
  ].map(([key, type, uri]) =>
    putIntegration(`test_apigateway_integrations/test_put_integration_validation/${key!}`, [restApi(), method('root', 'GET')], {
      type,
      uri,
      integrationHttpMethod: 'POST',
    }),
  ),
  // The S3 object path b/k, through a role, on the GET / (with a 200 response) the test set up.
  putIntegration(
    'test_apigateway_integrations/test_put_integration_validation/no-s3-support-AWS_PROXY',
    [restApi(), method('root', 'GET'), methodResponse('root', 'GET', '200')],
    {
      credentials: 'arn:aws:iam::111111111111:role/service-role/testfunction-role-oe783psq',
      type: 'AWS_PROXY',
      uri: 'arn:aws:apigateway:us-east-1:s3:path/b/k',
      integrationHttpMethod: 'POST',
    },
  ),
  ...['put-integration-lambda-uri', 'put-integration-wrong-arn', 'put-integration-wrong-type', 'put-integration-wrong-firehose', 'put-integration-bad-lambda-arn'].map(
    (key) => ({
      id: `test_apigateway_lambda/test_put_integration_aws_proxy_uri/${key}`,
      outOfScope:
        'the recorded call arguments are not recoverable: test_put_integration_aws_proxy_uri is in no stored version of test_apigateway_lambda.py, so default_params (the API, resource, method, type and integration method spread into each recorded call beside its uri) is unknown',
    }),
  ),

  // Method responses
  ...[
    ['update-method-response-wrong-operation-1', [wrongHeader]],
    ['update-method-response-wrong-operation-2', [wrongModel]],
    ['update-method-response-wrong-operation-3', [wrongHeader, wrongModel]],
    ['update-method-response-wrong-operation-4', [wrongHeader, wrongModel, wrongHeader, wrongModel]],
    ['update-method-response-wrong-operation-5', [wrongHeader, { op: 'remove', path: MODEL_PATH, value: 'Empty' }, wrongModel]],
  ].map(([key, patch]) => updateMethodResponse(MR(`test_update_method_response_wrong_operations/${key as string}`), withMethodResponse(true), patch as object[])),
  ...[
    ['update-method-response-wrong-statuscode', { statusCode: '201' }, [{ op: 'replace', path: HEADER_PATH, value: 'true' }]],
    ['update-method-response-invalid-statuscode', { statusCode: 'wrong' }, [{ op: 'replace', path: HEADER_PATH, value: 'true' }]],
    ['update-method-response-invalid-statuscode-and-wrong-op', { statusCode: 'wrong' }, [wrongHeader]],
    ['update-method-response-wrong-resource', { resourceId: 'wrong' }, [{ op: 'replace', path: HEADER_PATH, value: 'true' }]],
    ['update-method-response-wrong-method', { httpMethod: 'POST' }, [{ op: 'replace', path: HEADER_PATH, value: 'true' }]],
  ].map(([key, input, patch]) =>
    updateMethodResponse(MR(`test_update_method_response_negative_tests/${key as string}`), withMethodResponse(true), patch as object[], input as Record<string, unknown>),
  ),
  ...[
    ['update-method-response-operation-without-response-parameters', { op: 'remove', path: HEADER_PATH, value: 'true' }],
    ['update-method-response-operation-without-response-models', { op: 'remove', path: MODEL_PATH, value: 'Empty' }],
    ['update-method-response-operation-with-wrong-path', { op: 'remove', path: '/wrong/method.response.header.my-header', value: 'true' }],
  ].map(([key, patch]) => updateMethodResponse(MR(`test_update_method_lack_response_parameters_and_models/${key as string}`), withMethodResponse(false), [patch as object])),
  ...[
    ['1', { op: 'replace', path: '/responseParameters/wrong', value: 'true' }],
    ['2', { op: 'remove', path: '/responseParameters/wrong', value: 'true' }],
    ['3', { op: 'replace', path: '/responseModels/wrong', value: 'Empty' }],
    ['4', { op: 'remove', path: '/responseModels/wrong', value: 'Empty' }],
  ].map(([n, patch]) =>
    updateMethodResponse(MR(`test_update_method_wrong_param_names/update-method-response-operation-with-wrong-param-name-${n as string}`), withMethodResponse(true), [patch as object]),
  ),

  // TestInvokeMethod
  ...[
    ['resource-method-not-found', 'pet', 'HEAD'],
    ['resource-id-not-found', 'invalid_res', 'POST'],
    ['rest-api-not-found', 'invalid_res', 'POST'],
  ].map(([key, res, httpMethod]) => ({
    id: TI(`test_invoke_test_method/${key!}`),
    setup: petsApi(),
    call: call('TestInvokeMethod', (w) => ({
      restApiId: w.ids.api,
      resourceId: w.ids[res!] ?? res,
      httpMethod,
      pathWithQueryString: '/pets/123',
      body: JSON.stringify({ foo: 'bar' }),
    })),
  })),
];
