/**
 * `context.*` sources of parameter mappings through the management API: PutIntegration,
 * UpdateIntegration, PutIntegrationResponse and UpdateIntegrationResponse take the context
 * variables AWS documents (and any authorizer key) and refuse any other name with AWS's 400
 * "Invalid mapping expression specified", storing nothing, over the real AWS SDK against a real
 * Portico.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateResourceCommand,
  CreateRestApiCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

/** AWS's refusal of a mapping expression, in the form of the recorded control-plane error cases. */
const invalidMapping = (expression: string): string =>
  `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${expression}]`;

/** Documented context variables, one of each kind: an authorizer key, an identity field, a request variable. */
const VALID_REQUEST_PARAMETERS = {
  'integration.request.header.x-principal': 'context.authorizer.principalId',
  'integration.request.header.x-source-ip': 'context.identity.sourceIp',
  'integration.request.querystring.request': 'context.requestId',
};
const VALID_RESPONSE_PARAMETERS = {
  'method.response.header.X-Principal': 'context.authorizer.principalId',
  'method.response.header.X-Source-Ip': 'context.identity.sourceIp',
  'method.response.header.X-Request': 'context.requestId',
};
/** A name AWS does not document, and `authorizer` without a key. */
const UNKNOWN_SOURCES = ['context.nope', 'context.authorizer'];

