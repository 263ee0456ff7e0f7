/**
 * HTTP and WebSocket APIs (apigatewayv2) as Portico stores them. Members carry AWS's names so
 * the management API can answer with them directly. One document per API holds everything a
 * deployment snapshots (routes, integrations, authorizers, models and their responses); stages,
 * domain names and API mappings live outside it because deployments never capture them.
 */
import type { ApiRecord, Deployment as StoredDeployment } from './api.js';

export type V2ProtocolType = 'HTTP' | 'WEBSOCKET';

export interface Cors {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface Api {
  apiId: string;
  name: string;
  protocolType: V2ProtocolType;
  routeSelectionExpression: string;
  apiKeySelectionExpression?: string;
  corsConfiguration?: Cors;
  description?: string;
  disableExecuteApiEndpoint: boolean;
  disableSchemaValidation?: boolean;
  ipAddressType: 'ipv4' | 'dualstack';
  version?: string;
  tags: Record<string, string>;
  /** ISO-8601, as apigatewayv2 answers dates. */
  createdDate: string;
  /** Warnings left by ImportApi / ReimportApi. */
  warnings?: string[];
}

export type AuthorizationType = 'NONE' | 'JWT' | 'AWS_IAM' | 'CUSTOM';

export interface ParameterConstraints {
  required?: boolean;
}

export interface Route {
  routeId: string;
  routeKey: string;
  apiKeyRequired: boolean;
  authorizationType: AuthorizationType;
  authorizationScopes?: string[];
  authorizerId?: string;
  modelSelectionExpression?: string;
  operationName?: string;
  requestModels?: Record<string, string>;
  requestParameters?: Record<string, ParameterConstraints>;
  routeResponseSelectionExpression?: string;
  /** `integrations/{integrationId}`. */
  target?: string;
  /** Created by quick create; changed through UpdateApi. */
  apiGatewayManaged?: boolean;
}

export interface RouteResponse {
  routeResponseId: string;
  routeResponseKey: string;
  modelSelectionExpression?: string;
  responseModels?: Record<string, string>;
  responseParameters?: Record<string, ParameterConstraints>;
}

export type IntegrationType = 'AWS' | 'AWS_PROXY' | 'HTTP' | 'HTTP_PROXY' | 'MOCK';

export interface Integration {
  integrationId: string;
  integrationType: IntegrationType;
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  contentHandlingStrategy?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
  credentialsArn?: string;
  description?: string;
  integrationMethod?: string;
  integrationResponseSelectionExpression?: string;
  integrationSubtype?: string;
  integrationUri?: string;
  passthroughBehavior?: 'WHEN_NO_MATCH' | 'NEVER' | 'WHEN_NO_TEMPLATES';
  payloadFormatVersion?: '1.0' | '2.0';
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  /** HTTP APIs: status code → (mapping key → value). */
  responseParameters?: Record<string, Record<string, string>>;
  templateSelectionExpression?: string;
  timeoutInMillis: number;
  tlsConfig?: { serverNameToVerify?: string };
  apiGatewayManaged?: boolean;
}

export interface IntegrationResponse {
  integrationResponseId: string;
  integrationResponseKey: string;
  contentHandlingStrategy?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
}

export interface JwtConfiguration {
  audience?: string[];
  issuer?: string;
}

export interface Authorizer {
  authorizerId: string;
  name: string;
  authorizerType: 'JWT' | 'REQUEST';
  identitySource: string[];
  authorizerCredentialsArn?: string;
  authorizerPayloadFormatVersion?: '1.0' | '2.0';
  authorizerResultTtlInSeconds?: number;
  authorizerUri?: string;
  enableSimpleResponses?: boolean;
  identityValidationExpression?: string;
  jwtConfiguration?: JwtConfiguration;
}

export interface Model {
  modelId: string;
  name: string;
  schema?: string;
  contentType?: string;
  description?: string;
}

/** The editable definition of one HTTP or WebSocket API; a deployment snapshots all of it. */
export interface HttpApiDocument {
  api: Api;
  routes: Route[];
  /** By route id (WebSocket APIs). */
  routeResponses: Record<string, RouteResponse[]>;
  integrations: Integration[];
  /** By integration id (WebSocket APIs). */
  integrationResponses: Record<string, IntegrationResponse[]>;
  authorizers: Authorizer[];
  models: Model[];
}

export type HttpApiRecord = ApiRecord<HttpApiDocument>;

export interface RouteSettings {
  dataTraceEnabled?: boolean;
  detailedMetricsEnabled?: boolean;
  loggingLevel?: 'ERROR' | 'INFO' | 'OFF';
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
}

export interface AccessLogSettings {
  destinationArn?: string;
  format?: string;
}

export interface Stage {
  apiId: string;
  stageName: string;
  autoDeploy: boolean;
  deploymentId?: string;
  description?: string;
  stageVariables: Record<string, string>;
  defaultRouteSettings: RouteSettings;
  /** By route key. */
  routeSettings: Record<string, RouteSettings>;
  accessLogSettings?: AccessLogSettings;
  clientCertificateId?: string;
  lastDeploymentStatusMessage?: string;
  apiGatewayManaged?: boolean;
  tags: Record<string, string>;
  createdDate: string;
  lastUpdatedDate: string;
}

/** A deployment in the shared deployments table, with what apigatewayv2 adds to it. */
export interface Deployment extends StoredDeployment<HttpApiDocument> {
  autoDeployed: boolean;
  deploymentStatus: 'DEPLOYED' | 'FAILED' | 'PENDING';
}

export interface DomainNameConfiguration {
  certificateArn?: string;
  certificateName?: string;
  certificateUploadDate?: string;
  domainNameStatus?: string;
  endpointType?: 'REGIONAL' | 'EDGE';
  hostedZoneId?: string;
  apiGatewayDomainName?: string;
  securityPolicy?: 'TLS_1_0' | 'TLS_1_2';
  ownershipVerificationCertificateArn?: string;
  ipAddressType?: string;
}

export interface ApiMapping {
  apiMappingId: string;
  apiId: string;
  stage: string;
  apiMappingKey: string;
}

export interface DomainName {
  domainName: string;
  apiMappingSelectionExpression: string;
  domainNameConfigurations: DomainNameConfiguration[];
  mutualTlsAuthentication?: { truststoreUri?: string; truststoreVersion?: string };
  routingMode?: string;
  tags: Record<string, string>;
  apiMappings: ApiMapping[];
}
