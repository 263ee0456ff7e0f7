/**
 * The Store contract as tests: every Store implementation (embedded SQLite, later PostgreSQL)
 * runs this same suite, so callers can rely on identical behaviour whichever store is configured.
 * It talks to the Store interface only.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ApiRecord, Deployment, Stage } from '../../src/model/api.js';
import type { FunctionDefinition } from '../../src/model/function.js';
import type { RestApiDocument } from '../../src/model/rest-api.js';
import { StoreConflictError, StoreNotFoundError } from '../../src/store/store.js';
import type { Store, StoreChange, StoreWriter } from '../../src/store/store.js';

/** What a suite run needs from an implementation, per test. */
export interface StoreHarness {
  /** A fresh, empty store. */
  store: Store;
  /**
   * Opens the same data again, after the suite has closed every store it was given. Omit for
   * stores that keep nothing across `close()` (e.g. in-memory).
   */
  reopen?: () => Promise<Store>;
  /** Removes whatever the store left behind; called after the suite has closed its stores. */
  cleanup: () => Promise<void>;
}

/** A REST API document shaped like a real import: the Petstore example and its trimmings. */
export function makeRestApiDocument(apiId: string, name = 'PetStore'): RestApiDocument {
  return {
    restApi: {
      id: apiId,
      name,
      description: 'Your first API with Amazon API Gateway. This is a sample API that integrates via HTTP.',
      createdDate: 1_718_000_000,
      version: '2024-06-10',
      binaryMediaTypes: ['image/png', 'application/octet-stream'],
      apiKeySource: 'HEADER',
      endpointConfiguration: { types: ['REGIONAL'] },
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }],
      }),
      minimumCompressionSize: 1024,
      disableExecuteApiEndpoint: false,
      tags: { team: 'pets', 'cost-center': '1234' },
    },
    rootResourceId: 'r00tr00t00',
    resources: {
      r00tr00t00: { id: 'r00tr00t00', path: '/', resourceMethods: {} },
      pets000000: {
        id: 'pets000000',
        parentId: 'r00tr00t00',
        pathPart: 'pets',
        path: '/pets',
        resourceMethods: {},
      },
      petid00000: {
        id: 'petid00000',
        parentId: 'pets000000',
        pathPart: '{petId}',
        path: '/pets/{petId}',
        resourceMethods: {
          GET: {
            httpMethod: 'GET',
            authorizationType: 'CUSTOM',
            authorizerId: 'auth01',
            apiKeyRequired: true,
            operationName: 'GetPet',
            requestParameters: { 'method.request.path.petId': true, 'method.request.header.X-Trace': false },
            requestModels: {},
            requestValidatorId: 'val001',
            methodResponses: {
              '200': {
                statusCode: '200',
                responseParameters: { 'method.response.header.Access-Control-Allow-Origin': false },
                responseModels: { 'application/json': 'Pet' },
              },
              '404': { statusCode: '404', responseParameters: {}, responseModels: { 'application/json': 'Error' } },
            },
            methodIntegration: {
              type: 'MOCK',
              requestParameters: {},
              requestTemplates: { 'application/json': '{"statusCode": $input.params(\'petId\') == "0" ? 404 : 200}' },
              passthroughBehavior: 'WHEN_NO_MATCH',
              timeoutInMillis: 29000,
              cacheKeyParameters: ['method.request.path.petId'],
              integrationResponses: {
                '200': {
                  statusCode: '200',
                  responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" },
                  responseTemplates: {
                    'application/json': '{"id": $input.params(\'petId\'), "type": "dog", "price": 249.99}',
                  },
                },
                '404': {
                  statusCode: '404',
                  selectionPattern: '404',
                  responseParameters: {},
                  responseTemplates: { 'application/json': '{"message": "Pet not found"}' },
                  contentHandling: 'CONVERT_TO_TEXT',
                },
              },
            },
          },
        },
      },
      proxy00000: {
        id: 'proxy00000',
        parentId: 'r00tr00t00',
        pathPart: '{proxy+}',
        path: '/{proxy+}',
        resourceMethods: {
          ANY: {
            httpMethod: 'ANY',
            authorizationType: 'NONE',
            apiKeyRequired: false,
            requestParameters: { 'method.request.path.proxy': true },
            requestModels: {},
            methodResponses: {},
            methodIntegration: {
              type: 'HTTP_PROXY',
              httpMethod: 'ANY',
              uri: 'http://petstore.example.com/{proxy}',
              connectionType: 'INTERNET',
              requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
              requestTemplates: {},
              passthroughBehavior: 'WHEN_NO_MATCH',
              timeoutInMillis: 10000,
              cacheNamespace: 'proxy00000',
              cacheKeyParameters: [],
              integrationResponses: {},
              tlsConfig: { insecureSkipVerification: false },
            },
          },
        },
      },
    },
    models: {
      Pet: {
        id: 'mod001',
        name: 'Pet',
        description: 'A pet for sale',
        contentType: 'application/json',
        schema: JSON.stringify({
          $schema: 'http://json-schema.org/draft-04/schema#',
          type: 'object',
          required: ['id', 'type'],
          properties: { id: { type: 'integer' }, type: { type: 'string' }, price: { type: 'number' } },
        }),
      },
      Error: {
        id: 'mod002',
        name: 'Error',
        contentType: 'application/json',
        schema: '{"type":"object","properties":{"message":{"type":"string"}}}',
      },
    },
    requestValidators: {
      val001: { id: 'val001', name: 'params-only', validateRequestBody: false, validateRequestParameters: true },
    },
    authorizers: {
      auth01: {
        id: 'auth01',
        name: 'token-authorizer',
        type: 'TOKEN',
        authType: 'custom',
        authorizerUri:
          'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:authorizer/invocations',
        identitySource: 'method.request.header.Authorization',
        identityValidationExpression: '^Bearer [-0-9a-zA-Z._]+$',
        authorizerResultTtlInSeconds: 300,
      },
    },
    gatewayResponses: {
      MISSING_AUTHENTICATION_TOKEN: {
        responseType: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: '404',
        responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
        responseTemplates: { 'application/json': '{"message": $context.error.messageString, "ünïcödé": "✓"}' },
      },
    },
  };
}

