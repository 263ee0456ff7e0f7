/**
 * Deployments, stages, models, request validators, gateway responses and authorizers through
 * the real AWS SDK: AWS's response shapes, its recorded error messages, that a refused call
 * changes nothing, and that a stage serves its deployment's snapshot until it is redeployed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateStageCommand,
  DeleteAuthorizerCommand,
  DeleteDeploymentCommand,
  DeleteGatewayResponseCommand,
  DeleteModelCommand,
  DeleteRequestValidatorCommand,
  DeleteStageCommand,
  FlushStageCacheCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetModelCommand,
  GetModelsCommand,
  GetRequestValidatorCommand,
  GetRequestValidatorsCommand,
  GetStageCommand,
  GetStagesCommand,
  PutGatewayResponseCommand,
  UpdateAuthorizerCommand,
  UpdateDeploymentCommand,
  UpdateGatewayResponseCommand,
  UpdateModelCommand,
  UpdateRequestValidatorCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { importRestApi } from '../../src/control/rest-apis.js';
import type { RestApiDocument } from '../../src/model/rest-api.js';
import { rawRequest } from '../helpers.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const mock = (body: string) => ({
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200', responseTemplates: { 'application/json': body } } },
  },
});

const openApi = (body = '{"pets": ["rex"]}') => ({
  openapi: '3.0.1',
  info: { title: 'Pets', version: '1' },
  paths: { '/pets': { get: mock(body) } },
});

/** Members of an SDK answer, without the SDK's own metadata. */
const keysOf = (out: object): string[] => Object.keys(out).filter((k) => k !== '$metadata').sort();

