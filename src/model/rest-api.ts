/**
 * The REST API (v1) model: plain, JSON-serialisable data in AWS's own shapes and names.
 *
 * A REST API is held as one document (`RestApiDocument`): the RestApi itself plus its resource
 * tree, methods, integrations, models, validators, authorizers and gateway responses. A
 * deployment snapshots that whole document, so the data plane never reads an editable API.
 * Nothing here has behaviour; validation lives in `validate.ts`.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'] as const;
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];

export const INTEGRATION_TYPES = ['MOCK', 'HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const PASSTHROUGH_BEHAVIORS = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const;
export type PassthroughBehavior = (typeof PASSTHROUGH_BEHAVIORS)[number];

export const CONTENT_HANDLING = ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const;
export type ContentHandlingStrategy = (typeof CONTENT_HANDLING)[number];

export const API_KEY_SOURCES = ['HEADER', 'AUTHORIZER'] as const;
export type ApiKeySourceType = (typeof API_KEY_SOURCES)[number];

export const ENDPOINT_TYPES = ['EDGE', 'REGIONAL', 'PRIVATE'] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

/** Integration timeout bounds in milliseconds, as AWS enforces them for REST APIs. */
export const INTEGRATION_TIMEOUT_MIN_MS = 50;
export const INTEGRATION_TIMEOUT_MAX_MS = 29000;
export const INTEGRATION_TIMEOUT_DEFAULT_MS = 29000;

export interface EndpointConfiguration {
  types: EndpointType[];
  vpcEndpointIds?: string[];
}

export interface RestApi {
  id: string;
  name: string;
  description?: string;
  /** Epoch seconds, as AWS's JSON wire format carries timestamps. */
  createdDate: number;
  version?: string;
  binaryMediaTypes: string[];
  apiKeySource: ApiKeySourceType;
  endpointConfiguration: EndpointConfiguration;
  /** The resource policy, a JSON string as AWS stores it. */
  policy?: string;
  minimumCompressionSize?: number;
  disableExecuteApiEndpoint: boolean;
  tags: Record<string, string>;
}

export interface Resource {
  id: string;
  /** Absent only on the root resource. */
  parentId?: string;
  /** One path segment: a literal, `{param}` or greedy `{proxy+}`. Absent on the root. */
  pathPart?: string;
  /** The full path, e.g. `/pets/{petId}`; derived from the tree, kept for convenience. */
  path: string;
  resourceMethods: Partial<Record<HttpMethod, Method>>;
}

export interface MethodResponse {
  statusCode: string;
  /** `method.response.header.X` → required. */
  responseParameters: Record<string, boolean>;
  /** content type → model name. */
  responseModels: Record<string, string>;
}

export interface Method {
  httpMethod: HttpMethod;
  authorizationType: AuthorizationType;
  authorizerId?: string;
  apiKeyRequired: boolean;
  operationName?: string;
  /** `method.request.{querystring,header,path,multivaluequerystring,multivalueheader}.X` → required. */
  requestParameters: Record<string, boolean>;
  /** content type → model name. */
  requestModels: Record<string, string>;
  requestValidatorId?: string;
  authorizationScopes?: string[];
  methodResponses: Record<string, MethodResponse>;
  methodIntegration?: Integration;
}

export interface IntegrationResponse {
  statusCode: string;
  /** Regex matched against the backend status (HTTP) or the Lambda errorMessage (AWS). */
  selectionPattern?: string;
  /** `method.response.header.X` → `integration.response.header.Y` | `integration.response.body…` | `'static'`. */
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
  contentHandling?: ContentHandlingStrategy;
}

export interface Integration {
  type: IntegrationType;
  /** The method used to call the backend (`integrationHttpMethod` in OpenAPI). */
  httpMethod?: string;
  uri?: string;
  connectionType?: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  credentials?: string;
  /** `integration.request.{path,querystring,header}.Y` → source expression. */
  requestParameters: Record<string, string>;
  /** content type → template. */
  requestTemplates: Record<string, string>;
  passthroughBehavior: PassthroughBehavior;
  contentHandling?: ContentHandlingStrategy;
  timeoutInMillis: number;
  cacheNamespace?: string;
  cacheKeyParameters: string[];
  integrationResponses: Record<string, IntegrationResponse>;
  tlsConfig?: { insecureSkipVerification?: boolean };
}

