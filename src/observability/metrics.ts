/**
 * Gateway metrics in Prometheus's exposition format, served at `/_portico/metrics`: AWS's REST
 * API metric set (Count, 4XXError, 5XXError, CacheHitCount, CacheMissCount, Latency,
 * IntegrationLatency) labelled with AWS's dimensions, and the health of the process.
 *
 * Series and cardinality: a stage has one series, labelled ApiName, ApiId and Stage; a method
 * with detailed metrics (`metricsEnabled` in the stage's method settings) has one more, labelled
 * Method and Resource too, and its requests count in both, as AWS publishes the stage aggregate
 * next to the method's. Nothing per request (paths, statuses, callers) becomes a label, so the
 * number of series follows the number of deployed stages and detailed methods, never traffic; a
 * hard cap (MAX_SERIES) bounds it even for a process that creates and deletes APIs for ever.
 * Series outlive recompiles: a stage compiled again with the same labels continues its counts.
 * The stage aggregate is the series without a Method label (`{Method=""}` in PromQL).
 *
 * Cost: prom-client's labelled metrics hash their label values on every update (about 0.3 µs
 * per counter increment and 0.4 µs per histogram observation, several per request), which
 * would be a large share of what a MOCK request costs. So each series keeps plain numeric cells
 * that a request only increments, and the seven gateway families are written from those cells
 * when scraped, with each series' label text escaped once, when the series is created.
 *
 * The rest is prom-client, on a registry of this instance's own: the listener's open
 * connections and the live function instances as gauges read at scrape time, and prom-client's
 * default process metrics (event loop lag, heap, GC, handles, CPU) under their usual names, so
 * existing Node.js dashboards work. Those describe the process, not one gateway, and their event
 * loop monitor and GC observer cannot be stopped once started: they are registered once per
 * process, on a registry every GatewayMetrics appends to its exposition. Node unrefs both hooks,
 * so they never keep a process alive.
 */
import type { Server } from 'node:net';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestObservation } from './request-observation.js';
import { recordQueuedObservations } from './observation-queue.js';

/** The label values of one stage: AWS's ApiName, ApiId and Stage dimensions. */
export interface StageLabels {
  apiName: string;
  apiId: string;
  stageName: string;
}

/**
 * Upper bounds of the latency buckets, in milliseconds: from a cache hit or a MOCK (well under
 * a millisecond) to the 29 s integration timeout, which lands in the 30 s bucket.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** Label sets one registry exposes; past it, new stages and methods are counted but not exposed. */
export const MAX_SERIES = 5000;

/** The metric names (histograms without their `_bucket`, `_sum`, `_count` suffixes). */
export const METRIC_NAMES = {
  count: 'apigateway_count_total',
  clientErrors: 'apigateway_4xxerror_total',
  serverErrors: 'apigateway_5xxerror_total',
  cacheHits: 'apigateway_cache_hit_count_total',
  cacheMisses: 'apigateway_cache_miss_count_total',
  latency: 'apigateway_latency_milliseconds',
  integrationLatency: 'apigateway_integration_latency_milliseconds',
  openConnections: 'portico_open_connections',
  functionInstances: 'portico_function_instances',
} as const;

/**
 * AWS's ApiName dimension: the API's name without its non-ASCII characters, or the API id when
 * nothing is left.
 */
export function apiNameDimension(name: string, apiId: string): string {
  const ascii = name.replace(/[^\x00-\x7F]/g, '');
  return ascii === '' ? apiId : ascii;
}

/** One histogram's cells: per-bucket (not cumulative) counts, the sum and the count. */
class LatencyCells {
  /** One slot per bound, and a last one for values above every bound. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  sum = 0;
  count = 0;

  observe(ms: number): void {
    const bounds = LATENCY_BUCKETS_MS;
    let i = 0;
    // Most requests fall in the first few buckets: a linear scan from the bottom ends soonest.
    while (i < bounds.length && ms > bounds[i]) i++;
    this.buckets[i]++;
    this.sum += ms;
    this.count++;
  }
}

/** The cells of one label set: what a request increments, and what a scrape reads. */
class MetricSeries {
  count = 0;
  clientErrors = 0;
  serverErrors = 0;
  cacheHits = 0;
  cacheMisses = 0;
  readonly latency = new LatencyCells();
  readonly integrationLatency = new LatencyCells();

