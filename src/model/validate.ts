/**
 * Consistency rules for the REST API model, applied to a whole `RestApiDocument`.
 *
 * The importer runs these after building a document and the management API runs them after
 * every change, so an API is held to the same rules however it was made; the rules follow what
 * AWS rejects. Each problem carries a JSON pointer into the document, so callers can translate
 * it to their own notion of location (the importer maps it back into the OpenAPI source).
 */
import { parseContextSource } from './context-sources.js';
import {
  API_KEY_SOURCES,
  AUTHORIZATION_TYPES,
  AUTHORIZER_TYPES,
  CONTENT_HANDLING,
  ENDPOINT_TYPES,
  GATEWAY_RESPONSE_TYPES,
  HTTP_METHODS,
  INTEGRATION_TIMEOUT_MAX_MS,
  INTEGRATION_TIMEOUT_MIN_MS,
  INTEGRATION_TYPES,
  PASSTHROUGH_BEHAVIORS,
  type Authorizer,
  type GatewayResponse,
  type Integration,
  type IntegrationResponse,
  type Method,
  type MethodResponse,
  type Model,
  type RequestValidator,
  type Resource,
  type RestApi,
  type RestApiDocument,
} from './rest-api.js';

export interface Problem {
  /** A JSON pointer into the validated value; `/` is the value itself. */
  location: string;
  message: string;
}