export function makeApi(apiId: string, sourceKey?: string, name?: string): ApiRecord {
  const api: ApiRecord = { id: apiId, protocolType: 'REST', document: makeRestApiDocument(apiId, name) };
  if (sourceKey !== undefined) api.sourceKey = sourceKey;
  return api;
}

export function makeDeployment(apiId: string, id: string, createdDate: number, description?: string): Deployment {
  const deployment: Deployment = { id, apiId, createdDate, snapshot: makeRestApiDocument(apiId) };
  if (description !== undefined) deployment.description = description;
  return deployment;
}

export function makeStage(apiId: string, stageName: string, deploymentId: string): Stage {
  return {
    apiId,
    stageName,
    deploymentId,
    description: `The ${stageName} stage`,
    variables: { backendHost: 'petstore.example.com', lambdaAlias: stageName },
    methodSettings: {
      '*/*': { metricsEnabled: true, loggingLevel: 'INFO', throttlingBurstLimit: 100, throttlingRateLimit: 50 },
      '~1pets~1{petId}/GET': { cachingEnabled: true, cacheTtlInSeconds: 60 },
    },
    cacheClusterEnabled: false,
    tracingEnabled: false,
    accessLogSettings: { format: '$context.requestId $context.status' },
    createdDate: 1_718_000_100,
    lastUpdatedDate: 1_718_000_200,
    tags: { env: stageName },
  };
}

export function makeFunction(functionName: string): FunctionDefinition {
  return {
    functionName,
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    codeDirectory: `/srv/functions/${functionName}`,
    timeout: 3,
    memorySize: 128,
    environment: { TABLE_NAME: 'pets', LOG_LEVEL: 'debug' },
  };
}

interface ApiKeyRecord {
  id: string;
  name: string;
  value: string;
  enabled: boolean;
  stageKeys: string[];
}

function makeApiKey(id: string, enabled = true): ApiKeyRecord {
  return { id, name: `key-${id}`, value: `${id}-secret-value-0123456789`, enabled, stageKeys: ['a1b2c3d4e5/prod'] };
}

const RECORD_KINDS = ['apiKey', 'usagePlan', 'counter'] as const;

