/**
 * Tracing of stages with tracingEnabled. (Interface fixed; implementation to follow.)
 */
import type { RequestObservation, RequestTrace } from './request-observation.js';

export interface TracingOptions {
  /** OTLP/HTTP endpoint spans are exported to (e.g. http://127.0.0.1:4318). */
  otlpEndpoint: string;
  /** X-Ray style sampling rules, as parsed JSON; AWS's default rule when absent. */
  samplingRules?: unknown;
}

export class Tracing {
  constructor(_options: TracingOptions) {}

  /** The trace of one request of a traced stage, or undefined when it is not sampled. */
  begin(_obs: RequestObservation): RequestTrace | undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
