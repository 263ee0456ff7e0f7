/**
 * API key enforcement on the data plane, driven as a user drives it: a REST API, API keys, usage
 * plans and usage plan keys made with the real AWS SDK against a real Portico, then real HTTP
 * requests to the deployed stages. Keys, plans and memberships change at run time and take
 * effect without a redeployment; what a request was admitted with shows in `$context` and in
 * the Lambda proxy event.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateApiKeyCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Portico } from '../../src/portico.js';
import { startManagement, type ManagementHarness } from '../management/harness.js';
import { lambdaUri, rawRequest, tempDir, type RawResponse } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';

/** A MOCK response that shows what `$context` knows of the key. */
const KEY_TEMPLATE = '{"apiKey":"$context.identity.apiKey","apiKeyId":"$context.identity.apiKeyId"}';

interface Api {
  id: string;
  /** resource path (without the leading slash) → resource id */
  resources: Record<string, string>;
}

describe('API keys on the data plane', () => {
  let h: ManagementHarness;
  let lambda: LambdaClient;

  before(async () => {
    h = await startManagement();
    lambda = new LambdaClient({ endpoint: h.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  after(async () => {
    lambda?.destroy();
    await h?.close();
  });

  const call = (api: string, stage: string, path: string, key?: string): Promise<RawResponse> =>
    rawRequest(h.portico.port, { path: `/_aws/execute-api/${api}/${stage}/${path}`, headers: key === undefined ? {} : { 'x-api-key': key } });

  /** A MOCK GET answering KEY_TEMPLATE on each path; `keyed` paths require an API key. */
  async function mockApi(name: string, paths: { path: string; keyed: boolean }[], apiKeySource?: 'HEADER' | 'AUTHORIZER'): Promise<Api> {
    const api = await h.v1.send(new CreateRestApiCommand({ name, ...(apiKeySource ? { apiKeySource } : {}) }));
    const resources: Record<string, string> = {};
    for (const { path, keyed } of paths) {
      const resource = await h.v1.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: path }));
      resources[path] = resource.id!;
      const at = { restApiId: api.id, resourceId: resource.id, httpMethod: 'GET' };
      await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE', apiKeyRequired: keyed }));
      await h.v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
      await h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await h.v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': KEY_TEMPLATE } }));
    }
    return { id: api.id!, resources };
  }

  async function deploy(api: string, ...stages: string[]): Promise<void> {
    for (const stageName of stages) await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName }));
  }

  async function newKey(name: string, enabled = true): Promise<{ id: string; value: string }> {
    const key = await h.v1.send(new CreateApiKeyCommand({ name, enabled }));
    return { id: key.id!, value: key.value! };
  }

  async function newPlan(name: string, stages: { apiId: string; stage: string }[], keyIds: string[]): Promise<string> {
    const plan = await h.v1.send(new CreateUsagePlanCommand({ name, apiStages: stages }));
    for (const keyId of keyIds) await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId, keyType: 'API_KEY' }));
    return plan.id!;
  }

  const assertForbidden = (res: RawResponse, why: string): void => {
    assert.equal(res.status, 403, `${why}: ${res.text}`);
    assert.deepEqual(res.json(), { message: 'Forbidden' }, why);
    assert.equal(res.headers['x-amzn-errortype'], 'ForbiddenException', why);
  };

  it('refuses a missing or unknown key with 403 Forbidden and admits a key of a plan for the stage', async () => {
    const api = await mockApi('keys-basic', [
      { path: 'keyed', keyed: true },
      { path: 'open', keyed: false },
    ]);
    await deploy(api.id, 'dev');
    const key = await newKey('basic');
    await newPlan('basic', [{ apiId: api.id, stage: 'dev' }], [key.id]);

    assertForbidden(await call(api.id, 'dev', 'keyed'), 'no x-api-key');
    assertForbidden(await call(api.id, 'dev', 'keyed', 'x'.repeat(40)), 'a value no key has');
    assertForbidden(await call(api.id, 'dev', 'keyed', key.id), 'the key id instead of its value');
    assertForbidden(await call(api.id, 'dev', 'keyed', ''), 'an empty x-api-key');

    const ok = await call(api.id, 'dev', 'keyed', key.value);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json(), { apiKey: key.value, apiKeyId: key.id });

    // A method without apiKeyRequired takes no key and shows none, even when one is sent.
    const open = await call(api.id, 'dev', 'open');
    assert.equal(open.status, 200);
    assert.deepEqual(open.json(), { apiKey: '', apiKeyId: '' });
    assert.deepEqual((await call(api.id, 'dev', 'open', key.value)).json(), { apiKey: '', apiKeyId: '' });
  });

  it('follows a key being disabled, enabled and deleted, without a redeployment', async () => {
    const api = await mockApi('keys-lifecycle', [{ path: 'keyed', keyed: true }]);
    await deploy(api.id, 'dev');
    const key = await newKey('lifecycle');
    await newPlan('lifecycle', [{ apiId: api.id, stage: 'dev' }], [key.id]);
    assert.equal((await call(api.id, 'dev', 'keyed', key.value)).status, 200);

    await h.v1.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'a disabled key');

    await h.v1.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] }));
    assert.equal((await call(api.id, 'dev', 'keyed', key.value)).status, 200, 'enabled again');

    await h.v1.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'a deleted key');
  });

  it('refuses a key created disabled until it is enabled', async () => {
    const api = await mockApi('keys-created-disabled', [{ path: 'keyed', keyed: true }]);
    await deploy(api.id, 'dev');
    const key = await newKey('created-disabled', false);
    await newPlan('created-disabled', [{ apiId: api.id, stage: 'dev' }], [key.id]);
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'created disabled');
    await h.v1.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] }));
    assert.equal((await call(api.id, 'dev', 'keyed', key.value)).status, 200);
  });

  it('admits a key only on the stages its plans cover, as the plans change', async () => {
    const api = await mockApi('keys-stages', [{ path: 'keyed', keyed: true }]);
    await deploy(api.id, 'dev', 'prod');
    const key = await newKey('stages');
    const plan = await newPlan('stages', [{ apiId: api.id, stage: 'dev' }], [key.id]);
    assert.equal((await call(api.id, 'dev', 'keyed', key.value)).status, 200);
    assertForbidden(await call(api.id, 'prod', 'keyed', key.value), 'a stage the plan does not cover');

    await h.v1.send(new UpdateUsagePlanCommand({ usagePlanId: plan, patchOperations: [{ op: 'add', path: '/apiStages', value: `${api.id}:prod` }] }));
    assert.equal((await call(api.id, 'prod', 'keyed', key.value)).status, 200, 'the stage added to the plan');

    await h.v1.send(new UpdateUsagePlanCommand({ usagePlanId: plan, patchOperations: [{ op: 'remove', path: '/apiStages', value: `${api.id}:dev` }] }));
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'the stage removed from the plan');
    assert.equal((await call(api.id, 'prod', 'keyed', key.value)).status, 200);

    await h.v1.send(new DeleteUsagePlanCommand({ usagePlanId: plan }));
    assertForbidden(await call(api.id, 'prod', 'keyed', key.value), 'the plan deleted');
  });

  it('refuses a key whose plan covers another API', async () => {
    const api = await mockApi('keys-api-a', [{ path: 'keyed', keyed: true }]);
    const other = await mockApi('keys-api-b', [{ path: 'keyed', keyed: true }]);
    await deploy(api.id, 'dev');
    await deploy(other.id, 'dev');
    const key = await newKey('other-api');
    await newPlan('other-api', [{ apiId: other.id, stage: 'dev' }], [key.id]);
    assert.equal((await call(other.id, 'dev', 'keyed', key.value)).status, 200);
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'a plan for another API');
  });

  it('admits a key from the moment it joins a plan, and not after it leaves', async () => {
    const api = await mockApi('keys-membership', [{ path: 'keyed', keyed: true }]);
    await deploy(api.id, 'dev');
    const plan = await newPlan('membership', [{ apiId: api.id, stage: 'dev' }], []);
    const key = await newKey('membership');
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'a key in no plan');

    await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan, keyId: key.id, keyType: 'API_KEY' }));
    const ok = await call(api.id, 'dev', 'keyed', key.value);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json(), { apiKey: key.value, apiKeyId: key.id });

    await h.v1.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan, keyId: key.id }));
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'a key removed from the plan');
  });

  it('does not honour stageKeys without a usage plan', async () => {
    const api = await mockApi('keys-stage-keys', [{ path: 'keyed', keyed: true }]);
    await deploy(api.id, 'dev');
    const key = await h.v1.send(new CreateApiKeyCommand({ name: 'stage-keys', enabled: true, stageKeys: [{ restApiId: api.id, stageName: 'dev' }] }));
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'a key tied by stageKeys only');
  });

  it('takes the key from the authorizer when apiKeySource is AUTHORIZER, so a header alone is refused', async () => {
    const api = await mockApi('keys-authorizer-source', [{ path: 'keyed', keyed: true }], 'AUTHORIZER');
    await deploy(api.id, 'dev');
    const key = await newKey('authorizer-source');
    await newPlan('authorizer-source', [{ apiId: api.id, stage: 'dev' }], [key.id]);
    // authorizationType NONE: no authorizer runs, so no usageIdentifierKey exists.
    assertForbidden(await call(api.id, 'dev', 'keyed', key.value), 'x-api-key with apiKeySource AUTHORIZER');
    assertForbidden(await call(api.id, 'dev', 'keyed'), 'no key at all');
  });

  it('renders a refused key through the API\'s INVALID_API_KEY gateway response', async () => {
    const api = await mockApi('keys-gateway-response', [{ path: 'keyed', keyed: true }]);
    await h.v1.send(
      new PutGatewayResponseCommand({
        restApiId: api.id,
        responseType: 'INVALID_API_KEY',
        statusCode: '401',
        responseParameters: { 'gatewayresponse.header.x-why': "'no-key'" },
        responseTemplates: { 'application/json': '{"error":"$context.error.responseType","path":"$context.resourcePath","key":"$context.identity.apiKey"}' },
      }),
    );
    await deploy(api.id, 'dev');
    const res = await call(api.id, 'dev', 'keyed', 'not-a-key-not-a-key-not-a-key');
    assert.equal(res.status, 401);
    assert.equal(res.headers['x-why'], 'no-key');
    assert.equal(res.headers['x-amzn-errortype'], 'ForbiddenException');
    assert.deepEqual(res.json(), { error: 'INVALID_API_KEY', path: '/keyed', key: '' });
  });

  it('hands the key to a Lambda proxy function in requestContext.identity', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'keys-echo',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/lambda-role',
        Handler: 'index.handler',
        Code: { ZipFile: await handlerZip(`export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext) });`) },
      }),
    );
    const created = await h.v1.send(new CreateRestApiCommand({ name: 'keys-proxy' }));
    const api = created.id!;
    for (const [path, keyed] of [
      ['keyed', true],
      ['open', false],
    ] as const) {
      const resource = await h.v1.send(new CreateResourceCommand({ restApiId: api, parentId: created.rootResourceId, pathPart: path }));
      const at = { restApiId: api, resourceId: resource.id, httpMethod: 'GET' };
      await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE', apiKeyRequired: keyed }));
      await h.v1.send(new PutIntegrationCommand({ ...at, type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('keys-echo') }));
    }
    await deploy(api, 'dev');
    const key = await newKey('proxy');
    await newPlan('proxy', [{ apiId: api, stage: 'dev' }], [key.id]);

    assertForbidden(await call(api, 'dev', 'keyed'), 'no key before the function');
    const keyed = await call(api, 'dev', 'keyed', key.value);
    assert.equal(keyed.status, 200, keyed.text);
    const context = keyed.json();
    assert.equal(context.identity.apiKey, key.value);
    assert.equal(context.identity.apiKeyId, key.id);
    assert.equal(context.authorizer, undefined, 'no authorizer ran');

    const open = (await call(api, 'dev', 'open', key.value)).json();
    assert.equal('apiKey' in open.identity, false);
    assert.equal('apiKeyId' in open.identity, false);
  });
});

