/**
 * Tracing of stages with tracingEnabled, as X-Ray's active tracing does it: each request takes
 * the caller's `X-Amzn-Trace-Id` (or starts a trace), is sampled by the caller's decision or
 * the sampling rules, and a sampled request is recorded as OpenTelemetry spans exported over
 * OTLP/HTTP (JSON): a server span `{api name}/{stage name}` with an `Authorizer` child and a
 * client span for the integration. Backends and functions receive `Root=…;Parent=…;Sampled=…`
 * naming the span that calls them, and the exported trace id is the X-Ray root without its
 * version and dashes, so both sides of a call show the same trace.
 *
 * Spans are built when the request ends, from the times the observation recorded, with ids
 * chosen while it ran (the ids downstream calls were told). Nothing is registered globally.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledStage } from '../gateway/rest/compile.js';
import { GatewayError } from '../gateway/errors.js';
import { VERSION } from '../version.js';
import type { RequestObservation, RequestTrace } from './request-observation.js';
import { RuleSampler, parseSamplingRules, type SamplingRequest } from './sampling-rules.js';
import { newSpanId, newXrayTraceId, parseTraceHeader, xrayToOtelTraceId } from './trace-header.js';
import { recordQueuedObservations } from './observation-queue.js';

export interface TracingOptions {
  /** OTLP/HTTP endpoint spans are exported to (e.g. http://127.0.0.1:4318); `/v1/traces` is appended. */
  otlpEndpoint: string;
  /** X-Ray sampling rules, as parsed JSON (see sampling-rules.ts); AWS's default rule when absent. */
  samplingRules?: unknown;
  /** Milliseconds spans wait to be batched (default 1000). */
  scheduledDelayMillis?: number;
  /** The clock and the draw sampling rules use (tests make them deterministic). */
  now?: () => number;
  random?: () => number;
}

/** Bounds on what waits for export: past the queue, spans are dropped rather than held. */
const MAX_QUEUE_SIZE = 2048;
const MAX_EXPORT_BATCH_SIZE = 512;
const EXPORT_TIMEOUT_MS = 10_000;
/** close() gives up after this: stopping must not hang on an unreachable collector. */
const CLOSE_TIMEOUT_MS = 5_000;

export class Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly ids = new ChosenIds();
  /** @internal */
  readonly tracer: Tracer;
  /** @internal */
  readonly sampler: RuleSampler;
  private readonly stages = new WeakMap<CompiledStage, StageTracing>();
  private closing: Promise<void> | undefined;

  /** Throws (SamplingRulesError, or on an endpoint that is not a URL) when misconfigured. */
  constructor(options: TracingOptions) {
    this.sampler = new RuleSampler(parseSamplingRules(options.samplingRules), options.now, options.random);
    const url = tracesUrl(options.otlpEndpoint);
    const exporter = new ReportingExporter(new OTLPTraceExporter({ url, timeoutMillis: EXPORT_TIMEOUT_MS }), url);
    this.provider = new BasicTracerProvider({
      resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'portico', 'service.version': VERSION })),
      // Sampling is decided per request before any span exists; only sampled requests make spans.
      sampler: new AlwaysOnSampler(),
      idGenerator: this.ids,
      spanProcessors: [
        new BatchSpanProcessor(exporter, {
          maxQueueSize: MAX_QUEUE_SIZE,
          maxExportBatchSize: MAX_EXPORT_BATCH_SIZE,
          scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
          exportTimeoutMillis: EXPORT_TIMEOUT_MS,
        }),
      ],
    });
    this.tracer = this.provider.getTracer('portico', VERSION);
  }

  /**
   * The trace of one request of a traced stage. Its sampling decision is made when first
   * needed (by then the request has matched a method and its headers are known); a request
   * that is not sampled records nothing but still tells downstream calls `Sampled=0`.
   */
  begin(obs: RequestObservation): RequestTrace {
    let stage = this.stages.get(obs.stage);
    if (stage === undefined) {
      stage = new StageTracing(obs.stage);
      this.stages.set(obs.stage, stage);
    }
    return new TracedRequest(this, stage, obs);
  }

  /** Starts a span with the ids already given out for it. @internal */
  startSpan(name: string, kind: SpanKind, startTime: number, attributes: Attributes, parent: Context, traceId: string, spanId: string) {
    this.ids.traceId = traceId;
    this.ids.spanId = spanId;
    try {
      return this.tracer.startSpan(name, { kind, startTime, attributes }, parent);
    } finally {
      this.ids.traceId = undefined;
      this.ids.spanId = undefined;
    }
  }

  /** Exports what is buffered now; never rejects. */
  async forceFlush(): Promise<void> {
    // Requests that finished in this turn make their spans first.
    recordQueuedObservations();
    try {
      await this.provider.forceFlush();
    } catch {
      // Export failures are reported by the exporter; flushing only waits for them.
    }
  }

  /** Flushes and stops exporting; never rejects, and gives up after a few seconds. */
  close(): Promise<void> {
    recordQueuedObservations();
    return (this.closing ??= boundedTime(this.provider.shutdown(), CLOSE_TIMEOUT_MS));
  }
}

