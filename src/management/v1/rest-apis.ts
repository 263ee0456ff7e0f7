/**
 * apigateway (v1) operations on REST APIs themselves: CreateRestApi, GetRestApi, GetRestApis,
 * UpdateRestApi and DeleteRestApi. A new API gets its root resource "/" and AWS's two default
 * models, or, with `cloneFrom`, a copy of another API's structure; deleting one takes its
 * deployments and stages with it.
 */
import type { ApiRecord } from '../../model/api.js';
import type { ApiKeySourceType, RestApi, RestApiDocument } from '../../model/rest-api.js';
import { newApiId, newResourceId } from '../../model/ids.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { pageV1 } from '../pagination.js';
import { changeRestApi, readRestApi } from './api-document.js';
import { restApiShape } from './shapes.js';
import { nullProblem, readPatch, stringList, stringMap, validationError } from './structure-checks.js';
import {
  apiKeySourceProblem,
  checkCompressionSize,
  checkTags,
  defaultModels,
  endpointConfigurationProblems,
  readEndpointConfiguration,
} from './structure-rest-api-settings.js';
import { applyRestApiPatch } from './structure-rest-api-update.js';
import { cloneRestApiDocument } from './structure-rest-api-clone.js';
import { normaliseRestApiPolicy } from './structure-rest-api-policy.js';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const createRestApi: OperationHandler = async (ctx, req) => {
  const b = req.body;
  const endpoint = (b.endpointConfiguration ?? undefined) as Record<string, unknown> | undefined;
  const problems = [
    ...(typeof b.name === 'string' ? [] : [nullProblem('createRestApiInput.name')]),
    ...(endpoint ? endpointConfigurationProblems(endpoint, 'createRestApiInput.endpointConfiguration') : []),
  ];
  const keySource = apiKeySourceProblem(b.apiKeySource, 'createRestApiInput.apiKeySource');
  if (keySource) problems.push(keySource);
  if (problems.length > 0) throw validationError(problems);

  const name = b.name as string;
  if (name.trim() === '') throw badRequest('The REST API name must not be empty');
  if (b.description === '') throw badRequest('Description cannot be an empty string');
  if (typeof b.minimumCompressionSize === 'number') checkCompressionSize(b.minimumCompressionSize);
  const endpointConfiguration = readEndpointConfiguration(endpoint);
  const binaryMediaTypes = stringList(b.binaryMediaTypes, 'binaryMediaTypes');
  const tags = stringMap(b.tags);
  checkTags(tags);
  const cloneFrom = typeof b.cloneFrom === 'string' ? b.cloneFrom : undefined;

  const record = await ctx.store.transaction(async (tx) => {
    const source = cloneFrom === undefined ? undefined : (await readRestApi(ctx, tx, cloneFrom)).document;
    // A clone keeps the source's settings wherever the caller chose none; tags and the
    // description are the clone's own.
    const from = source?.restApi;
    let id = newApiId();
    while (await tx.getApi(id)) id = newApiId();
    const restApi: RestApi = {
      id,
      name,
      createdDate: nowSeconds(),
      binaryMediaTypes: b.binaryMediaTypes == null && from ? [...from.binaryMediaTypes] : [...new Set(binaryMediaTypes)],
      apiKeySource: (b.apiKeySource as ApiKeySourceType | undefined) ?? from?.apiKeySource ?? 'HEADER',
      endpointConfiguration: endpoint === undefined && from ? structuredClone(from.endpointConfiguration) : endpointConfiguration,
      disableExecuteApiEndpoint: typeof b.disableExecuteApiEndpoint === 'boolean' ? b.disableExecuteApiEndpoint : (from?.disableExecuteApiEndpoint ?? false),
      tags,
    };
    if (typeof b.description === 'string') restApi.description = b.description;
    const version = typeof b.version === 'string' ? b.version : from?.version;
    if (version !== undefined) restApi.version = version;
    if (typeof b.policy === 'string') {
      restApi.policy = b.policy;
      normaliseRestApiPolicy(restApi, ctx.account);
    } else if (from?.policy !== undefined) {
      restApi.policy = from.policy;
    }
    const compression = typeof b.minimumCompressionSize === 'number' ? b.minimumCompressionSize : from?.minimumCompressionSize;
    if (compression !== undefined) restApi.minimumCompressionSize = compression;

    const document = source ? cloneRestApiDocument(source, restApi) : newDocument(restApi);
    const created: ApiRecord = { id, protocolType: 'REST', document };
    await tx.putApi(created);
    return created;
  });
  return { body: restApiShape(record) };
};

/** A new API's structure: the root resource "/" and AWS's two default models. */
function newDocument(restApi: RestApi): RestApiDocument {
  const rootResourceId = newResourceId();
  return {
    restApi,
    rootResourceId,
    resources: { [rootResourceId]: { id: rootResourceId, path: '/', resourceMethods: {} } },
    models: defaultModels(),
    requestValidators: {},
    authorizers: {},
    gatewayResponses: {},
  };
}

const getRestApi: OperationHandler = async (ctx, req) => ({
  body: restApiShape(await readRestApi(ctx, ctx.store, req.path.restApiId!), { tags: 'always' }),
});

const getRestApis: OperationHandler = async (ctx, req) => {
  const apis = (await ctx.store.listApis())
    .filter((api) => api.protocolType === 'REST')
    .sort((a, b) => a.document.restApi.createdDate - b.document.restApi.createdDate || a.id.localeCompare(b.id));
  const page = pageV1(apis, req.query);
  return { body: { ...page, item: page.item.map((record) => restApiShape(record)) } };
};

const updateRestApi: OperationHandler = async (ctx, req) => {
  const ops = readPatch(req.body, 'updateRestApiInput');
  const record = await changeRestApi(ctx, req.path.restApiId!, (doc, _tx, stored) => {
    const policy = doc.restApi.policy;
    applyRestApiPatch(doc.restApi, ops);
    if (doc.restApi.policy !== policy) normaliseRestApiPolicy(doc.restApi, ctx.account);
    return { ...stored, document: doc };
  });
  return { body: restApiShape(record, { tags: 'always' }) };
};

const deleteRestApi: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => {
    await readRestApi(ctx, tx, req.path.restApiId!);
    await tx.deleteApi(req.path.restApiId!);
  });
  return {};
};

export const REST_APIS_HANDLERS: HandlerTable = {
  CreateRestApi: createRestApi,
  GetRestApi: getRestApi,
  GetRestApis: getRestApis,
  UpdateRestApi: updateRestApi,
  DeleteRestApi: deleteRestApi,
};
