/**
 * Builds an HTTP API document from an imported OpenAPI definition (ImportApi, ReimportApi). The
 * importer gives the members of the management calls that would build the API; they are checked
 * here by the same code as CreateAuthorizer, CreateIntegration and CreateRoute, so an import can
 * make nothing those calls would refuse. A part they refuse is left out with a warning, as API
 * Gateway does; problems with the API itself, or too many parts, fail the whole import.
 */
import type { HttpApiDefinition } from '../../importers/openapi-http-api.js';
import type { Api, Authorizer, HttpApiDocument } from '../../model/http-api.js';
import { newShortId } from '../../model/ids.js';
import { ManagementError, badRequest } from '../errors.js';
import { DEFAULT_API_KEY_SELECTION, applyApiMembers } from './apis.js';
import { checkAuthorizer, members as authorizerMembers } from './authorizers.js';
import { LIMITS } from './document.js';
import { defined } from './input.js';
import { addIntegration, integrationMembers } from './integrations.js';
import { newRoute } from './routes.js';

/** The longest operationName a route may have. */
const MAX_OPERATION_NAME = 64;

/** Warnings kept on the API; a last line says how many more there were. */
const MAX_KEPT_WARNINGS = 100;

const bounded = (lines: string[]): string[] =>
  lines.length <= MAX_KEPT_WARNINGS ? lines : [...lines.slice(0, MAX_KEPT_WARNINGS), `... and ${lines.length - MAX_KEPT_WARNINGS} more`];

const listed = (heading: string, lines: readonly string[]): string => `${heading}\n${lines.map((l) => `\t${l}`).join('\n')}`;

/** Runs one management check; its refusal becomes a warning instead of failing the import. */
function attempt<T>(warnings: string[], prefix: string, make: () => T): T | undefined {
  try {
    return make();
  } catch (err) {
    if (!(err instanceof ManagementError)) throw err;
    warnings.push(`${prefix}: ${err.message}`);
    return undefined;
  }
}

function checkCounts(def: HttpApiDefinition): void {
  const problems: string[] = [];
  if (def.routes.length > LIMITS.routesPerApi) problems.push(`The definition has ${def.routes.length} routes; an HTTP API can have at most ${LIMITS.routesPerApi}`);
  if (def.integrations.length > LIMITS.integrationsPerApi) {
    problems.push(`The definition has ${def.integrations.length} integrations; an HTTP API can have at most ${LIMITS.integrationsPerApi}`);
  }
  if (def.authorizers.length > LIMITS.authorizersPerApi) {
    problems.push(`The definition has ${def.authorizers.length} authorizers; an HTTP API can have at most ${LIMITS.authorizersPerApi}`);
  }
  if (problems.length > 0) throw badRequest(listed('Errors found during import:', problems));
}

/**
 * Sets the API-wide members the definition gives onto `api`. Name, description and version are
 * the definition's (an absent description or version is removed, as the definition replaces the
 * API); CORS and the API key selection expression are left out with a warning when invalid.
 */
function applyApi(api: Api, def: HttpApiDefinition, warnings: string[]): void {
  const { name, description, version, disableExecuteApiEndpoint, corsConfiguration, apiKeySelectionExpression } = def.api;
  delete api.description;
  delete api.version;
  delete api.corsConfiguration;
  api.apiKeySelectionExpression = DEFAULT_API_KEY_SELECTION;
  try {
    applyApiMembers(api, defined({ name, description, version, disableExecuteApiEndpoint }));
  } catch (err) {
    if (!(err instanceof ManagementError)) throw err;
    throw badRequest(listed('Errors found during import:', [err.message]));
  }
  if (corsConfiguration !== undefined) {
    attempt(warnings, 'x-amazon-apigateway-cors was ignored', () => applyApiMembers(api, { corsConfiguration }));
  }
  if (apiKeySelectionExpression !== undefined) {
    attempt(warnings, 'x-amazon-apigateway-api-key-selection-expression was ignored', () => applyApiMembers(api, { apiKeySelectionExpression }));
  }
}

/**
 * The document the definition describes, keeping `api`'s identity (id, tags, creation date).
 * With `failOnWarnings`, any warning fails the import instead.
 */
export function buildImportedDocument(api: Api, def: HttpApiDefinition, failOnWarnings: boolean): HttpApiDocument {
  checkCounts(def);
  const warnings = [...def.warnings];
  const next: Api = structuredClone(api);
  applyApi(next, def, warnings);
  const doc: HttpApiDocument = { api: next, routes: [], routeResponses: {}, integrations: [], integrationResponses: {}, authorizers: [], models: [] };

  const authorizerIds = new Map<string, string>();
  for (const { name, body } of def.authorizers) {
    const created = attempt(warnings, `security scheme ${name}: the authorizer was not created`, () => {
      const authorizer = defined({ authorizerId: newShortId(), identitySource: [], ...authorizerMembers(body, {}) }) as Authorizer;
      checkAuthorizer(doc, authorizer);
      doc.authorizers.push(authorizer);
      return authorizer;
    });
    if (created) authorizerIds.set(name, created.authorizerId);
  }

  const integrationIds = new Map<string, string>();
  for (const { key, body } of def.integrations) {
    const users = def.routes.filter((r) => r.integrationKey === key).map((r) => r.routeKey);
    const prefix = `the integration of ${users.join(', ')} was not created, so the route${users.length === 1 ? ' has' : 's have'} no integration`;
    const created = attempt(warnings, prefix, () => addIntegration(doc, integrationMembers(body, {})));
    if (created) integrationIds.set(key, created.integrationId);
  }

  for (const route of def.routes) {
    const body: Record<string, unknown> = { ...route.body };
    if (route.authorizerName !== undefined) {
      const authorizerId = authorizerIds.get(route.authorizerName);
      if (authorizerId === undefined) {
        warnings.push(`${route.routeKey}: the route was not created because its authorizer ${route.authorizerName} was not created`);
        continue;
      }
      body.authorizerId = authorizerId;
    }
    const integrationId = route.integrationKey === undefined ? undefined : integrationIds.get(route.integrationKey);
    if (integrationId !== undefined) body.target = `integrations/${integrationId}`;
    if (typeof body.operationName === 'string' && body.operationName.length > MAX_OPERATION_NAME) {
      warnings.push(`${route.routeKey}: the operationId is longer than ${MAX_OPERATION_NAME} characters and was not used as the route's operationName`);
      delete body.operationName;
    }
    const created = attempt(warnings, `${route.routeKey}: the route was not created`, () => newRoute(doc, body));
    if (created) doc.routes.push(created);
  }

  if (failOnWarnings && warnings.length > 0) throw badRequest(listed('Warnings found during import:', bounded(warnings)));
  if (warnings.length > 0) next.warnings = bounded(warnings);
  else delete next.warnings;
  if (def.info.length > 0) next.importInfo = [...def.info];
  else delete next.importInfo;
  return doc;
}