/** Everything a store holds (for the record kinds the suite uses), in a stable order. */
async function snapshotOf(store: Store) {
  const apis = sortBy(await store.listApis(), (a) => a.id);
  const perApi: Record<string, { deployments: Deployment[]; stages: Stage[] }> = {};
  for (const api of apis) {
    perApi[api.id] = {
      deployments: await store.listDeployments(api.id),
      stages: sortBy(await store.listStages(api.id), (s) => s.stageName),
    };
  }
  const records: Record<string, unknown[]> = {};
  for (const kind of RECORD_KINDS) {
    records[kind] = sortBy(await store.listRecords<{ id: string }>(kind), (r) => r.id);
  }
  return {
    apis,
    perApi,
    allStages: sortBy(await store.listStages(), (s) => `${s.apiId}/${s.stageName}`),
    functions: sortBy(await store.listFunctions(), (f) => f.functionName),
    records,
  };
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Lets queued callbacks, timers and I/O run. */
function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await settle(5);
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * Runs the Store contract against one implementation. `open` is called before every test and
 * must return an empty store; the suite closes every store it is given before `cleanup`.
 */
export function runStoreSuite(name: string, open: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;
    let unclosed: Store[] = [];

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
      unclosed = [store];
    });

    afterEach(async () => {
      for (const s of unclosed) await s.close();
      unclosed = [];
      await harness.cleanup();
    });

    async function closeStore(s: Store): Promise<void> {
      unclosed = unclosed.filter((other) => other !== s);
      await s.close();
    }

    async function write(fn: (tx: StoreWriter) => Promise<void>): Promise<void> {
      await store.transaction(fn);
    }

    /** One API with two deployments and two stages, another API, a function and records. */
    async function seed(): Promise<void> {
      await write(async (tx) => {
        await tx.putApi(makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml'));
        await tx.putApi(makeApi('f6g7h8i9j0', undefined, 'Orders'));
        await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep001', 100, 'first'));
        await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep002', 200, 'second'));
        await tx.putDeployment(makeDeployment('f6g7h8i9j0', 'dep003', 300));
        await tx.putStage(makeStage('a1b2c3d4e5', 'prod', 'dep001'));
        await tx.putStage(makeStage('a1b2c3d4e5', 'test', 'dep002'));
        await tx.putStage(makeStage('f6g7h8i9j0', 'prod', 'dep003'));
        await tx.putFunction(makeFunction('getPet'));
        await tx.putRecord('apiKey', 'key001', makeApiKey('key001'));
        await tx.putRecord('usagePlan', 'plan01', { id: 'plan01', throttle: { burstLimit: 10, rateLimit: 5 } });
      });
    }

    describe('APIs', () => {
      it('round-trips a full REST API document exactly', async () => {
        const api = makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml');
        await write((tx) => tx.putApi(api));
        assert.deepEqual(await store.getApi('a1b2c3d4e5'), api);
        assert.deepEqual(await store.getApi('a1b2c3d4e5'), makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml'));
      });

      it('returns undefined for an unknown API', async () => {
        assert.equal(await store.getApi('zzzzzzzzzz'), undefined);
      });

      it('replaces an API on put', async () => {
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml')));
        const renamed = makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml', 'PetStore v2');
        delete renamed.document.resources.proxy00000;
        await write((tx) => tx.putApi(renamed));
        assert.deepEqual(await store.getApi('a1b2c3d4e5'), renamed);
        assert.equal((await store.listApis()).length, 1);
      });

      it('keeps an API’s deployments and stages when the API is replaced', async () => {
        await seed();
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml', 'Renamed')));
        assert.equal((await store.listDeployments('a1b2c3d4e5')).length, 2);
        assert.deepEqual(await store.getStage('a1b2c3d4e5', 'prod'), makeStage('a1b2c3d4e5', 'prod', 'dep001'));
      });

      it('lists every API', async () => {
        await seed();
        const apis = sortBy(await store.listApis(), (a) => a.id);
        assert.deepEqual(apis, [
          makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml'),
          makeApi('f6g7h8i9j0', undefined, 'Orders'),
        ]);
      });

      it('hands out copies: mutating a returned API does not change the stored one', async () => {
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
        const api = await store.getApi('a1b2c3d4e5');
        assert.ok(api);
        api.document.restApi.name = 'mutated';
        delete api.document.resources.pets000000;
        assert.deepEqual(await store.getApi('a1b2c3d4e5'), makeApi('a1b2c3d4e5'));
      });

      it('finds an API by its source key', async () => {
        await seed();
        assert.deepEqual(
          await store.findApiBySourceKey('/srv/apis/petstore.yaml'),
          makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml'),
        );
        assert.equal(await store.findApiBySourceKey('/srv/apis/other.yaml'), undefined);
      });

      it('follows a changed or removed source key', async () => {
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5', '/srv/apis/old.yaml')));
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5', '/srv/apis/new.yaml')));
        assert.equal(await store.findApiBySourceKey('/srv/apis/old.yaml'), undefined);
        assert.equal((await store.findApiBySourceKey('/srv/apis/new.yaml'))?.id, 'a1b2c3d4e5');
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
        assert.equal(await store.findApiBySourceKey('/srv/apis/new.yaml'), undefined);
        assert.deepEqual(await store.getApi('a1b2c3d4e5'), makeApi('a1b2c3d4e5'));
      });

      it('refuses a second API with the same source key', async () => {
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5', '/srv/apis/petstore.yaml')));
        await assert.rejects(
          store.transaction((tx) => tx.putApi(makeApi('f6g7h8i9j0', '/srv/apis/petstore.yaml'))),
          StoreConflictError,
        );
        assert.equal(await store.getApi('f6g7h8i9j0'), undefined);
        assert.equal((await store.findApiBySourceKey('/srv/apis/petstore.yaml'))?.id, 'a1b2c3d4e5');
      });

      it('deletes an API with its deployments and stages, leaving other APIs alone', async () => {
        await seed();
        const other = {
          api: await store.getApi('f6g7h8i9j0'),
          deployments: await store.listDeployments('f6g7h8i9j0'),
          stages: await store.listStages('f6g7h8i9j0'),
        };
        await write((tx) => tx.deleteApi('a1b2c3d4e5'));

        assert.equal(await store.getApi('a1b2c3d4e5'), undefined);
        assert.equal(await store.findApiBySourceKey('/srv/apis/petstore.yaml'), undefined);
        assert.deepEqual(await store.listDeployments('a1b2c3d4e5'), []);
        assert.equal(await store.getDeployment('a1b2c3d4e5', 'dep001'), undefined);
        assert.deepEqual(await store.listStages('a1b2c3d4e5'), []);
        assert.equal(await store.getStage('a1b2c3d4e5', 'prod'), undefined);
        assert.deepEqual(
          (await store.listStages()).map((s) => `${s.apiId}/${s.stageName}`),
          ['f6g7h8i9j0/prod'],
        );
        assert.deepEqual(
          {
            api: await store.getApi('f6g7h8i9j0'),
            deployments: await store.listDeployments('f6g7h8i9j0'),
            stages: await store.listStages('f6g7h8i9j0'),
          },
          other,
        );

        // Re-creating the id must not resurrect anything.
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
        assert.deepEqual(await store.listDeployments('a1b2c3d4e5'), []);
        assert.deepEqual(await store.listStages('a1b2c3d4e5'), []);
      });

      it('treats deleting a missing API as a no-op', async () => {
        await write((tx) => tx.deleteApi('zzzzzzzzzz'));
        assert.deepEqual(await store.listApis(), []);
      });
    });

    describe('deployments', () => {
      it('round-trips a deployment and its snapshot exactly', async () => {
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
        const deployment = makeDeployment('a1b2c3d4e5', 'dep001', 1_718_000_300, 'first deployment');
        await write((tx) => tx.putDeployment(deployment));
        assert.deepEqual(await store.getDeployment('a1b2c3d4e5', 'dep001'), deployment);
        assert.equal(await store.getDeployment('a1b2c3d4e5', 'nope00'), undefined);
        assert.equal(await store.getDeployment('zzzzzzzzzz', 'dep001'), undefined);
      });

      it('is immutable: re-using an id conflicts and leaves the original unchanged', async () => {
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5')));
        const original = makeDeployment('a1b2c3d4e5', 'dep001', 100, 'original');
        await write((tx) => tx.putDeployment(original));

        const impostor = makeDeployment('a1b2c3d4e5', 'dep001', 999, 'impostor');
        impostor.snapshot.restApi.name = 'Impostor';
        await assert.rejects(
          store.transaction((tx) => tx.putDeployment(impostor)),
          StoreConflictError,
        );
        assert.deepEqual(await store.getDeployment('a1b2c3d4e5', 'dep001'), original);
        assert.deepEqual(await store.listDeployments('a1b2c3d4e5'), [original]);
      });

      it('scopes deployment ids to their API', async () => {
        await write(async (tx) => {
          await tx.putApi(makeApi('a1b2c3d4e5'));
          await tx.putApi(makeApi('f6g7h8i9j0'));
          await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep001', 100, 'a'));
          await tx.putDeployment(makeDeployment('f6g7h8i9j0', 'dep001', 100, 'f'));
        });
        assert.equal((await store.getDeployment('a1b2c3d4e5', 'dep001'))?.description, 'a');
        assert.equal((await store.getDeployment('f6g7h8i9j0', 'dep001'))?.description, 'f');
      });

      it('refuses a deployment of a missing API', async () => {
        await assert.rejects(
          store.transaction((tx) => tx.putDeployment(makeDeployment('zzzzzzzzzz', 'dep001', 100))),
          StoreNotFoundError,
        );
        assert.deepEqual(await store.listDeployments('zzzzzzzzzz'), []);
      });

      it('lists newest first, later-created first when dates tie', async () => {
        await write(async (tx) => {
          await tx.putApi(makeApi('a1b2c3d4e5'));
          await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'mid001', 200));
          await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'old001', 100));
          await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'new001', 300));
        });
        await write((tx) => tx.putDeployment(makeDeployment('a1b2c3d4e5', 'mid002', 200)));
        assert.deepEqual(
          (await store.listDeployments('a1b2c3d4e5')).map((d) => d.id),
          ['new001', 'mid002', 'mid001', 'old001'],
        );
      });

      it('deletes a deployment', async () => {
        await seed();
        await write((tx) => tx.deleteDeployment('a1b2c3d4e5', 'dep002'));
        assert.equal(await store.getDeployment('a1b2c3d4e5', 'dep002'), undefined);
        assert.deepEqual(
          (await store.listDeployments('a1b2c3d4e5')).map((d) => d.id),
          ['dep001'],
        );
        await write((tx) => tx.deleteDeployment('a1b2c3d4e5', 'dep002'));
      });
    });

    describe('stages', () => {
      it('round-trips a stage exactly and replaces it on put', async () => {
        await seed();
        assert.deepEqual(await store.getStage('a1b2c3d4e5', 'prod'), makeStage('a1b2c3d4e5', 'prod', 'dep001'));
        const moved = makeStage('a1b2c3d4e5', 'prod', 'dep002');
        moved.variables = { backendHost: 'v2.petstore.example.com' };
        moved.cacheClusterEnabled = true;
        moved.cacheClusterSize = '0.5';
        moved.lastUpdatedDate = 1_718_000_900;
        await write((tx) => tx.putStage(moved));
        assert.deepEqual(await store.getStage('a1b2c3d4e5', 'prod'), moved);
        assert.equal((await store.listStages('a1b2c3d4e5')).length, 2);
      });

      it('returns undefined for an unknown stage', async () => {
        await seed();
        assert.equal(await store.getStage('a1b2c3d4e5', 'beta'), undefined);
        assert.equal(await store.getStage('zzzzzzzzzz', 'prod'), undefined);
      });

      it('lists the stages of one API, or of every API', async () => {
        await seed();
        assert.deepEqual(
          sortBy(await store.listStages('a1b2c3d4e5'), (s) => s.stageName),
          [makeStage('a1b2c3d4e5', 'prod', 'dep001'), makeStage('a1b2c3d4e5', 'test', 'dep002')],
        );
        assert.deepEqual(await store.listStages('f6g7h8i9j0'), [makeStage('f6g7h8i9j0', 'prod', 'dep003')]);
        assert.deepEqual(await store.listStages('zzzzzzzzzz'), []);
        assert.deepEqual(
          sortBy(await store.listStages(), (s) => `${s.apiId}/${s.stageName}`),
          [
            makeStage('a1b2c3d4e5', 'prod', 'dep001'),
            makeStage('a1b2c3d4e5', 'test', 'dep002'),
            makeStage('f6g7h8i9j0', 'prod', 'dep003'),
          ],
        );
      });

      it('refuses a stage of a missing API', async () => {
        await assert.rejects(
          store.transaction((tx) => tx.putStage(makeStage('zzzzzzzzzz', 'prod', 'dep001'))),
          StoreNotFoundError,
        );
        assert.deepEqual(await store.listStages(), []);
      });

      it('deletes a stage', async () => {
        await seed();
        await write((tx) => tx.deleteStage('a1b2c3d4e5', 'test'));
        assert.equal(await store.getStage('a1b2c3d4e5', 'test'), undefined);
        assert.deepEqual((await store.listStages('a1b2c3d4e5')).map((s) => s.stageName), ['prod']);
        await write((tx) => tx.deleteStage('a1b2c3d4e5', 'test'));
      });
    });

    describe('functions', () => {
      it('creates, reads, lists, replaces and deletes functions', async () => {
        await write(async (tx) => {
          await tx.putFunction(makeFunction('getPet'));
          await tx.putFunction(makeFunction('listPets'));
        });
        assert.deepEqual(await store.getFunction('getPet'), makeFunction('getPet'));
        assert.equal(await store.getFunction('missing'), undefined);
        assert.deepEqual(
          sortBy(await store.listFunctions(), (f) => f.functionName),
          [makeFunction('getPet'), makeFunction('listPets')],
        );

        const tuned: FunctionDefinition = {
          ...makeFunction('getPet'),
          runtime: 'python3.12',
          handler: 'app.lambda_handler',
          timeout: 900,
          memorySize: 1024,
          reservedConcurrency: 5,
        };
        await write((tx) => tx.putFunction(tuned));
        assert.deepEqual(await store.getFunction('getPet'), tuned);

        await write((tx) => tx.deleteFunction('getPet'));
        assert.equal(await store.getFunction('getPet'), undefined);
        assert.deepEqual(await store.listFunctions(), [makeFunction('listPets')]);
        await write((tx) => tx.deleteFunction('getPet'));
      });
    });

    describe('records', () => {
      it('creates, reads, lists, replaces and deletes records per kind', async () => {
        await write(async (tx) => {
          await tx.putRecord('apiKey', 'key002', makeApiKey('key002'));
          await tx.putRecord('apiKey', 'key001', makeApiKey('key001'));
          await tx.putRecord('usagePlan', 'key001', { id: 'key001', quota: { limit: 1000, period: 'DAY' } });
        });
        assert.deepEqual(await store.getRecord<ApiKeyRecord>('apiKey', 'key001'), makeApiKey('key001'));
        assert.deepEqual(await store.getRecord('usagePlan', 'key001'), {
          id: 'key001',
          quota: { limit: 1000, period: 'DAY' },
        });
        assert.equal(await store.getRecord('apiKey', 'missing'), undefined);
        assert.equal(await store.getRecord('domainName', 'key001'), undefined);
        assert.deepEqual(
          sortBy(await store.listRecords<ApiKeyRecord>('apiKey'), (r) => r.id),
          [makeApiKey('key001'), makeApiKey('key002')],
        );
        assert.deepEqual(await store.listRecords('domainName'), []);

        await write((tx) => tx.putRecord('apiKey', 'key001', makeApiKey('key001', false)));
        assert.deepEqual(await store.getRecord('apiKey', 'key001'), makeApiKey('key001', false));

        await write((tx) => tx.deleteRecord('apiKey', 'key001'));
        assert.equal(await store.getRecord('apiKey', 'key001'), undefined);
        assert.deepEqual(await store.listRecords('apiKey'), [makeApiKey('key002')]);
        assert.equal((await store.listRecords('usagePlan')).length, 1);
        await write((tx) => tx.deleteRecord('apiKey', 'key001'));
      });

      it('round-trips JSON values of any shape', async () => {
        const values: Record<string, unknown> = {
          string: 'plain text',
          number: 42.5,
          zero: 0,
          boolean: false,
          null: null,
          array: [1, 'two', { three: [3] }],
          unicode: { text: 'Grüße, 世界 🐾', escapes: 'quote " backslash \\ newline \n' },
        };
        await write(async (tx) => {
          for (const [id, value] of Object.entries(values)) await tx.putRecord('shapes', id, value);
        });
        for (const [id, value] of Object.entries(values)) {
          assert.deepEqual(await store.getRecord('shapes', id), value, id);
        }
      });
    });

    describe('transactions', () => {
      it('returns what fn returns, and fn sees its own writes', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.putApi(makeApi('a1b2c3d4e5'));
          await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep001', 100));
          assert.deepEqual(await tx.getApi('a1b2c3d4e5'), makeApi('a1b2c3d4e5'));
          assert.equal((await tx.listDeployments('a1b2c3d4e5')).length, 1);
          return 'done';
        });
        assert.equal(result, 'done');
      });

      it('keeps nothing from a transaction whose fn throws, and announces nothing', async () => {
        await seed();
        const before = await snapshotOf(store);
        const batches: StoreChange[][] = [];
        store.onChange((changes) => batches.push(changes));

        const failure = new Error('import failed half-way');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putApi(makeApi('a1b2c3d4e5', '/srv/apis/moved.yaml', 'Changed'));
            await tx.putApi(makeApi('k1l2m3n4o5'));
            await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep009', 900));
            await tx.putStage(makeStage('a1b2c3d4e5', 'prod', 'dep009'));
            await tx.deleteStage('a1b2c3d4e5', 'test');
            await tx.deleteDeployment('f6g7h8i9j0', 'dep003');
            await tx.deleteApi('f6g7h8i9j0');
            await tx.putFunction({ ...makeFunction('getPet'), timeout: 30 });
            await tx.deleteRecord('apiKey', 'key001');
            await tx.putRecord('apiKey', 'key002', makeApiKey('key002'));
            throw failure;
          }),
          (err) => err === failure,
        );

        assert.deepEqual(await snapshotOf(store), before);
        await settle();
        assert.deepEqual(batches, []);
      });

      it('keeps nothing when a store error in fn aborts the transaction', async () => {
        await seed();
        const before = await snapshotOf(store);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putApi(makeApi('k1l2m3n4o5'));
            await tx.putStage(makeStage('a1b2c3d4e5', 'beta', 'dep001'));
            await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep001', 500));
          }),
          StoreConflictError,
        );
        assert.deepEqual(await snapshotOf(store), before);
      });

      it('serialises concurrent read-modify-write transactions', async () => {
        await write((tx) => tx.putRecord('counter', 'hits', { id: 'hits', value: 0 }));
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            store.transaction(async (tx) => {
              const current = await tx.getRecord<{ id: string; value: number }>('counter', 'hits');
              assert.ok(current);
              // Yield between the read and the write: interleaved transactions would lose updates.
              await settle(1);
              const next = { id: 'hits', value: current.value + 1 };
              await tx.putRecord('counter', 'hits', next);
              return next.value;
            }),
          ),
        );
        assert.deepEqual(await store.getRecord('counter', 'hits'), { id: 'hits', value: 20 });
        assert.deepEqual(
          [...results].sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
      });

      it('hides a running transaction’s writes from reads on the store', async () => {
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5', undefined, 'Committed')));
        const midway = gate();
        const finish = gate();
        let finishing = false;
        const running = store.transaction(async (tx) => {
          await tx.putApi(makeApi('a1b2c3d4e5', undefined, 'Uncommitted'));
          midway.open();
          await finish.promise;
        });
        await midway.promise;

        const observed = store.getApi('a1b2c3d4e5').then((api) => ({ name: api?.document.restApi.name, finishing }));
        await settle();
        finishing = true;
        finish.open();
        await running;

        const seen = await observed;
        // Either the read waited for the commit, or it saw the state before the transaction.
        if (seen.name === 'Uncommitted') assert.ok(seen.finishing, 'read the uncommitted document before commit');
        else assert.equal(seen.name, 'Committed');
      });

      it('never shows a rolled-back write to reads on the store', async () => {
        const midway = gate();
        const finish = gate();
        const running = store.transaction(async (tx) => {
          await tx.putApi(makeApi('a1b2c3d4e5'));
          midway.open();
          await finish.promise;
          throw new Error('abandoned');
        });
        await midway.promise;
        const observed = Promise.all([store.getApi('a1b2c3d4e5'), store.listApis()]);
        await settle();
        finish.open();
        await assert.rejects(running, /abandoned/);
        assert.deepEqual(await observed, [undefined, []]);
      });

      it('refuses to use tx after its transaction has committed or rolled back', async () => {
        let committedTx: StoreWriter | undefined;
        await store.transaction(async (tx) => {
          committedTx = tx;
          await tx.putApi(makeApi('a1b2c3d4e5'));
        });
        let rolledBackTx: StoreWriter | undefined;
        await assert.rejects(
          store.transaction(async (tx) => {
            rolledBackTx = tx;
            throw new Error('rolled back');
          }),
        );
        assert.ok(committedTx && rolledBackTx);

        for (const tx of [committedTx, rolledBackTx]) {
          await assert.rejects(async () => tx.putApi(makeApi('f6g7h8i9j0')));
          await assert.rejects(async () => tx.deleteApi('a1b2c3d4e5'));
          await assert.rejects(async () => tx.putRecord('apiKey', 'key001', makeApiKey('key001')));
          await assert.rejects(async () => tx.getApi('a1b2c3d4e5'));
        }
        assert.deepEqual(await store.listApis(), [makeApi('a1b2c3d4e5')]);
        assert.deepEqual(await store.listRecords('apiKey'), []);
      });
    });

    describe('change feed', () => {
      it('announces a transaction’s changes in order, only once it has committed', async () => {
        const batches: StoreChange[][] = [];
        store.onChange((changes) => batches.push(changes));
        await store.transaction(async (tx) => {
          await tx.putApi(makeApi('a1b2c3d4e5'));
          await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep001', 100));
          await tx.putStage(makeStage('a1b2c3d4e5', 'prod', 'dep001'));
          await tx.putFunction(makeFunction('getPet'));
          await tx.putRecord('apiKey', 'key001', makeApiKey('key001'));
          await settle();
          assert.deepEqual(batches, [], 'announced before commit');
        });
        await waitFor(() => batches.length >= 1, 'the first batch');
        await store.transaction(async (tx) => {
          await tx.deleteStage('a1b2c3d4e5', 'prod');
          await tx.deleteDeployment('a1b2c3d4e5', 'dep001');
          await tx.deleteFunction('getPet');
          await tx.deleteRecord('apiKey', 'key001');
        });
        await waitFor(() => batches.length >= 2, 'the second batch');
        await settle();

        assert.deepEqual(batches, [
          [
            { kind: 'api', apiId: 'a1b2c3d4e5', deleted: false },
            { kind: 'deployment', apiId: 'a1b2c3d4e5', deploymentId: 'dep001', deleted: false },
            { kind: 'stage', apiId: 'a1b2c3d4e5', stageName: 'prod', deleted: false },
            { kind: 'function', functionName: 'getPet', deleted: false },
            { kind: 'record', recordKind: 'apiKey', id: 'key001', deleted: false },
          ],
          [
            { kind: 'stage', apiId: 'a1b2c3d4e5', stageName: 'prod', deleted: true },
            { kind: 'deployment', apiId: 'a1b2c3d4e5', deploymentId: 'dep001', deleted: true },
            { kind: 'function', functionName: 'getPet', deleted: true },
            { kind: 'record', recordKind: 'apiKey', id: 'key001', deleted: true },
          ],
        ]);
      });

      it('lets a listener read the committed state', async () => {
        const reads: Promise<ApiRecord | undefined>[] = [];
        store.onChange(() => {
          reads.push(store.getApi('a1b2c3d4e5'));
        });
        await write((tx) => tx.putApi(makeApi('a1b2c3d4e5', undefined, 'Committed')));
        await waitFor(() => reads.length === 1, 'the announcement');
        assert.equal((await reads[0])?.document.restApi.name, 'Committed');
      });

      it('announces the stages a deleted API took with it', async () => {
        await seed();
        const batches: StoreChange[][] = [];
        store.onChange((changes) => batches.push(changes));
        await write((tx) => tx.deleteApi('a1b2c3d4e5'));
        await waitFor(() => batches.length >= 1, 'the announcement');
        await settle();
        assert.equal(batches.length, 1);
        const announced = batches[0];
        for (const expected of [
          { kind: 'api', apiId: 'a1b2c3d4e5', deleted: true },
          { kind: 'stage', apiId: 'a1b2c3d4e5', stageName: 'prod', deleted: true },
          { kind: 'stage', apiId: 'a1b2c3d4e5', stageName: 'test', deleted: true },
          { kind: 'deployment', apiId: 'a1b2c3d4e5', deploymentId: 'dep001', deleted: true },
          { kind: 'deployment', apiId: 'a1b2c3d4e5', deploymentId: 'dep002', deleted: true },
        ]) {
          assert.ok(
            announced.some((change) => {
              try {
                assert.deepEqual(change, expected);
                return true;
              } catch {
                return false;
              }
            }),
            `missing ${JSON.stringify(expected)} in ${JSON.stringify(announced)}`,
          );
        }
        assert.ok(announced.every((change) => change.kind === 'stage' || change.kind === 'deployment' || change.kind === 'api'));
        assert.ok(announced.every((change) => 'apiId' in change && change.apiId === 'a1b2c3d4e5'));
      });

      it('announces nothing for a transaction that changed nothing', async () => {
        await seed();
        const batches: StoreChange[][] = [];
        store.onChange((changes) => batches.push(changes));
        await store.transaction(async (tx) => {
          await tx.getApi('a1b2c3d4e5');
          await tx.deleteApi('zzzzzzzzzz');
          await tx.deleteStage('a1b2c3d4e5', 'beta');
          await tx.deleteDeployment('a1b2c3d4e5', 'nope00');
          await tx.deleteFunction('missing');
          await tx.deleteRecord('apiKey', 'missing');
        });
        await settle();
        assert.deepEqual(batches, []);
      });

      it('stops announcing to an unsubscribed listener', async () => {
        const first: StoreChange[][] = [];
        const second: StoreChange[][] = [];
        const unsubscribe = store.onChange((changes) => first.push(changes));
        store.onChange((changes) => second.push(changes));
        await write((tx) => tx.putFunction(makeFunction('getPet')));
        await waitFor(() => first.length === 1 && second.length === 1, 'both listeners');
        unsubscribe();
        await write((tx) => tx.putFunction(makeFunction('listPets')));
        await waitFor(() => second.length === 2, 'the remaining listener');
        await settle();
        assert.equal(first.length, 1);
      });

      it('survives a listener that throws', async (t) => {
        t.mock.method(console, 'error', () => undefined);
        const received: StoreChange[][] = [];
        store.onChange(() => {
          throw new Error('listener bug');
        });
        store.onChange((changes) => received.push(changes));
        await write((tx) => tx.putFunction(makeFunction('getPet')));
        await write((tx) => tx.putFunction(makeFunction('listPets')));
        await waitFor(() => received.length === 2, 'both batches');
        assert.equal((await store.listFunctions()).length, 2);
      });
    });

    describe('lifecycle', () => {
      it('lets a running transaction finish when the store is closed', async () => {
        const midway = gate();
        const running = store.transaction(async (tx) => {
          midway.open();
          await settle();
          await tx.putApi(makeApi('a1b2c3d4e5'));
          return 'committed';
        });
        await midway.promise;
        const closed = closeStore(store);
        assert.equal(await running, 'committed');
        await closed;
        await assert.rejects(store.getApi('a1b2c3d4e5'));

        if (harness.reopen) {
          const reopened = await harness.reopen();
          unclosed.push(reopened);
          assert.deepEqual(await reopened.getApi('a1b2c3d4e5'), makeApi('a1b2c3d4e5'));
        }
      });

      it('keeps everything across close and reopen', async (t) => {
        if (!harness.reopen) {
          t.skip('this store keeps nothing across close()');
          return;
        }
        await seed();
        await write(async (tx) => {
          await tx.putRecord('counter', 'hits', { id: 'hits', value: 7 });
          await tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep004', 200));
        });
        const before = await snapshotOf(store);
        await closeStore(store);

        const reopened = await harness.reopen();
        unclosed.push(reopened);
        assert.deepEqual(await snapshotOf(reopened), before);
        assert.deepEqual(
          (await reopened.listDeployments('a1b2c3d4e5')).map((d) => d.id),
          ['dep004', 'dep002', 'dep001'],
        );
        assert.equal((await reopened.findApiBySourceKey('/srv/apis/petstore.yaml'))?.id, 'a1b2c3d4e5');

        // The reopened store is fully usable, change feed included.
        const batches: StoreChange[][] = [];
        reopened.onChange((changes) => batches.push(changes));
        await reopened.transaction((tx) => tx.deleteApi('f6g7h8i9j0'));
        await waitFor(() => batches.length === 1, 'the announcement');
        assert.deepEqual((await reopened.listApis()).map((a) => a.id), ['a1b2c3d4e5']);
        await assert.rejects(
          reopened.transaction((tx) => tx.putDeployment(makeDeployment('a1b2c3d4e5', 'dep001', 1))),
          StoreConflictError,
        );
      });
    });
  });
}
