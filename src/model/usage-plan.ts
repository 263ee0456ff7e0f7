/**
 * Account-level records of API Gateway (v1) that belong to no single API: API keys, usage plans
 * and their keys, per-day usage counters, custom domain names with their base path mappings,
 * and the account's own settings. They live in the store's generic record table under the
 * kinds in RECORD_KINDS; usage plan enforcement and custom-domain routing read them from there.
 * Member names are AWS's, so a stored record reads like the API's own resource.
 */
import type { RoutingRule } from './http-api.js';

/** The store's record kinds for these records. */
export const RECORD_KINDS = {
  apiKey: 'apiKey',
  usagePlan: 'usagePlan',
  usagePlanKey: 'usagePlanKey',
  usage: 'usage',
  domainName: 'domainName',
  basePathMapping: 'basePathMapping',
  account: 'account',
  vpcLink: 'vpcLink',
  clientCertificate: 'clientCertificate',
  domainNameAccessAssociation: 'domainNameAccessAssociation',
} as const;

export type Tags = Record<string, string>;

export interface ApiKey {
  /** 10 lower-case alphanumerics. */
  id: string;
  /** The secret callers send in `x-api-key`; unique in the account. */
  value: string;
  name?: string;
  description?: string;
  enabled: boolean;
  customerId?: string;
  /** Epoch seconds. */
  createdDate: number;
  lastUpdatedDate: number;
  /** `restApiId/stageName` pairs the key was attached to directly (the pre-usage-plan model). */
  stageKeys: string[];
  tags: Tags;
}

export interface ThrottleSettings {
  burstLimit?: number;
  /** Requests per second; fractional values are allowed. */
  rateLimit?: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface QuotaSettings {
  limit: number;
  /** Requests subtracted from `limit` in the first period of the plan. */
  offset: number;
  period: QuotaPeriod;
}

export interface ApiStage {
  apiId: string;
  stage: string;
  /** Method-level throttles keyed `{resourcePath}/{httpMethod}`, e.g. `/pets/GET`. */
  throttle?: Record<string, ThrottleSettings>;
}

export interface UsagePlan {
  /** 6 lower-case alphanumerics. */
  id: string;
  name: string;
  description?: string;
  apiStages: ApiStage[];
  throttle?: ThrottleSettings;
  quota?: QuotaSettings;
  tags: Tags;
  /** Epoch seconds; not on the wire, but the quota offset applies to the period it falls in. */
  createdDate: number;
}

/** An API key's membership of a usage plan. The key's name and value are read from the key. */
export interface UsagePlanKey {
  usagePlanId: string;
  /** The API key id. */
  keyId: string;
  type: 'API_KEY';
}

/** Requests one key made through one usage plan on one UTC day. */
export interface UsageRecord {
  usagePlanId: string;
  keyId: string;
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  used: number;
  /**
   * Set by UpdateUsage: the quota left at that point of the day, overriding what `used` implies;
   * requests counted afterwards lower it further.
   */
  remaining?: number;
}

export type EndpointType = 'EDGE' | 'REGIONAL' | 'PRIVATE';

export interface DomainEndpointConfiguration {
  types: EndpointType[];
  ipAddressType?: string;
  vpcEndpointIds?: string[];
}

export interface MutualTlsAuthentication {
  truststoreUri?: string;
  truststoreVersion?: string;
  truststoreWarnings?: string[];
}

export interface DomainName {
  domainName: string;
  certificateName?: string;
  certificateArn?: string;
  /** Epoch seconds; set when an edge certificate is given. */
  certificateUploadDate?: number;
  regionalCertificateName?: string;
  regionalCertificateArn?: string;
  /** For REGIONAL endpoints: the target a DNS alias points at. */
  regionalDomainName?: string;
  regionalHostedZoneId?: string;
  /** For EDGE endpoints: the CloudFront-style target a DNS alias points at. */
  distributionDomainName?: string;
  distributionHostedZoneId?: string;
  endpointConfiguration: DomainEndpointConfiguration;
  domainNameStatus: 'AVAILABLE' | 'UPDATING' | 'PENDING' | 'PENDING_CERTIFICATE_REIMPORT' | 'PENDING_OWNERSHIP_VERIFICATION';
  domainNameStatusMessage?: string;
  securityPolicy: 'TLS_1_0' | 'TLS_1_2';
  mutualTlsAuthentication?: MutualTlsAuthentication;
  ownershipVerificationCertificateArn?: string;
  routingMode?: string;
  tags: Tags;
  /** Routing rules (apigatewayv2 CreateRoutingRule), evaluated by priority. */
  routingRules?: RoutingRule[];
}

export interface BasePathMapping {
  domainName: string;
  /** `(none)` maps the domain's root. */
  basePath: string;
  restApiId: string;
  /** Absent: the mapping forwards to whichever stage the request path names. */
  stage?: string;
  /** The id apigatewayv2 knows the mapping by (an API mapping there); see apiMappingIdOf. */
  apiMappingId?: string;
}

/** The account's API Gateway settings (GetAccount / UpdateAccount). */
export interface Account {
  cloudwatchRoleArn?: string;
  features: string[];
}
