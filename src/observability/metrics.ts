/**
 * Gateway metrics in Prometheus's exposition format, served at `/_portico/metrics`.
 * (Interface fixed; implementation to follow.)
 */
import type { RequestObservation } from './request-observation.js';

/** The label values of one stage: AWS's ApiName, ApiId and Stage dimensions. */
export interface StageLabels {
  apiName: string;
  apiId: string;
  stageName: string;
}

/** The counters and histograms of one method, labelled with Method and Resource too (detailed metrics). */
export interface MethodMetrics {
  readonly detailed: true;
}

/** The counters and histograms of one stage, bound to its labels once per compile. */
export interface StageMetrics {
  /** The method's own series, for a method with detailed metrics (metricsEnabled). */
  method(httpMethod: string, resourcePath: string): MethodMetrics;
  /** Counts one finished request in the stage's series, and in the method's when given. */
  record(obs: RequestObservation, method: MethodMetrics | undefined): void;
}

export interface GatewayMetricsOptions {
  /** Process health (event loop lag, heap, handles); on by default. */
  processMetrics?: boolean;
}

export class GatewayMetrics {
  constructor(_options: GatewayMetricsOptions = {}) {}

  stage(_labels: StageLabels): StageMetrics {
    return { method: () => ({ detailed: true }), record: () => {} };
  }

  /** Open client connections of the listener, reported as a gauge. */
  watchServer(_server: import('node:net').Server): void {}

  /** Live function instances, reported as a gauge. */
  watchFunctionInstances(_count: () => number): void {}

  /** The exposition: content type and text. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' };
  }

  close(): void {}
}
