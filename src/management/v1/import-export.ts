/**
 * apigateway (v1) operations that move whole API definitions: ImportRestApi (a new API from an
 * OpenAPI document), PutRestApi (merge a document into, or overwrite, an existing API) and
 * GetExport (a stage's deployed API as OpenAPI). Documents are read by the OpenAPI importer and
 * written by the OpenAPI exporter; a document that cannot be imported changes nothing.
 */
import { newApiId } from '../../model/ids.js';
import { ENDPOINT_TYPES, type EndpointType, type RestApiDocument } from '../../model/rest-api.js';
import type { ApiRecord } from '../../model/api.js';
import { validateRestApiDocument } from '../../model/validate.js';
import { OpenApiImportError, formatImportProblem, importOpenApi, parseOpenApi } from '../../importers/openapi.js';
import { EXPORT_TYPES, exportOpenApi, exportVersion, serializeExport, type ExportExtensions, type ExportType } from '../../exporters/openapi.js';
import { badRequest, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext, OperationHandler, OperationRequest } from '../operation.js';
import { readRestApi } from './api-document.js';
import { importApiDocumentation } from './documentation-import.js';
import { restApiShape } from './shapes.js';
import { normaliseRestApiPolicy } from './structure-rest-api-policy.js';

/** AWS's answer for a body that is not an OpenAPI document at all (bad JSON or YAML, wrong top level). */
const INVALID_INPUT = 'Invalid OpenAPI input.';
/** At most this many problems are listed in an error message; the count says how many there were. */
const MAX_LISTED_PROBLEMS = 20;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The query members ImportRestApi and PutRestApi share (`parameters` arrive as plain query members). */
interface ImportParameters {
  basepath: 'ignore' | 'prepend' | 'split';
  endpointTypes?: EndpointType[];
}

function readImportParameters(query: URLSearchParams, allowEndpointTypes: boolean): ImportParameters {
  const failOnWarnings = query.get('failonwarnings');
  if (failOnWarnings !== null && !/^(true|false)$/i.test(failOnWarnings)) {
    throw badRequest(`Invalid value for failonwarnings: '${failOnWarnings}'. Valid values are true and false`);
  }
  const basepath = (query.get('basepath') ?? 'ignore').toLowerCase();
  if (basepath !== 'ignore' && basepath !== 'prepend' && basepath !== 'split') {
    throw badRequest(`Invalid basepath parameter: '${query.get('basepath')}'. Valid values are ignore, prepend and split`);
  }
  const ignore = query.get('ignore');
  if (ignore !== null && ignore !== 'documentation') {
    throw badRequest(`Invalid ignore parameter: '${ignore}'. The only valid value is documentation`);
  }
  const out: ImportParameters = { basepath };
  const types = query.get('endpointConfigurationTypes');
  if (types !== null && allowEndpointTypes) {
    const list = types.split(',').map((t) => t.trim().toUpperCase());
    if (list.length !== 1 || !(ENDPOINT_TYPES as readonly string[]).includes(list[0]!)) {
      throw badRequest('Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE');
    }
    out.endpointTypes = list as EndpointType[];
  }
  return out;
}

