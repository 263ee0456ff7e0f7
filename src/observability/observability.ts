/**
 * The process-wide observability services a Portico starts with: the metrics registry, the log
 * router access and execution logs go through, and the tracer. Which of them run is decided
 * here from the options and the environment; stages then compile against what is running.
 */
import { join } from 'node:path';
import { GatewayMetrics } from './metrics.js';
import { createLogRouter, type LogDestination } from './log-sinks.js';
import type { ObservabilityServices } from './stage-observer.js';

/** Where OTLP/HTTP telemetry goes, as an environment variable (over OTEL_EXPORTER_OTLP_ENDPOINT). */
export const OTLP_ENDPOINT_ENV = 'PORTICO_OTLP_ENDPOINT';

export interface ObservabilityOptions {
  /** Serve `/_portico/metrics` and count requests (default true). */
  metrics?: boolean;
  /** Where access and execution logs are written (default `file`, under `<dataDir>/logs`). */
  logs?: LogDestination;
  /** The data directory; log files go to its `logs` directory. */
  dataDir: string;
  /**
   * OTLP/HTTP endpoint (`http://host:4318`) receiving traces of stages with tracingEnabled and a
   * copy of every log event; over PORTICO_OTLP_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT.
   */
  otlpEndpoint?: string;
  /** X-Ray style sampling rules for traced stages (see tracing.ts); AWS's default rule without them. */
  samplingRules?: unknown;
}

export function otlpEndpointOf(options: { otlpEndpoint?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const endpoint = options.otlpEndpoint ?? env[OTLP_ENDPOINT_ENV] ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return endpoint === undefined || endpoint === '' ? undefined : endpoint;
}

/**
 * Starts what the options ask for. The OpenTelemetry SDK (tracing, the OTLP log copy) is loaded
 * only with an OTLP endpoint, so a Portico without one neither loads nor carries it.
 */
export async function startObservability(options: ObservabilityOptions): Promise<ObservabilityServices> {
  const otlpEndpoint = otlpEndpointOf(options);
  // First: it is what throws on bad configuration (sampling rules), before anything else is open.
  const tracing = otlpEndpoint === undefined ? undefined : new (await import('./tracing.js')).Tracing({ otlpEndpoint, samplingRules: options.samplingRules });
  const metrics = options.metrics === false ? undefined : new GatewayMetrics();
  const logs = await createLogRouter({ destination: options.logs ?? 'file', dir: join(options.dataDir, 'logs'), otlpEndpoint });
  return { metrics, logs, tracing };
}

/** Flushes what is buffered and stops every service; never rejects. */
export async function closeObservability(services: ObservabilityServices): Promise<void> {
  services.metrics?.close();
  await Promise.allSettled([services.logs?.close(), services.tracing?.close()]);
}
