/**
 * Canary releases of REST API stages through the real AWS SDK and a running Portico: creating a
 * canary by deployment, by CreateStage and by UpdateStage, adjusting and promoting it, removing
 * it, AWS's refusals (which change nothing), and the data plane splitting a stage's requests
 * between its deployment and its canary. The recorded AWS invocation of
 * test_apigateway_canary.py (test/conformance/fixtures/canary/) is replayed end to end.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationResponseCommand,
  UpdateStageCommand,
  type PatchOperation,
  type Stage,
} from '@aws-sdk/client-api-gateway';
import { rawRequest } from '../helpers.js';
import { fixture, pythonJsonDumps, type Json } from '../conformance/support.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

/** Members of an SDK answer, without the SDK's own metadata. */
const keysOf = (out: object): string[] => Object.keys(out).filter((k) => k !== '$metadata').sort();

/** A MOCK answer that tells which deployment served it and with which variables. */
const answer = (message: string): object => ({
  message,
  variable: '$stageVariables.testVar',
  onlyCanary: '$stageVariables.newVar',
  isCanary: '$context.isCanaryRequest',
  deploymentId: '$context.deploymentId',
});

describe('apigateway canary releases', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  /** A REST API with GET / on MOCK answering `template`, as test_apigateway_canary.py builds it. */
  async function newApi(template: object): Promise<{ id: string; root: string }> {
    const api = await h.v1.send(new CreateRestApiCommand({ name: `canary-${Date.now()}` }));
    const base = { restApiId: api.id!, resourceId: api.rootResourceId!, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...base, authorizationType: 'NONE' }));
    await h.v1.send(new PutMethodResponseCommand({ ...base, statusCode: '200' }));
    await h.v1.send(new PutIntegrationCommand({ ...base, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(
      new PutIntegrationResponseCommand({ ...base, statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': pythonJsonDumps(template) } }),
    );
    return { id: api.id!, root: api.rootResourceId! };
  }

  const setTemplate = (api: { id: string; root: string }, template: object) =>
    h.v1.send(
      new UpdateIntegrationResponseCommand({
        restApiId: api.id,
        resourceId: api.root,
        httpMethod: 'GET',
        statusCode: '200',
        patchOperations: [{ op: 'replace', path: '/responseTemplates/application~1json', value: pythonJsonDumps(template) }],
      }),
    );

  const getStage = (restApiId: string, stageName: string) => h.v1.send(new GetStageCommand({ restApiId, stageName }));
  const patch = (restApiId: string, stageName: string, patchOperations: PatchOperation[]) =>
    h.v1.send(new UpdateStageCommand({ restApiId, stageName, patchOperations }));
  /** One request to the stage once every management change so far is live. */
  const invoke = async (restApiId: string, stageName: string): Promise<Json> => {
    await h.portico.registry.settled();
    const res = await rawRequest(h.portico.port, { path: `/_aws/execute-api/${restApiId}/${stageName}/` });
    assert.equal(res.status, 200, res.text);
    return res.json();
  };

  /** A stage `prod` on a base deployment, with a canary deployment that answers differently. */
  async function canaryStage(percentTraffic: number): Promise<{ id: string; base: string; canary: string }> {
    const api = await newApi(answer('base'));
    const base = await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', variables: { testVar: 'default' } }));
    await setTemplate(api, answer('canary'));
    const canary = await h.v1.send(
      new CreateDeploymentCommand({
        restApiId: api.id,
        stageName: 'prod',
        canarySettings: { percentTraffic, stageVariableOverrides: { testVar: 'canary', newVar: 'added' } },
      }),
    );
    return { id: api.id, base: base.id!, canary: canary.id! };
  }

  describe('management', () => {
    it('makes a canary deployment the canary of its stage, leaving the stage on its deployment', async () => {
      const { id, base, canary } = await canaryStage(10.5);
      const stage = await getStage(id, 'prod');
      assert.equal(stage.deploymentId, base);
      assert.deepEqual(stage.variables, { testVar: 'default' });
      assert.deepEqual(stage.canarySettings, {
        deploymentId: canary,
        percentTraffic: 10.5,
        stageVariableOverrides: { testVar: 'canary', newVar: 'added' },
        useStageCache: false,
      });

      // A second canary deployment replaces the canary, not the stage's deployment.
      const next = await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod', canarySettings: { useStageCache: true } }));
      const moved = await getStage(id, 'prod');
      assert.equal(moved.deploymentId, base);
      assert.deepEqual(moved.canarySettings, { deploymentId: next.id, percentTraffic: 0, useStageCache: true });
    });

    it('adjusts a canary with UpdateStage: traffic, stage cache, and one override at a time', async () => {
      const { id, canary } = await canaryStage(10);
      const updated = await patch(id, 'prod', [
        { op: 'replace', path: '/canarySettings/percentTraffic', value: '25.5' },
        { op: 'replace', path: '/canarySettings/useStageCache', value: 'true' },
        { op: 'replace', path: '/canarySettings/stageVariableOverrides/other', value: 'x' },
        { op: 'remove', path: '/canarySettings/stageVariableOverrides/testVar' },
      ]);
      assert.deepEqual(updated.canarySettings, {
        deploymentId: canary,
        percentTraffic: 25.5,
        stageVariableOverrides: { newVar: 'added', other: 'x' },
        useStageCache: true,
      });
      assert.deepEqual((await getStage(id, 'prod')).canarySettings, updated.canarySettings);
    });

    it('promotes a canary with copy operations and removes it with remove /canarySettings', async () => {
      const { id, canary } = await canaryStage(50);
      const promoted = await patch(id, 'prod', [
        { op: 'replace', path: '/canarySettings/percentTraffic', value: '0.0' },
        { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
        { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
      ]);
      assert.equal(promoted.deploymentId, canary);
      assert.deepEqual(promoted.variables, { testVar: 'canary', newVar: 'added' });
      assert.equal(promoted.canarySettings?.percentTraffic, 0, 'a promoted canary stays, at 0%');
      assert.equal((await invoke(id, 'prod')).message, 'canary', 'the stage now serves what was the canary');

      const removed = await patch(id, 'prod', [{ op: 'remove', path: '/canarySettings' }]);
      assert.equal(removed.canarySettings, undefined);
      assert.ok(!keysOf(await getStage(id, 'prod')).includes('canarySettings'));
    });

    it('creates a canary from UpdateStage or CreateStage, on the stage deployment unless one is named', async () => {
      const api = await newApi(answer('base'));
      const first = await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'dev' }));
      const second = await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id }));

      const byPercent = await patch(api.id, 'dev', [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '50' }]);
      assert.deepEqual(byPercent.canarySettings, { deploymentId: first.id, percentTraffic: 50, useStageCache: false });

      const staged = await h.v1.send(
        new CreateStageCommand({ restApiId: api.id, stageName: 'beta', deploymentId: first.id, canarySettings: { percentTraffic: 40 } }),
      );
      assert.deepEqual(staged.canarySettings, { deploymentId: first.id, percentTraffic: 40, useStageCache: false });
      const named = await h.v1.send(
        new CreateStageCommand({ restApiId: api.id, stageName: 'gamma', deploymentId: first.id, canarySettings: { deploymentId: second.id } }),
      );
      assert.deepEqual(named.canarySettings, { deploymentId: second.id, percentTraffic: 0, useStageCache: false });
    });

    it('refuses bad canary input and deleting a canary deployment, changing nothing', async () => {
      const { id, canary } = await canaryStage(10);
      const before: Stage = await getStage(id, 'prod');
      const stored = await h.portico.store.getStage(id, 'prod');
      const deployments = (await h.portico.store.listDeployments(id)).length;

      await rejectsWith(
        h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod', canarySettings: { percentTraffic: 101 } })),
        'BadRequestException',
      );
      await rejectsWith(
        h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod', canarySettings: { stageVariableOverrides: { 'bad name': 'x' } } })),
        'BadRequestException',
      );
      assert.equal((await h.portico.store.listDeployments(id)).length, deployments, 'a refused canary deployment is not stored');

      for (const ops of [
        [{ op: 'replace', path: '/canarySettings/percentTraffic', value: 'lots' }],
        [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '-1' }],
        [{ op: 'replace', path: '/canarySettings/useStageCache', value: 'maybe' }],
        [{ op: 'replace', path: '/canarySettings/stageVariableOverrides', value: 'x' }],
      ] as PatchOperation[][]) {
        // A valid op first: the failure must undo it too.
        await rejectsWith(patch(id, 'prod', [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '90' }, ...ops]), 'BadRequestException');
      }
      await rejectsWith(
        patch(id, 'prod', [{ op: 'replace', path: '/canarySettings/deploymentId', value: 'nope00' }]),
        'BadRequestException',
        'Deployment id does not exist',
      );
      await rejectsWith(
        patch(id, 'prod', [{ op: 'remove', path: '/canarySettings/percentTraffic' }]),
        'BadRequestException',
        'Invalid remove operation with path: /canarySettings/percentTraffic',
      );
      await rejectsWith(
        h.v1.send(new DeleteDeploymentCommand({ restApiId: id, deploymentId: canary })),
        'BadRequestException',
        'Active stages pointing to this deployment must be moved or deleted',
      );
      assert.deepEqual(await h.portico.store.getStage(id, 'prod'), stored);
      assert.deepEqual((await getStage(id, 'prod')).canarySettings, before.canarySettings);
    });
  });

  describe('data plane', () => {
    it('sends about percentTraffic percent of requests to the canary, with its variables and $context', async () => {
      const { id, base, canary } = await canaryStage(50);
      const counts = { base: 0, canary: 0 };
      for (let i = 0; i < 400; i++) {
        const body = await invoke(id, 'prod');
        if (body.message === 'canary') {
          counts.canary++;
          assert.deepEqual(body, { message: 'canary', variable: 'canary', onlyCanary: 'added', isCanary: 'true', deploymentId: canary });
        } else {
          counts.base++;
          assert.deepEqual(body, { message: 'base', variable: 'default', onlyCanary: '', isCanary: 'false', deploymentId: base });
        }
      }
      // Binomial(400, 0.5): the standard deviation is 10 requests, so this bound is 8 of them.
      assert.ok(counts.canary >= 120 && counts.canary <= 280, `canary share out of bounds: ${JSON.stringify(counts)}`);
    });

    it('routes nothing to a 0% canary and everything to a 100% canary', async () => {
      const { id } = await canaryStage(0);
      for (let i = 0; i < 50; i++) assert.equal((await invoke(id, 'prod')).message, 'base');
      await patch(id, 'prod', [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '100.0' }]);
      for (let i = 0; i < 50; i++) assert.equal((await invoke(id, 'prod')).message, 'canary');
      await patch(id, 'prod', [{ op: 'remove', path: '/canarySettings' }]);
      for (let i = 0; i < 20; i++) assert.equal((await invoke(id, 'prod')).message, 'base');
    });

    it('replays the recorded AWS invocation of a canary deployment', async () => {
      const recorded = fixture('canary/invoking_canary_deployment.json').entries[0];
      assert.equal(recorded.source.provenance.startsWith('aws-recorded'), true);
      const expected = recorded.recorded;
      const template = (message: string) => ({
        statusCode: 200,
        message,
        variable: '$stageVariables.testVar',
        nonExistingDefault: '$stageVariables.noStageVar',
        nonOverridden: '$stageVariables.defaultVar',
        isCanary: '$context.isCanaryRequest',
      });
      const api = await newApi(template('default deployment'));
      const first = await h.v1.send(
        new CreateDeploymentCommand({ restApiId: api.id, stageName: 'dev', variables: { testVar: 'default', defaultVar: 'default' } }),
      );
      assert.deepEqual(keysOf(first), Object.keys(expected['create-deployment-1']).filter((k) => k !== 'ResponseMetadata').sort());
      await setTemplate(api, template('canary deployment'));
      const second = await h.v1.send(
        new CreateDeploymentCommand({
          restApiId: api.id,
          stageName: 'dev',
          canarySettings: { percentTraffic: 0, stageVariableOverrides: { testVar: 'canary', noStageVar: 'canary' } },
        }),
      );
      assert.equal(second.$metadata.httpStatusCode, expected['create-deployment-2'].ResponseMetadata.HTTPStatusCode);

      assert.deepEqual(await invoke(api.id, 'dev'), expected['response-deployment-1']);

      const updated = await patch(api.id, 'dev', [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '100.0' }]);
      const { ResponseMetadata, createdDate, lastUpdatedDate, ...recordedStage } = expected['update-stage'];
      assert.equal(updated.$metadata.httpStatusCode, ResponseMetadata.HTTPStatusCode);
      assert.equal(createdDate, 'datetime');
      assert.equal(lastUpdatedDate, 'datetime');
      assert.ok(updated.createdDate instanceof Date && updated.lastUpdatedDate instanceof Date);
      const { $metadata, createdDate: _c, lastUpdatedDate: _l, ...stage } = updated;
      // The recording names the deployments by placeholder: the stage's is the first, the canary's the second.
      assert.deepEqual(stage, {
        ...recordedStage,
        deploymentId: first.id,
        canarySettings: { ...recordedStage.canarySettings, deploymentId: second.id },
      });

      assert.deepEqual(await invoke(api.id, 'dev'), expected['response-canary-deployment']);
    });
  });
});
