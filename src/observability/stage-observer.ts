/**
 * What observes a stage's requests, compiled with the stage: its metrics series, its access
 * log format and group, each method's detailed metrics and execution logging, and whether it is
 * traced. A stage with none of these gets no observer, and the listener then records nothing.
 *
 * Method settings follow AWS's precedence: a method's own setting (`/{resource}/{METHOD}`) wins
 * over the stage default (`*\/*`), field by field; a method without its own setting uses the
 * stage default.
 */
import type { IncomingMessage } from 'node:http';
import type { MethodSetting, Stage } from '../model/api.js';
import { sourceIpOf, type Invocation } from '../gateway/invocation.js';
import type { CompiledMethod, CompiledStage } from '../gateway/rest/compile.js';
import { RequestObservation } from './request-observation.js';
import { queueObservation, type ObservationRecorder } from './observation-queue.js';
import type { GatewayMetrics, MethodMetrics, StageMetrics } from './metrics.js';
import type { LogRouter } from './log-sinks.js';
import { compileAccessLogFormat, logGroupOfArn, type AccessLogFormatter } from './access-log-format.js';
import { compileExecutionLogging, executionLogGroup, type LoggingLevel, type MethodExecutionLogging } from './execution-logging.js';
import type { Tracing } from './tracing.js';

/** The process-wide parts stages are observed with; each may be absent (switched off). */
export interface ObservabilityServices {
  metrics?: GatewayMetrics;
  logs?: LogRouter;
  tracing?: Tracing;
}

/** A method's part: its detailed metrics series and its execution logging, when either is on. */
export interface MethodObserver {
  metrics: MethodMetrics | undefined;
  executionLogging: MethodExecutionLogging | undefined;
}

/** Writes a finished request's access log event. */
type AccessLog = (obs: RequestObservation) => void;

export class StageObserver implements ObservationRecorder {
  constructor(
    /** The stage's series; methods with detailed metrics get theirs from it. */
    readonly metrics: StageMetrics | undefined,
    private readonly accessLog: AccessLog | undefined,
    private readonly executionGroup: string,
    private readonly logs: LogRouter | undefined,
    private readonly tracing: Tracing | undefined,
    /**
     * Whether requests wait for the end of the turn to be recorded: when an access log,
     * execution logs or a trace is written. Counting alone (a few additions) costs less than
     * queueing, so a stage with metrics only is counted at once.
     */
    private readonly queued: boolean,
  ) {}

  /** A request of the stage arrived (before routing). */
  begin(req: IncomingMessage, stage: CompiledStage, requestId: string, extendedRequestId: string, httpMethod: string, path: string): RequestObservation {
    const obs = new RequestObservation(req, stage, requestId, extendedRequestId, httpMethod, path);
    if (this.tracing !== undefined) obs.trace = this.tracing.begin(obs);
    return obs;
  }

  /** The request matched a method: its execution log starts here. */
  matched(obs: RequestObservation, inv: Invocation, method: CompiledMethod): void {
    obs.inv = inv;
    obs.method = method;
    inv.observation = obs;
    method.observer?.executionLogging?.begin(inv);
  }

  /**
   * The response went out. A stage with metrics only counts it now. Otherwise what the record
   * still needs from the live request is taken now, and the request is counted, logged and its
   * trace ended at the end of the turn (observation-queue.ts).
   */
  end(obs: RequestObservation): void {
    if (!this.queued) return this.record(obs);
    obs.sourceIp = obs.inv !== undefined ? obs.inv.sourceIp : sourceIpOf(obs.req);
    queueObservation(this, obs);
  }

  /** Counts a finished request, logs it, ends its trace. Never throws. */
  record(obs: RequestObservation): void {
    try {
      const methodObserver = obs.method?.observer;
      this.metrics?.record(obs, methodObserver?.metrics);
      const logs = this.logs;
      if (logs !== undefined) {
        if (this.accessLog !== undefined) this.accessLog(obs);
        const executionLogging = methodObserver?.executionLogging;
        if (executionLogging !== undefined) {
          const group = this.executionGroup;
          executionLogging.end(obs, (message, epochMs) => logs.write(group, message, epochMs));
        }
      }
      obs.trace?.ended(obs);
    } catch (err) {
      // Observing a request must never fail it; a broken formatter shows once per process.
      reportOnce(err);
    }
  }
}

