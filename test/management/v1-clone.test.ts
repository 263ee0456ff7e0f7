/**
 * CreateRestApi with `cloneFrom` through the real AWS SDK: the clone is a new API holding a copy
 * of the source's structure under fresh ids, with its references carried over to the copy, the
 * source's settings where the caller chose none, and nothing shared with the source afterwards.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateDocumentationPartCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteRestApiCommand,
  GetAuthorizersCommand,
  GetDeploymentsCommand,
  GetDocumentationPartsCommand,
  GetGatewayResponseCommand,
  GetMethodCommand,
  GetModelCommand,
  GetModelsCommand,
  GetRequestValidatorsCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStagesCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateResourceCommand,
  type APIGatewayClient,
  type Resource,
} from '@aws-sdk/client-api-gateway';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }],
});
const AUTHORIZER_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations';

interface Source {
  id: string;
  rootId: string;
  petsId: string;
  petId: string;
  authorizerId: string;
  validatorId: string;
}

/** A REST API with one of each part a clone must copy, deployed to a stage. */
async function buildSource(client: APIGatewayClient): Promise<Source> {
  const api = await client.send(
    new CreateRestApiCommand({
      name: 'source',
      description: 'the original',
      version: 'v7',
      binaryMediaTypes: ['image/png'],
      apiKeySource: 'AUTHORIZER',
      minimumCompressionSize: 1024,
      policy: POLICY,
      endpointConfiguration: { types: ['REGIONAL'] },
      tags: { team: 'pets' },
    }),
  );
  const restApiId = api.id!;
  const pets = await client.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId!, pathPart: 'pets' }));
  const pet = await client.send(new CreateResourceCommand({ restApiId, parentId: pets.id!, pathPart: '{petId}' }));
  await client.send(new CreateModelCommand({ restApiId, name: 'Pet', contentType: 'application/json', schema: JSON.stringify({ type: 'object' }) }));
  await client.send(
    new CreateModelCommand({
      restApiId,
      name: 'Pets',
      contentType: 'application/json',
      schema: JSON.stringify({ type: 'array', items: { $ref: `https://apigateway.amazonaws.com/restapis/${restApiId}/models/Pet` } }),
    }),
  );
  const validator = await client.send(new CreateRequestValidatorCommand({ restApiId, name: 'all', validateRequestBody: true, validateRequestParameters: true }));
  const authorizer = await client.send(
    new CreateAuthorizerCommand({ restApiId, name: 'token', type: 'TOKEN', authorizerUri: AUTHORIZER_URI, identitySource: 'method.request.header.Authorization' }),
  );
  await client.send(
    new PutMethodCommand({
      restApiId,
      resourceId: pet.id!,
      httpMethod: 'GET',
      authorizationType: 'CUSTOM',
      authorizerId: authorizer.id!,
      requestValidatorId: validator.id!,
      requestParameters: { 'method.request.path.petId': true },
      requestModels: { 'application/json': 'Pet' },
    }),
  );
  await client.send(new PutMethodResponseCommand({ restApiId, resourceId: pet.id!, httpMethod: 'GET', statusCode: '200', responseModels: { 'application/json': 'Pets' } }));
  await client.send(
    new PutIntegrationCommand({ restApiId, resourceId: pet.id!, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }),
  );
  await client.send(
    new PutIntegrationResponseCommand({ restApiId, resourceId: pet.id!, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"id": 1}' } }),
  );
  await client.send(new PutGatewayResponseCommand({ restApiId, responseType: 'DEFAULT_4XX', statusCode: '418', responseParameters: { 'gatewayresponse.header.x-kind': "'client'" } }));
  await client.send(new CreateDocumentationPartCommand({ restApiId, location: { type: 'RESOURCE', path: '/pets' }, properties: '{"description":"All pets"}' }));
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'prod' }));
  return { id: restApiId, rootId: api.rootResourceId!, petsId: pets.id!, petId: pet.id!, authorizerId: authorizer.id!, validatorId: validator.id! };
}

const byPath = (items: Resource[] = []): Map<string, Resource> => new Map(items.map((r) => [r.path!, r]));

