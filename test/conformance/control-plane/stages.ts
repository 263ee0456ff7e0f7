/**
 * Error scenarios of deployments, stages, API keys and the remaining recorded cases, after
 * LocalStack's test_apigateway_api.py (TestApiGatewayStage), test_apigateway_common.py,
 * test_apigateway_canary.py and test_apigateway_extended.py; cases that cannot be rebuilt say why.
 */
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../support.js';
import { call, deployableApi, deployment, step, type Entry, type World } from './scenario.js';
import { canaryTestApi } from './shapes-stages.js';
import { usagePlanCrudSetup } from './shapes-integrations-account.js';

const STAGE = 'dev';
const AL = (key: string): string => `test_apigateway_api/TestApiGatewayStage::test_stage_access_log_settings_validation/${key}`;
const CANARY = (key: string): string => `test_apigateway_canary/TestStageCrudCanary::${key}`;

const updateStage = (id: string, patchOperations: object[], stageName = STAGE): Entry => ({
  id,
  setup: [...deployableApi(), deployment(stageName)],
  call: call('UpdateStage', (w) => ({ restApiId: w.ids.api, stageName, patchOperations })),
});

const CANARY_OVERRIDES = { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } };

const unrunnable = (reason: string, ids: string[]): Entry[] => ids.map((id) => ({ id, outOfScope: reason }));

const THROTTLE_100_200 = [
  { op: 'replace', path: '/throttle/burstLimit', value: '100' },
  { op: 'replace', path: '/throttle/rateLimit', value: '200' },
];

