/** A restart serves exactly what was served before: APIs, stages, deployments and functions. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Portico } from '../../src/portico.js';
import { lambdaUri, rawRequest, tempDir, writeHandler } from '../helpers.js';

describe('restart', () => {
  it('keeps every API, stage and function across a restart', async () => {
    const dir = await tempDir();
    const codeDirectory = await writeHandler(dir.path, 'hello', `export const handler = async () => ({ statusCode: 200, body: 'hello' });`);
    const doc = {
      swagger: '2.0',
      info: { title: 'restart', version: '1' },
      paths: {
        '/hello': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('hello') } } },
        '/mock': {
          get: {
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"v":1}' } } },
            },
          },
        },
      },
    };
    let apiId: string;
    let deploymentId: string;
    {
      const portico = await Portico.start({ dataDir: dir.path, port: 0 });
      await portico.putFunction({ functionName: 'hello', runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory, timeout: 3, memorySize: 128, environment: {} });
      const deployed = await portico.deployOpenApi(doc, { stageName: 'prod', stageVariables: { a: 'b' } });
      apiId = deployed.api.id;
      deploymentId = deployed.deployment.id;
      assert.equal((await rawRequest(portico.port, { path: `/_aws/execute-api/${apiId}/prod/hello` })).text, 'hello');
      await portico.close();
    }
    {
      const portico = await Portico.start({ dataDir: dir.path, port: 0 });
      try {
        const hello = await rawRequest(portico.port, { path: `/_aws/execute-api/${apiId}/prod/hello` });
        assert.equal(hello.status, 200);
        assert.equal(hello.text, 'hello');
        assert.deepEqual((await rawRequest(portico.port, { path: `/_aws/execute-api/${apiId}/prod/mock` })).json(), { v: 1 });
        const stage = await portico.store.getStage(apiId, 'prod');
        assert.equal(stage?.deploymentId, deploymentId);
        assert.deepEqual(stage?.variables, { a: 'b' });
      } finally {
        await portico.close();
      }
    }
    await dir.remove();
  });

  it('leaves the stored state untouched when an import is invalid', async () => {
    const dir = await tempDir();
    const portico = await Portico.start({ dataDir: dir.path, port: 0 });
    try {
      const good = {
        openapi: '3.0.1',
        info: { title: 'kept', version: '1' },
        paths: { '/m': { get: { 'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } } } } },
      };
      const { api } = await portico.deployOpenApi(good, { sourceKey: 'same' });
      const bad = structuredClone(good) as any;
      bad.paths['/m'].get['x-amazon-apigateway-integration'].type = 'NOPE';
      bad.info.title = 'changed';
      await assert.rejects(portico.deployOpenApi(bad, { sourceKey: 'same' }), /integration type|type/i);
      const stored = await portico.store.getApi(api.id);
      assert.equal(stored?.document.restApi.name, 'kept');
      assert.equal((await portico.store.listApis()).length, 1);
      assert.equal((await rawRequest(portico.port, { path: `/_aws/execute-api/${api.id}/dev/m` })).status, 200);
    } finally {
      await portico.close();
      await dir.remove();
    }
  });
});
