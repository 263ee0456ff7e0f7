/**
 * The management API end to end, as a user drives it: build a REST API from nothing with the
 * real SDK client (resource, method, MOCK integration, responses), deploy it, invoke it on the
 * data plane, change the method by patch, see that the deployed stage does not change until the
 * next deployment, redeploy and invoke again.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteRestApiCommand,
  GetRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { rawRequest } from '../helpers.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

describe('a REST API built, deployed and changed through the management API', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  it('serves what was deployed, and changes only on the next deployment', async () => {
    const api = await h.v1.send(new CreateRestApiCommand({ name: 'built-by-hand', description: 'from nothing' }));
    assert.ok(api.id && api.rootResourceId);
    const pets = await h.v1.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'pets' }));
    assert.equal(pets.path, '/pets');
    await h.v1.send(new PutMethodCommand({ restApiId: api.id, resourceId: pets.id, httpMethod: 'GET', authorizationType: 'NONE' }));
    await h.v1.send(new PutMethodResponseCommand({ restApiId: api.id, resourceId: pets.id, httpMethod: 'GET', statusCode: '200' }));
    await h.v1.send(
      new PutIntegrationCommand({
        restApiId: api.id,
        resourceId: pets.id,
        httpMethod: 'GET',
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
      }),
    );
    await h.v1.send(
      new PutIntegrationResponseCommand({
        restApiId: api.id,
        resourceId: pets.id,
        httpMethod: 'GET',
        statusCode: '200',
        responseTemplates: { 'application/json': '{"pets": ["rex"], "stage": "$context.stage"}' },
      }),
    );
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'dev' }));

    const invoke = () => rawRequest(h.portico.port, { path: `/_aws/execute-api/${api.id}/dev/pets` });
    const first = await invoke();
    assert.equal(first.status, 200);
    assert.deepEqual(first.json(), { pets: ['rex'], stage: 'dev' });

    // Edit the API: the stage keeps serving its deployment's snapshot.
    await h.v1.send(
      new UpdateIntegrationResponseCommand({
        restApiId: api.id,
        resourceId: pets.id,
        httpMethod: 'GET',
        statusCode: '200',
        patchOperations: [{ op: 'replace', path: '/responseTemplates/application~1json', value: '{"pets": ["rex", "fido"]}' }],
      }),
    );
    await h.v1.send(
      new UpdateMethodCommand({
        restApiId: api.id,
        resourceId: pets.id,
        httpMethod: 'GET',
        patchOperations: [{ op: 'replace', path: '/operationName', value: 'ListPets' }],
      }),
    );
    assert.deepEqual((await invoke()).json(), { pets: ['rex'], stage: 'dev' });

    await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'dev', description: 'second' }));
    const after = await invoke();
    assert.equal(after.status, 200);
    assert.deepEqual(after.json(), { pets: ['rex', 'fido'] });

    await h.v1.send(new DeleteRestApiCommand({ restApiId: api.id }));
    await rejectsWith(h.v1.send(new GetRestApiCommand({ restApiId: api.id })), 'NotFoundException');
    // Its stages went with it: the invoke URL no longer names an API.
    assert.equal((await invoke()).status, 404);
  });
});
