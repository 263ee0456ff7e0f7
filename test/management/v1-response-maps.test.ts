/**
 * How apigateway (v1) shows the maps of method and integration responses, and the defaults of an
 * integration, through the real AWS SDK: a map sent as `{}` comes back as `{}` (on its own and
 * embedded in GetMethod), a map never sent or emptied by a patch is left out, only HTTP
 * integrations report a connection type nobody chose, and the authorization type is taken in
 * any case.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRestApiCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { startManagement, type ManagementHarness } from './harness.js';

describe('apigateway v1 response maps and integration defaults', () => {
  let h: ManagementHarness;
  let restApiId = '';
  let root = '';
  before(async () => {
    h = await startManagement();
    const api = await h.v1.send(new CreateRestApiCommand({ name: 'response-maps' }));
    restApiId = api.id!;
    root = api.rootResourceId!;
    await h.v1.send(new PutMethodCommand({ restApiId, resourceId: root, httpMethod: 'GET', authorizationType: 'none' }));
  });
  after(() => h.close());

  it('stores a lower-case authorization type as AWS names it', async () => {
    const method = await h.v1.send(new GetMethodCommand({ restApiId, resourceId: root, httpMethod: 'GET' }));
    assert.equal(method.authorizationType, 'NONE');
  });

  it('keeps method response maps sent empty, and drops them once a patch empties them', async () => {
    const key = { restApiId, resourceId: root, httpMethod: 'GET', statusCode: '200' };
    const put = await h.v1.send(new PutMethodResponseCommand({ ...key, responseParameters: {}, responseModels: {} }));
    assert.deepEqual(put.responseParameters, {});
    assert.deepEqual(put.responseModels, {});
    const got = await h.v1.send(new GetMethodResponseCommand(key));
    assert.deepEqual(got.responseParameters, {});

    const header = '/responseParameters/method.response.header.x-id';
    await h.v1.send(new UpdateMethodResponseCommand({ ...key, patchOperations: [{ op: 'add', path: header, value: 'false' }] }));
    const emptied = await h.v1.send(new UpdateMethodResponseCommand({ ...key, patchOperations: [{ op: 'remove', path: header }] }));
    assert.equal(emptied.responseParameters, undefined);
    // The models map was never patched: still shown as sent.
    assert.deepEqual(emptied.responseModels, {});

    const bare = await h.v1.send(new PutMethodResponseCommand({ ...key, statusCode: '400' }));
    assert.equal(bare.responseParameters, undefined);
    assert.equal(bare.responseModels, undefined);
  });

  it('keeps integration response templates sent empty, also inside GetMethod', async () => {
    await h.v1.send(
      new PutIntegrationCommand({ restApiId, resourceId: root, httpMethod: 'GET', type: 'HTTP', integrationHttpMethod: 'POST', uri: 'https://example.com/post' }),
    );
    const key = { restApiId, resourceId: root, httpMethod: 'GET', statusCode: '200' };
    await h.v1.send(new PutIntegrationResponseCommand({ ...key, selectionPattern: '2\\d{2}', responseTemplates: {} }));
    const got = await h.v1.send(new GetIntegrationResponseCommand(key));
    assert.deepEqual(got.responseTemplates, {});
    assert.equal(got.responseParameters, undefined);
    const method = await h.v1.send(new GetMethodCommand({ restApiId, resourceId: root, httpMethod: 'GET' }));
    assert.deepEqual(method.methodIntegration?.integrationResponses?.['200']?.responseTemplates, {});
    assert.deepEqual(method.methodResponses?.['200']?.responseModels, {});

    const path = '/responseTemplates/application~1json';
    await h.v1.send(new UpdateIntegrationResponseCommand({ ...key, patchOperations: [{ op: 'add', path, value: '{}' }] }));
    const emptied = await h.v1.send(new UpdateIntegrationResponseCommand({ ...key, patchOperations: [{ op: 'remove', path }] }));
    assert.equal(emptied.responseTemplates, undefined);
  });

  it('reports INTERNET only for HTTP integrations put without a connection type', async () => {
    const http = await h.v1.send(new GetMethodCommand({ restApiId, resourceId: root, httpMethod: 'GET' }));
    assert.equal(http.methodIntegration?.connectionType, 'INTERNET');
    await h.v1.send(new PutMethodCommand({ restApiId, resourceId: root, httpMethod: 'POST', authorizationType: 'NONE' }));
    const aws = await h.v1.send(
      new PutIntegrationCommand({
        restApiId,
        resourceId: root,
        httpMethod: 'POST',
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:s3:path/bucket/key',
        credentials: 'arn:aws:iam::111111111111:role/s3-access',
      }),
    );
    assert.equal(aws.connectionType, undefined);
    const mock = await h.v1.send(new PutIntegrationCommand({ restApiId, resourceId: root, httpMethod: 'POST', type: 'MOCK' }));
    assert.equal(mock.connectionType, undefined);
  });
});
