/**
 * Builds a RestApiDocument from parsed OpenAPI data, collecting every problem on the way and
 * then checking the result with model validation, whose findings are traced back to the
 * OpenAPI locations they came from.
 */
import { newApiId } from '../../model/ids.js';
import type { RestApi, RestApiDocument } from '../../model/rest-api.js';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from '../../model/settings.js';
import { validateRestApiDocument } from '../../model/validate.js';
import { buildApiSettings, buildGatewayResponses, buildRequestValidators } from './api-settings.js';
import { resolveAwsVariables } from './aws-variables.js';
import { ImportContext, isObject, type OpenApiVersion, type SourcePath, type SourceProblem } from './context.js';
import { IdAllocator } from './ids.js';
import { LocationMap } from './locations.js';
import { OPERATION_KEYS, buildMethod, type MethodEnvironment } from './methods.js';
import { buildModels } from './models.js';
import { ResourceTreeBuilder } from './resources.js';
import { buildAuthorizers } from './security.js';

export interface BuildOptions {
  apiId?: string;
  previous?: RestApiDocument;
  now?: number;
  account?: AccountSettings;
  /** The source spelling of numbers, when the document was parsed from text. */
  numberText?: (path: SourcePath) => string | undefined;
}

export interface BuildResult {
  /** Present only when there are no problems. */
  document?: RestApiDocument;
  problems: SourceProblem[];
}

const NOT_OPENAPI = 'not an OpenAPI 3.0 or Swagger 2.0 document';

function detectVersion(root: unknown): OpenApiVersion | SourceProblem {
  if (!isObject(root)) return { path: [], message: `${NOT_OPENAPI}: expected an object at the top level` };
  if ('openapi' in root) {
    const v = root.openapi;
    if (typeof v === 'string' && /^3\.[01](\.\d+)?$/.test(v)) return 'openapi3';
    return { path: [], message: `${NOT_OPENAPI}: openapi version ${JSON.stringify(v)} is not supported (expected 3.0.x or 3.1.x)` };
  }
  if ('swagger' in root) {
    const v = root.swagger;
    // An unquoted `swagger: 2.0` in YAML reads as the number 2.
    if (v === '2.0' || v === 2) return 'swagger2';
    return { path: [], message: `${NOT_OPENAPI}: swagger version ${JSON.stringify(v)} is not supported (expected "2.0")` };
  }
  return { path: [], message: `${NOT_OPENAPI}: it has neither an 'openapi' nor a 'swagger' version member` };
}

export function buildRestApiDocument(input: unknown, options: BuildOptions = {}): BuildResult {
  const version = detectVersion(input);
  if (typeof version !== 'string') return { problems: [version] };
  const account = options.account ?? DEFAULT_ACCOUNT_SETTINGS;
  const root = resolveAwsVariables(input, account) as Record<string, unknown>;
  const ctx = new ImportContext(root, version, options.numberText);
  const locations = new LocationMap();
  const ids = new IdAllocator(options.previous);
  const previous = options.previous;
  const apiId = options.apiId ?? previous?.restApi?.id ?? newApiId();

  const name = readInfo(ctx, locations);
  const { models, catalog } = buildModels(ctx, ids, apiId, locations);
  const { requestValidators, byName, apiDefault } = buildRequestValidators(ctx, ids, locations);
  const { authorizers, schemes } = buildAuthorizers(ctx, ids, locations);
  const settings = buildApiSettings(ctx, apiId, account, locations);
  const gatewayResponses = buildGatewayResponses(ctx, locations);
  const tree = new ResourceTreeBuilder(ids, locations);
  locations.add(['rootResourceId'], ['paths']);

  const env: MethodEnvironment = { ctx, catalog, schemes, validators: byName, locations };
  if (apiDefault) env.defaultValidator = apiDefault;
  readPaths(ctx, tree, env);

  const restApi: RestApi = {
    id: apiId,
    name,
    createdDate: options.now ?? Math.floor(Date.now() / 1000),
    ...settings,
    tags: {},
  };
  const info = isObject(ctx.root.info) ? ctx.root.info : {};
  const description = ctx.string(info, 'description', ['info']);
  if (description !== undefined) restApi.description = description;
  const apiVersion = ctx.stringish(info, 'version', ['info']);
  if (apiVersion !== undefined) restApi.version = apiVersion;
  if (previous?.restApi?.id === apiId) {
    // Re-importing in place updates the definition, not the API's identity.
    restApi.createdDate = previous.restApi.createdDate;
    restApi.tags = { ...previous.restApi.tags };
  }

  const document: RestApiDocument = {
    restApi,
    rootResourceId: tree.root.id,
    resources: tree.resources,
    models,
    requestValidators,
    authorizers,
    gatewayResponses,
  };

  const problems = [...ctx.problems];
  for (const problem of validateRestApiDocument(document)) {
    const source = locations.toSource(problem.location);
    problems.push(
      source
        ? { path: source, message: problem.message }
        : { path: [], message: `${problem.message} (at ${problem.location} in the imported API)` },
    );
  }
  return problems.length > 0 ? { problems } : { document, problems };
}

function readInfo(ctx: ImportContext, locations: LocationMap): string {
  locations.add(['restApi'], []);
  locations.add(['restApi', 'name'], ['info', 'title']);
  locations.add(['restApi', 'description'], ['info', 'description']);
  locations.add(['restApi', 'version'], ['info', 'version']);
  const info = ctx.root.info;
  if (info === undefined) {
    ctx.problem(['info'], "'info' is required; the API's name comes from info.title");
    return '-';
  }
  const infoObject = ctx.object(info, ['info']);
  // A placeholder keeps a missing title from being reported twice; the import fails anyway.
  return (infoObject && ctx.string(infoObject, 'title', ['info'], true)) ?? '-';
}

function readPaths(ctx: ImportContext, tree: ResourceTreeBuilder, env: MethodEnvironment): void {
  const paths = ctx.root.paths;
  if (paths === undefined) {
    // OpenAPI 3.1 made `paths` optional; an API without any is just the root resource.
    if (ctx.version === 'swagger2' || !String(ctx.root.openapi).startsWith('3.1')) ctx.problem(['paths'], "'paths' is required");
    return;
  }
  const pathsObject = ctx.object(paths, ['paths'], 'an object mapping paths to path items');
  if (!pathsObject) return;

  for (const [key, rawItem] of Object.entries(pathsObject)) {
    if (key.startsWith('x-')) continue;
    const keyPath = ['paths', key];
    const resource = tree.ensure(ctx, key, keyPath);
    const resolved = ctx.resolve(rawItem, keyPath);
    if (!resolved) continue;
    const item = ctx.object(resolved.value, resolved.path, 'a path item object');
    if (!item || !resource) continue;
    const pathItemParameters = { value: item.parameters, path: [...resolved.path, 'parameters'] };

    for (const [opKey, httpMethod] of Object.entries(OPERATION_KEYS)) {
      const raw = item[opKey];
      if (raw === undefined) continue;
      const opPath = [...resolved.path, opKey];
      const operation = ctx.object(raw, opPath, 'an operation object');
      if (!operation) continue;
      const modelPath = ['resources', resource.id, 'resourceMethods', httpMethod];
      resource.resourceMethods[httpMethod] = buildMethod(env, httpMethod, operation, opPath, pathItemParameters, modelPath);
    }
  }
}