export interface Model {
  id: string;
  name: string;
  description?: string;
  contentType: string;
  /** JSON Schema draft 4, as a JSON string as AWS stores it. */
  schema?: string;
}

export interface RequestValidator {
  id: string;
  name: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export const AUTHORIZER_TYPES = ['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS'] as const;
export type AuthorizerType = (typeof AUTHORIZER_TYPES)[number];

export interface Authorizer {
  id: string;
  name: string;
  type: AuthorizerType;
  providerARNs?: string[];
  authType?: string;
  authorizerUri?: string;
  authorizerCredentials?: string;
  identitySource?: string;
  identityValidationExpression?: string;
  /** Default 300; 0 disables caching. */
  authorizerResultTtlInSeconds?: number;
}

export const GATEWAY_RESPONSE_TYPES = [
  'ACCESS_DENIED',
  'API_CONFIGURATION_ERROR',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'AUTHORIZER_FAILURE',
  'BAD_REQUEST_BODY',
  'BAD_REQUEST_PARAMETERS',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'EXPIRED_TOKEN',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'INVALID_API_KEY',
  'INVALID_SIGNATURE',
  'MISSING_AUTHENTICATION_TOKEN',
  'QUOTA_EXCEEDED',
  'REQUEST_TOO_LARGE',
  'RESOURCE_NOT_FOUND',
  'THROTTLED',
  'UNAUTHORIZED',
  'UNSUPPORTED_MEDIA_TYPE',
  'WAF_FILTERED',
] as const;
export type GatewayResponseType = (typeof GATEWAY_RESPONSE_TYPES)[number];

/** A customised gateway response. Types without an entry use AWS's defaults. */
export interface GatewayResponse {
  responseType: GatewayResponseType;
  statusCode?: string;
  /** `gatewayresponse.header.X` → `'static'` | `method.request.header.Y` | … */
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
}

export const DOCUMENTATION_PART_TYPES = [
  'API',
  'AUTHORIZER',
  'MODEL',
  'RESOURCE',
  'METHOD',
  'PATH_PARAMETER',
  'QUERY_PARAMETER',
  'REQUEST_HEADER',
  'REQUEST_BODY',
  'RESPONSE',
  'RESPONSE_HEADER',
  'RESPONSE_BODY',
] as const;
export type DocumentationPartType = (typeof DOCUMENTATION_PART_TYPES)[number];

/** The API entity a documentation part describes; only the members valid for `type` are set. */
export interface DocumentationPartLocation {
  type: DocumentationPartType;
  path?: string;
  method?: string;
  statusCode?: string;
  name?: string;
}

export interface DocumentationPart {
  id: string;
  location: DocumentationPartLocation;
  /** The content map, a JSON string kept as it was sent, as AWS stores it. */
  properties: string;
}

/** A named snapshot of the API's documentation parts. */
export interface DocumentationVersion {
  version: string;
  description?: string;
  /** Epoch seconds. */
  createdDate: number;
  parts: DocumentationPart[];
}

/** The whole editable REST API, stored as one document and snapshotted by deployments. */
export interface RestApiDocument {
  restApi: RestApi;
  rootResourceId: string;
  /** resource id → resource. */
  resources: Record<string, Resource>;
  /** model name → model. */
  models: Record<string, Model>;
  /** validator id → validator. */
  requestValidators: Record<string, RequestValidator>;
  /** authorizer id → authorizer. */
  authorizers: Record<string, Authorizer>;
  /** Only customised types; the rest are AWS's defaults. */
  gatewayResponses: Partial<Record<GatewayResponseType, GatewayResponse>>;
  /**
   * Documentation lives in the document so that it goes with the API in one transaction and
   * vanishes with it. Both members are optional: documents stored before they existed, and
   * documents built by the OpenAPI importer, have none, which reads as empty. Kept as lists
   * in creation order, so listings are stable and paging by position is well defined.
   */
  documentationParts?: DocumentationPart[];
  documentationVersions?: DocumentationVersion[];
}
