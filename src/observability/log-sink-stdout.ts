/**
 * The `stdout` log destination: every event as one line on standard output, prefixed with its
 * log group so that the stages sharing the stream can be told apart:
 *
 *   {log group} {message}
 *
 * e.g. `my-access-logs {"requestId":"…",…}` or
 * `API-Gateway-Execution-Logs_a1b2c3d4e5/dev (…) Method completed with status: 200`. Log group
 * names cannot contain spaces, so the first space ends the group.
 *
 * Writes go through sonic-boom: asynchronous, in large chunks, and bounded. When the reader of
 * standard output falls behind by more than `maxBufferedBytes`, further events are dropped and
 * counted (reported once on stderr) instead of growing memory.
 */
import sonicBoom from 'sonic-boom';
import type { SonicBoom } from 'sonic-boom';
import type { LineSink } from './log-sinks.js';

export interface StdoutSinkOptions {
  /** Bytes waiting for the reader beyond which events are dropped (default 4 MiB). */
  maxBufferedBytes?: number;
  /** The file descriptor written to (default 1, standard output). */
  fd?: number;
}

export class StdoutLogSink implements LineSink {
  private readonly boom: SonicBoom;
  private closed = false;
  private reportedDrop = false;
  private reportedError = false;
  dropped = 0;

  constructor(options: StdoutSinkOptions = {}) {
    const maxLength = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.boom = new sonicBoom.SonicBoom({ fd: options.fd ?? 1, sync: false, maxLength });
    this.boom.on('drop', () => {
      this.dropped++;
      if (this.reportedDrop) return;
      this.reportedDrop = true;
      console.error(`portico: standard output is not being read fast enough: more than ${maxLength} bytes of log events are waiting; dropping events until it catches up (counted as dropped)`);
    });
    this.boom.on('error', (err: Error) => {
      // A closed pipe (the reader went away) must not take the process down.
      if (this.reportedError) return;
      this.reportedError = true;
      console.error(`portico: cannot write log events to standard output: ${err.message}`);
    });
  }

  write(group: string, line: string): void {
    if (this.closed) return void this.dropped++;
    try {
      this.boom.write(`${group} ${line}\n`);
    } catch {
      this.dropped++;
    }
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        this.boom.flush(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    // Standard output stays open for the rest of the process: sonic-boom never closes fd 1 or 2.
    await new Promise<void>((resolve) => {
      this.boom.once('close', () => resolve());
      this.boom.once('error', () => resolve());
      try {
        this.boom.end();
      } catch {
        resolve();
      }
    });
  }
}
