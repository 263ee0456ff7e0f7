/**
 * Where access and execution log events go: the log router stages write to, by log group.
 *
 * One destination takes the lines (`file`: a file per group under `<data dir>/logs`, written by
 * a log writer thread, see log-sink-worker.ts and log-sink-file.ts; `stdout`: standard output
 * with the group in front, see log-sink-stdout.ts; or `off`), and with an OTLP endpoint every
 * event is also sent as an OpenTelemetry log record (log-sink-otlp.ts).
 *
 * The line destinations promise one line per event: an event gets a newline unless its message
 * already ends with one (an access log format may end with `\n`), and a line break inside a
 * message is written as the two characters `\n` (or `\r`). The OTLP copy keeps the message as
 * it is, without the final newline.
 *
 * Writing never blocks and never throws: each destination buffers within a bound and counts what
 * it had to drop (`dropped`).
 */
import { join } from 'node:path';
import type { FileSinkOptions } from './log-sink-file.js';
import { WorkerFileSink, type AccessLogWriter, type WorkerSinkOptions } from './log-sink-worker.js';
import { StdoutLogSink, type StdoutSinkOptions } from './log-sink-stdout.js';
import type { OtlpLogSink, OtlpSinkOptions } from './log-sink-otlp.js';
import { recordQueuedObservations } from './observation-queue.js';

/** Routes log events by log group to the configured destination. */
export interface LogRouter {
  /**
   * Appends one event to a log group. The message is one line, without line breaks (producers
   * escape them; `oneLine` does). Never blocks the caller and never throws: events beyond the
   * destination's buffer bound are dropped and counted.
   */
  write(group: string, message: string, epochMs: number): void;
  /**
   * A writer of one access log format's events into a group that takes the finished request
   * instead of its line, when the destination can make the line itself off the gateway thread
   * (`file`, without an OTLP copy); undefined when events must be written as text.
   */
  accessLogWriter(group: string, format: string): AccessLogWriter | undefined;
  /** Writes out what is buffered (the OTLP copy included); never rejects. */
  flush(): Promise<void>;
  /** Flushes, then releases files and exporters; later events are dropped. Never rejects. */
  close(): Promise<void>;
  /**
   * Events the line destination dropped so far (buffer full, or a write that failed). The file
   * destination's writer thread reports its own drops as it goes; after `flush` they are in.
   */
  readonly dropped: number;
}

export type LogDestination = 'file' | 'stdout' | 'off';

export interface LogRouterOptions {
  destination: LogDestination;
  /** Directory of the log files (destination `file`): `<data dir>/logs`. */
  dir: string;
  /** OTLP/HTTP endpoint (e.g. http://127.0.0.1:4318) that also receives every event. */
  otlpEndpoint?: string;
  /** Limits of the `file` destination (rotation size and count, buffer bound, open files). */
  file?: FileSinkOptions;
  /** The ring the `file` destination's events cross to its writer thread in. */
  ring?: WorkerSinkOptions;
  /** Limits of the `stdout` destination. */
  stdout?: StdoutSinkOptions;
  /** Limits of the OTLP copy. */
  otlp?: OtlpSinkOptions;
}

/**
 * The file a log group is written to under `dir` (destination `file`): the group name with
 * every character outside `[A-Za-z0-9._-]` percent-encoded (a `/` becomes `%2F`), plus `.log`.
 * Rotated files sit beside it as `<name>.log.1` (newest) … `.N`.
 */
export function logFilePath(dir: string, group: string): string {
  const safe = group.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return join(dir, `${safe}.log`);
}

/** A destination of lines, handed over without their newline, which the sink adds. */
export interface LineSink {
  write(group: string, line: string): void;
  /** See LogRouter.accessLogWriter; absent when the sink takes text only. */
  accessLogWriter?(group: string, format: string): AccessLogWriter | undefined;
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly dropped: number;
}

/**
 * The router for the options, or undefined when nothing is to be written. The OpenTelemetry
 * logs SDK is loaded only when an OTLP endpoint is given: a Portico without one does not carry it.
 */
export async function createLogRouter(options: LogRouterOptions): Promise<LogRouter | undefined> {
  const lines: LineSink | undefined =
    options.destination === 'file'
      ? new WorkerFileSink(options.dir, options.file, options.ring)
      : options.destination === 'stdout'
        ? new StdoutLogSink(options.stdout)
        : undefined;
  const otlp =
    options.otlpEndpoint === undefined || options.otlpEndpoint === ''
      ? undefined
      : new (await import('./log-sink-otlp.js')).OtlpLogSink(options.otlpEndpoint, options.otlp);
  if (lines === undefined && otlp === undefined) return undefined;
  return new Router(lines, otlp);
}

class Router implements LogRouter {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly lines: LineSink | undefined,
    private readonly otlp: OtlpLogSink | undefined,
  ) {}

  get dropped(): number {
    return this.lines?.dropped ?? 0;
  }

  write(group: string, message: string, epochMs: number): void {
    try {
      // Producers hand over one line each (see LogRouter.write): scanning every access log
      // line again here would flatten and read it once more per request.
      this.lines?.write(group, message);
      this.otlp?.write(group, message, epochMs);
    } catch (err) {
      reportOnce(err);
    }
  }

  accessLogWriter(group: string, format: string): AccessLogWriter | undefined {
    // The OTLP copy needs each event's text on this thread.
    if (this.otlp !== undefined) return undefined;
    return this.lines?.accessLogWriter?.(group, format);
  }

  async flush(): Promise<void> {
    // Requests that finished in this turn are logged first, so a flush covers them too.
    recordQueuedObservations();
    await Promise.allSettled([this.lines?.flush(), this.otlp?.flush()]);
  }

  close(): Promise<void> {
    recordQueuedObservations();
    this.closing ??= Promise.allSettled([this.lines?.close(), this.otlp?.close()]).then(() => undefined);
    return this.closing;
  }
}

/** A message with its line breaks escaped, so that it stays one line of its file. */
export function oneLine(text: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return text;
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

let reported = false;
function reportOnce(err: unknown): void {
  if (reported) return;
  reported = true;
  console.error('portico: a log event could not be written:', err);
}