export const STAGE_SCENARIOS: Entry[] = [
  ...[
    ['invalid-path', '/accessLogSettings/randomValue', 'updated'],
    ['star-and', '/accessLogSettings/*', 'updated'],
    ['root-and', '/accessLogSettings', 'test'],
  ].flatMap(([prefix, path, value]) =>
    (prefix === 'root-and' ? ['add', 'replace'] : ['add', 'remove', 'replace']).map((op) => updateStage(AL(`${prefix!}-${op}`), [{ op, path, value }])),
  ),
  ...['destinationArn', 'format'].map((path) =>
    updateStage(AL(`update-stage-access-log-${path}-empty`), [{ op: 'replace', path: `/accessLogSettings/${path}`, value: '' }]),
  ),
  updateStage(AL('update-stage-access-log-dest-remove'), [{ op: 'remove', path: '/accessLogSettings/destinationArn' }]),

  // The stage s1 of test_create_update_stages, made from a deployment of its own.
  ...[
    ['error-update-doc-version', [{ op: 'replace', path: '/documentation_version', value: '123' }]],
    ['error-update-tags', [{ op: 'replace', path: '/tags/tag1', value: 'value1' }]],
  ].map(([key, patch]) => ({
    id: `test_apigateway_common/TestStages::test_create_update_stages/${key as string}`,
    setup: [
      ...deployableApi(),
      deployment(),
      step('CreateStage', (w) => ({ restApiId: w.ids.api, stageName: 's1', deploymentId: w.ids.deployment })),
    ],
    call: call('UpdateStage', (w) => ({ restApiId: w.ids.api, stageName: 's1', patchOperations: patch })),
  })),

  // Every recorded DeleteDeployment failure is a deployment a stage still points to.
  ...[
    'test_create_delete_deployments[True]/delete-deployment-error-0',
    'test_create_delete_deployments[True]/delete-deployment-error-1',
    'test_create_delete_deployments[True]/delete-deployment-error-2',
    'test_create_delete_deployments[False]/delete-deployment-error-0',
    'test_create_delete_deployments[False]/delete-deployment-error-1',
    'test_create_delete_deployments[False]/delete-deployment-error-2',
    'test_create_update_deployments/delete-deployment-error',
    'test_create_update_deployments/delete-deployment-2-error',
  ].map((key) => ({
    id: `test_apigateway_common/TestDeployments::${key}`,
    setup: [...deployableApi(), deployment(STAGE)],
    call: call('DeleteDeployment', (w) => ({ restApiId: w.ids.api, deploymentId: w.ids.deployment })),
  })),

  ...[
    ['create-canary-deployment-no-stage', {}],
    ['create-canary-deployment-empty-stage', { stageName: '' }],
    ['create-canary-deployment-non-existing-stage', { stageName: 'non-existing' }],
  ].map(([key, input]) => ({
    id: CANARY(`test_create_canary_deployment_validation/${key as string}`),
    setup: deployableApi(),
    call: call('CreateDeployment', (w) => ({ restApiId: w.ids.api, canarySettings: CANARY_OVERRIDES, ...(input as object) })),
  })),
  {
    id: CANARY('test_create_canary_deployment/bad-canary-deployment-id'),
    setup: [...deployableApi(), deployment()],
    call: call('CreateStage', (w) => ({
      restApiId: w.ids.api,
      stageName: 'dev3',
      deploymentId: w.ids.deployment,
      description: 'dev stage',
      canarySettings: { deploymentId: 'deploy' },
    })),
  },
  // test_update_stage_canary_deployment_validation: stage dev with a canary deployment on it.
  ...[
    ['update-stage-canary-settings-remove-overrides', { op: 'remove', path: '/canarySettings/stageVariableOverrides' }],
    ['update-stage-canary-settings-bad-path', { op: 'remove', path: '/canarySettings/badPath' }],
    ['update-stage-canary-settings-bad-path-2', { op: 'replace', path: '/canarySettings', value: 'test' }],
    ['update-stage-canary-settings-replace-bad-path', { op: 'replace', path: '/canarySettings/badPath', value: 'badPath' }],
  ].map(([key, op]) => ({
    id: CANARY(`test_update_stage_canary_deployment_validation/${key as string}`),
    setup: [
      ...canaryTestApi(),
      deployment(STAGE),
      step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: STAGE, canarySettings: CANARY_OVERRIDES })),
    ],
    call: call('UpdateStage', (w) => ({ restApiId: w.ids.api, stageName: STAGE, patchOperations: [op] })),
  })),
  // …and a second stage dev2 without a canary.
  ...[
    ['update-stage-add-deployment', 'add', (w: World) => w.ids.deployment2],
    ['update-stage-no-deployment', 'replace', () => 'deploy'],
  ].map(([key, op, value]) => ({
    id: CANARY(`test_update_stage_canary_deployment_validation/${key as string}`),
    setup: [
      ...canaryTestApi(),
      deployment(STAGE),
      step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: STAGE, canarySettings: CANARY_OVERRIDES })),
      deployment('dev2', 'deployment2'),
    ],
    call: call('UpdateStage', (w) => ({
      restApiId: w.ids.api,
      stageName: 'dev2',
      patchOperations: [{ op, path: '/canarySettings/deploymentId', value: (value as (w: World) => string)(w) }],
    })),
  })),
  // test_update_stage_with_copy_ops: stage dev with two variables and no canary yet.
  ...[
    [
      'copy-with-bad-statement',
      [
        { op: 'copy', path: '/canarySettings/stageVariableOverrides', from: '/variables' },
        { op: 'copy', path: '/canarySettings/deploymentId', from: '/deploymentId' },
      ],
    ],
    [
      'copy-with-no-replace',
      [
        { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
        { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
      ],
    ],
  ].map(([key, patchOperations]) => ({
    id: CANARY(`test_update_stage_with_copy_ops/${key as string}`),
    setup: [
      ...canaryTestApi(),
      step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: STAGE, variables: { testVar: 'test', testVar2: 'test2' } })),
    ],
    call: call('UpdateStage', (w) => ({ restApiId: w.ids.api, stageName: STAGE, patchOperations })),
  })),
  // test_usage_plan_crud: a plan on the dev stage of one API, then updates that cannot apply.
  ...[
    ['update-wrong-id', (w: World) => ({ usagePlanId: `${w.ids.plan}1`, patchOperations: THROTTLE_100_200 })],
    ['update-wrong-api-stages-no-value', (w: World) => ({ usagePlanId: w.ids.plan, patchOperations: [{ op: 'remove', path: '/apiStages' }] })],
    [
      'update-wrong-api-stages-wrong-api',
      (w: World) => ({ usagePlanId: w.ids.plan, patchOperations: [{ op: 'remove', path: '/apiStages', value: `${w.ids.api}b:dev` }] }),
    ],
    [
      'update-wrong-api-stages-wrong-stage',
      (w: World) => ({ usagePlanId: w.ids.plan, patchOperations: [{ op: 'remove', path: '/apiStages', value: `${w.ids.api}:fakestagename` }] }),
    ],
    ['update-wrong-api-stages-wrong-value', (w: World) => ({ usagePlanId: w.ids.plan, patchOperations: [{ op: 'remove', path: '/apiStages', value: 'fakevalue' }] })],
  ].map(([key, input]) => ({
    id: `test_apigateway_common/TestUsagePlans::test_usage_plan_crud/${key as string}`,
    setup: usagePlanCrudSetup(),
    call: call('UpdateUsagePlan', input as (w: World) => object),
  })),
  {
    id: 'test_apigateway_extended/TestApigatewayApiKeysCrud::test_update_api_key_immutable_field/update-api-key-immutable-field',
    setup: [step('CreateApiKey', () => ({ name: `test-key-${Date.now()}` }), (w, out) => void (w.ids.key = out.id))],
    call: call('UpdateApiKey', (w) => ({ apiKey: w.ids.key, patchOperations: [{ op: 'replace', path: '/id', value: 'new-id' }] })),
  },
  // The names, values and descriptions test_apigateway_extended.py generates ('a' * n, 'short').
  ...[
    ['test_create_api_key_with_invalid_name/create-api-key-name-too-long', { name: 'a'.repeat(1025) }],
    ['test_create_api_key_with_invalid_value/create-api-key-short-value', { value: 'short' }],
    ['test_create_api_key_with_invalid_value/create-api-key-invalid-value-too-long', { value: 'a'.repeat(129) }],
    ['test_update_api_key_invalid_description_length/create-api-key-description-too-long', { description: 'a'.repeat(125001) }],
  ].map(([key, input]) => ({
    id: `test_apigateway_extended/TestApigatewayApiKeysCrud::${key as string}`,
    setup: [],
    call: call('CreateApiKey', () => input),
  })),
  {
    id: 'test_apigateway_extended/TestApigatewayApiKeysCrud::test_update_api_key_invalid_description_length/update-api-key-description-too-long',
    setup: [step('CreateApiKey', () => ({}), (w, out) => void (w.ids.key = out.id))],
    call: call('UpdateApiKey', (w) => ({ apiKey: w.ids.key, patchOperations: [{ op: 'replace', path: '/description', value: 'a'.repeat(125001) }] })),
  },
  ...unrunnable('the recorded call is not isolated in the recording (operation unknown, only code context)', [
    'test_apigateway_common/TestStages::test_update_stage_remove_wildcard/delete-error',
    'test_apigateway_import/TestApiGatewayImportRestApi::test_import_with_cognito_auth_identity_source/integration-response-pets-get',
  ]),
  // The fixture apigw_snapshot_imported_resources asks every imported method for its 200 method
  // and integration responses; the GET methods of swagger-mock-cors.json declare none.
  ...(['/product', '/product/{product_id}'] as const).flatMap((path) =>
    (['GetMethodResponse', 'GetIntegrationResponse'] as const).map((op) => ({
      id: `test_apigateway_import/TestApiGatewayImportRestApi::test_import_and_validate_rest_api[swagger-mock-cors.json]/${op === 'GetMethodResponse' ? 'method' : 'integration'}-response-${path.slice(1)}-get`,
      setup: [
        step(
          'ImportRestApi',
          () => ({ body: readFileSync(new URL('control-plane-errors/swagger-mock-cors.json', FIXTURES)), failOnWarnings: true }),
          (w, out) => void (w.ids.api = out.id),
        ),
        step('GetResources', (w) => ({ restApiId: w.ids.api }), (w, out) => {
          for (const item of out.items ?? []) w.ids[item.path] = item.id;
        }),
      ],
      call: call(op, (w) => ({ restApiId: w.ids.api, resourceId: w.ids[path], httpMethod: 'GET', statusCode: '200' })),
    })),
  ),
  ...unrunnable(
    'the recorded call arguments are not recoverable: test_import_api_bad_file (recorded 2025-11-18) is in no stored version of test_apigateway_import.py, so bad_yaml_string and bad_json_string, the documents sent, are unknown',
    [
    'test_apigateway_import/TestApiGatewayImportRestApi::test_import_api_bad_file/import-api-bad-yaml-file',
    'test_apigateway_import/TestApiGatewayImportRestApi::test_import_api_bad_file/import-api-bad-json-file',
    'test_apigateway_import/TestApiGatewayImportRestApi::test_import_api_bad_file/put-rest-api-bad-yaml-file',
    'test_apigateway_import/TestApiGatewayImportRestApi::test_import_api_bad_file/put-rest-api-bad-json-file',
  ]),
  ...unrunnable('not a management API error: recorded from S3 through an API Gateway S3 integration', [
    'test_apigateway_s3/test_apigateway_s3_any/get-object-empty',
    'test_apigateway_s3/test_apigateway_s3_any/get-object-deleted',
    'test_apigateway_s3/test_apigateway_s3_any/get-object-s3',
    'test_apigateway_s3/test_apigateway_s3_method_mapping/get-deleted-object',
  ]),
  ...unrunnable('the recorded operation is misattributed (get_resources) and the real call needs a DynamoDB integration set-up', [
    'test_apigateway_dynamodb/test_error_aws_proxy_not_supported/create-integration-error',
  ]),
];