/** The X-Ray root of a request of a traced stage (`$context.xrayTraceId`), else undefined. */
export function xrayTraceIdOf(obs: RequestObservation): string | undefined {
  return obs.trace instanceof TracedRequest ? obs.trace.xrayTraceId : undefined;
}

/** What a stage's requests share, worked out once per compiled stage. */
class StageTracing {
  /** The segment name X-Ray gives the stage, and the ServiceName sampling rules match. */
  readonly serviceName: string;
  readonly resourceArn: string;
  readonly attributes: Attributes;

  constructor(stage: CompiledStage) {
    this.serviceName = `${stage.apiName}/${stage.stageName}`;
    this.resourceArn = `arn:aws:apigateway:${stage.region}::/restapis/${stage.apiId}/stages/${stage.stageName}`;
    this.attributes = {
      'cloud.region': stage.region,
      'cloud.account.id': stage.accountId,
      'cloud.resource_id': this.resourceArn,
      'aws.api_gateway.api_id': stage.apiId,
      'aws.api_gateway.stage': stage.stageName,
      'aws.api_gateway.deployment_id': stage.deploymentId,
    };
  }
}


class TracedRequest implements RequestTrace {
  private decided = false;
  private sampled = false;
  private ruleName: string | undefined;
  private root = '';
  /** The caller's span, the parent of ours, when it named one. */
  private callerSpanId: string | undefined;
  /** This request's segment: the server span's id. */
  private requestSpanId = '';
  private authorizerSpanId: string | undefined;
  private authorizerError: GatewayError | undefined;
  private integrationSpanId: string | undefined;
  /** The span downstream calls are made from, right now. */
  private current = '';
  /** `Root=…;Parent=` and `;Sampled=…` around the current span id. */
  private headerStart = '';
  private headerEnd = '';
  private finished = false;

  constructor(
    private readonly tracing: Tracing,
    private readonly stage: StageTracing,
    private readonly obs: RequestObservation,
  ) {}

  get downstreamHeader(): string {
    this.decide();
    return this.headerStart + this.current + this.headerEnd;
  }

  /**
   * `Root=…;Sampled=…`: the header as AWS echoes it in responses, which name no span of ours
   * (integrations still echo `downstreamHeader`, through Invocation.traceId).
   */
  get responseHeader(): string {
    this.decide();
    return `Root=${this.root};Sampled=${this.sampled ? '1' : '0'}`;
  }

  get xrayTraceId(): string {
    this.decide();
    return this.root;
  }

  authorizerStarted(): void {
    this.decide();
    if (!this.sampled) return;
    this.authorizerSpanId = this.current = newSpanId();
  }

  authorizerEnded(error: GatewayError | undefined): void {
    this.authorizerError = error;
    this.current = this.requestSpanId;
  }

  integrationStarted(): void {
    this.decide();
    if (!this.sampled) return;
    this.integrationSpanId = this.current = newSpanId();
  }

  integrationEnded(): void {
    this.current = this.requestSpanId;
  }

  ended(obs: RequestObservation): void {
    this.decide();
    if (!this.sampled || this.finished) return;
    this.finished = true;
    this.record(obs);
  }

  /** Takes the caller's trace or starts one, and decides whether it is recorded. */
  private decide(): void {
    if (this.decided) return;
    this.decided = true;
    const obs = this.obs;
    const headers = obs.req.headers;
    const given = parseTraceHeader(headers['x-amzn-trace-id']);
    this.root = given?.root ?? newXrayTraceId(obs.requestTimeEpoch);
    this.callerSpanId = given?.parent;
    if (given?.sampled === '1' || given?.sampled === '0') {
      this.sampled = given.sampled === '1';
    } else {
      const decision = this.tracing.sampler.decide(this.samplingRequest(headers));
      this.sampled = decision.sampled;
      this.ruleName = decision.ruleName;
    }
    this.requestSpanId = this.current = newSpanId();
    this.headerStart = `Root=${this.root};Parent=`;
    const extra = given?.extra ?? '';
    this.headerEnd = `;Sampled=${this.sampled ? '1' : '0'}${extra === '' ? '' : `;${extra}`}`;
  }