let reported = false;
function reportOnce(err: unknown): void {
  if (reported) return;
  reported = true;
  console.error('portico: recording a request for metrics, logs or traces failed:', err);
}

/** The stage's observer, or undefined when nothing observes it. */
export function compileStageObserver(
  stage: Stage,
  apiName: string,
  services: ObservabilityServices | undefined,
  variant: { canary?: unknown } = {},
): StageObserver | undefined {
  if (services === undefined) return undefined;
  const metrics = services.metrics?.stage({ apiName, apiId: stage.apiId, stageName: stage.stageName });
  // A canary's requests are logged apart, in the stage's groups with `/Canary` appended (canary-release).
  const suffix = variant.canary !== undefined ? '/Canary' : '';
  const accessLog = compileAccessLog(stage, services.logs, suffix);
  const tracing = stage.tracingEnabled ? services.tracing : undefined;
  const executionLogs = services.logs !== undefined && hasExecutionLogging(stage);
  if (metrics === undefined && accessLog === undefined && tracing === undefined && !executionLogs) return undefined;
  const queued = accessLog !== undefined || tracing !== undefined || executionLogs;
  return new StageObserver(metrics, accessLog, executionLogGroup(stage.apiId, stage.stageName) + suffix, services.logs, tracing, queued);
}

function compileAccessLog(stage: Stage, logs: LogRouter | undefined, suffix: string): AccessLog | undefined {
  const settings = stage.accessLogSettings;
  if (logs === undefined || settings?.format === undefined || settings.destinationArn === undefined) return undefined;
  const arnGroup = logGroupOfArn(settings.destinationArn);
  if (arnGroup === undefined) return undefined;
  const group = arnGroup + suffix;
  // As a record when the destination makes lines itself, off this thread; else as text.
  const record = logs.accessLogWriter(group, settings.format);
  if (record !== undefined) return record;
  const format: AccessLogFormatter = compileAccessLogFormat(settings.format);
  return (obs) => logs.write(group, format(obs), obs.requestTimeEpoch);
}

function hasExecutionLogging(stage: Stage): boolean {
  return Object.values(stage.methodSettings).some((setting) => setting.loggingLevel !== undefined && setting.loggingLevel !== 'OFF');
}

/** A method's observer, or undefined when it has neither detailed metrics nor execution logging. */
export function compileMethodObserver(
  stage: Stage,
  observer: StageObserver | undefined,
  services: ObservabilityServices | undefined,
  stageMetrics: StageMetrics | undefined,
  resourcePath: string,
  httpMethod: string,
): MethodObserver | undefined {
  if (observer === undefined || services === undefined) return undefined;
  const metricsEnabled = methodSettingField(stage, resourcePath, httpMethod, 'metricsEnabled') === true;
  const loggingLevel: LoggingLevel = methodSettingField(stage, resourcePath, httpMethod, 'loggingLevel') ?? 'OFF';
  const dataTraceEnabled = methodSettingField(stage, resourcePath, httpMethod, 'dataTraceEnabled') === true;
  const metrics = metricsEnabled && stageMetrics !== undefined ? stageMetrics.method(httpMethod, resourcePath) : undefined;
  const executionLogging = services.logs !== undefined && loggingLevel !== 'OFF' ? compileExecutionLogging({ loggingLevel, dataTraceEnabled }) : undefined;
  if (metrics === undefined && executionLogging === undefined) return undefined;
  return { metrics, executionLogging };
}

/** One field of a method's effective setting: its own setting's, else the stage default's. */
export function methodSettingField<K extends keyof MethodSetting>(stage: Stage, resourcePath: string, httpMethod: string, field: K): MethodSetting[K] | undefined {
  const escaped = resourcePath.replace(/\//g, '~1');
  const own = stage.methodSettings[`${escaped}/${httpMethod}`]?.[field];
  return own !== undefined ? own : stage.methodSettings['*/*']?.[field];
}
