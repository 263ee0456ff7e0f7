/**
 * Success-shape scenarios of stages and deployments, keyed like shapes.ts, after LocalStack's
 * test_apigateway_api.py (TestApiGatewayStage), test_apigateway_canary.py (TestStageCrudCanary)
 * and test_apigateway_common.py (TestDeployments).
 */
import { call, deployableApi, deployment, method, methodResponse, mockIntegration, restApi, shortUid, step, type Entry, type Step, type World } from './scenario.js';

const STAGE = 'dev';
const CANARY_OVERRIDES = { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } };

/** The MOCK answer create_api_for_deployment puts behind GET / by default. */
export const DEFAULT_CANARY_TEMPLATE = { statusCode: 200, message: 'default deployment' };

/**
 * create_api_for_deployment of test_apigateway_canary.py: GET / with a 200 method response and
 * a MOCK integration whose 200 integration response renders `template` as JSON.
 */
export const canaryTestApi = (template: object = DEFAULT_CANARY_TEMPLATE): Step[] => [
  restApi(),
  method('root', 'GET'),
  methodResponse('root', 'GET', '200'),
  mockIntegration('root', 'GET'),
  step('PutIntegrationResponse', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids.root,
    httpMethod: 'GET',
    statusCode: '200',
    selectionPattern: '',
    responseTemplates: { 'application/json': JSON.stringify(template) },
  })),
];

/** Replaces the 200 response template of GET /, as the canary tests do between deployments. */
export const replaceCanaryTemplate = (template: object): Step =>
  step('UpdateIntegrationResponse', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids.root,
    httpMethod: 'GET',
    statusCode: '200',
    patchOperations: [{ op: 'replace', path: '/responseTemplates/application~1json', value: JSON.stringify(template) }],
  }));

const createStage = (stageName: string, deploymentName: string, extra: object = {}): Step =>
  step('CreateStage', (w) => ({ restApiId: w.ids.api, stageName, deploymentId: w.ids[deploymentName], ...extra }));

const updateStage = (stageName: string, patchOperations: object[]): Step =>
  step('UpdateStage', (w) => ({ restApiId: w.ids.api, stageName, patchOperations }));

// ---------------------------------------------------------------------------------------------
// TestApiGatewayStage

const STAGE_TEST = (key: string): string => `TestApiGatewayStage::${key}`;

const twoStages = (): Step[] => [
  ...deployableApi(),
  deployment(undefined, 'deploy1'),
  deployment(undefined, 'deploy2'),
  createStage('stage1', 'deploy1'),
  createStage('stage2', 'deploy2'),
];

const LOG_GROUP_ARN = `arn:aws:logs:us-east-1:000000000000:log-group:apigw-access-logs-${shortUid()}`;
const accessLogStage = (): Step[] => [...deployableApi(), deployment(), createStage(STAGE, 'deployment', { description: 'dev stage' })];
const ACCESS_LOG_STEPS: [string, object][] = [
  ['update-stage-access-log-dest-add', { op: 'add', path: '/accessLogSettings/destinationArn', value: LOG_GROUP_ARN }],
  ['update-stage-access-log-dest-replace', { op: 'replace', path: '/accessLogSettings/destinationArn', value: `${LOG_GROUP_ARN}a` }],
  ['update-stage-access-log-format-add', { op: 'add', path: '/accessLogSettings/format', value: '$context.requestId $context.identity.sourceIp' }],
];

const STAGE_SCENARIOS: Entry[] = [
  {
    id: STAGE_TEST('test_get_stages_filters_by_deployment_id/all-stages'),
    setup: twoStages(),
    call: call('GetStages', (w) => ({ restApiId: w.ids.api })),
  },
  ...['deploy1', 'deploy2'].map((name) => ({
    id: STAGE_TEST(`test_get_stages_filters_by_deployment_id/stages-${name}`),
    setup: twoStages(),
    call: call('GetStages', (w) => ({ restApiId: w.ids.api, deploymentId: w.ids[name] })),
  })),
  ...['test_stage_access_log_settings', 'test_stage_access_log_settings_validation'].flatMap((test) => [
    {
      id: STAGE_TEST(`${test}/create-deployment`),
      setup: deployableApi(),
      call: call('CreateDeployment', (w) => ({ restApiId: w.ids.api })),
    },
    {
      id: STAGE_TEST(`${test}/create-stage`),
      setup: [...deployableApi(), deployment()],
      call: call('CreateStage', (w) => ({ restApiId: w.ids.api, stageName: STAGE, deploymentId: w.ids.deployment, description: 'dev stage' })),
    },
  ]),
  // Each recorded update builds on the ones before it.
  ...ACCESS_LOG_STEPS.map(([key, op], i) => ({
    id: STAGE_TEST(`test_stage_access_log_settings/${key}`),
    setup: [...accessLogStage(), ...ACCESS_LOG_STEPS.slice(0, i).map(([, before]) => updateStage(STAGE, [before]))],
    call: call('UpdateStage', (w) => ({ restApiId: w.ids.api, stageName: STAGE, patchOperations: [op] })),
  })),
];