  /** `labels` is the exposition's label text, `Name="value",…`, escaped. */
  constructor(readonly labels: string) {}

  record(obs: RequestObservation): void {
    this.count++;
    const status = obs.status;
    if (status >= 400 && status < 600) {
      if (status < 500) this.clientErrors++;
      else this.serverErrors++;
    }
    const cacheHit = obs.cacheHit;
    if (cacheHit !== undefined) {
      if (cacheHit) this.cacheHits++;
      else this.cacheMisses++;
    }
    // A client that left before the response has no latency to report (status 0: nothing was sent).
    if (status !== 0) this.latency.observe(obs.latencyMs);
    const integrationLatency = obs.integrationLatencyMs;
    if (integrationLatency >= 0) this.integrationLatency.observe(integrationLatency);
  }
}

/** The series of one method with detailed metrics (labelled Method and Resource too). */
export type MethodMetrics = MetricSeries;

/** The counters and histograms of one stage, bound to its labels once per compile. */
export interface StageMetrics {
  /** The method's own series, for a method with detailed metrics (metricsEnabled). */
  method(httpMethod: string, resourcePath: string): MethodMetrics;
  /** Counts one finished request in the stage's series, and in the method's when given. */
  record(obs: RequestObservation, method: MethodMetrics | undefined): void;
}

class BoundStageMetrics implements StageMetrics {
  constructor(
    private readonly series: MetricSeries,
    private readonly methodSeries: (httpMethod: string, resourcePath: string) => MetricSeries,
  ) {}

  method(httpMethod: string, resourcePath: string): MethodMetrics {
    return this.methodSeries(httpMethod, resourcePath);
  }

  record(obs: RequestObservation, method: MethodMetrics | undefined): void {
    this.series.record(obs);
    if (method !== undefined) method.record(obs);
  }
}

export interface GatewayMetricsOptions {
  /** Process health (event loop lag, heap, GC, handles); on by default. */
  processMetrics?: boolean;
}

export class GatewayMetrics {
  private readonly registry = new Registry();
  /** Every exposed series, in creation order. */
  private readonly series: MetricSeries[] = [];
  private readonly byLabels = new Map<string, MetricSeries>();
  private readonly servers = new Set<Server>();
  private functionInstances: (() => number) | undefined = undefined;
  private readonly processMetrics: boolean;
  private overflowReported = false;

  constructor(options: GatewayMetricsOptions = {}) {
    this.processMetrics = options.processMetrics !== false;
    // Started with the gateway, so the first scrape already covers GC pauses and loop lag since then.
    if (this.processMetrics) processRegistry();
    const servers = this.servers;
    new Gauge({
      name: METRIC_NAMES.openConnections,
      help: 'Client connections open on the listener.',
      registers: [this.registry],
      async collect() {
        let open = 0;
        for (const server of servers) open += await connectionsOf(server);
        this.set(open);
      },
    });
    const instances = (): number | undefined => {
      const count = this.functionInstances;
      if (count === undefined) return 0;
      try {
        return count();
      } catch {
        return undefined;
      }
    };
    new Gauge({
      name: METRIC_NAMES.functionInstances,
      help: 'Live function instances of the local invoker, across all functions.',
      registers: [this.registry],
      collect() {
        const count = instances();
        // An invoker that cannot tell leaves the last value rather than failing the scrape.
        if (count !== undefined) this.set(count);
      },
    });
  }

  stage(labels: StageLabels): StageMetrics {
    const stageLabels = `ApiName=${quote(apiNameDimension(labels.apiName, labels.apiId))},ApiId=${quote(labels.apiId)},Stage=${quote(labels.stageName)}`;
    const series = this.seriesFor(stageLabels);
    return new BoundStageMetrics(series, (httpMethod, resourcePath) =>
      this.seriesFor(`${stageLabels},Method=${quote(httpMethod)},Resource=${quote(resourcePath)}`),
    );
  }

  /** Open client connections of the listener, reported as a gauge. */
  watchServer(server: Server): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  /** Live function instances, reported as a gauge. */
  watchFunctionInstances(count: () => number): void {
    this.functionInstances = count;
  }

