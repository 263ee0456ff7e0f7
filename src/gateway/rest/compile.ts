/**
 * Compiles a REST API deployment, as a stage sees it, into a CompiledStage: the routing table,
 * one ready integration handler per method, the gateway responses and the binary media type
 * matcher. Everything that can be decided before a request arrives is decided here; stage
 * variables are fixed per stage, so they are substituted now too. A method's access control
 * (authorizer, resource policy, API key) is compiled into its own step, `authorize`, run before
 * `integrate`; TestInvokeMethod calls `integrate` alone, as AWS's test bypasses authorization
 * (and the cache, throttles and quotas). With traffic services every method gets `admit`
 * (traffic-control.ts), run after `authorize`: the throttle buckets and the usage plan quota.
 * A method the stage caches also gets `cache` (method-cache.ts), which the listener runs instead
 * of `integrate`: validation, the cache lookup, and the integration on a miss.
 */
import type { CanarySettings, Deployment, Stage } from '../../model/api.js';
import type { Integration, RestApiDocument } from '../../model/rest-api.js';
import type { AccountSettings } from '../../model/settings.js';
import type { FunctionInvoker } from '../../functions/invoker.js';
import type { IntegrationCompileContext, IntegrationHandler } from '../../integrations/integration.js';
import { compileMock } from '../../integrations/mock.js';
import { compileHttp } from '../../integrations/http.js';
import { compileLambdaAws, compileLambdaProxy, functionNameFromUri } from '../../integrations/lambda.js';
import { apiConfigurationError } from '../errors.js';
import { GatewayResponses, DEFAULT_GATEWAY_RESPONSES } from '../gateway-responses.js';
import { compileBinaryMediaTypes, type MediaTypeMatcher } from '../media-types.js';
import { RestRouter } from './router.js';
import { compileRequestValidation } from './request-validation.js';
import { compileCompressionPolicy, type CompressionPolicy } from '../compression.js';
import type { Invocation } from '../invocation.js';
import { compileAuthorization, type AuthorizationServices, type AuthorizeStep } from './authorization.js';
import { compileMethodCache, stageCacheFor, type CacheStep } from './method-cache.js';
import { compileMethodObserver, compileStageObserver, type MethodObserver, type ObservabilityServices, type StageObserver } from '../../observability/stage-observer.js';
import { compileTrafficControl, type AdmitStep } from './traffic-control.js';
import type { TrafficServices } from '../../traffic/traffic-services.js';
import type { IamPrincipalDirectory } from '../../auth/iam-principals.js';

export interface CompiledMethod {
  resourceId: string;
  resourcePath: string;
  httpMethod: string;
  /** The integration's type (MOCK, HTTP, HTTP_PROXY, AWS, AWS_PROXY), as traces and logs name it. */
  integrationType: string | undefined;
  /**
   * The method request's access control (authorizer, resource policy, API key), run before
   * `integrate`; undefined when the method has none, so an open method pays nothing for it.
   */
  authorize?: AuthorizeStep;
  /**
   * Throttling and the usage plan quota, run after `authorize` (which finds the API key) and
   * before `cache` or `integrate`; undefined only without traffic services.
   */
  admit?: AdmitStep;
  integrate: IntegrationHandler;
  /**
   * Set when the stage caches this method: `integrate` wrapped in the response cache, run by
   * the listener in its place. Undefined otherwise, so an uncached method pays nothing for it.
   */
  cache?: CacheStep;
  /** The method's detailed metrics and execution logging; undefined when it has neither. */
  observer?: MethodObserver;
}

export interface CompiledStage {
  apiId: string;
  apiName: string;
  stageName: string;
  deploymentId: string;
  accountId: string;
  region: string;
  variables: Record<string, string>;
  /** What AWS passes as `stageVariables`: null when the stage has none. */
  stageVariablesOrNull: Record<string, string> | null;
  router: RestRouter<CompiledMethod>;
  gatewayResponses: GatewayResponses;
  isBinaryMediaType: MediaTypeMatcher;
  /** Set when the API has minimumCompressionSize: responses may be compressed, requests are decoded. */
  compression?: CompressionPolicy;
  /** True on the compiled canary of a stage, which serves `$context.isCanaryRequest` requests. */
  isCanaryRequest?: boolean;
  /** The stage's canary release, compiled: the share of requests it takes and what serves them. */
  canary?: { percentTraffic: number; stage: CompiledStage };
  /** Metrics, access and execution logs, tracing; undefined when nothing observes the stage. */
  observer?: StageObserver;
}

export interface CompileServices extends AuthorizationServices {
  account: AccountSettings;
  invoker: FunctionInvoker;
  /** The traffic controls (response caches, throttles, quotas); without them none apply. */
  traffic?: TrafficServices;
  /** The IAM principals, whose policies may grant execute-api:InvalidateCache. */
  iamPrincipals?: IamPrincipalDirectory;
  /** Metrics, log destinations and tracing; without them nothing is observed. */
  observability?: ObservabilityServices;
}

