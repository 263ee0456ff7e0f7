/**
 * The shared-memory ring log records travel through from the gateway thread to the log writer
 * thread (log-worker.ts): one writer, one reader, no locks and no messages per record.
 *
 * Records are laid end to end in `data`, each starting on an 8-byte boundary with two 32-bit
 * words, its kind and its length in bytes (a multiple of 8); what follows is the kind's own
 * (log-sink-worker.ts writes them, log-worker.ts reads them). A record never wraps around: when
 * one does not fit before the end, a WRAP word sends the reader back to the start.
 *
 * `control` holds the positions: the writer stores where the written records end once a batch
 * of them is complete, the reader where it has read up to once it is done with them. Both are stored with
 * Atomics, so everything written before a store is seen by the thread that loads it. One byte
 * stays free between the writer and the reader, so equal positions always mean empty.
 */

/** Words of `control`. */
export const WRITE_AT = 0;
export const READ_AT = 1;
/** Events the writer thread's files dropped, as it last reported. */
export const WRITER_DROPPED = 2;
export const CONTROL_WORDS = 4;

/** The record kinds. */
export const WRAP = 1;
/** A log group's name for an id: `[id, 0, byteLength]`, then the name in UTF-8. */
export const GROUP = 2;
/** An access log format for an id: `[id, groupId, byteLength]`, then the format in UTF-8. */
export const FORMAT = 3;
/** Events for a group: `[groupId, lineCount, byteLength]`, then the lines, joined by newlines, in UTF-8. */
export const LINES = 4;
/** One request's access log record (access-log-record.ts): `[formatId, 0]`, then its slots. */
export const ACCESS = 5;

/** Bytes of a record's kind and length. */
export const HEADER_BYTES = 8;

export function align8(n: number): number {
  return (n + 7) & ~7;
}

export interface RingMemory {
  data: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

export function allocateRing(bytes: number): RingMemory {
  return { data: new SharedArrayBuffer(align8(bytes)), control: new SharedArrayBuffer(CONTROL_WORDS * 4) };
}

/** The gateway thread's side: reserves room for a record, fills it, then commits it. */
export class RingWriter {
  readonly view: DataView;
  /** The same memory as a Buffer, for encoding text straight into it. */
  readonly bytes: Buffer;
  readonly size: number;
  private readonly control: Int32Array;
  private writeAt = 0;
  /** The reader's position as last loaded: it only moves forward, so a stale one is safe. */
  private readAt = 0;

  constructor(memory: RingMemory) {
    this.view = new DataView(memory.data);
    this.bytes = Buffer.from(memory.data);
    this.size = memory.data.byteLength;
    this.control = new Int32Array(memory.control);
  }

  /**
   * Where a record of at most `bytes` (a multiple of 8) can be written, or -1 when the reader has
   * not freed enough room. The record must be committed before the next reservation.
   */
  reserve(bytes: number): number {
    if (bytes > this.size >>> 1) return -1;
    let at = this.fit(bytes);
    if (at === -1) {
      this.readAt = Atomics.load(this.control, READ_AT);
      at = this.fit(bytes);
    }
    return at;
  }

  private fit(bytes: number): number {
    const w = this.writeAt;
    const r = this.readAt;
    if (w < r) return w + bytes < r ? w : -1;
    // Ending exactly at the end wraps the position to 0, which must not meet the reader there.
    if (w + bytes < this.size || (w + bytes === this.size && r > 0)) return w;
    if (bytes < r) {
      this.view.setInt32(w, WRAP, true);
      this.writeAt = 0;
      return 0;
    }
    return -1;
  }

  /**
   * Ends the record written at `at` (`bytes` long, a multiple of 8); the reader sees it once
   * published.
   */
  commit(at: number, bytes: number): void {
    const end = at + bytes;
    this.writeAt = end === this.size ? 0 : end;
  }

  /**
   * Makes the committed records visible to the reader. An atomic store is a call into the
   * engine (about a hundred instructions), so writers publish once per batch, not per record.
   */
  publish(): void {
    Atomics.store(this.control, WRITE_AT, this.writeAt);
  }
}

/** The writer thread's side. */
export class RingReader {
  readonly view: DataView;
  readonly bytes: Buffer;
  readonly size: number;
  readonly control: Int32Array;

  constructor(memory: RingMemory) {
    this.view = new DataView(memory.data);
    this.bytes = Buffer.from(memory.data);
    this.size = memory.data.byteLength;
    this.control = new Int32Array(memory.control);
  }

  /** Hands every committed record to `read` (kind, offset), then frees them; returns how many. */
  drain(read: (kind: number, at: number) => void): number {
    let r = Atomics.load(this.control, READ_AT);
    const w = Atomics.load(this.control, WRITE_AT);
    let records = 0;
    while (r !== w) {
      const kind = this.view.getInt32(r, true);
      if (kind === WRAP) {
        r = 0;
        continue;
      }
      const length = this.view.getInt32(r + 4, true);
      // Only the gateway thread writes records; a length that cannot be one would loop forever.
      if (length < HEADER_BYTES || (length & 7) !== 0 || r + length > this.size) {
        r = w;
        break;
      }
      read(kind, r);
      records++;
      r += length;
      if (r === this.size) r = 0;
    }
    Atomics.store(this.control, READ_AT, r);
    return records;
  }
}