describe('v1 parameter mappings from context variables', () => {
  let h: ManagementHarness;
  let restApiId: string;
  let rootId: string;
  let count = 0;

  before(async () => {
    h = await startManagement();
    const api = await h.v1.send(new CreateRestApiCommand({ name: 'mapping-sources' }));
    restApiId = api.id!;
    rootId = api.rootResourceId!;
  });
  after(() => h?.close());

  /** A new GET method whose method response 200 declares the mapped headers. */
  const newMethod = async (): Promise<{ restApiId: string; resourceId: string; httpMethod: string }> => {
    const resource = await h.v1.send(new CreateResourceCommand({ restApiId, parentId: rootId, pathPart: `m${++count}` }));
    const at = { restApiId, resourceId: resource.id!, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE' }));
    const declared = Object.fromEntries(Object.keys(VALID_RESPONSE_PARAMETERS).map((name) => [name, false]));
    await h.v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200', responseParameters: declared }));
    return at;
  };
  const putMock = (at: { restApiId: string; resourceId: string; httpMethod: string }, requestParameters: Record<string, string>) =>
    h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, requestParameters }));

  it('PutIntegration and UpdateIntegration accept documented context variables as request parameter sources', async () => {
    const at = await newMethod();
    const put = await putMock(at, VALID_REQUEST_PARAMETERS);
    assert.deepEqual(put.requestParameters, VALID_REQUEST_PARAMETERS);
    const updated = await h.v1.send(
      new UpdateIntegrationCommand({
        ...at,
        patchOperations: [{ op: 'add', path: '/requestParameters/integration.request.header.x-claim', value: 'context.authorizer.claims.email' }],
      }),
    );
    const expected = { ...VALID_REQUEST_PARAMETERS, 'integration.request.header.x-claim': 'context.authorizer.claims.email' };
    assert.deepEqual(updated.requestParameters, expected);
    assert.deepEqual((await h.v1.send(new GetIntegrationCommand(at))).requestParameters, expected);
  });

  it('PutIntegration refuses an unknown context variable and stores nothing', async () => {
    const at = await newMethod();
    for (const source of UNKNOWN_SOURCES) {
      await rejectsWith(putMock(at, { 'integration.request.header.x-bad': source }), 'BadRequestException', invalidMapping(source));
    }
    // The method never got an integration.
    await rejectsWith(h.v1.send(new GetIntegrationCommand(at)), 'NotFoundException');
    // Re-putting over an existing integration leaves it as it was.
    await putMock(at, VALID_REQUEST_PARAMETERS);
    for (const source of UNKNOWN_SOURCES) {
      await rejectsWith(putMock(at, { ...VALID_REQUEST_PARAMETERS, 'integration.request.header.x-bad': source }), 'BadRequestException', invalidMapping(source));
    }
    assert.deepEqual((await h.v1.send(new GetIntegrationCommand(at))).requestParameters, VALID_REQUEST_PARAMETERS);
  });

  it('UpdateIntegration refuses an unknown context variable and stores nothing', async () => {
    const at = await newMethod();
    await putMock(at, VALID_REQUEST_PARAMETERS);
    for (const source of UNKNOWN_SOURCES) {
      for (const [op, target] of [['add', 'integration.request.header.x-bad'], ['replace', 'integration.request.header.x-principal']] as const) {
        const patchOperations = [{ op, path: `/requestParameters/${target}`, value: source }];
        await rejectsWith(h.v1.send(new UpdateIntegrationCommand({ ...at, patchOperations })), 'BadRequestException', invalidMapping(source));
      }
    }
    assert.deepEqual((await h.v1.send(new GetIntegrationCommand(at))).requestParameters, VALID_REQUEST_PARAMETERS);
  });

  it('PutIntegrationResponse and UpdateIntegrationResponse accept documented context variables as response header sources', async () => {
    const at = await newMethod();
    await putMock(at, {});
    const put = await h.v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseParameters: VALID_RESPONSE_PARAMETERS }));
    assert.deepEqual(put.responseParameters, VALID_RESPONSE_PARAMETERS);
    const updated = await h.v1.send(
      new UpdateIntegrationResponseCommand({
        ...at,
        statusCode: '200',
        patchOperations: [{ op: 'replace', path: '/responseParameters/method.response.header.X-Request', value: 'context.identity.userAgent' }],
      }),
    );
    const expected = { ...VALID_RESPONSE_PARAMETERS, 'method.response.header.X-Request': 'context.identity.userAgent' };
    assert.deepEqual(updated.responseParameters, expected);
    assert.deepEqual((await h.v1.send(new GetIntegrationResponseCommand({ ...at, statusCode: '200' }))).responseParameters, expected);
  });

  it('PutIntegrationResponse refuses an unknown context variable and stores nothing', async () => {
    const at = await newMethod();
    await putMock(at, {});
    for (const source of UNKNOWN_SOURCES) {
      const refused = new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseParameters: { 'method.response.header.X-Principal': source } });
      await rejectsWith(h.v1.send(refused), 'BadRequestException', invalidMapping(source));
    }
    await rejectsWith(h.v1.send(new GetIntegrationResponseCommand({ ...at, statusCode: '200' })), 'NotFoundException');
    await h.v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseParameters: VALID_RESPONSE_PARAMETERS }));
    for (const source of UNKNOWN_SOURCES) {
      const refused = new PutIntegrationResponseCommand({
        ...at,
        statusCode: '200',
        responseParameters: { ...VALID_RESPONSE_PARAMETERS, 'method.response.header.X-Principal': source },
      });
      await rejectsWith(h.v1.send(refused), 'BadRequestException', invalidMapping(source));
    }
    assert.deepEqual((await h.v1.send(new GetIntegrationResponseCommand({ ...at, statusCode: '200' }))).responseParameters, VALID_RESPONSE_PARAMETERS);
  });

  it('UpdateIntegrationResponse refuses an unknown context variable and stores nothing', async () => {
    const at = await newMethod();
    await putMock(at, {});
    await h.v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseParameters: VALID_RESPONSE_PARAMETERS }));
    for (const source of UNKNOWN_SOURCES) {
      const patchOperations = [{ op: 'replace' as const, path: '/responseParameters/method.response.header.X-Principal', value: source }];
      await rejectsWith(h.v1.send(new UpdateIntegrationResponseCommand({ ...at, statusCode: '200', patchOperations })), 'BadRequestException', invalidMapping(source));
    }
    assert.deepEqual((await h.v1.send(new GetIntegrationResponseCommand({ ...at, statusCode: '200' }))).responseParameters, VALID_RESPONSE_PARAMETERS);
  });
});