describe('apigateway deployments, stages and API sub-resources', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  const newApi = async (body?: string): Promise<string> => (await importRestApi(h.portico.store, openApi(body))).id;
  const stored = async (id: string): Promise<RestApiDocument> => (await h.portico.store.getApi(id))!.document;
  const editDocument = (id: string, edit: (doc: RestApiDocument) => void) =>
    h.portico.store.transaction(async (tx) => {
      const api = (await tx.getApi(id))!;
      const doc = structuredClone(api.document);
      edit(doc);
      await tx.putApi({ ...api, document: doc });
    });
  const invoke = (id: string, stage: string) => rawRequest(h.portico.port, { path: `/_aws/execute-api/${id}/${stage}/pets` });
  const patch = (restApiId: string, stageName: string, patchOperations: PatchOperation[]) =>
    h.v1.send(new UpdateStageCommand({ restApiId, stageName, patchOperations }));

  describe('deployments', () => {
    it('creates a deployment and its stage; the stage serves the snapshot until the next deployment', async () => {
      const id = await newApi();
      const created = await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', stageDescription: 'dev stage', variables: { v: 'one' } }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(created), ['createdDate', 'id']);
      assert.match(created.id!, /^[a-z0-9]{6}$/);

      const stage = await h.v1.send(new GetStageCommand({ restApiId: id, stageName: 'dev' }));
      assert.deepEqual(keysOf(stage), [
        'cacheClusterEnabled',
        'cacheClusterStatus',
        'createdDate',
        'deploymentId',
        'description',
        'lastUpdatedDate',
        'methodSettings',
        'stageName',
        'tracingEnabled',
        'variables',
      ]);
      assert.equal(stage.deploymentId, created.id);
      assert.equal(stage.description, 'dev stage');
      assert.equal(stage.cacheClusterStatus, 'NOT_AVAILABLE');
      assert.deepEqual(stage.methodSettings, {});
      assert.deepEqual(stage.variables, { v: 'one' });

      const first = await invoke(id, 'dev');
      assert.equal(first.status, 200);
      assert.deepEqual(first.json(), { pets: ['rex'] });

      await editDocument(id, (doc) => {
        const pets = Object.values(doc.resources).find((r) => r.path === '/pets')!;
        pets.resourceMethods.GET!.methodIntegration!.integrationResponses['200']!.responseTemplates['application/json'] = '{"pets": ["fido"]}';
      });
      assert.deepEqual((await invoke(id, 'dev')).json(), { pets: ['rex'] }, 'an edit does not reach the deployed stage');

      const second = await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', description: 'second', stageDescription: 'ignored' }));
      assert.equal(second.description, 'second');
      assert.deepEqual((await invoke(id, 'dev')).json(), { pets: ['fido'] });
      const moved = await h.v1.send(new GetStageCommand({ restApiId: id, stageName: 'dev' }));
      assert.equal(moved.deploymentId, second.id);
      assert.equal(moved.description, 'dev stage', 'redeploying keeps the stage description');
    });

    it('refuses an API without methods or with a method without integration, storing nothing', async () => {
      const id = await newApi();
      await editDocument(id, (doc) => {
        for (const r of Object.values(doc.resources)) r.resourceMethods = {};
      });
      await rejectsWith(h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev' })), 'BadRequestException', "The REST API doesn't contain any methods");

      const other = await newApi();
      await editDocument(other, (doc) => {
        const pets = Object.values(doc.resources).find((r) => r.path === '/pets')!;
        delete pets.resourceMethods.GET!.methodIntegration;
      });
      await rejectsWith(h.v1.send(new CreateDeploymentCommand({ restApiId: other, stageName: 'dev' })), 'BadRequestException', 'No integration defined for method');
      assert.deepEqual(await h.portico.store.listDeployments(other), []);
      assert.deepEqual(await h.portico.store.listStages(other), []);
      await rejectsWith(
        h.v1.send(new CreateDeploymentCommand({ restApiId: 'abcdefghij' })),
        'NotFoundException',
        'Invalid API identifier specified 000000000000:abcdefghij',
      );
    });

    it("answers AWS's canary validation and bad variables without creating anything", async () => {
      const id = await newApi();
      const canarySettings = { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } };
      await rejectsWith(
        h.v1.send(new CreateDeploymentCommand({ restApiId: id, canarySettings })),
        'BadRequestException',
        'Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null',
      );
      await rejectsWith(
        h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'non-existing', canarySettings })),
        'BadRequestException',
        'Invalid deployment content specified.Stage non-existing must already be created before making a canary release deployment',
      );
      await rejectsWith(h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', variables: { 'bad name': 'x' } })), 'BadRequestException');
      await rejectsWith(h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'no spaces' })), 'BadRequestException');
      assert.deepEqual(await h.portico.store.listDeployments(id), []);
    });

    it('gets, lists, updates and deletes deployments; one a stage points at cannot be deleted', async () => {
      const id = await newApi();
      const d1 = await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod', description: 'first' }));
      const d2 = await h.v1.send(new CreateDeploymentCommand({ restApiId: id }));
      const got = await h.v1.send(new GetDeploymentCommand({ restApiId: id, deploymentId: d1.id }));
      assert.deepEqual(keysOf(got), ['createdDate', 'description', 'id']);
      const summary = await h.v1.send(new GetDeploymentCommand({ restApiId: id, deploymentId: d1.id, embed: ['apisummary'] }));
      assert.deepEqual(summary.apiSummary, { '/pets': { GET: { authorizationType: 'NONE', apiKeyRequired: false } } });
      const list = await h.v1.send(new GetDeploymentsCommand({ restApiId: id }));
      assert.deepEqual(list.items!.map((d) => d.id).sort(), [d1.id, d2.id].sort());
      const page = await h.v1.send(new GetDeploymentsCommand({ restApiId: id, limit: 1 }));
      assert.equal(page.items!.length, 1);
      assert.ok(page.position);

      const updated = await h.v1.send(
        new UpdateDeploymentCommand({ restApiId: id, deploymentId: d1.id, patchOperations: [{ op: 'replace', path: '/description', value: 'renamed' }] }),
      );
      assert.equal(updated.description, 'renamed');
      assert.equal(updated.id, d1.id);
      await rejectsWith(
        h.v1.send(new UpdateDeploymentCommand({ restApiId: id, deploymentId: d1.id, patchOperations: [{ op: 'replace', path: '/id', value: 'x' }] })),
        'BadRequestException',
        "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description]",
      );
      assert.equal((await invoke(id, 'prod')).status, 200, 'the stage still serves after its deployment was updated');

      await rejectsWith(
        h.v1.send(new DeleteDeploymentCommand({ restApiId: id, deploymentId: d1.id })),
        'BadRequestException',
        'Active stages pointing to this deployment must be moved or deleted',
      );
      assert.ok(await h.portico.store.getDeployment(id, d1.id!));
      const deleted = await h.v1.send(new DeleteDeploymentCommand({ restApiId: id, deploymentId: d2.id }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetDeploymentCommand({ restApiId: id, deploymentId: d2.id })), 'NotFoundException', 'Invalid Deployment identifier specified');
    });
  });

  describe('stages', () => {
    it('creates stages on existing deployments only, once per name, and lists them', async () => {
      const id = await newApi();
      const d1 = await h.v1.send(new CreateDeploymentCommand({ restApiId: id }));
      const d2 = await h.v1.send(new CreateDeploymentCommand({ restApiId: id }));
      const created = await h.v1.send(
        new CreateStageCommand({ restApiId: id, stageName: 'stage1', deploymentId: d1.id, description: 'dev stage', tags: { team: 'a' } }),
      );
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(created), [
        'cacheClusterEnabled',
        'cacheClusterStatus',
        'createdDate',
        'deploymentId',
        'description',
        'lastUpdatedDate',
        'methodSettings',
        'stageName',
        'tags',
        'tracingEnabled',
      ]);
      await h.v1.send(new CreateStageCommand({ restApiId: id, stageName: 'stage2', deploymentId: d2.id }));
      await rejectsWith(h.v1.send(new CreateStageCommand({ restApiId: id, stageName: 'stage1', deploymentId: d2.id })), 'ConflictException', 'Stage already exists');
      await rejectsWith(h.v1.send(new CreateStageCommand({ restApiId: id, stageName: 'stage3', deploymentId: 'nope00' })), 'BadRequestException', 'Deployment id does not exist');
      await rejectsWith(
        h.v1.send(new CreateStageCommand({ restApiId: id, stageName: 'dev3', deploymentId: d1.id, canarySettings: { deploymentId: 'deploy' } })),
        'BadRequestException',
        'Deployment id does not exist',
      );

      const all = await h.v1.send(new GetStagesCommand({ restApiId: id }));
      assert.deepEqual(all.item!.map((s) => s.stageName), ['stage1', 'stage2']);
      const one = await h.v1.send(new GetStagesCommand({ restApiId: id, deploymentId: d2.id }));
      assert.deepEqual(one.item!.map((s) => s.stageName), ['stage2']);
      assert.equal((await invoke(id, 'stage2')).status, 200);

      const deleted = await h.v1.send(new DeleteStageCommand({ restApiId: id, stageName: 'stage2' }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetStageCommand({ restApiId: id, stageName: 'stage2' })), 'NotFoundException', 'Invalid stage identifier specified');
      await rejectsWith(h.v1.send(new DeleteStageCommand({ restApiId: id, stageName: 'stage2' })), 'NotFoundException', 'Invalid stage identifier specified');
      assert.equal((await invoke(id, 'stage2')).status !== 200, true, 'a deleted stage no longer serves');
      assert.equal((await h.v1.send(new FlushStageCacheCommand({ restApiId: id, stageName: 'stage1' }))).$metadata.httpStatusCode, 202);
    });

    it('patches description, deployment, variables, cache, tracing and access logs', async () => {
      const id = await newApi();
      const d1 = await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', variables: { keep: 'k', drop: 'd' } }));
      const d2 = await h.v1.send(new CreateDeploymentCommand({ restApiId: id }));
      const updated = await patch(id, 'dev', [
        { op: 'replace', path: '/description', value: 'patched' },
        { op: 'replace', path: '/deploymentId', value: d2.id },
        { op: 'add', path: '/variables/added', value: 'a' },
        { op: 'remove', path: '/variables/drop' },
        { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
        { op: 'replace', path: '/tracingEnabled', value: 'true' },
        { op: 'add', path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:000000000000:log-group:g' },
        { op: 'replace', path: '/accessLogSettings/format', value: '$context.requestId' },
      ]);
      assert.equal(updated.description, 'patched');
      assert.equal(updated.deploymentId, d2.id);
      assert.notEqual(updated.deploymentId, d1.id);
      assert.deepEqual(updated.variables, { keep: 'k', added: 'a' });
      assert.equal(updated.cacheClusterEnabled, true);
      assert.equal(updated.cacheClusterSize, '0.5');
      assert.equal(updated.cacheClusterStatus, 'AVAILABLE');
      assert.equal(updated.tracingEnabled, true);
      assert.deepEqual(updated.accessLogSettings, { destinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:g', format: '$context.requestId' });
      const removed = await patch(id, 'dev', [{ op: 'remove', path: '/accessLogSettings' }]);
      assert.equal(removed.accessLogSettings, undefined);
    });

    it('patches method settings for the whole stage and for one method', async () => {
      const id = await newApi();
      await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev' }));
      const updated = await patch(id, 'dev', [
        { op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' },
        { op: 'replace', path: '/*/*/metrics/enabled', value: 'true' },
        { op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '60' },
        { op: 'replace', path: '/~1pets/GET/throttling/rateLimit', value: '12.5' },
        { op: 'replace', path: '/~1pets/GET/throttling/burstLimit', value: '20' },
        { op: 'replace', path: '/~1pets/GET/logging/dataTrace', value: 'true' },
        { op: 'replace', path: '/~1pets/GET/caching/enabled', value: 'true' },
        { op: 'replace', path: '/~1pets/GET/caching/dataEncrypted', value: 'true' },
        { op: 'replace', path: '/~1pets/GET/caching/requireAuthorizationForCacheControl', value: 'false' },
        { op: 'replace', path: '/~1pets/GET/caching/unauthorizedCacheControlHeaderStrategy', value: 'FAIL_WITH_403' },
      ]);
      const defaults = {
        metricsEnabled: false,
        loggingLevel: 'OFF',
        dataTraceEnabled: false,
        throttlingBurstLimit: 5000,
        throttlingRateLimit: 10000,
        cachingEnabled: false,
        cacheTtlInSeconds: 300,
        cacheDataEncrypted: false,
        requireAuthorizationForCacheControl: true,
        unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
      };
      assert.deepEqual(updated.methodSettings, {
        '*/*': { ...defaults, loggingLevel: 'INFO', metricsEnabled: true, cacheTtlInSeconds: 60 },
        '~1pets/GET': {
          ...defaults,
          throttlingRateLimit: 12.5,
          throttlingBurstLimit: 20,
          dataTraceEnabled: true,
          cachingEnabled: true,
          cacheDataEncrypted: true,
          requireAuthorizationForCacheControl: false,
          unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403',
        },
      });
      const removed = await patch(id, 'dev', [{ op: 'remove', path: '/~1pets/GET' }]);
      assert.deepEqual(Object.keys(removed.methodSettings!), ['*/*']);
      await rejectsWith(
        patch(id, 'dev', [{ op: 'remove', path: '/~1pets/GET' }]),
        'BadRequestException',
        'Cannot remove method setting ~1pets/GET because there is no method setting for this method ',
      );
      await rejectsWith(patch(id, 'dev', [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'LOUD' }]), 'BadRequestException');
      await rejectsWith(patch(id, 'dev', [{ op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '3601' }]), 'BadRequestException');
    });

    it("answers AWS's recorded UpdateStage errors and changes nothing when one op fails", async () => {
      const id = await newApi();
      await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev', stageDescription: 'dev stage' }));
      const before = await h.portico.store.getStage(id, 'dev');
      const invalidPath = (path: string) =>
        `Invalid method setting path: ${path}. Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]`;
      const accessLogPath = 'Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]';
      const cases: [PatchOperation, string][] = [
        [{ op: 'add', path: '/accessLogSettings/randomValue', value: 'updated' }, accessLogPath],
        [{ op: 'replace', path: '/accessLogSettings/randomValue', value: 'updated' }, accessLogPath],
        [{ op: 'remove', path: '/accessLogSettings/randomValue', value: 'updated' }, 'Cannot remove method setting accessLogSettings/randomValue because there is no method setting for this method '],
        [{ op: 'add', path: '/accessLogSettings/*', value: 'updated' }, accessLogPath],
        [{ op: 'remove', path: '/accessLogSettings/*', value: 'updated' }, 'Cannot remove method setting accessLogSettings/* because there is no method setting for this method '],
        [{ op: 'replace', path: '/accessLogSettings', value: 'test' }, accessLogPath],
        [{ op: 'replace', path: '/accessLogSettings/format', value: '' }, 'Access Log value must not be empty'],
        [{ op: 'replace', path: '/accessLogSettings/destinationArn', value: '' }, 'Access Log value must not be empty'],
        [{ op: 'remove', path: '/accessLogSettings/destinationArn' }, 'Cannot remove method setting accessLogSettings/destinationArn because there is no method setting for this method '],
        [{ op: 'remove', path: '/canarySettings/stageVariableOverrides' }, 'Cannot remove method setting canarySettings/stageVariableOverrides because there is no method setting for this method '],
        [{ op: 'replace', path: '/canarySettings', value: 'test' }, invalidPath('/canarySettings')],
        [{ op: 'replace', path: '/canarySettings/badPath', value: 'badPath' }, invalidPath('/canarySettings/badPath')],
        [{ op: 'add', path: '/canarySettings/deploymentId', value: 'x' }, 'Invalid add operation with path: /canarySettings/deploymentId'],
        [{ op: 'replace', path: '/documentation_version', value: '123' }, invalidPath('/documentation_version')],
        [{ op: 'replace', path: '/tags/tag1', value: 'value1' }, invalidPath('/tags/tag1')],
        [{ op: 'copy', path: '/variables', from: '/canarySettings/stageVariableOverrides' }, 'Promotion not available. Canary does not exist.'],
        [
          { op: 'copy', path: '/canarySettings/stageVariableOverrides', from: '/variables' },
          'Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]',
        ],
      ];
      for (const [op, message] of cases) {
        // A valid op first: the failure must undo it too.
        await rejectsWith(patch(id, 'dev', [{ op: 'replace', path: '/description', value: 'changed' }, op]), 'BadRequestException', message);
      }
      await rejectsWith(patch(id, 'dev', [{ op: 'replace', path: '/deploymentId', value: 'nope00' }]), 'BadRequestException', 'Deployment id does not exist');
      await rejectsWith(
        patch(id, 'dev', [{ op: 'wrong-op' as 'add', path: '/description', value: 'x' }]),
        'ValidationException',
        "1 validation error detected: Value 'wrong-op' at 'updateStageInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
      );
      assert.deepEqual(await h.portico.store.getStage(id, 'dev'), before);
      await rejectsWith(patch(id, 'missing', []), 'NotFoundException', 'Invalid stage identifier specified');
    });
  });

  describe('models and request validators', () => {
    const schema = JSON.stringify({ title: 'MySchema', type: 'object' });

    it("creates, reads, updates and deletes models with AWS's errors", async () => {
      const id = await newApi();
      const created = await h.v1.send(new CreateModelCommand({ restApiId: id, name: 'MySchema', contentType: 'application/json', description: '', schema }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(created), ['contentType', 'id', 'name', 'schema']);
      assert.equal(created.schema, schema);
      await rejectsWith(
        h.v1.send(new CreateModelCommand({ restApiId: id, name: 'MySchema', contentType: 'application/json', schema })),
        'ConflictException',
        'Model name already exists for this REST API',
      );
      await rejectsWith(h.v1.send(new CreateModelCommand({ restApiId: id, name: '', contentType: 'application/json', schema })), 'BadRequestException', 'Model name must be non-empty');
      const empty = 'Model schema must have at least 1 property or array items defined';
      await rejectsWith(h.v1.send(new CreateModelCommand({ restApiId: id, name: 'E1', contentType: 'application/json', schema: '' })), 'BadRequestException', empty);
      await rejectsWith(h.v1.send(new CreateModelCommand({ restApiId: id, name: 'E2', contentType: 'application/xml' })), 'BadRequestException', empty);
      await rejectsWith(h.v1.send(new CreateModelCommand({ restApiId: id, name: 'E3', contentType: 'application/json', schema: '{nope' })), 'BadRequestException');
      await rejectsWith(h.v1.send(new CreateModelCommand({ restApiId: id, name: 'Not-Alnum', contentType: 'application/json', schema })), 'BadRequestException');
      await rejectsWith(
        h.v1.send(new CreateModelCommand({ restApiId: 'abcde00000', name: 'MySchema', contentType: 'application/json', schema })),
        'NotFoundException',
        'Invalid API identifier specified 000000000000:abcde00000',
      );
      assert.deepEqual(Object.keys((await stored(id)).models), ['MySchema']);

      await h.v1.send(new CreateModelCommand({ restApiId: id, name: 'Another', contentType: 'application/json', schema, description: 'second' }));
      const list = await h.v1.send(new GetModelsCommand({ restApiId: id }));
      assert.deepEqual(list.items!.map((m) => m.name), ['Another', 'MySchema']);
      assert.equal((await h.v1.send(new GetModelCommand({ restApiId: id, modelName: 'Another' }))).description, 'second');
      await rejectsWith(h.v1.send(new GetModelCommand({ restApiId: 'abcde00000', modelName: 'MySchema' })), 'NotFoundException', 'Invalid model name specified: MySchema');
      await rejectsWith(h.v1.send(new GetModelCommand({ restApiId: id, modelName: 'Missing' })), 'NotFoundException', 'Invalid model name specified: Missing');

      const newSchema = JSON.stringify({ title: 'Updated schema', type: 'object' });
      const updated = await h.v1.send(
        new UpdateModelCommand({ restApiId: id, modelName: 'MySchema', patchOperations: [{ op: 'replace', path: '/schema', value: newSchema }] }),
      );
      assert.equal(updated.schema, newSchema);
      const update = (op: PatchOperation) => h.v1.send(new UpdateModelCommand({ restApiId: id, modelName: 'MySchema', patchOperations: [op] }));
      await rejectsWith(update({ op: 'add', path: '/wrong-path', value: 'x' }), 'BadRequestException', "Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations");
      await rejectsWith(update({ op: 'replace', path: '/name', value: 'x' }), 'BadRequestException', "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]");
      await rejectsWith(update({ op: 'replace', path: '/schema', value: '' }), 'BadRequestException', empty);
      assert.equal((await stored(id)).models.MySchema!.schema, newSchema);

      await editDocument(id, (doc) => {
        doc.resources[doc.rootResourceId]!.resourceMethods.ANY = {
          httpMethod: 'ANY',
          authorizationType: 'NONE',
          apiKeyRequired: false,
          requestParameters: {},
          requestModels: { 'application/json': 'MySchema' },
          methodResponses: {},
        };
      });
      await rejectsWith(
        h.v1.send(new DeleteModelCommand({ restApiId: id, modelName: 'MySchema' })),
        'ConflictException',
        "Cannot delete model 'MySchema', is referenced in method request: //ANY",
      );
      const deleted = await h.v1.send(new DeleteModelCommand({ restApiId: id, modelName: 'Another' }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new DeleteModelCommand({ restApiId: id, modelName: 'Another' })), 'NotFoundException', 'Invalid model name specified: Another');
    });

    it("creates, reads, updates and deletes request validators with AWS's errors", async () => {
      const id = await newApi();
      const created = await h.v1.send(new CreateRequestValidatorCommand({ restApiId: id, name: 'test-validator' }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(created), ['id', 'name', 'validateRequestBody', 'validateRequestParameters']);
      assert.equal(created.validateRequestBody, false);
      await rejectsWith(
        h.v1.send(new CreateRequestValidatorCommand({ restApiId: 'api_id', name: 'x', validateRequestBody: true })),
        'BadRequestException',
        'Invalid REST API identifier specified',
      );
      assert.deepEqual((await h.v1.send(new GetRequestValidatorsCommand({ restApiId: id }))).items!.map((v) => v.id), [created.id]);
      await rejectsWith(h.v1.send(new GetRequestValidatorsCommand({ restApiId: 'api_id' })), 'NotFoundException', 'Invalid API identifier specified 000000000000:api_id');
      const notFoundMessage = 'Invalid Request Validator identifier specified';
      await rejectsWith(h.v1.send(new GetRequestValidatorCommand({ restApiId: 'api_id', requestValidatorId: created.id })), 'NotFoundException', notFoundMessage);
      await rejectsWith(h.v1.send(new GetRequestValidatorCommand({ restApiId: id, requestValidatorId: 'validator_id' })), 'NotFoundException', notFoundMessage);

      const update = (...patchOperations: PatchOperation[]) =>
        h.v1.send(new UpdateRequestValidatorCommand({ restApiId: id, requestValidatorId: created.id, patchOperations }));
      const updated = await update({ op: 'replace', path: '/validateRequestBody', value: 'true' }, { op: 'replace', path: '/name', value: 'renamed' });
      assert.equal(updated.validateRequestBody, true);
      assert.equal(updated.name, 'renamed');
      const good: PatchOperation = { op: 'replace', path: '/validateRequestParameters', value: 'true' };
      await rejectsWith(update(good, { op: 'add', path: '/validateRequestBody', value: 'true' }), 'BadRequestException', "Invalid patch path  '/validateRequestBody' specified for op 'add'. Please choose supported operations");
      await rejectsWith(update(good, { op: 'remove', path: '/validateRequestBody' }), 'BadRequestException', "Invalid patch path  '/validateRequestBody' specified for op 'remove'. Please choose supported operations");
      await rejectsWith(
        update(good, { op: 'replace', path: '/invalidPath', value: 'x' }),
        'BadRequestException',
        "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]",
      );
      await rejectsWith(update(good, { op: 'replace', path: '/name', value: '' }), 'BadRequestException', 'Request Validator name cannot be blank');
      const after = await h.v1.send(new GetRequestValidatorCommand({ restApiId: id, requestValidatorId: created.id }));
      assert.equal(after.validateRequestParameters, false, 'failed updates changed nothing');

      const deleted = await h.v1.send(new DeleteRequestValidatorCommand({ restApiId: id, requestValidatorId: created.id }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new DeleteRequestValidatorCommand({ restApiId: id, requestValidatorId: created.id })), 'NotFoundException', notFoundMessage);
    });
  });

  describe('gateway responses', () => {
    const typeEnum =
      '[REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN]';
    const defaultTemplates = { 'application/json': '{"message":$context.error.messageString}' };

    it('answers defaults, stores customisations and deletes them', async () => {
      const id = await newApi();
      const got = await h.v1.send(new GetGatewayResponseCommand({ restApiId: id, responseType: 'MISSING_AUTHENTICATION_TOKEN' }));
      assert.deepEqual(
        { ...got, $metadata: undefined },
        { $metadata: undefined, defaultResponse: true, responseParameters: {}, responseTemplates: defaultTemplates, responseType: 'MISSING_AUTHENTICATION_TOKEN', statusCode: '403' },
      );
      const all = await h.v1.send(new GetGatewayResponsesCommand({ restApiId: id }));
      assert.equal(all.items!.length, 21);
      assert.equal(all.items![0]!.responseType, 'ACCESS_DENIED');
      assert.equal(all.items!.find((r) => r.responseType === 'DEFAULT_4XX')!.statusCode, undefined);

      const put = await h.v1.send(
        new PutGatewayResponseCommand({
          restApiId: id,
          responseType: 'MISSING_AUTHENTICATION_TOKEN',
          statusCode: '404',
          responseParameters: { 'gatewayresponse.header.x-request-path': 'method.request.path.petId' },
          responseTemplates: { 'application/json': '{"type": "$context.error.responseType"}' },
        }),
      );
      assert.equal(put.$metadata.httpStatusCode, 201);
      assert.equal(put.defaultResponse, false);
      assert.equal(put.statusCode, '404');
      assert.equal((await h.v1.send(new GetGatewayResponseCommand({ restApiId: id, responseType: 'MISSING_AUTHENTICATION_TOKEN' }))).defaultResponse, false);
      const deleted = await h.v1.send(new DeleteGatewayResponseCommand({ restApiId: id, responseType: 'MISSING_AUTHENTICATION_TOKEN' }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new DeleteGatewayResponseCommand({ restApiId: id, responseType: 'DEFAULT_4XX' })), 'NotFoundException', 'Gateway response type not defined on api');
      await rejectsWith(
        h.v1.send(new GetGatewayResponseCommand({ restApiId: id, responseType: 'FAKE_RESPONSE_TYPE' as 'DEFAULT_4XX' })),
        'ValidationException',
        `1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: ${typeEnum}`,
      );
      await rejectsWith(h.v1.send(new GetGatewayResponsesCommand({ restApiId: 'fake-api-id' })), 'NotFoundException', 'Invalid API identifier specified 000000000000:fake-api-id');
    });

    it("updates from the default and answers AWS's recorded update errors", async () => {
      const id = await newApi();
      const update = (responseType: 'DEFAULT_4XX' | 'DEFAULT_5XX', patchOperations: PatchOperation[]) =>
        h.v1.send(new UpdateGatewayResponseCommand({ restApiId: id, responseType, patchOperations }));
      const updated = await update('DEFAULT_4XX', [{ op: 'replace', path: '/statusCode', value: '444' }]);
      assert.deepEqual(
        { ...updated, $metadata: undefined },
        { $metadata: undefined, defaultResponse: false, responseParameters: {}, responseTemplates: defaultTemplates, responseType: 'DEFAULT_4XX', statusCode: '444' },
      );
      await rejectsWith(update('DEFAULT_4XX', [{ op: 'add', path: '/statusCode', value: '444' }]), 'BadRequestException', 'Invalid patch path /statusCode');
      await rejectsWith(update('DEFAULT_4XX', [{ op: 'remove', path: '/statusCode' }]), 'BadRequestException', 'Invalid patch path /statusCode');
      await rejectsWith(update('DEFAULT_4XX', [{ op: 'add', path: '/wrongPath', value: "'example.com'" }]), 'BadRequestException', 'Invalid patch path /wrongPath');
      await rejectsWith(update('DEFAULT_4XX', [{ op: 'add', value: "'example.com'" } as PatchOperation]), 'BadRequestException', 'Invalid patch path null');
      await rejectsWith(
        update('DEFAULT_5XX', [{ op: 'replace', path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin', value: "'example.com'" }]),
        'NotFoundException',
        'Invalid parameter name specified',
      );
      await rejectsWith(
        update('DEFAULT_4XX', [{ op: 'replace', path: '/responseTemplates/application~1json' }]),
        'BadRequestException',
        'Invalid null or empty value in responseTemplates',
      );
      await rejectsWith(
        update('DEFAULT_4XX', [{ op: 'wrong-op' as 'add', path: '/statusCode', value: "'example.com'" }]),
        'ValidationException',
        "1 validation error detected: Value 'wrong-op' at 'updateGatewayResponseInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
      );
      assert.equal((await stored(id)).gatewayResponses.DEFAULT_5XX, undefined, 'a refused update stores nothing');
      const withHeader = await update('DEFAULT_5XX', [{ op: 'add', path: '/responseParameters/gatewayresponse.header.x-a', value: "'b'" }]);
      assert.deepEqual(withHeader.responseParameters, { 'gatewayresponse.header.x-a': "'b'" });
    });
  });

  describe('authorizers', () => {
    const uri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations';

    it("creates, reads, updates and deletes authorizers with AWS's errors", async () => {
      const id = await newApi();
      await rejectsWith(
        h.v1.send(
          new CreateAuthorizerCommand({ restApiId: 'test-fake-rest-id', name: 'fake-auth-name', type: 'TOKEN', authorizerUri: uri, identitySource: 'method.request.header.Authorization' }),
        ),
        'ConflictException',
        'Unable to complete operation due to concurrent modification. Please try again later.',
      );
      const created = await h.v1.send(
        new CreateAuthorizerCommand({ restApiId: id, name: 'lambda_authorizer', type: 'TOKEN', authorizerUri: uri, identitySource: 'method.request.header.Auth' }),
      );
      assert.equal(created.$metadata.httpStatusCode, 201);
      // AWS names the kind of a Lambda authorizer created without one 'custom' (recorded).
      assert.deepEqual(keysOf(created), ['authType', 'authorizerUri', 'id', 'identitySource', 'name', 'type']);
      assert.equal(created.authType, 'custom');
      await rejectsWith(h.v1.send(new CreateAuthorizerCommand({ restApiId: id, name: 'no-uri', type: 'TOKEN', identitySource: 'method.request.header.A' })), 'BadRequestException');
      await rejectsWith(h.v1.send(new CreateAuthorizerCommand({ restApiId: id, name: 'bad-type', type: 'MAGIC' as 'TOKEN', authorizerUri: uri })), 'BadRequestException');
      assert.equal(Object.keys((await stored(id)).authorizers).length, 1);
      await rejectsWith(h.v1.send(new GetAuthorizersCommand({ restApiId: 'test-fake-rest-id' })), 'NotFoundException', 'Invalid API identifier specified 000000000000:test-fake-rest-id');

      const updated = await h.v1.send(
        new UpdateAuthorizerCommand({
          restApiId: id,
          authorizerId: created.id,
          patchOperations: [
            { op: 'replace', path: '/authorizerResultTtlInSeconds', value: '60' },
            { op: 'replace', path: '/identityValidationExpression', value: '^x-[a-z]+' },
          ],
        }),
      );
      assert.equal(updated.authorizerResultTtlInSeconds, 60);
      assert.equal(updated.identityValidationExpression, '^x-[a-z]+');
      await rejectsWith(
        h.v1.send(new UpdateAuthorizerCommand({ restApiId: id, authorizerId: created.id, patchOperations: [{ op: 'replace', path: '/authorizerResultTtlInSeconds', value: '3601' }] })),
        'BadRequestException',
      );
      const got = await h.v1.send(new GetAuthorizerCommand({ restApiId: id, authorizerId: created.id }));
      assert.equal(got.authorizerResultTtlInSeconds, 60);
      assert.equal((await h.v1.send(new GetAuthorizersCommand({ restApiId: id }))).items!.length, 1);

      await editDocument(id, (doc) => {
        const pets = Object.values(doc.resources).find((r) => r.path === '/pets')!;
        pets.resourceMethods.GET!.authorizationType = 'CUSTOM';
        pets.resourceMethods.GET!.authorizerId = created.id!;
      });
      await rejectsWith(h.v1.send(new DeleteAuthorizerCommand({ restApiId: id, authorizerId: created.id })), 'ConflictException');
      await editDocument(id, (doc) => {
        const pets = Object.values(doc.resources).find((r) => r.path === '/pets')!;
        pets.resourceMethods.GET!.authorizationType = 'NONE';
        delete pets.resourceMethods.GET!.authorizerId;
      });
      const deleted = await h.v1.send(new DeleteAuthorizerCommand({ restApiId: id, authorizerId: created.id }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetAuthorizerCommand({ restApiId: id, authorizerId: created.id })), 'NotFoundException');
    });
  });
});
