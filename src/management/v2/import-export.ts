/**
 * apigatewayv2 ImportApi, ReimportApi and ExportApi: HTTP APIs to and from OpenAPI 3.0. The
 * definition is translated by the HTTP API importer and built by import-build.ts with the
 * checks of the management calls; the whole import is one transaction, so a definition that
 * cannot be imported changes nothing. WebSocket APIs have no OpenAPI form.
 */
import { serializeExport } from '../../exporters/openapi.js';
import { exportHttpApi } from '../../exporters/openapi-http-api.js';
import { HttpApiImportError, importHttpApi, type BasePathMode, type HttpApiDefinition } from '../../importers/openapi-http-api.js';
import type { ApiRecord } from '../../model/api.js';
import type { Api, HttpApiDocument, HttpApiRecord } from '../../model/http-api.js';
import { newApiId } from '../../model/ids.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationHandler } from '../operation.js';
import { DEFAULT_API_KEY_SELECTION, HTTP_ROUTE_SELECTION, apiEndpoint, apiShape } from './apis.js';
import { LIMITS, changeV2Api, isV2, now, putV2Api, readV2Api, readV2Deployment, readV2Stage } from './document.js';
import { enumValue, requiredString } from './input.js';
import { buildImportedDocument } from './import-build.js';

/** The largest definition accepted, as API Gateway's limit for imported definition files. */
const MAX_DEFINITION_BYTES = 6 * 1024 * 1024;

interface ImportParameters {
  basepath: BasePathMode;
  failOnWarnings: boolean;
}

function readImportParameters(query: URLSearchParams): ImportParameters {
  const failOnWarnings = query.get('failOnWarnings');
  if (failOnWarnings !== null && !/^(true|false)$/i.test(failOnWarnings)) {
    throw badRequest(`Invalid value for failOnWarnings: '${failOnWarnings}'. Valid values are true and false`);
  }
  const basepath = (query.get('basepath') ?? 'ignore').toLowerCase();
  if (basepath !== 'ignore' && basepath !== 'prepend' && basepath !== 'split') {
    throw badRequest(`Invalid basepath parameter: '${query.get('basepath')}'. Valid values are ignore, prepend and split`);
  }
  return { basepath, failOnWarnings: failOnWarnings?.toLowerCase() === 'true' };
}

/** The definition of an ImportApi or ReimportApi call, translated; unreadable definitions are BadRequestException. */
function readDefinition(ctx: ManagementContext, body: Readonly<Record<string, unknown>>, parameters: ImportParameters): HttpApiDefinition {
  const text = requiredString(body, 'body');
  if (Buffer.byteLength(text) > MAX_DEFINITION_BYTES) throw badRequest(`The API definition must be at most ${MAX_DEFINITION_BYTES / (1024 * 1024)} MB`);
  if (text.trim() === '') throw badRequest('The API definition is empty');
  try {
    return importHttpApi(text, { basepath: parameters.basepath, account: ctx.account });
  } catch (err) {
    if (err instanceof HttpApiImportError) throw badRequest(err.message);
    throw err;
  }
}

const importApi: OperationHandler = async (ctx, req) => {
  const parameters = readImportParameters(req.query);
  const definition = readDefinition(ctx, req.body, parameters);
  const record = await ctx.store.transaction(async (tx) => {
    const count = (await tx.listApis()).filter((a) => isV2(a as ApiRecord<unknown>)).length;
    if (count >= LIMITS.apisPerAccount) throw badRequest(`The account already has the maximum of ${LIMITS.apisPerAccount} HTTP and WebSocket APIs`);
    let apiId = newApiId();
    while (await tx.getApi(apiId)) apiId = newApiId();
    const api: Api = {
      apiId,
      name: '',
      protocolType: 'HTTP',
      routeSelectionExpression: HTTP_ROUTE_SELECTION,
      apiKeySelectionExpression: DEFAULT_API_KEY_SELECTION,
      disableExecuteApiEndpoint: false,
      ipAddressType: 'ipv4',
      tags: {},
      createdDate: now(),
    };
    const created: HttpApiRecord = { id: apiId, protocolType: 'HTTP', document: buildImportedDocument(api, definition, parameters.failOnWarnings) };
    await putV2Api(tx, created);
    return created;
  });
  return { status: 201, body: apiShape(ctx, record) };
};

/**
 * The definition replaces the API's routes, integrations, authorizers and models; its id, tags,
 * stages and endpoint stay. Stages with autoDeploy get the new API deployed (changeV2Api).
 */
const reimportApi: OperationHandler = async (ctx, req) => {
  const parameters = readImportParameters(req.query);
  const definition = readDefinition(ctx, req.body, parameters);
  const record = await changeV2Api(ctx, req.path['ApiId']!, (doc, _tx, current) => {
    if (doc.api.protocolType !== 'HTTP') throw badRequest('WebSocket APIs cannot be reimported; ReimportApi supports HTTP APIs only');
    Object.assign(doc, buildImportedDocument(doc.api, definition, parameters.failOnWarnings));
    return { ...current, document: doc };
  });
  return { status: 201, body: apiShape(ctx, record) };
};

function readIncludeExtensions(value: string | null): boolean {
  if (value === null) return true;
  if (!/^(true|false)$/i.test(value)) throw badRequest(`Invalid value for includeExtensions: '${value}'. Valid values are true and false`);
  return value.toLowerCase() === 'true';
}

const exportApi: OperationHandler = async (ctx, req) => {
  const specification = enumValue(req.path['Specification'], 'specification', ['OAS30'] as const);
  const outputTypeValue = req.query.get('outputType');
  if (outputTypeValue === null) throw badRequest("1 validation error detected: Value null at 'outputType' failed to satisfy constraint: Member must not be null");
  const outputType = enumValue(outputTypeValue, 'outputType', ['JSON', 'YAML'] as const);
  const exportVersion = req.query.get('exportVersion');
  if (exportVersion !== null) enumValue(exportVersion, 'exportVersion', ['1.0'] as const);
  const includeExtensions = readIncludeExtensions(req.query.get('includeExtensions'));
  const stageName = req.query.get('stageName') ?? undefined;

  const apiId = req.path['ApiId']!;
  const record = await readV2Api(ctx, ctx.store, apiId);
  if (record.document.api.protocolType !== 'HTTP') throw badRequest('WebSocket APIs cannot be exported; ExportApi supports HTTP APIs only');
  let doc: HttpApiDocument = record.document;
  let madeAt = doc.api.createdDate;
  if (stageName !== undefined) {
    const stage = await readV2Stage(ctx.store, apiId, stageName);
    if (stage.deploymentId === undefined) throw badRequest(`Stage ${stageName} has no deployment to export`);
    const deployment = await readV2Deployment(ctx.store, apiId, stage.deploymentId);
    doc = deployment.snapshot;
    madeAt = new Date(deployment.createdDate).toISOString();
  }
  if (doc.routes.length === 0) throw badRequest('The API has no routes to export');
  const document = exportHttpApi(doc, { endpoint: apiEndpoint(ctx, record.document.api), stageName, includeExtensions, madeAt });
  const format = outputType === 'JSON' ? 'json' : 'yaml';
  return {
    status: 200,
    payload: serializeExport(document, format),
    headers: {
      'content-type': format === 'json' ? 'application/json' : 'application/yaml',
      'content-disposition': `attachment; filename="${specification.toLowerCase()}_${apiId}.${format}"`,
    },
  };
};

export const IMPORT_EXPORT_HANDLERS: HandlerTable = {
  ImportApi: importApi,
  ReimportApi: reimportApi,
  ExportApi: exportApi,
};