// ---------------------------------------------------------------------------------------------
// TestStageCrudCanary

const CANARY_TEST = (key: string): string => `TestStageCrudCanary::${key}`;

/** test_create_update_stages: two deployments that answer differently, a stage on the first with the second as its canary. */
const twoDeployments = (): Step[] => [
  ...canaryTestApi(),
  deployment(undefined, 'deployment1'),
  replaceCanaryTemplate({ statusCode: 200, message: 'second deployment' }),
  deployment(undefined, 'deployment2'),
];
const stageWithCanaryInput = (w: World) => ({
  restApiId: w.ids.api,
  stageName: STAGE,
  deploymentId: w.ids.deployment1,
  description: 'dev stage',
  variables: { testVar: 'default' },
  canarySettings: { deploymentId: w.ids.deployment2, ...CANARY_OVERRIDES },
});
const stageWithCanary = (): Step => step('CreateStage', stageWithCanaryInput);

const CANARY_SCENARIOS: Entry[] = [
  {
    id: CANARY_TEST('test_create_update_stages/create-deployment-1'),
    setup: canaryTestApi(),
    call: call('CreateDeployment', (w) => ({ restApiId: w.ids.api })),
  },
  {
    id: CANARY_TEST('test_create_update_stages/create-stage'),
    setup: twoDeployments(),
    call: call('CreateStage', stageWithCanaryInput),
  },
  {
    id: CANARY_TEST('test_create_update_stages/get-stage'),
    setup: [...twoDeployments(), stageWithCanary()],
    call: call('GetStage', (w) => ({ restApiId: w.ids.api, stageName: STAGE })),
  },
  {
    id: CANARY_TEST('test_create_update_stages/get-stage-after-remove'),
    setup: [
      ...twoDeployments(),
      stageWithCanary(),
      updateStage(STAGE, [{ op: 'replace', path: '/canarySettings/stageVariableOverrides/testVar', value: 'updated' }]),
      updateStage(STAGE, [{ op: 'remove', path: '/canarySettings' }]),
    ],
    call: call('GetStage', (w) => ({ restApiId: w.ids.api, stageName: STAGE })),
  },
  {
    id: CANARY_TEST('test_create_canary_deployment_with_stage/get-stage'),
    setup: [
      ...canaryTestApi(),
      deployment(),
      createStage(STAGE, 'deployment', { description: 'dev stage', variables: { testVar: 'default' } }),
      step('CreateDeployment', (w) => ({ restApiId: w.ids.api, stageName: STAGE, canarySettings: CANARY_OVERRIDES })),
    ],
    call: call('GetStage', (w) => ({ restApiId: w.ids.api, stageName: STAGE })),
  },
];

// ---------------------------------------------------------------------------------------------
// TestDeployments

const DEPLOYMENTS_TEST = (key: string): string => `TestDeployments::${key}`;

/** An API with GET / on a MOCK integration without templates, as these tests build it. */
const bareMockApi = (): Step[] => [restApi(), method('root', 'GET'), mockIntegration('root', 'GET', { requestTemplates: undefined })];
const firstDeploymentOnS1 = (): Step[] => [...bareMockApi(), deployment(), createStage('s1', 'deployment')];

const DEPLOYMENT_SCENARIOS: Entry[] = [
  {
    id: DEPLOYMENTS_TEST('test_create_delete_deployments[True]/get-deployment'),
    setup: firstDeploymentOnS1(),
    call: call('GetDeployment', (w) => ({ restApiId: w.ids.api, deploymentId: w.ids.deployment })),
  },
  {
    id: DEPLOYMENTS_TEST('test_create_delete_deployments[False]/get-deployment'),
    setup: [...bareMockApi(), deployment('s1')],
    call: call('GetDeployment', (w) => ({ restApiId: w.ids.api, deploymentId: w.ids.deployment })),
  },
  {
    id: DEPLOYMENTS_TEST('test_create_update_deployments/get-deployment-1'),
    setup: firstDeploymentOnS1(),
    call: call('GetDeployment', (w) => ({ restApiId: w.ids.api, deploymentId: w.ids.deployment })),
  },
  {
    // The stage has moved on to a second deployment, so the first one can go.
    id: DEPLOYMENTS_TEST('test_create_update_deployments/delete-deployment-1'),
    setup: [...firstDeploymentOnS1(), deployment('s1', 'deployment2')],
    call: call('DeleteDeployment', (w) => ({ restApiId: w.ids.api, deploymentId: w.ids.deployment })),
  },
];

export const STAGE_SHAPE_SCENARIOS: Entry[] = [...STAGE_SCENARIOS, ...CANARY_SCENARIOS, ...DEPLOYMENT_SCENARIOS];