describe('API keys across a restart', () => {
  it('admits a key stored before the process started', async () => {
    const dir = await tempDir('portico-keys-');
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    try {
      let apiId: string;
      let value: string;
      {
        const portico = await Portico.start({ port: 0, dataDir: dir.path });
        const v1 = new APIGatewayClient({ endpoint: portico.url, region: 'us-east-1', credentials, maxAttempts: 1 });
        try {
          const api = await v1.send(new CreateRestApiCommand({ name: 'keys-restart' }));
          apiId = api.id!;
          const at = { restApiId: apiId, resourceId: api.rootResourceId, httpMethod: 'GET' };
          await v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE', apiKeyRequired: true }));
          await v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
          await v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': KEY_TEMPLATE } }));
          await v1.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }));
          const key = await v1.send(new CreateApiKeyCommand({ name: 'restart', enabled: true }));
          value = key.value!;
          const plan = await v1.send(new CreateUsagePlanCommand({ name: 'restart', apiStages: [{ apiId, stage: 'dev' }] }));
          await v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
        } finally {
          v1.destroy();
          await portico.close();
        }
      }
      const portico = await Portico.start({ port: 0, dataDir: dir.path });
      try {
        const path = `/_aws/execute-api/${apiId}/dev/`;
        assert.equal((await rawRequest(portico.port, { path })).status, 403);
        const ok = await rawRequest(portico.port, { path, headers: { 'x-api-key': value } });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json().apiKey, value);
      } finally {
        await portico.close();
      }
    } finally {
      await dir.remove();
    }
  });
});