/** What a compile is for, beyond the stage: the stage's canary, when it is that. */
export interface CompileVariant {
  canary?: CanarySettings;
}

const misconfigured: IntegrationHandler = async () => Promise.reject(apiConfigurationError());

function compileIntegration(ctx: IntegrationCompileContext): IntegrationHandler {
  const integration: Integration = ctx.integration;
  switch (integration.type) {
    case 'MOCK':
      return compileMock(ctx);
    case 'HTTP':
      return compileHttp(ctx, false);
    case 'HTTP_PROXY':
      return compileHttp(ctx, true);
    case 'AWS_PROXY':
      return compileLambdaProxy(ctx);
    case 'AWS':
      // Only Lambda is wired among AWS service integrations; others answer AWS's 500.
      return functionNameFromUri(integration.uri ?? '') !== undefined ? compileLambdaAws(ctx) : misconfigured;
    default:
      return misconfigured;
  }
}

export function compileRestStage(
  deployment: Deployment<RestApiDocument>,
  stage: Stage,
  services: CompileServices,
  variant: CompileVariant = {},
): CompiledStage {
  const doc = deployment.snapshot;
  const router = new RestRouter<CompiledMethod>();
  const stageCache = stageCacheFor(stage, deployment.id, services.traffic?.cache, variant);
  const observer = compileStageObserver(stage, doc.restApi.name, services.observability, variant);
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
      if (!method) continue;
      const integration = method.methodIntegration
        ? compileIntegration({
            apiId: doc.restApi.id,
            stageName: stage.stageName,
            stageVariables: stage.variables,
            account: services.account,
            invoker: services.invoker,
            integration: method.methodIntegration,
          })
        : misconfigured;
      const validation = compileRequestValidation(doc, method);
      const validate = validation
        ? async (inv: Invocation) => {
            const contentType = inv.req.headers['content-type'];
            await validation({ headers: inv.req.headers, query: inv.query, pathParameters: inv.pathParameters, contentType, body: () => inv.body() });
            // The execution log's line for a request the validator let through, as AWS writes it.
            inv.log?.add(`Request validation succeeded for content type ${contentType?.split(';')[0]?.trim() || 'application/json'}`);
            // The method request is done: IntegrationLatency starts now, not before the validation.
            inv.observation?.integrationStarted();
          }
        : undefined;
      // Validation runs before the integration request, as the method request step does on AWS.
      const integrate: IntegrationHandler = validate
        ? async (inv: Invocation) => {
            await validate(inv);
            return integration(inv);
          }
        : integration;
      const cache = compileMethodCache({
        stageCache,
        stage,
        account: services.account,
        resourcePath: resource.path,
        httpMethod,
        method,
        integration: method.methodIntegration,
        resourcePathOf: (id) => doc.resources[id]?.path,
        validate,
        integrate: integration,
        principals: services.iamPrincipals,
      });
      const authorize = compileAuthorization(
        {
          restApi: doc.restApi,
          method,
          authorizer: method.authorizerId ? doc.authorizers?.[method.authorizerId] : undefined,
          resourcePath: resource.path,
          httpMethod,
          stageName: stage.stageName,
          stageVariables: stage.variables,
        },
        services,
      );
      const admit = compileTrafficControl(
        { apiId: doc.restApi.id, stage, resourcePath: resource.path, httpMethod, apiKeyRequired: method.apiKeyRequired === true },
        services.traffic,
      );
      const methodObserver = compileMethodObserver(stage, observer, services.observability, observer?.metrics, resource.path, httpMethod);
      // Every method object has the same shape (authorize, admit, cache and observer possibly undefined): one check each per request.
      router.add(resource.path, httpMethod, {
        resourceId: resource.id,
        resourcePath: resource.path,
        httpMethod,
        integrationType: method.methodIntegration?.type,
        authorize,
        admit,
        integrate,
        cache,
        observer: methodObserver,
      });
    }
  }
  const hasCustomResponses = Object.keys(doc.gatewayResponses ?? {}).length > 0;
  return {
    apiId: doc.restApi.id,
    apiName: doc.restApi.name,
    stageName: stage.stageName,
    deploymentId: deployment.id,
    accountId: services.account.accountId,
    region: services.account.region,
    variables: stage.variables,
    stageVariablesOrNull: Object.keys(stage.variables).length > 0 ? stage.variables : null,
    router,
    gatewayResponses: hasCustomResponses ? new GatewayResponses(doc.gatewayResponses) : DEFAULT_GATEWAY_RESPONSES,
    isBinaryMediaType: compileBinaryMediaTypes(doc.restApi.binaryMediaTypes ?? []),
    compression: compileCompressionPolicy(doc.restApi.minimumCompressionSize),
    observer,
  };
}