/** One line per problem, each starting with its location. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.location}: ${p.message}`).join('\n');
}

export class ModelValidationError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem[], subject = 'The REST API') {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${subject} is not valid (${count}):\n${formatProblems(problems)}`);
    this.name = 'ModelValidationError';
    this.problems = problems;
  }
}

/** RFC 6901 pointer for `segments`; the empty pointer is written `/` so it reads as a location. */
export function jsonPointer(segments: readonly (string | number)[]): string {
  if (segments.length === 0) return '/';
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Inverse of `jsonPointer`. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// ---------------------------------------------------------------------------------------------
// Patterns shared with other modules (the management API and the data plane parse the same forms).

/** Names in parameter mapping expressions, as AWS documents them. */
const PARAM_NAME = '[A-Za-z0-9._$-]+';
const REQUEST_LOCATIONS = 'path|querystring|header|multivaluequerystring|multivalueheader';

export const METHOD_REQUEST_PARAMETER = new RegExp(`^method\\.request\\.(${REQUEST_LOCATIONS})\\.(${PARAM_NAME})$`);
export const INTEGRATION_REQUEST_PARAMETER = new RegExp(
  `^integration\\.request\\.(${REQUEST_LOCATIONS})\\.(${PARAM_NAME})$`,
);
export const METHOD_RESPONSE_HEADER = new RegExp(`^method\\.response\\.header\\.(${PARAM_NAME})$`);
export const GATEWAY_RESPONSE_PARAMETER = new RegExp(`^gatewayresponse\\.(header|path|querystring)\\.(${PARAM_NAME})$`);

const STATIC_VALUE = /^'[^]*'$/;
/** `context.*` by shape only, for gateway responses; integration mappings check the name (context-sources.ts). */
const CONTEXT_VALUE = /^context\.[A-Za-z][A-Za-z0-9_.-]*$/;
const STAGE_VARIABLE_VALUE = /^stageVariables\.[A-Za-z0-9_]+$/;
const METHOD_REQUEST_BODY = /^method\.request\.body(\..+)?$/;
const INTEGRATION_RESPONSE_SOURCE = new RegExp(
  `^integration\\.response\\.((header|multivalueheader)\\.${PARAM_NAME}|body(\\..+)?)$`,
);

/** AWS maps only the context variables it documents (and any authorizer key or claim). */
const unknownContextSource = (value: string): string =>
  `${quote(value)} is not a context variable a parameter mapping can read: use one of $context's documented variables, context.authorizer.KEY or context.authorizer.claims.CLAIM`;

/** A literal path segment: the characters AWS allows in resource paths. */
const LITERAL_PATH_PART = /^[A-Za-z0-9_.,:-]+$/;
/** `{name}` or greedy `{name+}`; the name must also be usable in `method.request.path.NAME`. */
const VARIABLE_PATH_PART = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;

export const STATUS_CODE = /^[1-5]\d\d$/;
/** `type/subtype`, either side possibly a `*` wildcard, as binaryMediaTypes and content types use. */
export const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+*-]+\/[A-Za-z0-9!#$&^_.+*-]+$/;
export const MODEL_NAME = /^[A-Za-z0-9]+$/;

export const STAGE_VARIABLE_NAME = /^[A-Za-z0-9_]+$/;
export const STAGE_VARIABLE_VALUE_CHARS = /^[A-Za-z0-9\-._~:/?#&=,]+$/;
export const STAGE_VARIABLE_NAME_MAX = 64;
export const STAGE_VARIABLE_VALUE_MAX = 512;

export const MINIMUM_COMPRESSION_SIZE_MAX = 10485760;
export const AUTHORIZER_TTL_MAX_SECONDS = 3600;

/**
 * An http(s) URL, whose host may come from a stage variable. A URL that starts with a stage
 * variable is accepted too: its scheme is then only known per stage, so the data plane checks
 * the resolved URL when it calls the backend.
 */
const HTTP_URI = /^(https?:\/\/[^\s/?#]+|\$\{stageVariables\.[A-Za-z0-9_]+\})\S*$/;
const APIGATEWAY_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:[A-Za-z0-9.-]+:(path|action)\/\S+$/;
const LAMBDA_PATH_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\//;
const LAMBDA_INVOCATION_ARN =
  /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/\S+\/invocations$/;

export type PathPart =
  | { kind: 'literal'; value: string }
  | { kind: 'variable'; name: string; greedy: boolean };

/** Classifies one resource path segment; undefined when AWS would not accept it. */
export function parsePathPart(pathPart: string): PathPart | undefined {
  const variable = VARIABLE_PATH_PART.exec(pathPart);
  if (variable) return { kind: 'variable', name: variable[1]!, greedy: variable[2] === '+' };
  if (LITERAL_PATH_PART.test(pathPart)) return { kind: 'literal', value: pathPart };
  return undefined;
}

/** Whether `pattern` compiles as a JavaScript regular expression (selection patterns, expressions). */
export function isValidPattern(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** A Lambda invocation URI for an integration or authorizer: `…:lambda:path/2015-03-31/functions/F/invocations`. */
export function isLambdaInvocationUri(uri: string): boolean {
  return LAMBDA_INVOCATION_ARN.test(uri);
}

// ---------------------------------------------------------------------------------------------

type Path = readonly (string | number)[];

/** Collects problems; keeps the checks below free of pointer bookkeeping. */
class Problems {
  readonly list: Problem[] = [];
  add(path: Path, message: string): void {
    this.list.push({ location: jsonPointer(path), message });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

function oneOf(
  out: Problems,
  path: Path,
  value: unknown,
  allowed: readonly string[],
  what: string,
): value is string {
  if (typeof value === 'string' && allowed.includes(value)) return true;
  out.add(path, `${quote(value)} is not ${what}; expected one of ${allowed.join(', ')}`);
  return false;
}

function integerIn(out: Problems, path: Path, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    out.add(path, `${quote(value)} is not an integer`);
  } else if (value < min || value > max) {
    out.add(path, `${value} is out of range; it must be between ${min} and ${max}`);
  }
}

function entries<T>(map: Record<string, T> | undefined): [string, T][] {
  return isObject(map) ? (Object.entries(map) as [string, T][]) : [];
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Every problem in `doc`; an empty list means the document is consistent. */
export function validateRestApiDocument(doc: RestApiDocument): Problem[] {
  const out = new Problems();
  if (!isObject(doc)) {
    out.add([], 'a REST API document must be an object');
    return out.list;
  }
  if (!isObject(doc.restApi)) out.add(['restApi'], 'the document needs a restApi object');
  else validateRestApi(out, doc.restApi);
  validateResourceTree(out, doc);
  for (const [name, model] of entries(doc.models)) validateModel(out, name, model);
  validateRequestValidators(out, doc.requestValidators);
  validateAuthorizers(out, doc.authorizers);
  for (const [type, response] of entries(doc.gatewayResponses)) validateGatewayResponse(out, type, response);
  for (const [id, resource] of entries(doc.resources)) {
    if (!isObject(resource)) continue;
    for (const [verb, method] of entries(resource.resourceMethods)) {
      validateMethod(out, doc, ['resources', id, 'resourceMethods', verb], verb, method);
    }
  }
  return out.list;
}

/** Throws a ModelValidationError listing every problem in `doc`. */
export function assertValidRestApiDocument(doc: RestApiDocument): void {
  const problems = validateRestApiDocument(doc);
  if (problems.length > 0) throw new ModelValidationError(problems);
}

function validateRestApi(out: Problems, api: RestApi): void {
  const at = (...rest: Path) => ['restApi', ...rest];
  if (typeof api.id !== 'string' || api.id === '') out.add(at('id'), 'the API id must be a non-empty string');
  if (typeof api.name !== 'string' || api.name.trim() === '') out.add(at('name'), 'the API name must be a non-empty string');
  oneOf(out, at('apiKeySource'), api.apiKeySource, API_KEY_SOURCES, 'an API key source');
  if (!Array.isArray(api.binaryMediaTypes)) {
    out.add(at('binaryMediaTypes'), 'must be a list of media types');
  } else {
    api.binaryMediaTypes.forEach((type, i) => {
      if (typeof type !== 'string' || !MEDIA_TYPE.test(type)) {
        out.add(at('binaryMediaTypes', i), `${quote(type)} is not a media type of the form type/subtype`);
      }
    });
  }
  const endpoint = api.endpointConfiguration;
  if (!isObject(endpoint) || !Array.isArray(endpoint.types)) {
    out.add(at('endpointConfiguration'), 'must have a list of endpoint types');
  } else {
    if (endpoint.types.length !== 1) {
      out.add(at('endpointConfiguration', 'types'), 'exactly one endpoint type is required');
    }
    endpoint.types.forEach((t, i) => oneOf(out, at('endpointConfiguration', 'types', i), t, ENDPOINT_TYPES, 'an endpoint type'));
    if (endpoint.vpcEndpointIds?.length && !endpoint.types.includes('PRIVATE')) {
      out.add(at('endpointConfiguration', 'vpcEndpointIds'), 'VPC endpoint ids apply only to PRIVATE APIs');
    }
  }
  if (api.policy !== undefined && (typeof api.policy !== 'string' || !isJson(api.policy))) {
    out.add(at('policy'), 'the resource policy must be a JSON document');
  }
  if (api.minimumCompressionSize !== undefined) {
    integerIn(out, at('minimumCompressionSize'), api.minimumCompressionSize, 0, MINIMUM_COMPRESSION_SIZE_MAX);
  }
  if (typeof api.disableExecuteApiEndpoint !== 'boolean') {
    out.add(at('disableExecuteApiEndpoint'), 'must be true or false');
  }
}

function validateResourceTree(out: Problems, doc: RestApiDocument): void {
  const resources = isObject(doc.resources) ? doc.resources : {};
  if (!isObject(doc.resources)) out.add(['resources'], 'must be an object keyed by resource id');
  const rootId = doc.rootResourceId;
  const root = resources[rootId];
  if (!isObject(root)) {
    out.add(['rootResourceId'], `there is no resource '${rootId}'`);
  } else {
    if (root.parentId !== undefined) out.add(['resources', rootId, 'parentId'], 'the root resource has no parent');
    if (root.pathPart !== undefined) out.add(['resources', rootId, 'pathPart'], 'the root resource has no path part');
    if (root.path !== '/') out.add(['resources', rootId, 'path'], "the root resource's path is '/'");
  }

  // Resources are addressed by their key throughout; a mismatched `id` field is its own problem.
  const children = new Map<string, [string, Resource][]>();
  for (const [id, resource] of entries(resources)) {
    if (!isObject(resource)) {
      out.add(['resources', id], 'a resource must be an object');
      continue;
    }
    if (resource.id !== id) out.add(['resources', id, 'id'], `must equal its key '${id}'`);
    if (resource.parentId === undefined) {
      // With no valid root id, which parentless resource was meant is anyone's guess.
      if (id !== rootId && isObject(root)) out.add(['resources', id, 'parentId'], 'only the root resource may have no parent');
      continue;
    }
    if (!isObject(resources[resource.parentId])) {
      out.add(['resources', id, 'parentId'], `there is no resource '${resource.parentId}'`);
      continue;
    }
    const siblings = children.get(resource.parentId) ?? [];
    siblings.push([id, resource]);
    children.set(resource.parentId, siblings);
  }

  // Walking down from the root, rather than up from each resource, cannot loop on a cycle; what
  // the walk does not reach is reported afterwards.
  const reached = new Set<string>();
  const visit = (id: string, resource: Resource, path: string, pathParams: ReadonlySet<string>): void => {
    reached.add(id);
    const kids = children.get(id) ?? [];
    const own = id === rootId ? undefined : parsePathPart(String(resource.pathPart));
    if (own?.kind === 'variable' && own.greedy) {
      for (const [kidId] of kids) out.add(['resources', kidId, 'parentId'], `a greedy resource (${path}) cannot have child resources`);
    }
    let variableSibling: string | undefined;
    const seen = new Map<string, string>();
    for (const [kidId, kid] of kids) {
      if (reached.has(kidId)) continue;
      const at = ['resources', kidId];
      const pathPart = kid.pathPart;
      const childPath = `${path === '/' ? '' : path}/${typeof pathPart === 'string' ? pathPart : '?'}`;
      const childParams = new Set(pathParams);
      if (typeof pathPart !== 'string') {
        out.add([...at, 'pathPart'], 'a child resource needs a path part');
      } else {
        const part = parsePathPart(pathPart);
        if (!part) {
          out.add(
            [...at, 'pathPart'],
            `'${pathPart}' is not a valid path segment: use letters, digits, '_', '-', '.', ',' and ':', or a whole-segment {name} or {name+}`,
          );
        } else if (part.kind === 'variable') {
          if (variableSibling !== undefined && variableSibling !== pathPart) {
            out.add([...at, 'pathPart'], `'${pathPart}' conflicts with its sibling '${variableSibling}': a resource can have only one variable child`);
          }
          variableSibling ??= pathPart;
          if (pathParams.has(part.name)) out.add([...at, 'pathPart'], `the path parameter '${part.name}' is already used higher up the path`);
          childParams.add(part.name);
        }
        const twin = seen.get(pathPart);
        if (twin !== undefined) out.add([...at, 'pathPart'], `duplicates the sibling resource '${twin}' (${childPath})`);
        else seen.set(pathPart, kidId);
      }
      if (kid.path !== childPath) out.add([...at, 'path'], `'${String(kid.path)}' does not match its place in the tree (${childPath})`);
      visit(kidId, kid, childPath, childParams);
    }
  };
  if (!isObject(root) || root.parentId !== undefined) return;
  visit(rootId, root, '/', new Set());
  for (const [id, resource] of entries(resources)) {
    if (isObject(resource) && !reached.has(id) && resource.parentId !== undefined && isObject(resources[resource.parentId])) {
      out.add(['resources', id, 'parentId'], 'the resource is not reachable from the root resource');
    }
  }
}

function validateModel(out: Problems, name: string, model: Model): void {
  const at = ['models', name];
  if (!isObject(model)) {
    out.add(at, 'a model must be an object');
    return;
  }
  if (model.name !== name) out.add([...at, 'name'], `must equal its key '${name}'`);
  if (!MODEL_NAME.test(name)) out.add([...at, 'name'], `'${name}' is not a valid model name: only letters and digits are allowed`);
  if (typeof model.id !== 'string' || model.id === '') out.add([...at, 'id'], 'must be a non-empty string');
  if (typeof model.contentType !== 'string' || !MEDIA_TYPE.test(model.contentType)) {
    out.add([...at, 'contentType'], `${quote(model.contentType)} is not a media type`);
  }
  if (model.schema !== undefined) {
    if (typeof model.schema !== 'string' || !isJson(model.schema)) out.add([...at, 'schema'], 'the schema must be a JSON document');
  }
}

function validateRequestValidators(out: Problems, validators: Record<string, RequestValidator>): void {
  const names = new Map<string, string>();
  for (const [id, v] of entries(validators)) {
    const at = ['requestValidators', id];
    if (!isObject(v)) {
      out.add(at, 'a request validator must be an object');
      continue;
    }
    if (v.id !== id) out.add([...at, 'id'], `must equal its key '${id}'`);
    if (typeof v.name !== 'string' || v.name === '') out.add([...at, 'name'], 'must be a non-empty string');
    else if (names.has(v.name)) out.add([...at, 'name'], `the validator '${names.get(v.name)}' already has the name '${v.name}'`);
    else names.set(v.name, id);
    for (const flag of ['validateRequestBody', 'validateRequestParameters'] as const) {
      if (typeof v[flag] !== 'boolean') out.add([...at, flag], 'must be true or false');
    }
  }
}

const REQUEST_IDENTITY_SOURCE = new RegExp(
  `^(method\\.request\\.(header|querystring|multivalueheader|multivaluequerystring|path)\\.${PARAM_NAME}|stageVariables\\.[A-Za-z0-9_]+|context\\.[A-Za-z][A-Za-z0-9_.-]*)$`,
);

function validateAuthorizers(out: Problems, authorizers: Record<string, Authorizer>): void {
  const names = new Map<string, string>();
  for (const [id, a] of entries(authorizers)) {
    const at = (...rest: Path) => ['authorizers', id, ...rest];
    if (!isObject(a)) {
      out.add(at(), 'an authorizer must be an object');
      continue;
    }
    if (a.id !== id) out.add(at('id'), `must equal its key '${id}'`);
    if (typeof a.name !== 'string' || a.name === '') out.add(at('name'), 'must be a non-empty string');
    else if (names.has(a.name)) out.add(at('name'), `the authorizer '${names.get(a.name)}' already has the name '${a.name}'`);
    else names.set(a.name, id);
    if (!oneOf(out, at('type'), a.type, AUTHORIZER_TYPES, 'an authorizer type')) continue;

    // A Lambda authorizer's URI needs only the Lambda path prefix: AWS keeps one it cannot call
    // (recorded: spaces after `path/`), and calls through it fail when they run.
    if (a.type === 'COGNITO_USER_POOLS') {
      if (!Array.isArray(a.providerARNs) || a.providerARNs.length === 0) {
        out.add(at('providerARNs'), 'a Cognito authorizer needs at least one user pool ARN');
      } else {
        a.providerARNs.forEach((arn, i) => {
          if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:cognito-idp:/.test(arn)) {
            out.add(at('providerARNs', i), `${quote(arn)} is not a Cognito user pool ARN`);
          }
        });
      }
    } else if (typeof a.authorizerUri !== 'string' || !LAMBDA_PATH_ARN.test(a.authorizerUri)) {
      out.add(
        at('authorizerUri'),
        a.authorizerUri === undefined
          ? `a ${a.type} authorizer needs the Lambda function's invocation URI`
          : `${quote(a.authorizerUri)} is not a Lambda invocation URI (arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION/invocations)`,
      );
    }

    const ttl = a.authorizerResultTtlInSeconds;
    if (ttl !== undefined) integerIn(out, at('authorizerResultTtlInSeconds'), ttl, 0, AUTHORIZER_TTL_MAX_SECONDS);
    const source = a.identitySource;
    if (a.type === 'TOKEN' || a.type === 'COGNITO_USER_POOLS') {
      if (typeof source !== 'string' || !/^method\.request\.header\.[A-Za-z0-9._$-]+$/.test(source)) {
        out.add(
          at('identitySource'),
          source === undefined
            ? `a ${a.type} authorizer needs an identity source header (method.request.header.NAME)`
            : `${quote(source)} is not a header source (method.request.header.NAME)`,
        );
      }
    } else if (source !== undefined) {
      const parts = typeof source === 'string' ? source.split(',').map((s) => s.trim()) : [];
      const bad = typeof source !== 'string' ? [String(source)] : parts.filter((p) => !REQUEST_IDENTITY_SOURCE.test(p));
      if (bad.length > 0) out.add(at('identitySource'), `not identity source expressions: ${bad.map(quote).join(', ')}`);
    } else if ((ttl ?? 300) > 0) {
      out.add(at('identitySource'), 'a REQUEST authorizer that caches results needs an identity source to key the cache');
    }
    const expr = a.identityValidationExpression;
    if (expr !== undefined && (typeof expr !== 'string' || !isValidPattern(expr))) {
      out.add(at('identityValidationExpression'), `${quote(expr)} is not a valid regular expression`);
    }
  }
}

function validateGatewayResponse(out: Problems, type: string, response: GatewayResponse): void {
  const at = ['gatewayResponses', type];
  if (!(GATEWAY_RESPONSE_TYPES as readonly string[]).includes(type)) {
    out.add(at, `'${type}' is not a gateway response type; expected one of ${GATEWAY_RESPONSE_TYPES.join(', ')}`);
    return;
  }
  if (!isObject(response)) {
    out.add(at, 'a gateway response must be an object');
    return;
  }
  if (response.responseType !== type) out.add([...at, 'responseType'], `must equal its key '${type}'`);
  if (response.statusCode !== undefined && !STATUS_CODE.test(String(response.statusCode))) {
    out.add([...at, 'statusCode'], `${quote(response.statusCode)} is not an HTTP status code`);
  }
  for (const [key, value] of entries(response.responseParameters)) {
    const p = [...at, 'responseParameters', key];
    if (!GATEWAY_RESPONSE_PARAMETER.test(key)) {
      out.add(p, `'${key}' is not a gateway response parameter (gatewayresponse.header.NAME)`);
    } else if (
      typeof value !== 'string' ||
      !(
        STATIC_VALUE.test(value) ||
        METHOD_REQUEST_PARAMETER.test(value) ||
        CONTEXT_VALUE.test(value) ||
        STAGE_VARIABLE_VALUE.test(value)
      )
    ) {
      out.add(p, `${quote(value)} is not a method request parameter, context or stage variable, or a quoted static value`);
    }
  }
  validateTemplates(out, [...at, 'responseTemplates'], response.responseTemplates);
}

function validateTemplates(out: Problems, at: Path, templates: Record<string, string>): void {
  if (templates !== undefined && !isObject(templates)) {
    out.add(at, 'must map content types to templates');
    return;
  }
  for (const [type, template] of entries(templates)) {
    if (!MEDIA_TYPE.test(type)) out.add([...at, type], `'${type}' is not a content type`);
    if (typeof template !== 'string') out.add([...at, type], 'a template must be a string');
  }
}

function validateMethod(
  out: Problems,
  doc: RestApiDocument,
  at: Path,
  verb: string,
  method: Method,
): void {
  if (!isObject(method)) {
    out.add(at, 'a method must be an object');
    return;
  }
  if (!(HTTP_METHODS as readonly string[]).includes(verb)) {
    out.add(at, `'${verb}' is not an HTTP method; expected one of ${HTTP_METHODS.join(', ')}`);
  } else if (method.httpMethod !== verb) {
    out.add([...at, 'httpMethod'], `must equal its key '${verb}'`);
  }

  if (oneOf(out, [...at, 'authorizationType'], method.authorizationType, AUTHORIZATION_TYPES, 'an authorization type')) {
    const type = method.authorizationType;
    if (type === 'CUSTOM' || type === 'COGNITO_USER_POOLS') {
      const authorizer = method.authorizerId === undefined ? undefined : doc.authorizers?.[method.authorizerId];
      if (method.authorizerId === undefined) {
        out.add([...at, 'authorizerId'], `authorization type ${type} needs an authorizer`);
      } else if (!isObject(authorizer)) {
        out.add([...at, 'authorizerId'], `there is no authorizer '${method.authorizerId}'`);
      } else if ((type === 'COGNITO_USER_POOLS') !== (authorizer.type === 'COGNITO_USER_POOLS')) {
        out.add(
          [...at, 'authorizerId'],
          `authorization type ${type} cannot use the ${authorizer.type} authorizer '${authorizer.name}'`,
        );
      }
    }
  }
  if (typeof method.apiKeyRequired !== 'boolean') out.add([...at, 'apiKeyRequired'], 'must be true or false');
  if (method.requestValidatorId !== undefined && !isObject(doc.requestValidators?.[method.requestValidatorId])) {
    out.add([...at, 'requestValidatorId'], `there is no request validator '${method.requestValidatorId}'`);
  }

  for (const [key, required] of entries(method.requestParameters)) {
    const p = [...at, 'requestParameters', key];
    if (!METHOD_REQUEST_PARAMETER.test(key)) {
      out.add(p, `'${key}' is not a method request parameter (method.request.{path|querystring|header|multivaluequerystring|multivalueheader}.NAME)`);
    } else if (typeof required !== 'boolean') {
      out.add(p, 'must be true (required) or false');
    }
  }
  for (const [type, model] of entries(method.requestModels)) {
    const p = [...at, 'requestModels', type];
    if (!MEDIA_TYPE.test(type)) out.add(p, `'${type}' is not a content type`);
    if (typeof model !== 'string' || !isObject(doc.models?.[model])) out.add(p, `there is no model ${quote(model)}`);
  }

  for (const [code, response] of entries(method.methodResponses)) {
    validateMethodResponse(out, doc, [...at, 'methodResponses', code], code, response);
  }
  if (method.methodIntegration !== undefined) {
    validateIntegration(out, method, [...at, 'methodIntegration'], method.methodIntegration);
  }
}

function validateMethodResponse(out: Problems, doc: RestApiDocument, at: Path, code: string, r: MethodResponse): void {
  if (!isObject(r)) {
    out.add(at, 'a method response must be an object');
    return;
  }
  if (!STATUS_CODE.test(code)) out.add(at, `'${code}' is not an HTTP status code`);
  else if (r.statusCode !== code) out.add([...at, 'statusCode'], `must equal its key '${code}'`);
  for (const [key, required] of entries(r.responseParameters)) {
    if (!METHOD_RESPONSE_HEADER.test(key)) out.add([...at, 'responseParameters', key], `'${key}' is not a method response header (method.response.header.NAME)`);
    else if (typeof required !== 'boolean') out.add([...at, 'responseParameters', key], 'must be true (required) or false');
  }
  for (const [type, model] of entries(r.responseModels)) {
    const p = [...at, 'responseModels', type];
    if (!MEDIA_TYPE.test(type)) out.add(p, `'${type}' is not a content type`);
    if (typeof model !== 'string' || !isObject(doc.models?.[model])) out.add(p, `there is no model ${quote(model)}`);
  }
}

const INTEGRATION_HTTP_METHODS: readonly string[] = HTTP_METHODS;

function validateIntegration(out: Problems, method: Method, at: Path, integration: Integration): void {
  if (!isObject(integration)) {
    out.add(at, 'an integration must be an object');
    return;
  }
  const p = (...rest: Path) => [...at, ...rest];
  const typeOk = oneOf(out, p('type'), integration.type, INTEGRATION_TYPES, 'an integration type');
  const type = integration.type;

  if (typeOk && type !== 'MOCK') {
    if (integration.httpMethod === undefined) {
      out.add(p('httpMethod'), `a ${type} integration needs the HTTP method to call the backend with`);
    } else if (!INTEGRATION_HTTP_METHODS.includes(integration.httpMethod)) {
      out.add(p('httpMethod'), `${quote(integration.httpMethod)} is not an HTTP method`);
    }
    const uri = integration.uri;
    if (type === 'HTTP' || type === 'HTTP_PROXY') {
      if (typeof uri !== 'string' || !HTTP_URI.test(uri)) {
        out.add(p('uri'), uri === undefined ? `a ${type} integration needs an http(s) URL` : `${quote(uri)} is not an http(s) URL`);
      }
    } else if (typeof uri !== 'string' || !APIGATEWAY_ARN.test(uri)) {
      out.add(
        p('uri'),
        uri === undefined
          ? `a ${type} integration needs an arn:aws:apigateway:REGION:SERVICE:path|action/… URI`
          : `${quote(uri)} is not an arn:aws:apigateway:REGION:SERVICE:path|action/… URI`,
      );
    } else if (LAMBDA_PATH_ARN.test(uri) && !isLambdaInvocationUri(uri)) {
      out.add(p('uri'), `${quote(uri)} is not a Lambda invocation URI (…:lambda:path/2015-03-31/functions/FUNCTION/invocations)`);
    }
  }

  if (integration.connectionType !== undefined) {
    if (oneOf(out, p('connectionType'), integration.connectionType, ['INTERNET', 'VPC_LINK'], 'a connection type')) {
      if (integration.connectionType === 'VPC_LINK') {
        if (typeOk && type !== 'HTTP' && type !== 'HTTP_PROXY') out.add(p('connectionType'), 'only HTTP and HTTP_PROXY integrations can use a VPC link');
        if (typeof integration.connectionId !== 'string' || integration.connectionId === '') {
          out.add(p('connectionId'), 'a VPC_LINK integration needs the VPC link id');
        }
      }
    }
  }
  if (integration.credentials !== undefined && (typeof integration.credentials !== 'string' || !/^arn:\S+$/.test(integration.credentials))) {
    out.add(p('credentials'), `${quote(integration.credentials)} is not an IAM ARN`);
  }
  integerIn(out, p('timeoutInMillis'), integration.timeoutInMillis, INTEGRATION_TIMEOUT_MIN_MS, INTEGRATION_TIMEOUT_MAX_MS);
  oneOf(out, p('passthroughBehavior'), integration.passthroughBehavior, PASSTHROUGH_BEHAVIORS, 'a passthrough behavior');
  if (integration.contentHandling !== undefined) {
    oneOf(out, p('contentHandling'), integration.contentHandling, CONTENT_HANDLING, 'a content handling strategy');
  }
  if (!Array.isArray(integration.cacheKeyParameters)) out.add(p('cacheKeyParameters'), 'must be a list');
  if (integration.tlsConfig !== undefined) {
    const skip = isObject(integration.tlsConfig) ? integration.tlsConfig.insecureSkipVerification : null;
    if (skip !== undefined && typeof skip !== 'boolean') out.add(p('tlsConfig', 'insecureSkipVerification'), 'must be true or false');
  }

  const declared = isObject(method.requestParameters) ? method.requestParameters : {};
  for (const [key, value] of entries(integration.requestParameters)) {
    const at = p('requestParameters', key);
    if (!INTEGRATION_REQUEST_PARAMETER.test(key)) {
      out.add(at, `'${key}' is not an integration request parameter (integration.request.{path|querystring|header|multivaluequerystring|multivalueheader}.NAME)`);
    } else if (typeof value !== 'string') {
      out.add(at, 'a mapping expression must be a string');
    } else if (METHOD_REQUEST_PARAMETER.test(value)) {
      // AWS refuses to map a parameter the method does not declare.
      if (!(value in declared)) out.add(at, `'${value}' is not declared in the method's request parameters`);
    } else if (value.startsWith('context.')) {
      if (!parseContextSource(value)) out.add(at, unknownContextSource(value));
    } else if (!(METHOD_REQUEST_BODY.test(value) || STAGE_VARIABLE_VALUE.test(value) || STATIC_VALUE.test(value))) {
      out.add(at, `${quote(value)} is not a mapping expression: use method.request.…, context.…, stageVariables.… or a single-quoted static value`);
    }
  }
  validateTemplates(out, p('requestTemplates'), integration.requestTemplates);

  const methodResponses = isObject(method.methodResponses) ? method.methodResponses : {};
  let defaults = 0;
  for (const [code, response] of entries(integration.integrationResponses)) {
    if (isObject(response) && response.selectionPattern === undefined && ++defaults === 2) {
      out.add(p('integrationResponses', code, 'selectionPattern'), 'only one integration response can be the default (no selection pattern)');
    }
    validateIntegrationResponse(out, p('integrationResponses', code), code, response, methodResponses[code]);
  }
}

function validateIntegrationResponse(
  out: Problems,
  at: Path,
  code: string,
  r: IntegrationResponse,
  methodResponse: MethodResponse | undefined,
): void {
  if (!isObject(r)) {
    out.add(at, 'an integration response must be an object');
    return;
  }
  if (!STATUS_CODE.test(code)) {
    out.add([...at, 'statusCode'], `'${code}' is not an HTTP status code`);
  } else {
    if (r.statusCode !== code) out.add([...at, 'statusCode'], `must equal its key '${code}'`);
  }
  if (r.selectionPattern !== undefined && (typeof r.selectionPattern !== 'string' || !isValidPattern(r.selectionPattern))) {
    out.add([...at, 'selectionPattern'], `${quote(r.selectionPattern)} is not a valid regular expression`);
  }
  if (r.contentHandling !== undefined) {
    oneOf(out, [...at, 'contentHandling'], r.contentHandling, CONTENT_HANDLING, 'a content handling strategy');
  }
  const declared = isObject(methodResponse?.responseParameters) ? methodResponse.responseParameters : {};
  for (const [key, value] of entries(r.responseParameters)) {
    const p = [...at, 'responseParameters', key];
    if (!METHOD_RESPONSE_HEADER.test(key)) {
      out.add(p, `'${key}' is not a method response header (method.response.header.NAME)`);
      continue;
    }
    if (!(key in declared)) {
      // AWS only maps onto headers the method response declares.
      out.add(p, `the method response ${code} does not declare the header '${key.slice('method.response.header.'.length)}'`);
    }
    if (typeof value === 'string' && value.startsWith('context.')) {
      if (!parseContextSource(value)) out.add(p, unknownContextSource(value));
    } else if (
      typeof value !== 'string' ||
      !(INTEGRATION_RESPONSE_SOURCE.test(value) || STATIC_VALUE.test(value) || STAGE_VARIABLE_VALUE.test(value))
    ) {
      out.add(p, `${quote(value)} is not a mapping expression: use integration.response.…, context.…, stageVariables.… or a single-quoted static value`);
    }
  }
  validateTemplates(out, [...at, 'responseTemplates'], r.responseTemplates);
}

/** Stage variables, checked as AWS checks them; locations are relative to `base`. */
export function validateStageVariables(variables: Record<string, string>, base: readonly string[] = ['variables']): Problem[] {
  const out = new Problems();
  if (!isObject(variables)) {
    out.add(base, 'stage variables must be an object of names to values');
    return out.list;
  }
  for (const [name, value] of Object.entries(variables)) {
    const at = [...base, name];
    if (!STAGE_VARIABLE_NAME.test(name)) {
      out.add(at, `'${name}' is not a valid stage variable name: only letters, digits and '_' are allowed`);
    } else if (name.length > STAGE_VARIABLE_NAME_MAX) {
      out.add(at, `the name is longer than ${STAGE_VARIABLE_NAME_MAX} characters`);
    }
    if (typeof value !== 'string') {
      out.add(at, 'the value must be a string');
    } else if (!STAGE_VARIABLE_VALUE_CHARS.test(value)) {
      out.add(at, `${quote(value)} is not a valid stage variable value: use letters, digits and - . _ ~ : / ? # & = ,`);
    } else if (value.length > STAGE_VARIABLE_VALUE_MAX) {
      out.add(at, `the value is longer than ${STAGE_VARIABLE_VALUE_MAX} characters`);
    }
  }
  return out.list;
}
