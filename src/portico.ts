/**
 * Portico as a library: opens the store, compiles every deployed stage, starts the listener,
 * and offers the file-driven control operations the CLI and the tests use. One object, one
 * port, at most one Redis connection (shared by the traffic controls); `close()` releases all of it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Store } from './store/store.js';
import { SqliteStore } from './store/sqlite.js';
import type { ApiRecord, Deployment, Stage } from './model/api.js';
import type { FunctionDefinition } from './model/function.js';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings, type AccountThrottle } from './model/settings.js';
import type { FunctionInvoker } from './functions/invoker.js';
import { LocalInvoker } from './functions/local-invoker.js';
import type { FunctionLogSink } from './functions/function-log.js';
import { StageRegistry } from './gateway/stage-registry.js';
import { ApiKeyIndex } from './gateway/api-key-index.js';
import { createGatewayServer } from './gateway/server.js';
import { deployRestApi, importRestApi, putFunctions } from './control/rest-apis.js';
import { readProject } from './importers/project.js';
import { createLambdaApi } from './lambda-api/lambda-api.js';
import { createManagementApi } from './management/service.js';
import { AdminCredentials } from './auth/admin-credentials.js';
import { verifySigV4 } from './auth/sigv4.js';
import { lambdaAuthorizerFactory } from './auth/lambda-authorizer.js';
import { cognitoJwksOverrides, createCognitoAuthorizerFactory } from './auth/cognito-authorizer.js';
import { createResourcePolicyGateFactory } from './auth/resource-policy-gate.js';
import { createIamAuthorizerFactory } from './auth/iam-authorizer.js';
import { IamPrincipals } from './auth/iam-principals.js';
import { Networks, type NetworkOrigin } from './auth/networks.js';
import { VERSION } from './version.js';
import { closeTraffic, REDIS_URL_ENV, startTraffic, type TrafficFailurePolicies, type TrafficServices } from './traffic/traffic-services.js';
import type { RedisConnection } from './traffic/redis-connection.js';
import type { StageCacheStats } from './traffic/cache-registry.js';
import { closeObservability, startObservability } from './observability/observability.js';
import type { ObservabilityServices } from './observability/stage-observer.js';
import type { LogDestination } from './observability/log-sinks.js';
import { serveMetrics } from './observability/metrics-endpoint.js';

export interface PorticoOptions {
  /** Where the embedded store lives; default `./.portico`. Ignored when `store` is given. */
  dataDir?: string;
  store?: Store;
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Account id, Region, and `throttle`: the account-level limit (`{ rateLimit, burstLimit }`,
   * default AWS's 10,000 requests per second, burst 5,000).
   */
  account?: Partial<AccountSettings>;
  invoker?: FunctionInvoker;
  /** Where function logs (START/END/REPORT and the functions' output) go; nowhere by default. */
  functionLogs?: FunctionLogSink;
  /** Told when a function's code changed and its instances were recycled. */
  onFunctionReload?: (functionName: string) => void;
  /** Live function instances across all functions (default: four per CPU, at least 8). */
  maxFunctionInstances?: number;
  /** A JSON file of admin credentials for the AWS APIs (see `src/auth/admin-credentials.ts`). */
  adminCredentialsFile?: string;
  /**
   * User pool issuer (or user pool ARN) → JWKS URL, for COGNITO_USER_POOLS authorizers whose keys
   * come from elsewhere than Cognito; over `PORTICO_COGNITO_JWKS` (see `src/auth/cognito-authorizer.ts`).
   */
  cognitoJwks?: Record<string, string>;
  /** CIDR block → the VPC / VPC endpoint its clients count as, for resource policies; over `PORTICO_NETWORKS` (see `src/auth/networks.ts`). */
  networks?: Record<string, NetworkOrigin>;
  /**
   * The IAM principals whose SigV4 signatures AWS_IAM methods accept (e.g.
   * `IamPrincipals.fromConfig({ principals: [...] })`); instead of `PORTICO_IAM_PRINCIPALS` and
   * `PORTICO_IAM_PRINCIPALS_FILE`, which are read when it is absent (see `src/auth/iam-principals.ts`).
   */
  iamPrincipals?: IamPrincipals;
  /**
   * The Redis that response caches, throttle buckets and usage plan quotas keep their state in,
   * shared with every Portico using it: `redis://host:port`; over `PORTICO_REDIS_URL`. Without
   * it (or with an empty string) caches and buckets live in this process and quotas are counted
   * here with the store as their durable copy. Encrypted cache entries (cacheDataEncrypted)
   * need the key in `PORTICO_CACHE_KEY` (32 bytes, hex or base64).
   */
  redisUrl?: string;
  /**
   * What throttling and quotas do while their counts cannot be reached (Redis down, the store
   * failing): by default throttling admits ('open') and quotas refuse with a 503 ('closed').
   */
  failurePolicies?: TrafficFailurePolicies;
  /** Prefix of every key Portico writes to Redis (default `portico:`). */
  redisKeyPrefix?: string;
  /** Count requests and serve `/_portico/metrics` (default true). */
  metrics?: boolean;
  /** Where stages' access and execution logs go: `file` (default, `<dataDir>/logs`), `stdout` or `off`. */
  logs?: LogDestination;
  /**
   * OTLP/HTTP endpoint (`http://host:4318`) for traces of stages with tracingEnabled and a copy
   * of every log event; over `PORTICO_OTLP_ENDPOINT`, then `OTEL_EXPORTER_OTLP_ENDPOINT`.
   */
  otlpEndpoint?: string;
  /** X-Ray style sampling rules for traced stages (parsed JSON); AWS's default rule without them. */
  samplingRules?: unknown;
}

