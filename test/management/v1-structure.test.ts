/**
 * The REST API structure operations of the apigateway (v1) management API, driven through the
 * real AWS SDK client (and once through the AWS CLI): rest apis, resources, methods, method
 * responses, integrations and integration responses, with AWS's shapes and recorded errors.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteMethodCommand,
  DeleteMethodResponseCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
} from '@aws-sdk/client-api-gateway';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';
import { AWS_CLI, awsCliEnv, awsCliMissing } from '../helpers.js';
import { tmpdir } from 'node:os';

/** The answer without the SDK's metadata, for exact comparison. */
function plain<T extends object>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _ignored, ...rest } = output as T & { $metadata?: unknown };
  return rest;
}

const LAMBDA_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:hello/invocations';

describe('apigateway (v1) REST API structure operations', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  const newApi = async (name = 'structure') => {
    const api = await h.v1.send(new CreateRestApiCommand({ name }));
    return { apiId: api.id!, rootId: api.rootResourceId! };
  };

  describe('rest apis', () => {
    it('creates, reads, lists, updates and deletes a REST API with AWS shapes', async () => {
      const created = await h.v1.send(new CreateRestApiCommand({ name: 'pets', description: 'this is my api' }));
      assert.ok(created.createdDate instanceof Date);
      assert.match(created.id!, /^[a-z0-9]{10}$/);
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.deepEqual(plain(created), {
        id: created.id,
        name: 'pets',
        description: 'this is my api',
        createdDate: created.createdDate,
        apiKeySource: 'HEADER',
        endpointConfiguration: { ipAddressType: 'ipv4', types: ['EDGE'] },
        disableExecuteApiEndpoint: false,
        rootResourceId: created.rootResourceId,
      });
      // GetRestApi carries `tags` even when empty; CreateRestApi and list items do not (recorded).
      assert.deepEqual(plain(await h.v1.send(new GetRestApiCommand({ restApiId: created.id! }))), { ...plain(created), tags: {} });
      const listed = await h.v1.send(new GetRestApisCommand({}));
      assert.deepEqual(listed.items?.find((a) => a.id === created.id), plain(created));

      const updated = await h.v1.send(
        new UpdateRestApiCommand({
          restApiId: created.id!,
          patchOperations: [
            { op: 'add', path: '/binaryMediaTypes/image~1png' },
            { op: 'add', path: '/binaryMediaTypes/image~1jpeg' },
            { op: 'replace', path: '/description', value: '' },
            { op: 'replace', path: '/minimumCompressionSize', value: '1024' },
            { op: 'replace', path: '/name', value: 'pets-2' },
            { op: 'replace', path: '/endpointConfiguration/types/EDGE', value: 'REGIONAL' },
          ],
        }),
      );
      assert.deepEqual(plain(updated), {
        id: created.id,
        name: 'pets-2',
        createdDate: created.createdDate,
        binaryMediaTypes: ['image/png', 'image/jpeg'],
        minimumCompressionSize: 1024,
        apiKeySource: 'HEADER',
        endpointConfiguration: { ipAddressType: 'ipv4', types: ['REGIONAL'] },
        disableExecuteApiEndpoint: false,
        rootResourceId: created.rootResourceId,
        tags: {},
      });
      const again = await h.v1.send(
        new UpdateRestApiCommand({
          restApiId: created.id!,
          patchOperations: [
            { op: 'remove', path: '/binaryMediaTypes/image~1png' },
            { op: 'replace', path: '/minimumCompressionSize', value: '' },
          ],
        }),
      );
      assert.deepEqual(again.binaryMediaTypes, ['image/jpeg']);
      assert.equal(again.minimumCompressionSize, undefined);

      const deleted = await h.v1.send(new DeleteRestApiCommand({ restApiId: created.id! }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      const e = await rejectsWith(
        h.v1.send(new GetRestApiCommand({ restApiId: created.id! })),
        'NotFoundException',
        `Invalid API identifier specified 000000000000:${created.id}`,
      );
      assert.equal(e.$metadata?.httpStatusCode, 404);
    });

    it('refuses bad CreateRestApi input as AWS does and creates nothing', async () => {
      const before = (await h.v1.send(new GetRestApisCommand({ limit: 500 }))).items?.length ?? 0;
      await rejectsWith(h.v1.send(new CreateRestApiCommand({ name: 'x', description: '' })), 'BadRequestException', 'Description cannot be an empty string');
      await rejectsWith(
        h.v1.send(new CreateRestApiCommand({ name: 'x', minimumCompressionSize: -1 })),
        'BadRequestException',
        'Invalid minimum compression size, must be between 0 and 10485760',
      );
      await rejectsWith(
        h.v1.send(new CreateRestApiCommand({ name: 'x', endpointConfiguration: { types: ['EDGE', 'REGIONAL'] } })),
        'BadRequestException',
        'Cannot create an api with multiple Endpoint Types.',
      );
      await rejectsWith(
        h.v1.send(new CreateRestApiCommand({ name: 'x', endpointConfiguration: { types: [] } })),
        'BadRequestException',
        'REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.',
      );
      await rejectsWith(
        h.v1.send(new CreateRestApiCommand({ name: 'x', endpointConfiguration: { types: ['PRIVATE'], ipAddressType: 'ipv4' } })),
        'BadRequestException',
        'Only dualstack ipAddressType is supported for Private APIs.',
      );
      const e = await rejectsWith(
        h.v1.send(
          new CreateRestApiCommand({
            name: 'x',
            description: '',
            minimumCompressionSize: -1,
            endpointConfiguration: { types: ['wrong' as 'EDGE'], ipAddressType: 'wrong' as 'ipv4' },
          }),
        ),
        'ValidationException',
        "2 validation errors detected: Value '[wrong]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]; Value 'wrong' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]",
      );
      assert.equal(e.$metadata?.httpStatusCode, 400);
      assert.equal((await h.v1.send(new GetRestApisCommand({ limit: 500 }))).items?.length ?? 0, before);
    });

    it('refuses bad UpdateRestApi patches with AWS messages and changes nothing', async () => {
      const { apiId } = await newApi();
      const before = plain(await h.v1.send(new GetRestApiCommand({ restApiId: apiId })));
      const update = (patchOperations: { op: string; path: string; value?: string }[]) =>
        h.v1.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: patchOperations as never }));
      await rejectsWith(
        update([{ op: 'add', path: '/minimumCompressionSize', value: '10' }]),
        'BadRequestException',
        'Invalid patch operation specified. Must be one of: [replace]',
      );
      await rejectsWith(
        update([
          { op: 'replace', path: '/name', value: 'changed' },
          { op: 'replace', path: '/minimumCompressionSize', value: 'string' },
        ]),
        'BadRequestException',
        'Invalid minimum compression size, must be between 0 and 10485760',
      );
      await rejectsWith(update([{ op: 'add', path: '/binaryMediaTypes', value: 'image/png' }]), 'BadRequestException', 'Invalid patch path /binaryMediaTypes');
      await rejectsWith(
        update([{ op: 'replace', path: '/endpointConfiguration/types/EDGE', value: 'wrong' }]),
        'BadRequestException',
        'Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE',
      );
      await rejectsWith(
        update([{ op: 'replace', path: '/endpointConfiguration/ipAddressType', value: 'wrong' }]),
        'BadRequestException',
        'ipAddressType must be either ipv4 or dualstack.',
      );
      await rejectsWith(
        update([
          { op: 'wrong', path: '/endpointConfiguration/ipAddressType', value: 'ipv4' },
          { op: 'wrong', path: '/endpointConfiguration/types/EDGE', value: 'REGIONAL' },
        ]),
        'ValidationException',
        "2 validation errors detected: Value 'wrong' at 'updateRestApiInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]; Value 'wrong' at 'updateRestApiInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
      );
      await rejectsWith(
        h.v1.send(new UpdateRestApiCommand({ restApiId: 'api_id', patchOperations: [{ op: 'replace', path: '/name', value: 'x' }] })),
        'NotFoundException',
        'Invalid API identifier specified 000000000000:api_id',
      );
      assert.deepEqual(plain(await h.v1.send(new GetRestApiCommand({ restApiId: apiId }))), before);
    });
  });

  describe('resources', () => {
    it('builds, lists, renames, moves and deletes a resource tree', async () => {
      const { apiId, rootId } = await newApi();
      const pets = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: 'pets' }));
      assert.equal(pets.$metadata.httpStatusCode, 201);
      assert.deepEqual(plain(pets), { id: pets.id, parentId: rootId, pathPart: 'pets', path: '/pets' });
      const pet = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: pets.id!, pathPart: '{petId}' }));
      assert.equal(pet.path, '/pets/{petId}');
      const toys = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: 'toys' }));

      const listed = await h.v1.send(new GetResourcesCommand({ restApiId: apiId }));
      assert.deepEqual(listed.items, [
        { id: rootId, path: '/' },
        { id: pets.id, parentId: rootId, pathPart: 'pets', path: '/pets' },
        { id: pet.id, parentId: pets.id, pathPart: '{petId}', path: '/pets/{petId}' },
        { id: toys.id, parentId: rootId, pathPart: 'toys', path: '/toys' },
      ]);

      const renamed = await h.v1.send(
        new UpdateResourceCommand({ restApiId: apiId, resourceId: pets.id!, patchOperations: [{ op: 'replace', path: '/pathPart', value: 'dogs' }] }),
      );
      assert.deepEqual(plain(renamed), { id: pets.id, parentId: rootId, pathPart: 'dogs', path: '/dogs' });
      assert.equal((await h.v1.send(new GetResourceCommand({ restApiId: apiId, resourceId: pet.id! }))).path, '/dogs/{petId}');

      const moved = await h.v1.send(
        new UpdateResourceCommand({ restApiId: apiId, resourceId: pets.id!, patchOperations: [{ op: 'replace', path: '/parentId', value: toys.id! }] }),
      );
      assert.equal(moved.path, '/toys/dogs');
      assert.equal((await h.v1.send(new GetResourceCommand({ restApiId: apiId, resourceId: pet.id! }))).path, '/toys/dogs/{petId}');

      const deleted = await h.v1.send(new DeleteResourceCommand({ restApiId: apiId, resourceId: toys.id! }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetResourceCommand({ restApiId: apiId, resourceId: pet.id! })), 'NotFoundException', 'Invalid Resource identifier specified');
      assert.deepEqual((await h.v1.send(new GetResourcesCommand({ restApiId: apiId }))).items, [{ id: rootId, path: '/' }]);
    });

    it('enforces the tree rules with AWS messages and changes nothing on failure', async () => {
      const { apiId, rootId } = await newApi();
      const pets = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: 'pets' }));
      const sub = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: pets.id!, pathPart: 'subpets' }));
      const proxy = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: '{proxy+}' }));
      const nested = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: pets.id!, pathPart: 'pets' }));
      const before = (await h.v1.send(new GetResourcesCommand({ restApiId: apiId }))).items;

      const create = (parentId: string, pathPart: string) => h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId, pathPart }));
      await rejectsWith(create('fake-resource-id', 'subpets'), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(create(rootId, '{dynamic}'), 'BadRequestException', 'A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed');
      await rejectsWith(create(proxy.id!, 'child'), 'BadRequestException', 'Cannot create a child of a resource with a greedy path variable: {proxy+}');
      const dup = await rejectsWith(create(rootId, 'pets'), 'ConflictException', 'Another resource with the same parent already has this name: pets');
      assert.equal(dup.$metadata?.httpStatusCode, 409);
      await rejectsWith(create(rootId, 'a b'), 'BadRequestException', /^Resource's path part only allow a-zA-Z0-9._-/);

      const update = (resourceId: string, op: string, path: string, value?: string) =>
        h.v1.send(new UpdateResourceCommand({ restApiId: apiId, resourceId, patchOperations: [{ op: op as 'replace', path, value }] }));
      await rejectsWith(update(pets.id!, 'replace', '/parentId', sub.id!), 'BadRequestException', 'Resources cannot be cyclical.');
      await rejectsWith(update(nested.id!, 'replace', '/parentId', rootId), 'ConflictException', 'Another resource with the same parent already has this name: pets');
      await rejectsWith(update(sub.id!, 'replace', '/pathPart', 'pets'), 'ConflictException', 'Another resource with the same parent already has this name: pets');
      await rejectsWith(update(rootId, 'replace', '/pathPart', 'root'), 'BadRequestException', 'Root resource cannot update its pathPart.');
      await rejectsWith(update(rootId, 'replace', '/parentId', pets.id!), 'BadRequestException', 'Root resource cannot update its parentId.');
      await rejectsWith(
        update(pets.id!, 'replace', '/invalid', 'x'),
        'BadRequestException',
        "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]",
      );
      await rejectsWith(update(sub.id!, 'add', '/pathPart', 'x'), 'BadRequestException', "Invalid patch path  '/pathPart' specified for op 'add'. Please choose supported operations");
      await rejectsWith(update(pets.id!, 'replace', '/parentId', 'fake'), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(update('fake-resource', 'replace', '/pathPart', 'x'), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(h.v1.send(new DeleteResourceCommand({ restApiId: apiId, resourceId: rootId })), 'BadRequestException');
      assert.deepEqual((await h.v1.send(new GetResourcesCommand({ restApiId: apiId }))).items, before);
    });
  });

  describe('methods and method responses', () => {
    it('puts, reads, patches and deletes a method and its responses', async () => {
      const { apiId, rootId } = await newApi();
      const put = await h.v1.send(
        new PutMethodCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'ANY',
          authorizationType: 'NONE',
          requestParameters: { 'method.request.querystring.q': true, 'method.request.header.h': false },
        }),
      );
      assert.equal(put.$metadata.httpStatusCode, 201);
      assert.deepEqual(plain(put), {
        httpMethod: 'ANY',
        authorizationType: 'NONE',
        apiKeyRequired: false,
        requestParameters: { 'method.request.querystring.q': true, 'method.request.header.h': false },
      });
      assert.deepEqual(plain(await h.v1.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' }))), plain(put));

      const updated = await h.v1.send(
        new UpdateMethodCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'ANY',
          patchOperations: [
            { op: 'add', path: '/requestModels/application~1json', value: 'Empty' },
            { op: 'remove', path: '/requestParameters/method.request.header.h' },
            { op: 'replace', path: '/apiKeyRequired', value: 'true' },
            { op: 'replace', path: '/operationName', value: 'Everything' },
          ],
        }),
      );
      assert.deepEqual(plain(updated), {
        httpMethod: 'ANY',
        authorizationType: 'NONE',
        apiKeyRequired: true,
        operationName: 'Everything',
        requestParameters: { 'method.request.querystring.q': true },
        requestModels: { 'application/json': 'Empty' },
      });

      const response = await h.v1.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY', statusCode: '200' }));
      assert.equal(response.$metadata.httpStatusCode, 201);
      assert.deepEqual(plain(response), { statusCode: '200' });
      const patched = await h.v1.send(
        new UpdateMethodResponseCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'ANY',
          statusCode: '200',
          patchOperations: [
            { op: 'add', path: '/responseParameters/method.response.header.my-header', value: 'true' },
            { op: 'add', path: '/responseModels/application~1json', value: 'Empty' },
          ],
        }),
      );
      assert.deepEqual(plain(patched), {
        statusCode: '200',
        responseParameters: { 'method.response.header.my-header': true },
        responseModels: { 'application/json': 'Empty' },
      });
      assert.deepEqual(
        plain(await h.v1.send(new GetMethodResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY', statusCode: '200' }))),
        plain(patched),
      );
      assert.deepEqual((await h.v1.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' }))).methodResponses, {
        '200': plain(patched),
      });

      const gone = await h.v1.send(new DeleteMethodResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY', statusCode: '200' }));
      assert.equal(gone.$metadata.httpStatusCode, 204);
      await rejectsWith(
        h.v1.send(new GetMethodResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY', statusCode: '200' })),
        'NotFoundException',
        'Invalid Response status code specified',
      );
      const deleted = await h.v1.send(new DeleteMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      await rejectsWith(h.v1.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' })), 'NotFoundException', 'Invalid Method identifier specified');
      await rejectsWith(h.v1.send(new DeleteMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' })), 'NotFoundException', 'Invalid Method identifier specified');
    });

    it('refuses bad methods with the recorded AWS errors and changes nothing', async () => {
      const { apiId, rootId } = await newApi();
      const putMethod = (input: Partial<ConstructorParameters<typeof PutMethodCommand>[0]>) =>
        h.v1.send(new PutMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY', authorizationType: 'NONE', ...input }));
      await rejectsWith(putMethod({ restApiId: 'fake-api', httpMethod: 'WRONG' }), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(putMethod({ resourceId: 'fake-resource-id', httpMethod: 'WRONG' }), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(
        putMethod({ httpMethod: 'WRONG' }),
        'BadRequestException',
        'Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY',
      );
      await rejectsWith(
        putMethod({ authorizationType: 'CUSTOM' }),
        'BadRequestException',
        'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
      );
      await rejectsWith(putMethod({ requestValidatorId: 'fake-validator' }), 'BadRequestException', 'Invalid Request Validator identifier specified');
      await rejectsWith(putMethod({ requestModels: { 'application/json': 'petModel' } }), 'BadRequestException', 'Invalid model identifier specified: petModel');
      await rejectsWith(
        putMethod({ requestParameters: { 'method.request.querystring.optional': false, 'method.request.header.optional': false } }),
        'BadRequestException',
        'Parameter names must be unique across querystring, header and path',
      );
      await rejectsWith(h.v1.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' })), 'NotFoundException', 'Invalid Method identifier specified');

      await putMethod({ apiKeyRequired: true });
      await rejectsWith(putMethod({}), 'ConflictException');
      const before = plain(await h.v1.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' })));
      const update = (patchOperations: { op: string; path: string; value?: string }[], httpMethod = 'ANY') =>
        h.v1.send(new UpdateMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod, patchOperations: patchOperations as never }));
      await rejectsWith(update([{ op: 'replace', path: '/operationName', value: 'x' }], 'GET'), 'NotFoundException', 'Invalid Method identifier specified');
      await rejectsWith(update([{ op: 'add', path: '/operationName', value: 'x' }]), 'BadRequestException', 'Invalid patch operation specified. Must be one of: [replace]');
      await rejectsWith(update([{ op: 'add', path: '/httpMethod', value: 'PUT' }]), 'BadRequestException', 'Invalid patch path /httpMethod');
      await rejectsWith(update([{ op: 'replace', path: '/requestParameters', value: 'x' }]), 'BadRequestException', 'Invalid patch path /requestParameters');
      await rejectsWith(
        update([{ op: 'add', path: '/requestModels/application/json', value: 'Empty' }]),
        'BadRequestException',
        'Invalid patch path /requestModels/application/json',
      );
      await rejectsWith(
        update([
          { op: 'replace', path: '/operationName', value: 'changed' },
          { op: 'replace', path: '/authorizationType', value: 'CUSTOM' },
        ]),
        'BadRequestException',
        'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
      );
      await rejectsWith(update([{ op: 'replace', path: '/requestValidatorId', value: 'fake-id' }]), 'BadRequestException', 'Invalid Request Validator identifier specified');
      assert.deepEqual(plain(await h.v1.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' }))), before);
    });

    it('refuses bad method response updates with the recorded AWS errors', async () => {
      const { apiId, rootId } = await newApi();
      await h.v1.send(new PutMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', authorizationType: 'NONE' }));
      await h.v1.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', statusCode: '200' }));
      const update = (patchOperations: { op: string; path: string; value?: string }[], statusCode = '200', httpMethod = 'GET', resourceId = rootId) =>
        h.v1.send(new UpdateMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod, statusCode, patchOperations: patchOperations as never }));
      const header = '/responseParameters/method.response.header.my-header';
      const opProblem = (n: number) =>
        `Value 'wrong_op' at 'updateMethodResponseInput.patchOperations.${n}.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]`;
      await rejectsWith(
        update([
          { op: 'wrong_op', path: header, value: 'true' },
          { op: 'remove', path: '/responseModels/application~1json', value: 'Empty' },
          { op: 'wrong_op', path: '/responseModels/application~1json', value: 'Empty' },
        ]),
        'ValidationException',
        `2 validation errors detected: ${opProblem(1)}; ${opProblem(3)}`,
      );
      await rejectsWith(
        update([{ op: 'wrong_op', path: header, value: 'true' }], 'wrong'),
        'ValidationException',
        `2 validation errors detected: ${opProblem(1)}; Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d`,
      );
      await rejectsWith(update([{ op: 'replace', path: header, value: 'true' }], '201'), 'NotFoundException', 'Invalid Response status code specified');
      await rejectsWith(update([{ op: 'replace', path: header, value: 'true' }], '200', 'GET', 'wrong'), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(update([{ op: 'replace', path: header, value: 'true' }], '200', 'POST'), 'NotFoundException', 'Invalid Method identifier specified');
      await rejectsWith(update([{ op: 'remove', path: header, value: 'true' }]), 'NotFoundException', 'Invalid parameter name specified');
      await rejectsWith(update([{ op: 'remove', path: '/responseModels/application~1json' }]), 'NotFoundException', 'Content-Type specified was not found');
      await rejectsWith(update([{ op: 'replace', path: '/responseParameters/wrong', value: 'true' }]), 'NotFoundException', 'Invalid parameter name specified');
      await rejectsWith(update([{ op: 'remove', path: '/wrong/method.response.header.my-header' }]), 'BadRequestException', 'Invalid patch path /wrong/method.response.header.my-header');
      assert.deepEqual(
        plain(await h.v1.send(new GetMethodResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', statusCode: '200' }))),
        { statusCode: '200' },
      );
    });
  });

  describe('integrations and integration responses', () => {
    it('puts, reads, patches and deletes an integration and its responses', async () => {
      const { apiId, rootId } = await newApi();
      const pets = await h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: 'pets' }));
      await h.v1.send(new PutMethodCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET', authorizationType: 'NONE' }));
      const put = await h.v1.send(
        new PutIntegrationCommand({
          restApiId: apiId,
          resourceId: pets.id!,
          httpMethod: 'GET',
          type: 'HTTP',
          integrationHttpMethod: 'GET',
          uri: 'http://petstore.example.com/pets',
          requestParameters: { 'integration.request.header.x-id': 'method.request.header.x-id' },
        }),
      );
      assert.equal(put.$metadata.httpStatusCode, 201);
      assert.deepEqual(plain(put), {
        type: 'HTTP',
        httpMethod: 'GET',
        uri: 'http://petstore.example.com/pets',
        connectionType: 'INTERNET',
        requestParameters: { 'integration.request.header.x-id': 'method.request.header.x-id' },
        passthroughBehavior: 'WHEN_NO_MATCH',
        timeoutInMillis: 29000,
        cacheNamespace: pets.id,
        cacheKeyParameters: [],
      });
      assert.deepEqual(plain(await h.v1.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET' }))), plain(put));

      const updated = await h.v1.send(
        new UpdateIntegrationCommand({
          restApiId: apiId,
          resourceId: pets.id!,
          httpMethod: 'GET',
          patchOperations: [
            { op: 'replace', path: '/timeoutInMillis', value: '5000' },
            { op: 'add', path: '/requestTemplates/application~1json', value: '{"id": 1}' },
            { op: 'remove', path: '/requestParameters/integration.request.header.x-id' },
          ],
        }),
      );
      assert.equal(updated.timeoutInMillis, 5000);
      assert.deepEqual(updated.requestTemplates, { 'application/json': '{"id": 1}' });
      assert.equal(updated.requestParameters, undefined);

      const ir = await h.v1.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: pets.id!,
          httpMethod: 'GET',
          statusCode: '200',
          selectionPattern: '',
          responseTemplates: { 'application/json': '"created"' },
        }),
      );
      assert.equal(ir.$metadata.httpStatusCode, 201);
      assert.deepEqual(plain(ir), { statusCode: '200', selectionPattern: '', responseTemplates: { 'application/json': '"created"' } });
      const irUpdated = await h.v1.send(
        new UpdateIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: pets.id!,
          httpMethod: 'GET',
          statusCode: '200',
          patchOperations: [{ op: 'replace', path: '/selectionPattern', value: 'updated-pattern' }],
        }),
      );
      assert.deepEqual(plain(irUpdated), { statusCode: '200', selectionPattern: 'updated-pattern', responseTemplates: { 'application/json': '"created"' } });
      assert.deepEqual(
        plain(await h.v1.send(new GetIntegrationResponseCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET', statusCode: '200' }))),
        plain(irUpdated),
      );

      const method = await h.v1.send(new GetMethodCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET' }));
      assert.deepEqual(method.methodIntegration?.integrationResponses, { '200': plain(irUpdated) });
      const embedded = await h.v1.send(new GetResourcesCommand({ restApiId: apiId, embed: ['methods'] }));
      assert.deepEqual(embedded.items?.find((r) => r.id === pets.id)?.resourceMethods?.GET, plain(method));
      const summary = await h.v1.send(new GetResourcesCommand({ restApiId: apiId }));
      assert.deepEqual(summary.items?.find((r) => r.id === pets.id)?.resourceMethods, { GET: {} });

      const irGone = await h.v1.send(new DeleteIntegrationResponseCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET', statusCode: '200' }));
      assert.equal(irGone.$metadata.httpStatusCode, 204);
      await rejectsWith(
        h.v1.send(new GetIntegrationResponseCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET', statusCode: '200' })),
        'NotFoundException',
        'Invalid Response status code specified',
      );
      const gone = await h.v1.send(new DeleteIntegrationCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET' }));
      assert.equal(gone.$metadata.httpStatusCode, 204);
      await rejectsWith(
        h.v1.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: pets.id!, httpMethod: 'GET' })),
        'NotFoundException',
        'Invalid Integration identifier specified',
      );
    });

    it('accepts Lambda proxy and MOCK integrations with AWS defaults', async () => {
      const { apiId, rootId } = await newApi();
      await h.v1.send(new PutMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'POST', authorizationType: 'NONE' }));
      const lambda = await h.v1.send(
        new PutIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'POST', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: LAMBDA_URI }),
      );
      assert.equal(lambda.uri, LAMBDA_URI);
      // Like the recorded AWS (Lambda, S3) integrations: no connection type unless one was set.
      assert.equal(lambda.connectionType, undefined);
      await h.v1.send(new PutMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', authorizationType: 'NONE' }));
      const mock = await h.v1.send(
        new PutIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }),
      );
      assert.deepEqual(plain(mock), {
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        passthroughBehavior: 'WHEN_NO_MATCH',
        timeoutInMillis: 29000,
        cacheNamespace: rootId,
        cacheKeyParameters: [],
      });
    });

    it('refuses bad integrations with the recorded AWS errors and changes nothing', async () => {
      const { apiId, rootId } = await newApi();
      const put = (input: Partial<ConstructorParameters<typeof PutIntegrationCommand>[0]>) =>
        h.v1.send(new PutIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', type: 'MOCK', ...input }));
      await rejectsWith(put({ resourceId: 'badresource' }), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(put({}), 'NotFoundException', 'Invalid Method identifier specified');
      await h.v1.send(new PutMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', authorizationType: 'NONE' }));
      await rejectsWith(
        put({ type: 'HTTPS_PROXY' as 'HTTP' }),
        'ValidationException',
        "1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]",
      );
      for (const type of ['HTTP', 'HTTP_PROXY', 'AWS'] as const) {
        await rejectsWith(put({ type, uri: 'http://example.com' }), 'BadRequestException', 'Enumeration value for HttpMethod must be non-empty');
      }
      await rejectsWith(put({ type: 'HTTP', uri: 'non-valid-http', integrationHttpMethod: 'POST' }), 'BadRequestException', 'Invalid HTTP endpoint specified for URI');
      await rejectsWith(put({ type: 'AWS', uri: 'non-valid-arn', integrationHttpMethod: 'POST' }), 'BadRequestException', 'Invalid ARN specified in the request');
      await rejectsWith(
        put({ type: 'AWS', uri: 'arn:aws:iam::0000000000:role/service-role/asdf', integrationHttpMethod: 'POST' }),
        'BadRequestException',
        'AWS ARN for integration must contain path or action',
      );
      await rejectsWith(
        put({ type: 'AWS_PROXY', uri: 'arn:aws:apigateway:us-east-1:s3:path/b/k', integrationHttpMethod: 'POST' }),
        'BadRequestException',
        "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
      );
      await rejectsWith(put({ timeoutInMillis: 30000 }), 'BadRequestException', 'Timeout should be between 50 ms and 29000 ms');
      await rejectsWith(
        put({ type: 'HTTP_PROXY', requestParameters: { 'integration.request.path.testPath': true as unknown as string } }),
        'SerializationException',
        'class java.lang.Boolean can not be converted to an String',
      );
      await rejectsWith(h.v1.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' })), 'NotFoundException', 'Invalid Integration identifier specified');

      await put({ requestTemplates: { 'application/json': '{"statusCode": 200}' } });
      const before = plain(await h.v1.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' })));
      await rejectsWith(
        h.v1.send(
          new UpdateIntegrationCommand({
            restApiId: apiId,
            resourceId: rootId,
            httpMethod: 'GET',
            patchOperations: [
              { op: 'replace', path: '/cacheNamespace', value: 'changed' },
              { op: 'replace', path: '/timeoutInMillis', value: '10' },
            ],
          }),
        ),
        'BadRequestException',
        'Timeout should be between 50 ms and 29000 ms',
      );
      assert.deepEqual(plain(await h.v1.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' }))), before);

      const putResponse = (input: Partial<ConstructorParameters<typeof PutIntegrationResponseCommand>[0]>) =>
        h.v1.send(new PutIntegrationResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', statusCode: '200', ...input }));
      await rejectsWith(putResponse({ restApiId: 'wrong-api' }), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(putResponse({ httpMethod: 'wrong-method' }), 'NotFoundException', 'Invalid Method identifier specified');
      await rejectsWith(
        putResponse({ statusCode: 'wrong' }),
        'ValidationException',
        "1 validation error detected: Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d",
      );
      await rejectsWith(
        putResponse({ responseTemplates: { 'application/json': 123 as unknown as string } }),
        'SerializationException',
        'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
      );
      await rejectsWith(
        putResponse({ responseTemplates: { '123': '{"statusCode": 200}' } }),
        'BadRequestException',
        'Validation Result: warnings : [], errors : [Invalid content type specified: 123]',
      );
      const del = (httpMethod: string, statusCode: string, resourceId = rootId) =>
        h.v1.send(new DeleteIntegrationResponseCommand({ restApiId: apiId, resourceId, httpMethod, statusCode }));
      await rejectsWith(del('GET', '200', 'bad-resource'), 'NotFoundException', 'Invalid Resource identifier specified');
      await rejectsWith(del('POST', '200'), 'NotFoundException', 'Invalid Integration identifier specified');
      await rejectsWith(del('GET', '201'), 'NotFoundException', 'Invalid Response status code specified');
      assert.equal((await h.v1.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' }))).integrationResponses, undefined);
    });
  });

  describe('through the AWS CLI', () => {
    // Skipped only off CI, on a machine without the AWS CLI v2 at /usr/bin/aws (the reason is
    // awsCliMissing's text); under CI a missing CLI fails this test instead.
    it('creates an API, lists its resources and puts a method', { skip: awsCliMissing }, async () => {
      const run = async (...args: string[]): Promise<any> => {
        const { stdout } = await promisify(execFile)(AWS_CLI, ['apigateway', ...args, '--endpoint-url', h.endpoint, '--output', 'json'], { env: awsCliEnv(tmpdir()) });
        return stdout.trim() === '' ? undefined : JSON.parse(stdout);
      };
      const api = await run('create-rest-api', '--name', 'from-cli', '--description', 'made by the CLI');
      assert.equal(api.name, 'from-cli');
      assert.equal(api.description, 'made by the CLI');
      assert.deepEqual(api.endpointConfiguration.types, ['EDGE']);
      const resources = await run('get-resources', '--rest-api-id', api.id);
      assert.equal(resources.items.length, 1);
      assert.equal(resources.items[0].path, '/');
      // Older CLIs do not know rootResourceId, so the root comes from the listing.
      const rootId = resources.items[0].id as string;
      if (api.rootResourceId !== undefined) assert.equal(api.rootResourceId, rootId);
      const method = await run('put-method', '--rest-api-id', api.id, '--resource-id', rootId, '--http-method', 'GET', '--authorization-type', 'NONE');
      assert.deepEqual(method, { httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: false });
      const withMethods = await run('get-resources', '--rest-api-id', api.id, '--embed', 'methods');
      assert.deepEqual(withMethods.items[0].resourceMethods, { GET: { httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: false } });
    });
  });
});