  private samplingRequest(headers: IncomingHttpHeaders): SamplingRequest {
    const host = headers.host;
    return {
      serviceName: this.stage.serviceName,
      serviceType: 'AWS::ApiGateway::Stage',
      resourceArn: this.stage.resourceArn,
      host: typeof host === 'string' ? host : '',
      httpMethod: this.obs.httpMethod,
      urlPath: `/${this.obs.stage.stageName}${this.obs.path}`,
      header: (name) => {
        const value = headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }

  /** The request's spans, from what the observation recorded. */
  private record(obs: RequestObservation): void {
    const tracing = this.tracing;
    const traceId = xrayToOtelTraceId(this.root);
    // Phases were timed on the monotonic clock; spans are placed from the arrival's wall time.
    const epoch = (at: number): number => obs.requestTimeEpoch + (at - obs.startedAt);
    const parent =
      this.callerSpanId === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: this.callerSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const span = tracing.startSpan(this.stage.serviceName, SpanKind.SERVER, obs.requestTimeEpoch, this.stage.attributes, parent, traceId, this.requestSpanId);
    const inside = trace.setSpan(ROOT_CONTEXT, span);

    if (this.authorizerSpanId !== undefined && obs.authorizerLatencyMs >= 0) {
      const start = epoch(obs.authorizerStartedAt);
      const child = tracing.startSpan('Authorizer', SpanKind.INTERNAL, start, {}, inside, traceId, this.authorizerSpanId);
      child.setAttribute('aws.api_gateway.authorizer.status', obs.authorizerStatus);
      const error = this.authorizerError;
      if (error !== undefined) {
        child.setAttribute('error.type', error.responseType);
        if (obs.authorizerStatus >= 500) child.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
      child.end(start + obs.authorizerLatencyMs);
    }

    // A cache hit never called the integration: there is no call to show.
    if (this.integrationSpanId !== undefined && obs.cacheHit !== true && obs.integrationLatencyMs >= 0) {
      const start = epoch(obs.integrationStartedAt);
      const child = tracing.startSpan('Integration', SpanKind.CLIENT, start, {}, inside, traceId, this.integrationSpanId);
      const type = obs.method?.integrationType;
      if (type !== undefined) child.setAttribute('aws.api_gateway.integration.type', type);
      if (obs.integrationStatus >= 0) child.setAttribute('http.response.status_code', obs.integrationStatus);
      const error = obs.integrationError;
      if (error !== undefined) {
        const status = error instanceof GatewayError ? error.statusCode : undefined;
        child.setAttribute('error.type', error instanceof GatewayError ? error.responseType : errorName(error));
        // A refused request (a validation failure) is not a failed call; anything else is.
        if (!(error instanceof GatewayError) || status === undefined || status >= 500) {
          child.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        }
      } else if (obs.integrationStatus >= 500) {
        child.setStatus({ code: SpanStatusCode.ERROR });
      }
      child.end(start + obs.integrationLatencyMs);
    }

    span.setAttributes(this.requestAttributes(obs));
    if (obs.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: obs.error?.message });
    span.end(obs.latencyMs >= 0 ? obs.requestTimeEpoch + obs.latencyMs : Date.now());
  }

  private requestAttributes(obs: RequestObservation): Attributes {
    const attributes: Attributes = {
      'http.request.method': obs.httpMethod,
      'url.path': `/${obs.stage.stageName}${obs.path}`,
      'aws.api_gateway.request_id': obs.requestId,
      'aws.api_gateway.extended_request_id': obs.extendedRequestId,
      'aws.xray.trace_id': this.root,
    };
    if (this.ruleName !== undefined) attributes['aws.xray.sampling_rule_name'] = this.ruleName;
    if (obs.method !== undefined) attributes['http.route'] = obs.method.resourcePath;
    if (obs.status > 0) attributes['http.response.status_code'] = obs.status;
    if (obs.responseLength >= 0) attributes['http.response.body.size'] = obs.responseLength;
    if (obs.cacheHit !== undefined) attributes['aws.api_gateway.cache_hit'] = obs.cacheHit;
    if (obs.error !== undefined) attributes['error.type'] = obs.error.responseType;
    const { host, 'user-agent': userAgent } = obs.req.headers;
    if (host !== undefined) attributes['server.address'] = host;
    if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
    if (obs.sourceIp !== undefined) attributes['client.address'] = obs.sourceIp;
    return attributes;
  }
}

/**
 * The tracer's id source: the ids a request gave out while it ran, when its spans are made
 * afterwards; random ones otherwise (nothing else starts spans, but the SDK may ask).
 */
class ChosenIds implements IdGenerator {
  traceId: string | undefined = undefined;
  spanId: string | undefined = undefined;

  generateTraceId(): string {
    return this.traceId ?? xrayToOtelTraceId(newXrayTraceId(Date.now()));
  }

  generateSpanId(): string {
    return this.spanId ?? newSpanId();
  }
}

type ExportResultCallback = Parameters<SpanExporter['export']>[1];

/** The OTLP exporter, saying once per outage that exports fail (the SDK itself stays silent). */
class ReportingExporter implements SpanExporter {
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly url: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: ExportResultCallback): void {
    this.inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS is 0.
      if (result.code !== 0) {
        if (!this.failing) console.error(`portico: exporting traces to ${this.url} failed: ${result.error?.message ?? 'unknown error'}`);
        this.failing = true;
      } else {
        this.failing = false;
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** `{endpoint}/v1/traces`, as OTEL_EXPORTER_OTLP_ENDPOINT is read; throws when it is not an http(s) URL. */
export function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`OTLP endpoint "${endpoint}" is not a URL (expected http://host:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`OTLP endpoint "${endpoint}" must be an http:// or https:// URL`);
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

function errorName(error: unknown): string {
  return error instanceof Error ? (((error as NodeJS.ErrnoException).code ?? error.name) || 'Error') : typeof error;
}

async function boundedTime(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work.then(() => undefined, () => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