export interface DeployedApi {
  api: ApiRecord;
  deployment: Deployment;
  stage: Stage;
}

/** The account throttle option must be usable as a token bucket: rate and burst, neither negative. */
function checkAccountThrottle(throttle: AccountThrottle): void {
  const { rateLimit, burstLimit } = throttle;
  if (!(Number.isFinite(rateLimit) && rateLimit >= 0) || !(Number.isInteger(burstLimit) && burstLimit >= 0)) {
    throw new Error(`Account throttle needs a rateLimit (requests per second) and an integer burstLimit, neither negative; got ${JSON.stringify(throttle)}`);
  }
}

/**
 * What SDK calls made from inside a function need to reach this Portico rather than AWS: the
 * endpoints of the services it serves.
 */
function functionEndpoints(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_LAMBDA: url,
    AWS_ENDPOINT_URL_API_GATEWAY: url,
    AWS_ENDPOINT_URL_APIGATEWAYV2: url,
    AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: url,
  };
}

export class Portico {
  private constructor(
    readonly store: Store,
    readonly registry: StageRegistry,
    /** The live API keys and usage plans the data plane checks keys against. */
    readonly apiKeys: ApiKeyIndex,
    readonly invoker: FunctionInvoker,
    readonly account: AccountSettings,
    /** Response caches, throttle buckets, quotas, and the Redis connection they share. */
    readonly traffic: TrafficServices,
    /** Metrics, the access and execution log router, and tracing. */
    readonly observability: ObservabilityServices,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly ownsStore: boolean,
  ) {}