describe('CreateRestApi with cloneFrom', () => {
  let h: ManagementHarness;
  let source: Source;
  let cloneId: string;

  before(async () => {
    h = await startManagement();
    source = await buildSource(h.v1);
    const clone = await h.v1.send(new CreateRestApiCommand({ name: 'copy', description: 'a copy', cloneFrom: source.id }));
    assert.equal(clone.$metadata.httpStatusCode, 201);
    cloneId = clone.id!;
  });
  after(() => h.close());

  it('answers a new API with its own name, description and tags, and the source settings', async () => {
    assert.notEqual(cloneId, source.id);
    const clone = await h.v1.send(new GetRestApiCommand({ restApiId: cloneId }));
    assert.equal(clone.name, 'copy');
    assert.equal(clone.description, 'a copy');
    assert.deepEqual(clone.tags, {});
    assert.equal(clone.version, 'v7');
    assert.deepEqual(clone.binaryMediaTypes, ['image/png']);
    assert.equal(clone.apiKeySource, 'AUTHORIZER');
    assert.equal(clone.minimumCompressionSize, 1024);
    // The source's policy as stored: minified, `execute-api:/` expanded to the source's ARN, escaped in responses.
    assert.equal(clone.policy, (await h.v1.send(new GetRestApiCommand({ restApiId: source.id }))).policy);
    assert.match(clone.policy ?? '', new RegExp(`:${source.id}\\\\/\\*`));
    assert.deepEqual(clone.endpointConfiguration?.types, ['REGIONAL']);
    assert.notEqual(clone.rootResourceId, source.rootId);
  });

  it('copies the resource tree under fresh ids, parents pointing into the clone', async () => {
    const original = byPath((await h.v1.send(new GetResourcesCommand({ restApiId: source.id }))).items);
    const copied = byPath((await h.v1.send(new GetResourcesCommand({ restApiId: cloneId }))).items);
    assert.deepEqual([...copied.keys()].sort(), ['/', '/pets', '/pets/{petId}']);
    const cloneIds = new Set([...copied.values()].map((r) => r.id));
    for (const [path, resource] of copied) {
      assert.notEqual(resource.id, original.get(path)!.id, `${path} keeps the source id`);
      assert.equal(resource.pathPart, original.get(path)!.pathPart);
      if (path !== '/') assert.ok(cloneIds.has(resource.parentId), `${path}'s parent is not in the clone`);
    }
    assert.equal(copied.get('/pets/{petId}')!.parentId, copied.get('/pets')!.id);
    assert.deepEqual(Object.keys(copied.get('/pets/{petId}')!.resourceMethods ?? {}), ['GET']);
  });

  it("copies methods with the clone's own authorizer, validator and cache namespace", async () => {
    const copied = byPath((await h.v1.send(new GetResourcesCommand({ restApiId: cloneId }))).items);
    const petId = copied.get('/pets/{petId}')!.id!;
    const [authorizers, validators] = await Promise.all([
      h.v1.send(new GetAuthorizersCommand({ restApiId: cloneId })),
      h.v1.send(new GetRequestValidatorsCommand({ restApiId: cloneId })),
    ]);
    assert.equal(authorizers.items?.length, 1);
    assert.equal(validators.items?.length, 1);
    const authorizer = authorizers.items![0]!;
    const validator = validators.items![0]!;
    assert.notEqual(authorizer.id, source.authorizerId);
    assert.notEqual(validator.id, source.validatorId);
    assert.equal(authorizer.name, 'token');
    assert.equal(authorizer.authorizerUri, AUTHORIZER_URI);
    assert.deepEqual([validator.name, validator.validateRequestBody, validator.validateRequestParameters], ['all', true, true]);

    const method = await h.v1.send(new GetMethodCommand({ restApiId: cloneId, resourceId: petId, httpMethod: 'GET' }));
    assert.equal(method.authorizationType, 'CUSTOM');
    assert.equal(method.authorizerId, authorizer.id);
    assert.equal(method.requestValidatorId, validator.id);
    assert.deepEqual(method.requestParameters, { 'method.request.path.petId': true });
    assert.deepEqual(method.requestModels, { 'application/json': 'Pet' });
    assert.deepEqual(method.methodResponses?.['200']?.responseModels, { 'application/json': 'Pets' });
    assert.equal(method.methodIntegration?.type, 'MOCK');
    assert.equal(method.methodIntegration?.cacheNamespace, petId);
    assert.deepEqual(method.methodIntegration?.requestTemplates, { 'application/json': '{"statusCode": 200}' });
    assert.deepEqual(method.methodIntegration?.integrationResponses?.['200']?.responseTemplates, { 'application/json': '{"id": 1}' });
  });

  it('copies models under fresh ids, links between them pointing at the clone', async () => {
    const [original, copied] = await Promise.all([
      h.v1.send(new GetModelsCommand({ restApiId: source.id })),
      h.v1.send(new GetModelsCommand({ restApiId: cloneId })),
    ]);
    assert.deepEqual(copied.items?.map((m) => m.name), ['Empty', 'Error', 'Pet', 'Pets']);
    const originalIds = new Set(original.items?.map((m) => m.id));
    for (const model of copied.items ?? []) assert.ok(!originalIds.has(model.id), `model ${model.name} keeps the source id`);
    const pets = await h.v1.send(new GetModelCommand({ restApiId: cloneId, modelName: 'Pets' }));
    assert.deepEqual(JSON.parse(pets.schema!), { type: 'array', items: { $ref: `https://apigateway.amazonaws.com/restapis/${cloneId}/models/Pet` } });
  });

  it('copies gateway responses and documentation parts, not deployments or stages', async () => {
    const response = await h.v1.send(new GetGatewayResponseCommand({ restApiId: cloneId, responseType: 'DEFAULT_4XX' }));
    assert.equal(response.defaultResponse, false);
    assert.equal(response.statusCode, '418');
    assert.deepEqual(response.responseParameters, { 'gatewayresponse.header.x-kind': "'client'" });

    const [originalParts, copiedParts] = await Promise.all([
      h.v1.send(new GetDocumentationPartsCommand({ restApiId: source.id })),
      h.v1.send(new GetDocumentationPartsCommand({ restApiId: cloneId })),
    ]);
    assert.equal(copiedParts.items?.length, 1);
    assert.deepEqual(copiedParts.items![0]!.location, { type: 'RESOURCE', path: '/pets' });
    assert.equal(copiedParts.items![0]!.properties, '{"description":"All pets"}');
    assert.notEqual(copiedParts.items![0]!.id, originalParts.items![0]!.id);

    assert.deepEqual((await h.v1.send(new GetDeploymentsCommand({ restApiId: cloneId }))).items ?? [], []);
    assert.deepEqual((await h.v1.send(new GetStagesCommand({ restApiId: cloneId }))).item ?? [], []);
  });

  it('shares nothing with the source afterwards', async () => {
    const copied = byPath((await h.v1.send(new GetResourcesCommand({ restApiId: cloneId }))).items);
    await h.v1.send(
      new UpdateResourceCommand({ restApiId: cloneId, resourceId: copied.get('/pets')!.id!, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'dogs' }] }),
    );
    const original = byPath((await h.v1.send(new GetResourcesCommand({ restApiId: source.id }))).items);
    assert.ok(original.has('/pets/{petId}'), 'renaming in the clone renamed the source');

    const other = await h.v1.send(new CreateRestApiCommand({ name: 'second copy', cloneFrom: source.id }));
    await h.v1.send(new DeleteRestApiCommand({ restApiId: source.id }));
    const survivors = byPath((await h.v1.send(new GetResourcesCommand({ restApiId: other.id! }))).items);
    assert.deepEqual([...survivors.keys()].sort(), ['/', '/pets', '/pets/{petId}']);
  });

  it("takes the caller's settings over the source's", async () => {
    const origin = await h.v1.send(new CreateRestApiCommand({ name: 'origin', binaryMediaTypes: ['image/png'], minimumCompressionSize: 10 }));
    const clone = await h.v1.send(
      new CreateRestApiCommand({
        name: 'tuned copy',
        cloneFrom: origin.id!,
        binaryMediaTypes: ['application/pdf'],
        minimumCompressionSize: 0,
        endpointConfiguration: { types: ['REGIONAL'] },
        tags: { copy: 'yes' },
      }),
    );
    assert.deepEqual(clone.binaryMediaTypes, ['application/pdf']);
    assert.equal(clone.minimumCompressionSize, 0);
    assert.deepEqual(clone.endpointConfiguration?.types, ['REGIONAL']);
    assert.deepEqual(clone.tags, { copy: 'yes' });
    assert.equal(clone.description, undefined);
  });

  it('refuses an unknown source with AWS’s not-found answer and creates nothing', async () => {
    const before = (await h.v1.send(new GetRestApisCommand({ limit: 500 }))).items?.length;
    const err = await rejectsWith(h.v1.send(new CreateRestApiCommand({ name: 'orphan', cloneFrom: 'nosuchapi0' })), 'NotFoundException');
    assert.match(err.message, /^Invalid API identifier specified \d{12}:nosuchapi0$/);
    assert.equal(err.$metadata?.httpStatusCode, 404);
    assert.equal((await h.v1.send(new GetRestApisCommand({ limit: 500 }))).items?.length, before);
  });
});
