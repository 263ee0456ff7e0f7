/**
 * A response body relayed chunk by chunk from a backend to the client as it arrives, with
 * backpressure both ways. It costs no Readable stream per request: the upstream handler
 * writes into it, and the listener attaches the client response once headers are out.
 */
import type { ServerResponse } from 'node:http';

export class RelayedBody {
  private res?: ServerResponse;
  /** Chunks that arrived between the backend's headers and `attach` (one microtask). */
  private pending: Buffer[] = [];
  private ended = false;
  private failed = false;
  /** Resumes the backend transfer after the client drained. */
  resume?: () => void;
  /** Stops the backend transfer (the client went away). */
  abort?: () => void;

  /** Connects the client response; everything buffered so far is written at once. */
  attach(res: ServerResponse): void {
    this.res = res;
    for (const chunk of this.pending) res.write(chunk);
    this.pending = [];
    if (this.failed) {
      res.destroy();
      return;
    }
    if (this.ended) {
      res.end();
      return;
    }
    res.on('drain', () => this.resume?.());
    res.once('close', () => {
      if (!this.ended) this.abort?.();
    });
  }

  /** Returns false when the client is not keeping up: the backend should pause. */
  write(chunk: Buffer): boolean {
    if (!this.res) {
      this.pending.push(chunk);
      return true;
    }
    return this.res.write(chunk);
  }

  end(): void {
    this.ended = true;
    this.res?.end();
  }

  /** The backend failed mid-body: the client gets a truncated response, as from AWS. */
  fail(): void {
    this.failed = true;
    this.res?.destroy();
  }
}