  static async start(options: PorticoOptions = {}): Promise<Portico> {
    const account = { ...DEFAULT_ACCOUNT_SETTINGS, ...options.account };
    if (!/^\d{12}$/.test(account.accountId)) throw new Error(`Account id '${account.accountId}' must be 12 digits`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(account.region)) throw new Error(`Region '${account.region}' is not a region name like us-east-1`);
    if (account.throttle !== undefined) checkAccountThrottle(account.throttle);
    const host = options.host ?? '127.0.0.1';
    // Before anything opens: a non-loopback bind without credentials must refuse to start.
    const admin = AdminCredentials.resolve({ host, env: process.env, file: options.adminCredentialsFile });
    const cognitoJwks = cognitoJwksOverrides(process.env, options.cognitoJwks);
    const networks = Networks.configure(process.env, options.networks);
    // Read once per process; a malformed configuration stops Portico from starting.
    const iamPrincipals = options.iamPrincipals ?? IamPrincipals.load({ env: process.env });
    const store = options.store ?? SqliteStore.open(resolve(options.dataDir ?? '.portico'));
    const localInvoker = options.invoker
      ? undefined
      : new LocalInvoker({
          account,
          resolveFunction: (name) => store.getFunction(name),
          logSink: options.functionLogs,
          onReload: options.onFunctionReload,
          maxInstances: options.maxFunctionInstances,
        });
    const invoker = options.invoker ?? localInvoker!;
    let traffic: TrafficServices;
    try {
      traffic = await startTraffic({
        store,
        account,
        failurePolicies: options.failurePolicies,
        redisUrl: options.redisUrl ?? process.env[REDIS_URL_ENV],
        redisKeyPrefix: options.redisKeyPrefix,
      });
    } catch (err) {
      await invoker.close();
      if (!options.store) await store.close();
      throw err;
    }
    const dataDir = resolve(options.dataDir ?? '.portico');
    let observability: ObservabilityServices;
    try {
      observability = await startObservability({
        metrics: options.metrics,
        logs: options.logs,
        dataDir,
        otlpEndpoint: options.otlpEndpoint,
        samplingRules: options.samplingRules,
      });
    } catch (err) {
      // Bad sampling rules or OTLP endpoint: nothing may stay open behind the refusal.
      await closeTraffic(traffic);
      await invoker.close();
      if (!options.store) await store.close();
      throw err;
    }
    const apiKeys = new ApiKeyIndex(store);
    const lambdaAuthorizers = lambdaAuthorizerFactory(invoker);
    const registry = new StageRegistry(
      store,
      {
        account,
        invoker,
        apiKeys,
        authorizers: {
          CUSTOM: lambdaAuthorizers,
          COGNITO_USER_POOLS: createCognitoAuthorizerFactory({ jwksUrlOverrides: cognitoJwks }),
          AWS_IAM: createIamAuthorizerFactory({ principals: iamPrincipals, networks }),
        },
        resourcePolicy: createResourcePolicyGateFactory({ networks }),
        traffic,
        iamPrincipals,
        observability,
      },
      (name) => invoker.invalidate(name),
    );
    try {
      await apiKeys.loadAll();
      await registry.loadAll();
      const lambdaApi = createLambdaApi({
        store,
        invoker,
        account,
        codeRoot: join(dataDir, 'functions'),
        authenticate: (req, body) => {
          const result = verifySigV4(
            { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body },
            { lookup: (id) => admin.lookup(id), service: 'lambda' },
          );
          return result.ok ? undefined : result;
        },
      });
      const managementApi = createManagementApi({
        store,
        account,
        invoker,
        caches: traffic.cache,
        flushAuthorizers: (apiId, stageName) => lambdaAuthorizers.flushStage(apiId, stageName),
        authenticate: (req, body) => {
          const result = verifySigV4(
            { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body },
            { lookup: (id) => admin.lookup(id), service: 'apigateway' },
          );
          return result.ok ? undefined : result;
        },
      });
      const metrics = observability.metrics;
      const server = createGatewayServer({
        registry,
        version: VERSION,
        services: [lambdaApi, managementApi],
        internal: metrics && ((req, res) => serveMetrics(metrics, req, res)),
      });
      metrics?.watchServer(server);
      if (localInvoker !== undefined) metrics?.watchFunctionInstances(() => localInvoker.stats().instances);
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 4566, host, () => {
          server.off('error', reject);
          resolveListen();
        });
      });
      const port = (server.address() as AddressInfo).port;
      const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
      localInvoker?.setBaseEnvironment({
        ...functionEndpoints(`http://${local.includes(':') ? `[${local}]` : local}:${port}`),
        // Handlers sign their SDK calls with the well-known pair only where that pair is what Portico accepts.
        ...(admin.source === 'default-loopback' ? { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } : {}),
      });
      return new Portico(store, registry, apiKeys, invoker, account, traffic, observability, server, host, port, !options.store);
    } catch (err) {
      apiKeys.close();
      registry.close();
      await closeObservability(observability);
      await closeTraffic(traffic);
      await invoker.close();
      if (!options.store) await store.close();
      throw err;
    }
  }

  /** The Redis connection the traffic controls share, when one is configured. */
  get redis(): RedisConnection | undefined {
    return this.traffic.redis;
  }

  /** Hit and miss counts of every cached stage (CacheHitCount / CacheMissCount). */
  cacheStats(): StageCacheStats[] {
    return this.traffic.cache.stats();
  }

  /** `http://host:port`, with a loopback name when bound to all interfaces. */
  get url(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? 'localhost' : this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  /** The invoke URL of a stage, path style (works with any HTTP client) or host style. */
  invokeUrl(apiId: string, stageName: string, style: 'path' | 'host' = 'path'): string {
    if (style === 'host') return `http://${apiId}.execute-api.localhost:${this.port}/${stageName}`;
    return `${this.url}/_aws/execute-api/${apiId}/${stageName}`;
  }

  /** Imports an OpenAPI definition and deploys it to a stage; the stage is live on return. */
  async deployOpenApi(
    input: string | object,
    options: { stageName?: string; sourceKey?: string; sourceName?: string; apiId?: string; stageVariables?: Record<string, string> } = {},
  ): Promise<DeployedApi> {
    const api = await importRestApi(this.store, input, {
      sourceKey: options.sourceKey,
      sourceName: options.sourceName,
      apiId: options.apiId,
      account: this.account,
    });
    const { deployment, stage } = await deployRestApi(this.store, api.id, {
      stageName: options.stageName ?? 'dev',
      variables: options.stageVariables,
    });
    await this.registry.settled();
    return { api, deployment, stage };
  }

  /** Reads an OpenAPI file and deploys it; serving the same file again updates the same API. */
  async deployOpenApiFile(
    file: string,
    options: { stageName?: string; apiId?: string; stageVariables?: Record<string, string> } = {},
  ): Promise<DeployedApi> {
    const path = resolve(file);
    const text = await readFile(path, 'utf8');
    return this.deployOpenApi(text, { ...options, sourceKey: `file:${path}`, sourceName: file });
  }

  /** Registers the project's functions, then deploys each of its APIs. */
  async deployProject(file: string, options: { stageName?: string } = {}): Promise<DeployedApi[]> {
    const project = await readProject(file);
    await putFunctions(this.store, project.functions);
    const deployed: DeployedApi[] = [];
    for (const api of project.apis) {
      deployed.push(
        await this.deployOpenApiFile(api.openapi, {
          stageName: api.stageName ?? options.stageName,
          apiId: api.apiId,
          stageVariables: api.stageVariables,
        }),
      );
    }
    await this.registry.settled();
    return deployed;
  }

  async putFunction(fn: FunctionDefinition): Promise<void> {
    await putFunctions(this.store, [fn]);
    await this.registry.settled();
  }

  async close(): Promise<void> {
    this.apiKeys.close();
    this.registry.close();
    await new Promise<void>((resolveClose) => {
      this.server.close(() => resolveClose());
      this.server.closeAllConnections();
    });
    await this.invoker.close();
    await closeObservability(this.observability);
    await closeTraffic(this.traffic);
    if (this.ownsStore) await this.store.close();
  }
}
