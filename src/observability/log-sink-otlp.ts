/**
 * The OTLP copy of every log event: sent to `{endpoint}/v1/logs` as OTLP/HTTP JSON, in batches,
 * by the OpenTelemetry logs SDK. Each record carries the event's message as its body, the event
 * time as its timestamp and the log group as `aws.log.group.names` (the attribute
 * OpenTelemetry's AWS conventions name log groups with); the resource is `service.name=portico`.
 *
 * The batch queue is bounded (`maxQueueSize` records): records beyond it are dropped by the SDK.
 * A collector that cannot be reached costs only the failed exports (each retried for at most
 * `timeoutMillis`), reported once on stderr.
 */
import { LoggerProvider, BatchLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Logger } from '@opentelemetry/api-logs';
import { VERSION } from '../version.js';

export interface OtlpSinkOptions {
  /** Records waiting for export beyond which new ones are dropped (default 8192). */
  maxQueueSize?: number;
  /** Milliseconds between scheduled exports (default 1000). */
  scheduledDelayMillis?: number;
  /**
   * Milliseconds one export may take, retries included (default 5000): what a flush or close
   * waits at most per batch when the collector is down.
   */
  timeoutMillis?: number;
}

/** OpenTelemetry's attribute for CloudWatch log group names (a string array). */
export const LOG_GROUP_ATTRIBUTE = 'aws.log.group.names';

export class OtlpLogSink {
  private readonly provider: LoggerProvider;
  private readonly logger: Logger;
  private closed = false;

  constructor(endpoint: string, options: OtlpSinkOptions = {}) {
    const maxQueueSize = options.maxQueueSize ?? 8192;
    const timeoutMillis = options.timeoutMillis ?? 5000;
    const exporter = new ReportingExporter(new OTLPLogExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/logs`, timeoutMillis }), endpoint);
    this.provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'portico', 'service.version': VERSION }),
      processors: [
        new BatchLogRecordProcessor({
          exporter,
          maxQueueSize,
          maxExportBatchSize: Math.min(512, maxQueueSize),
          scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
          exportTimeoutMillis: timeoutMillis,
        }),
      ],
    });
    this.logger = this.provider.getLogger('portico.logs', VERSION);
  }

  write(group: string, message: string, epochMs: number): void {
    if (this.closed) return;
    this.logger.emit({
      body: message,
      // [seconds, nanoseconds]: exact, and never mistaken for a time relative to process start.
      timestamp: [Math.floor(epochMs / 1000), (epochMs % 1000) * 1_000_000],
      attributes: { [LOG_GROUP_ATTRIBUTE]: [group] },
    });
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    await this.provider.forceFlush().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.provider.shutdown().catch(() => undefined);
  }
}

/** Passes batches on, saying once on stderr when the collector refuses or cannot be reached. */
class ReportingExporter implements LogRecordExporter {
  private reported = false;

  constructor(
    private readonly inner: LogRecordExporter,
    private readonly endpoint: string,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: Parameters<LogRecordExporter['export']>[1]): void {
    this.inner.export(logs, (result) => {
      if (result.error !== undefined && !this.reported) {
        this.reported = true;
        console.error(`portico: cannot send log events to the OTLP endpoint ${this.endpoint}: ${result.error.message}`);
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