  /** The exposition: content type and text. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    // Requests that finished in this turn are counted first: a scrape sees every answered request.
    recordQueuedObservations();
    const parts = [writeGatewayFamilies(this.series), await this.registry.metrics()];
    if (this.processMetrics) parts.push(await processRegistry().metrics());
    return { contentType: this.registry.contentType, body: parts.join('\n') };
  }

  /**
   * Stops watching the listener and the invoker. Nothing else runs on its own: the families are
   * read on scrape, and the process-wide health collectors are shared (see the header).
   */
  close(): void {
    this.servers.clear();
    this.functionInstances = undefined;
  }

  /** The series of a label set, created on first use (at compile time, never per request). */
  private seriesFor(labels: string): MetricSeries {
    const existing = this.byLabels.get(labels);
    if (existing !== undefined) return existing;
    const series = new MetricSeries(labels);
    if (this.series.length >= MAX_SERIES) {
      // Counted but never exposed: the exposition stays bounded whatever is deployed.
      if (!this.overflowReported) {
        this.overflowReported = true;
        console.error(`portico: more than ${MAX_SERIES} metric series; further stages and methods are not exposed at /_portico/metrics`);
      }
      return series;
    }
    this.byLabels.set(labels, series);
    this.series.push(series);
    return series;
  }
}

interface CounterFamily {
  name: string;
  help: string;
  read(s: MetricSeries): number;
}

const COUNTERS: readonly CounterFamily[] = [
  { name: METRIC_NAMES.count, help: 'Count: requests of the stage or method, whatever their outcome.', read: (s) => s.count },
  { name: METRIC_NAMES.clientErrors, help: '4XXError: requests answered with a 4xx status.', read: (s) => s.clientErrors },
  { name: METRIC_NAMES.serverErrors, help: '5XXError: requests answered with a 5xx status.', read: (s) => s.serverErrors },
  { name: METRIC_NAMES.cacheHits, help: 'CacheHitCount: requests of cached methods served from the stage cache.', read: (s) => s.cacheHits },
  { name: METRIC_NAMES.cacheMisses, help: 'CacheMissCount: requests of cached methods served from the backend.', read: (s) => s.cacheMisses },
];

interface HistogramFamily {
  name: string;
  help: string;
  read(s: MetricSeries): LatencyCells;
}

const HISTOGRAMS: readonly HistogramFamily[] = [
  {
    name: METRIC_NAMES.latency,
    help: 'Latency: milliseconds from receiving the request to handing the response to the client.',
    read: (s) => s.latency,
  },
  {
    name: METRIC_NAMES.integrationLatency,
    help: 'IntegrationLatency: milliseconds from relaying the request to the integration to receiving its response (none for cache hits and refused requests).',
    read: (s) => s.integrationLatency,
  },
];

/** `le` label text of each bucket, built once. */
const BUCKET_LABELS: readonly string[] = [...LATENCY_BUCKETS_MS.map((bound) => `le="${bound}"`), 'le="+Inf"'];

/** The seven gateway families in the text format (0.0.4), every series in each, zeros included. */
function writeGatewayFamilies(series: readonly MetricSeries[]): string {
  const lines: string[] = [];
  for (const family of COUNTERS) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} counter`);
    for (const s of series) lines.push(`${family.name}{${s.labels}} ${family.read(s)}`);
  }
  for (const family of HISTOGRAMS) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} histogram`);
    for (const s of series) {
      const cells = family.read(s);
      let cumulative = 0;
      for (let i = 0; i < BUCKET_LABELS.length; i++) {
        // The last slot holds what is above every bound: with it, the +Inf bucket is the count.
        cumulative += cells.buckets[i];
        lines.push(`${family.name}_bucket{${s.labels},${BUCKET_LABELS[i]}} ${cumulative}`);
      }
      lines.push(`${family.name}_sum{${s.labels}} ${cells.sum}`, `${family.name}_count{${s.labels}} ${cells.count}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A label value in the text format: quoted, with backslash, double quote and newline escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Connections open on a listener; 0 when it cannot tell (closed). */
function connectionsOf(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, count) => resolve(err ? 0 : count)));
}

let sharedProcessRegistry: Registry | undefined;

/** prom-client's default process metrics, started on first use, once per process. */
function processRegistry(): Registry {
  if (sharedProcessRegistry === undefined) {
    sharedProcessRegistry = new Registry();
    collectDefaultMetrics({ register: sharedProcessRegistry });
  }
  return sharedProcessRegistry;
}
