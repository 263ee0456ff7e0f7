/**
 * Function logs as Lambda writes them: every invocation framed by START, END and REPORT lines
 * (duration, billed duration, memory size, max memory used, init duration on a cold start),
 * with the function's own output in between. Lines go to a sink (the console, a test) and,
 * for Invoke with `LogType: Tail`, into a buffer whose last 4 KB are returned.
 */

/** Receives log text for one function, a chunk (one or more whole lines) at a time. */
export type FunctionLogSink = (functionName: string, text: string) => void;

/** Lambda returns at most the last 4 KB of an invocation's log. */
export const LOG_TAIL_BYTES = 4096;

export interface InvocationReport {
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Only for the first invocation of an instance. */
  initDurationMs?: number;
  /** Why the invocation ended abnormally: `timeout`, or `error` with the error type. */
  status?: 'timeout' | 'error';
  errorType?: string;
}

export class InvocationLog {
  private tail?: string[];
  private tailLength = 0;

  constructor(
    private readonly functionName: string,
    readonly requestId: string,
    private readonly sink: FunctionLogSink | undefined,
    keepTail: boolean,
  ) {
    if (keepTail) this.tail = [];
  }

  /** True when nobody would read this invocation's log, so none is formatted. */
  static wanted(sink: FunctionLogSink | undefined, keepTail: boolean): boolean {
    return sink !== undefined || keepTail;
  }

  write(text: string): void {
    this.sink?.(this.functionName, text);
    if (!this.tail) return;
    this.tail.push(text);
    this.tailLength += text.length;
    // Characters bound bytes from below, so trimming by characters keeps at least 4 KB.
    while (this.tail.length > 1 && this.tailLength - this.tail[0]!.length >= LOG_TAIL_BYTES) {
      this.tailLength -= this.tail.shift()!.length;
    }
  }

  start(): void {
    this.write(`START RequestId: ${this.requestId} Version: $LATEST\n`);
  }

  timedOut(timeoutSeconds: number): void {
    this.write(`${new Date().toISOString()} ${this.requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds\n`);
  }

  end(report: InvocationReport): void {
    let line =
      `REPORT RequestId: ${this.requestId}\tDuration: ${report.durationMs.toFixed(2)} ms\t` +
      `Billed Duration: ${Math.max(1, Math.ceil(report.durationMs))} ms\t` +
      `Memory Size: ${report.memorySizeMb} MB\tMax Memory Used: ${Math.max(1, report.maxMemoryUsedMb)} MB\t`;
    if (report.initDurationMs !== undefined) line += `Init Duration: ${report.initDurationMs.toFixed(2)} ms\t`;
    if (report.status) line += `Status: ${report.status}\t`;
    if (report.errorType) line += `Error Type: ${report.errorType}\t`;
    this.write(`END RequestId: ${this.requestId}\n${line}\n`);
  }

  /** The last 4 KB of the log, as Lambda's `X-Amz-Log-Result` carries it before encoding. */
  tailText(): string | undefined {
    if (!this.tail) return undefined;
    const bytes = Buffer.from(this.tail.join(''), 'utf8');
    return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('utf8');
  }
}