/** An import failure as AWS's BadRequestException: syntax errors are just "invalid input". */
function importFailure(err: unknown): Error {
  if (!(err instanceof OpenApiImportError)) return err instanceof Error ? err : new Error(String(err));
  const problems = err.problems;
  const unreadable = problems.some((p) => p.column !== undefined || p.message.startsWith('not an OpenAPI'));
  if (unreadable) return badRequest(INVALID_INPUT);
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `\t${formatImportProblem(p)}`);
  if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`\t… and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  return badRequest(`Errors found during import:\n${listed.join('\n')}`);
}

/**
 * The body as something the importer takes: the text itself when it can be imported as sent
 * (so problems keep their line numbers), parsed data when the base path had to be applied.
 */
interface ImportInput {
  input: string | object;
  /** The parsed document, for members the built model cannot tell apart from defaults. */
  parsed: Record<string, unknown>;
}

function readDocument(raw: Buffer, parameters: ImportParameters): ImportInput {
  if (raw.length === 0) throw badRequest(INVALID_INPUT);
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = parseOpenApi(text);
  } catch (err) {
    throw importFailure(err);
  }
  if (!isObject(parsed) || (!('openapi' in parsed) && !('swagger' in parsed))) throw badRequest(INVALID_INPUT);
  if (parameters.basepath === 'ignore') return { input: text, parsed };
  const moved = applyBasePath(parsed, parameters.basepath);
  return { input: moved, parsed: moved };
}

/** The base path a document declares: Swagger's `basePath`, or OpenAPI 3's `basePath` server variable or server URL path. */
function declaredBasePath(doc: Record<string, unknown>): string | undefined {
  if (typeof doc.basePath === 'string') return doc.basePath;
  const servers = Array.isArray(doc.servers) ? doc.servers.filter(isObject) : [];
  for (const server of servers) {
    const variable = isObject(server.variables) && isObject(server.variables.basePath) ? server.variables.basePath.default : undefined;
    if (typeof variable === 'string') return variable;
  }
  const url = servers[0]?.url;
  if (typeof url !== 'string') return undefined;
  const path = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '');
  return path.includes('{') ? undefined : path;
}

/** `prepend` puts the whole base path before every path; `split` all of it but its first segment. */
function applyBasePath(doc: Record<string, unknown>, mode: 'prepend' | 'split'): Record<string, unknown> {
  const segments = (declaredBasePath(doc) ?? '').split('/').filter((s) => s !== '');
  const prefixSegments = mode === 'split' ? segments.slice(1) : segments;
  if (prefixSegments.length === 0 || !isObject(doc.paths)) return doc;
  const prefix = `/${prefixSegments.join('/')}`;
  const paths: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(doc.paths)) {
    const moved = key.startsWith('x-') ? key : key === '/' ? prefix : `${prefix}${key}`;
    Object.defineProperty(paths, moved, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return { ...doc, paths };
}

function build(ctx: ManagementContext, input: ImportInput, options: { apiId: string; previous?: RestApiDocument }): RestApiDocument {
  try {
    const document = importOpenApi(input.input, { ...options, account: ctx.account });
    normaliseRestApiPolicy(document.restApi, ctx.account);
    return document;
  } catch (err) {
    throw importFailure(err);
  }
}

function checkModel(doc: RestApiDocument): void {
  const problems = validateRestApiDocument(doc);
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `\t${p.location}: ${p.message}`);
  throw badRequest(`Errors found during import:\n${listed.join('\n')}`);
}

const importRestApi: OperationHandler = async (ctx, req) => {
  const parameters = readImportParameters(req.query, true);
  const input = readDocument(req.raw, parameters);
  const record = await ctx.store.transaction(async (tx) => {
    let apiId = newApiId();
    while (await tx.getApi(apiId)) apiId = newApiId();
    const document = build(ctx, input, { apiId });
    if (parameters.endpointTypes) document.restApi.endpointConfiguration = { types: parameters.endpointTypes };
    importApiDocumentation(document, undefined, input.parsed, req.query, 'overwrite');
    const created: ApiRecord = { id: apiId, protocolType: 'REST', document };
    await tx.putApi(created);
    return created;
  });
  return { status: 201, body: restApiShape(record) };
};

/**
 * Merge: methods of the document replace the API's methods of the same path and verb, models,
 * validators, authorizers and gateway responses replace those of the same name or type, and
 * everything the document does not mention stays. Ids of parts that existed are kept because
 * the document was built with the API as its previous version.
 */
function mergeInto(target: RestApiDocument, incoming: RestApiDocument, parsed: Record<string, unknown>): void {
  for (const resource of Object.values(incoming.resources)) {
    const existing = target.resources[resource.id];
    if (existing && existing.path === resource.path) {
      Object.assign(existing.resourceMethods, resource.resourceMethods);
    } else {
      target.resources[resource.id] = resource;
    }
  }
  Object.assign(target.models, incoming.models);
  Object.assign(target.requestValidators, incoming.requestValidators);
  Object.assign(target.authorizers, incoming.authorizers);
  Object.assign(target.gatewayResponses, incoming.gatewayResponses);

  const api = target.restApi;
  const next = incoming.restApi;
  api.binaryMediaTypes = [...new Set([...api.binaryMediaTypes, ...next.binaryMediaTypes])];
  if ('x-amazon-apigateway-api-key-source' in parsed) api.apiKeySource = next.apiKeySource;
  if (next.minimumCompressionSize !== undefined) api.minimumCompressionSize = next.minimumCompressionSize;
  if (next.policy !== undefined) api.policy = next.policy;
  if (next.description !== undefined) api.description = next.description;
  if (next.version !== undefined) api.version = next.version;
}

const putRestApi: OperationHandler = async (ctx, req: OperationRequest) => {
  const restApiId = req.path.restApiId!;
  const mode = (req.query.get('mode') ?? 'merge').toLowerCase();
  if (mode !== 'merge' && mode !== 'overwrite') {
    throw badRequest(`Invalid mode specified: '${req.query.get('mode')}'. Valid options are merge and overwrite`);
  }
  const parameters = readImportParameters(req.query, false);
  // As on AWS, an unreadable document is reported before the API id is looked at.
  const input = readDocument(req.raw, parameters);
  const record = await ctx.store.transaction(async (tx) => {
    const existing = await readRestApi(ctx, tx, restApiId);
    const previous = existing.document;
    const incoming = build(ctx, input, { apiId: restApiId, previous });
    let document: RestApiDocument;
    if (mode === 'overwrite') {
      document = incoming;
      // Updating by import never changes how the API is reached.
      document.restApi.endpointConfiguration = structuredClone(previous.restApi.endpointConfiguration);
      document.restApi.disableExecuteApiEndpoint = previous.restApi.disableExecuteApiEndpoint;
    } else {
      document = structuredClone(previous);
      mergeInto(document, incoming, input.parsed);
      checkModel(document);
    }
    importApiDocumentation(document, previous, input.parsed, req.query, mode);
    const updated: ApiRecord = { ...existing, document };
    await tx.putApi(updated);
    return updated;
  });
  return { status: 200, body: restApiShape(record, { tags: 'always' }) };
};

function readExtensions(value: string | null): ExportExtensions {
  const out: ExportExtensions = { integrations: false, authorizers: false, apigateway: false };
  if (value === null || value.trim() === '') return out;
  for (const name of value.split(',').map((s) => s.trim().toLowerCase())) {
    if (name === 'integrations') out.integrations = true;
    else if (name === 'authorizers') out.authorizers = true;
    else if (name === 'apigateway') out.apigateway = true;
    else if (name === 'postman') continue; // Postman's own extensions are not produced; the document is the plain export.
    else throw badRequest(`Invalid extensions parameter: '${name}'. Valid options are integrations, authorizers, apigateway and postman`);
  }
  return out;
}

/**
 * The format the caller asked for with `Accept`. Without one (or with a wildcard) AWS answers
 * JSON typed as a download, `application/octet-stream`.
 */
function readAccept(accept: string | undefined): { format: 'json' | 'yaml'; contentType: string } {
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  if (types.includes('application/yaml')) return { format: 'yaml', contentType: 'application/yaml' };
  if (types.includes('application/json')) return { format: 'json', contentType: 'application/json' };
  return { format: 'json', contentType: 'application/octet-stream' };
}

const getExport: OperationHandler = async (ctx, req) => {
  const { restApiId, stageName, exportType } = req.path as Record<string, string>;
  await readRestApi(ctx, ctx.store, restApiId!);
  const stage = await ctx.store.getStage(restApiId!, stageName!);
  if (!stage) throw notFound('Invalid stage identifier specified');
  if (!(EXPORT_TYPES as readonly string[]).includes(exportType!)) {
    throw badRequest(`Invalid export type specified: '${exportType}'. Valid options are oas30 and swagger`);
  }
  const deployment = await ctx.store.getDeployment(restApiId!, stage.deploymentId);
  if (!deployment) throw notFound('Invalid stage identifier specified');
  const extensions = readExtensions(req.query.get('extensions'));
  const { format, contentType } = readAccept(req.headers.accept);
  const document = exportOpenApi(deployment.snapshot, {
    type: exportType as ExportType,
    extensions,
    stageName: stage.stageName,
    region: ctx.account.region,
    deployedAt: deployment.createdDate,
  });
  const version = exportVersion(deployment.snapshot, deployment.createdDate).replace(/["\\\r\n]/g, '_');
  return {
    status: 200,
    payload: serializeExport(document, format),
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${exportType}_${version}.${format}"`,
    },
  };
};

export const IMPORT_EXPORT_HANDLERS: HandlerTable = {
  ImportRestApi: importRestApi,
  PutRestApi: putRestApi,
  GetExport: getExport,
};
