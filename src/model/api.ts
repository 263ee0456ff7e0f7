/**
 * The records every API type shares: the stored API, its deployments and its stages.
 *
 * REST APIs (v1) are stored today; HTTP and WebSocket APIs (v2) join as further `protocolType`s
 * with their own document shape, sharing the store tables, the listener and dispatch.
 */
import type { RestApiDocument } from './rest-api.js';

export type ProtocolType = 'REST' | 'HTTP' | 'WEBSOCKET';

/** A stored API of any type. `document` is the editable definition in that type's shape. */
export interface ApiRecord<D = RestApiDocument> {
  id: string;
  protocolType: ProtocolType;
  document: D;
  /** Where the API was imported from, if anywhere; lets `serve FILE` update in place. */
  sourceKey?: string;
}

/** An immutable snapshot of a whole API, taken when it is deployed. */
export interface Deployment<D = RestApiDocument> {
  id: string;
  apiId: string;
  description?: string;
  createdDate: number;
  snapshot: D;
}

export interface MethodSetting {
  metricsEnabled?: boolean;
  loggingLevel?: 'OFF' | 'ERROR' | 'INFO';
  dataTraceEnabled?: boolean;
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
  cachingEnabled?: boolean;
  cacheTtlInSeconds?: number;
  cacheDataEncrypted?: boolean;
  requireAuthorizationForCacheControl?: boolean;
  unauthorizedCacheControlHeaderStrategy?:
    | 'FAIL_WITH_403'
    | 'SUCCEED_WITH_RESPONSE_HEADER'
    | 'SUCCEED_WITHOUT_RESPONSE_HEADER';
}

/**
 * A stage's canary release: another deployment served to `percentTraffic` percent of the
 * stage's requests, with the stage's variables overlaid by `stageVariableOverrides`.
 */
export interface CanarySettings {
  deploymentId: string;
  /** 0.0–100.0 inclusive. */
  percentTraffic: number;
  stageVariableOverrides?: Record<string, string>;
  useStageCache: boolean;
}

export interface Stage {
  apiId: string;
  stageName: string;
  deploymentId: string;
  description?: string;
  /** Stage variables: names `[A-Za-z0-9_]+`, values `[A-Za-z0-9-._~:/?#&=,]+`. */
  variables: Record<string, string>;
  /** `*\/*` for the stage default, `{resourcePath}/{METHOD}` (slash-escaped as `~1`) per method. */
  methodSettings: Record<string, MethodSetting>;
  cacheClusterEnabled: boolean;
  cacheClusterSize?: string;
  tracingEnabled: boolean;
  accessLogSettings?: { format?: string; destinationArn?: string };
  createdDate: number;
  lastUpdatedDate: number;
  tags: Record<string, string>;
  canarySettings?: CanarySettings;
  /** The client certificate HTTP integrations of this stage would present (stored; not yet used for TLS). */
  clientCertificateId?: string;
  /** The documentation version published with this stage. */
  documentationVersion?: string;
}
