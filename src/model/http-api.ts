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
  /** Parts of the imported definition that HTTP APIs do not use, left by ImportApi / ReimportApi. */
  importInfo?: string[];
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

/**
 * Custom domain names and their API mappings are one resource seen by both management APIs:
 * they are stored once, as apigateway (v1) records (`DomainName`, `BasePathMapping` in
 * usage-plan.ts), and apigatewayv2 converts them to its own shapes at the edge. What only
 * apigatewayv2 adds to those records is declared here.
 */

/** A header a routing rule matches: the name case-insensitively, the value as a glob. */
export interface RoutingRuleMatchHeaderValue {
  header: string;
  valueGlob: string;
}

/** One condition of a routing rule: either headers or base paths. */
export interface RoutingRuleCondition {
  matchHeaders?: { anyOf: RoutingRuleMatchHeaderValue[] };
  matchBasePaths?: { anyOf: string[] };
}

export interface RoutingRuleAction {
  invokeApi: { apiId: string; stage: string; stripBasePath?: boolean };
}

/** A routing rule of a custom domain name, kept on the domain's record. */
export interface RoutingRule {
  routingRuleId: string;
  /** 1–1000000, unique on the domain; lower values are evaluated first. */
  priority: number;
  conditions: RoutingRuleCondition[];
  actions: RoutingRuleAction[];
}

export type RoutingMode = 'API_MAPPING_ONLY' | 'ROUTING_RULE_ONLY' | 'ROUTING_RULE_THEN_API_MAPPING';

/** Record kind of apigatewayv2 VPC links, keyed by VPC link id. */
export const VPC_LINK_KIND = 'v2VpcLink';

export interface VpcLink {
  vpcLinkId: string;
  name: string;
  subnetIds: string[];
  securityGroupIds: string[];
  tags: Record<string, string>;
  /** ISO-8601; the link reports PENDING until it has been provisioning for a moment, then AVAILABLE. */
  createdDate: string;
}
