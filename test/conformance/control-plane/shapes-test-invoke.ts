/**
 * Success-shape scenarios of TestInvokeMethod (and the authorizer of the same recorded test
 * class), after LocalStack's test_apigateway_api.py (TestApigatewayTestInvoke) and
 * test_apigateway_basic.py (TestAPIGateway). Keyed like shapes.ts.
 */
import { call, method, methodResponse, mockIntegration, resource, restApi, shortUid, step, type Entry } from './scenario.js';

const TI = (key: string): string => `TestApigatewayTestInvoke::${key}`;
const BASIC = (key: string): string => `TestAPIGateway::${key}`;

export const TEST_INVOKE_SHAPE_SCENARIOS: Entry[] = [
  {
    // GET /pets answers a static list through a MOCK integration; the call names no path, so
    // the resource path is the request path, and sends an empty body.
    id: TI('test_invoke_test_method/test-invoke-method-get-pets'),
    setup: [
      restApi({ name: 'aws lambda api' }),
      resource('pets', 'root', 'pets'),
      method('pets', 'GET'),
      methodResponse('pets', 'GET', '200'),
      mockIntegration('pets', 'GET', { integrationHttpMethod: 'GET' }),
      step('PutIntegrationResponse', (w) => ({
        restApiId: w.ids.api,
        resourceId: w.ids.pets,
        httpMethod: 'GET',
        statusCode: '200',
        // json.dumps in the recorded test: a space after the colon.
        responseTemplates: { 'application/json': '{"pets": "all the pets"}' },
      })),
    ],
    call: call('TestInvokeMethod', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.pets, httpMethod: 'GET', body: '' })),
  },
  {
    // The recorded log shows GET on the root failing before any endpoint request: an HTTP
    // integration whose host does not resolve (the reserved `.invalid` domain never does).
    id: TI('test_failed_invoke_test_method/test-invoke-failure'),
    setup: [
      restApi(),
      method('root', 'GET'),
      step('PutIntegration', (w) => ({
        restApiId: w.ids.api,
        resourceId: w.ids.root,
        httpMethod: 'GET',
        type: 'HTTP',
        integrationHttpMethod: 'GET',
        uri: `http://portico-${shortUid()}.invalid/`,
      })),
    ],
    call: call('TestInvokeMethod', (w) => ({ restApiId: w.ids.api, resourceId: w.ids.root, httpMethod: 'GET', body: '' })),
  },
  {
    id: BASIC('test_apigw_test_invoke_method_api/test_invoke_method_response'),
    outOfScope:
      "the recorded log shows the request AWS signs and sends to lambda.<region>.amazonaws.com (Authorization, X-Amz-Date, X-Amz-Security-Token headers); Portico runs the function in-process and logs only the headers it passes, so those log lines differ by design. Status, body, headers and the log's line sequence of this recording are checked in test/management/v1-test-invoke.test.ts",
  },
  {
    // The recorded URI carries the spaces a Python line continuation left inside it; AWS keeps
    // such an authorizer. The function it names need not exist to create the authorizer.
    id: BASIC('test_apigateway_with_custom_authorization_method/authorizer'),
    setup: [restApi()],
    call: call('CreateAuthorizer', (w) => ({
      restApiId: w.ids.api,
      name: 'lambda_authorizer',
      type: 'TOKEN',
      authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/                 2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:test-${shortUid()}/invocations`,
      identitySource: 'method.request.header.Auth',
    })),
  },
];
