/**
 * The recorded API key cases of gateway-responses/data_plane_error_responses.json (`api-key/…`):
 * the setup they describe built on a conformance Env's Portico (the API from OpenAPI, the key,
 * usage plan and usage plan key through the real SDK), then their requests replayed in order,
 * each after the management call the recording made before it.
 */
import assert from 'node:assert/strict';
import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand, UpdateApiKeyCommand } from '@aws-sdk/client-api-gateway';
import type { DeployedApi } from '../../src/portico.js';
import type { ClientRequest, Env, Json, Reply } from './support.js';

const STAGE = 'dev';
const PATH = '/test';
const KEY_PLACEHOLDER = '<key value>';

/** An API whose one method requires an API key, as the case's setup describes it. */
function keyedMockApi(title: string, setup: Json): object {
  assert.equal(setup.method.integration, 'MOCK', 'only MOCK methods are described');
  assert.equal(setup.method.apiKeyRequired, true);
  return {
    openapi: '3.0.1',
    info: { title, version: '1' },
    'x-amazon-apigateway-api-key-source': setup.rest_api.apiKeySource,
    components: { securitySchemes: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } } },
    paths: {
      [PATH]: {
        get: {
          security: [{ api_key: [] }],
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: { default: { statusCode: '200' } },
          },
        },
      },
    },
  };
}

/** Replays an `api-key/…` case and answers the replies in order. */
export async function replayApiKeyCase(env: Env, c: Json): Promise<{ deployed: DeployedApi; replies: Reply[] }> {
  assert.equal(c.setup.usage_plan, 'with stage', 'only a usage plan covering the stage is described');
  assert.equal(c.setup.api_key, 'attached via usage plan key', 'only keys attached through a usage plan key are described');
  const deployed = await env.deploy(c.id, STAGE, () => keyedMockApi(c.id, c.setup));
  const sdk = new APIGatewayClient({
    endpoint: env.portico.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    const key = await sdk.send(new CreateApiKeyCommand({ name: `${c.id}-key`, enabled: true }));
    const plan = await sdk.send(new CreateUsagePlanCommand({ name: `${c.id}-plan`, apiStages: [{ apiId: deployed.api.id, stage: STAGE }] }));
    await sdk.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
    const replies: Reply[] = [];
    for (const input of c.input as Json[]) {
      if (input.after !== undefined) {
        assert.equal(input.after, 'update_api_key enabled=false', `no runner for the step "${input.after}"`);
        await sdk.send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
      }
      const recorded = input.client_request as ClientRequest;
      const headers = Object.fromEntries(
        Object.entries(recorded.headers ?? {}).map(([name, value]) => [name, value === KEY_PLACEHOLDER ? key.value! : value]),
      );
      replies.push(await env.invoke(deployed, { ...recorded, path: `/${STAGE}${PATH}`, headers }));
    }
    return { deployed, replies };
  } finally {
    sdk.destroy();
  }
}
