/**
 * The files of the `file` log destination: one file per log group under the logs directory,
 * written in batches and rotated by size. It runs on the log writer thread (log-worker.ts),
 * which hands it the lines the gateway thread sent through the ring (log-sink-worker.ts).
 *
 * - A group's file is created on its first event (the directory too), opened for appending, and
 *   gets one line per event.
 * - A group's events are encoded into a reused buffer together, in one call, once the code that
 *   wrote them is done (a microtask: after the writer thread has read what the ring held), so
 *   the encoder is called once per group and read rather than once per event. The buffers are
 *   written in batches: every BATCH_MS, or at once when a group has BATCH_BYTES waiting, in as
 *   few writes as the size limit allows. The queue is bounded (`maxBufferedBytes` across all
 *   groups): events beyond it are dropped and counted, and the first drop is reported once on
 *   stderr.
 * - When a line would take the file past `maxFileBytes`, the file is rotated first: `.log`
 *   becomes `.log.1`, `.1` becomes `.2`, … and the oldest beyond `maxFiles` is overwritten.
 *   A single line larger than the limit is written whole, to a file of its own.
 * - At most `maxOpenFiles` files are open at once; the least recently written is closed to
 *   open another.
 *
 * The sizes that decide rotation are tracked by this process: two processes writing one data
 * directory append safely (O_APPEND) but rotate without knowing of each other.
 */
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LineSink } from './log-sinks.js';
import { TurnLines, take, type WaitingLines } from './turn-lines.js';

export interface FileSinkOptions {
  /** Rotate a file before it grows past this many bytes (default 10 MiB). */
  maxFileBytes?: number;
  /** Rotated files kept per group, `.log.1` … `.log.N` (default 5). */
  maxFiles?: number;
  /** Bytes queued for writing, across groups, beyond which events are dropped (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Files kept open at once (default 64). */
  maxOpenFiles?: number;
}

/** How long a line may wait for its batch. */
const BATCH_MS = 50;
/** A group with this many bytes waiting is written without waiting for the batch timer. */
const BATCH_BYTES = 64 * 1024;
/** Lines are encoded into buffers of this size, reused once written. */
const SLAB_BYTES = 64 * 1024;
/** Written slabs kept for reuse. */
const SPARE_SLABS = 32;

const DEFAULTS: Required<FileSinkOptions> = {
  maxFileBytes: 10 * 1024 * 1024,
  maxFiles: 5,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxOpenFiles: 64,
};

/**
 * Encoded lines waiting to be written, each ending with a newline (events never contain one,
 * see LogRouter.write), so a write that must rotate the file can find where lines end.
 */
interface Slab {
  buf: Buffer;
  used: number;
  /** Lines in `buf`, counted as dropped if writing them fails. */
  lines: number;
}

/** One group's file and the lines waiting for it: `lines` are events not encoded yet. */
interface GroupFile extends WaitingLines {
  readonly group: string;
  readonly path: string;
  /** Filled slabs waiting, oldest first, then `current`, which is still being filled. */
  slabs: Slab[];
  current: Slab | undefined;
  queuedBytes: number;
  handle: FileHandle | undefined;
  /** Bytes in the open file (tracked from its size when opened). */
  size: number;
  /** True while its pump runs; the pump is the only code touching the handle. */
  writing: boolean;
  /** Set once the running pump has written its first batch. */
  written: boolean;
}

/** Writes one line's bytes, newline included, itself (an access log record's line). */
export interface LineEncoder {
  /** Writes the line into `buf` at `at` (room for the bound it was written with is there); returns where it ends. */
  encodeLine(buf: Buffer, at: number): number;
}

export class FileLogSink implements LineSink {
  private readonly options: Required<FileSinkOptions>;
  private readonly groups = new Map<string, GroupFile>();
  /** Groups with an open handle, least recently written first. */
  private readonly openFiles = new Map<string, GroupFile>();
  private bufferedBytes = 0;
  /** UTF-16 units of every group's events not encoded yet. */
  private pendingUnits = 0;
  private readonly turnLines = new TurnLines<GroupFile>((file) => this.encode(file), BATCH_BYTES);
  private pumps = 0;
  private scheduled: NodeJS.Timeout | undefined;
  private readonly ready: GroupFile[] = [];
  private readonly spare: Slab[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private reportedDrop = false;
  private reportedFailure = false;
  dropped = 0;

  constructor(
    private readonly pathOf: (group: string) => string,
    options: FileSinkOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...definedOnly(options) };
  }

  /**
   * Takes the line now and encodes it with the group's other events once the caller is done
   * (see the module comment): the caller never waits for the disk or the encoder.
   */
  write(group: string, line: string): void {
    if (this.closed) return void this.dropped++;
    // The bound is checked against the line's least size (one byte per UTF-16 unit, plus the
    // newline); the bytes counted after encoding are exact, so non-ASCII text can pass the bound
    // by at most one group's extra bytes.
    const units = line.length + 1;
    if (this.bufferedBytes + this.pendingUnits + units > this.options.maxBufferedBytes) return this.drop();
    this.pendingUnits += units;
    this.turnLines.add(this.fileOf(group), line);
  }

  /**
   * Appends one line that `line` encodes itself, straight into the group's buffer, at most
   * `maxBytes` long with its newline: no string is made for it. Events written as text before
   * it are encoded first, so the file keeps the order they came in.
   */
  writeEncoded(group: string, maxBytes: number, line: LineEncoder): void {
    if (this.closed) return void this.dropped++;
    if (this.bufferedBytes + this.pendingUnits + maxBytes > this.options.maxBufferedBytes) return this.drop();
    const file = this.fileOf(group);
    if (file.units > 0) this.encode(file);
    let slab = file.current;
    if (slab === undefined || slab.buf.length - slab.used < maxBytes) {
      if (slab !== undefined) file.slabs.push(slab);
      slab = file.current = this.takeSlab(maxBytes);
    }
    const end = line.encodeLine(slab.buf, slab.used);
    const bytes = end - slab.used;
    slab.used = end;
    slab.lines++;
    this.queue(file, bytes);
  }

  private fileOf(group: string): GroupFile {
    let file = this.groups.get(group);
    if (file === undefined) {
      file = {
        group,
        path: this.pathOf(group),
        lines: [],
        units: 0,
        slabs: [],
        current: undefined,
        queuedBytes: 0,
        handle: undefined,
        size: 0,
        writing: false,
        written: false,
      };
      this.groups.set(group, file);
    }
    return file;
  }

  /** Encodes the group's waiting events, in one call, into its current buffer. */
  private encode(file: GroupFile): void {
    const { text: joined, count: lines, units } = take(file);
    if (lines === 0) return;
    const text = `${joined}\n`;
    this.pendingUnits -= units;
    let slab = file.current;
    // At most three UTF-8 bytes per UTF-16 unit; the exact size is counted only when that bound
    // does not fit, so slabs fill up instead of being left a third used.
    if (slab === undefined || slab.buf.length - slab.used < 3 * text.length) {
      const exact = Buffer.byteLength(text, 'utf8');
      if (slab === undefined || slab.buf.length - slab.used < exact) {
        if (slab !== undefined) file.slabs.push(slab);
        slab = file.current = this.takeSlab(exact);
      }
    }
    const bytes = slab.buf.write(text, slab.used, 'utf8');
    slab.used += bytes;
    slab.lines += lines;
    this.queue(file, bytes);
  }

  /** Counts bytes just put in the group's buffer, and has them written in the next batch. */
  private queue(file: GroupFile, bytes: number): void {
    const wasEmpty = file.queuedBytes === 0;
    file.queuedBytes += bytes;
    this.bufferedBytes += bytes;
    if (file.writing) return;
    if (wasEmpty) {
      this.ready.push(file);
      if (this.scheduled === undefined) {
        this.scheduled = setTimeout(this.startPumps, BATCH_MS);
        // Pending lines alone do not keep the process alive: close() writes them out.
        this.scheduled.unref();
      }
    }
    if (file.queuedBytes >= BATCH_BYTES) this.startPumps();
  }

  /** Resolves once everything queued so far is written (or failed). */
  flush(): Promise<void> {
    this.turnLines.flush();
    this.startPumps();
    if (this.pumps === 0 && this.bufferedBytes === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    const handles = [...this.openFiles.values()];
    this.openFiles.clear();
    this.groups.clear();
    this.spare.length = 0;
    await Promise.allSettled(handles.map((file) => file.handle?.close()));
  }

  private takeSlab(atLeast: number): Slab {
    if (atLeast > SLAB_BYTES) return { buf: Buffer.allocUnsafeSlow(atLeast), used: 0, lines: 0 };
    return this.spare.pop() ?? { buf: Buffer.allocUnsafeSlow(SLAB_BYTES), used: 0, lines: 0 };
  }

  private release(slabs: Slab[]): void {
    for (const slab of slabs) {
      if (slab.buf.length !== SLAB_BYTES || this.spare.length >= SPARE_SLABS) continue;
      slab.used = 0;
      slab.lines = 0;
      this.spare.push(slab);
    }
  }

  private drop(): void {
    this.dropped++;
    if (this.reportedDrop) return;
    this.reportedDrop = true;
    console.error(
      `portico: log files are falling behind: more than ${this.options.maxBufferedBytes} bytes of log events are waiting to be written; dropping events until they are (counted as dropped)`,
    );
  }

  private readonly startPumps = (): void => {
    if (this.scheduled !== undefined) {
      clearTimeout(this.scheduled);
      this.scheduled = undefined;
    }
    for (const file of this.ready.splice(0)) {
      if (file.writing || file.queuedBytes === 0) continue;
      file.writing = true;
      this.pumps++;
      void this.pump(file);
    }
  };

  /** Writes the group's queue until it is empty; never rejects. */
  private async pump(file: GroupFile): Promise<void> {
    try {
      // Lines that arrived during a write wait for the next batch, unless enough are waiting or
      // someone is waiting for everything to be written.
      while (file.queuedBytes > 0 && (file.queuedBytes >= BATCH_BYTES || this.idleWaiters.length > 0 || this.closed || !file.written)) {
        file.written = true;
        const slabs = file.slabs;
        if (file.current !== undefined) slabs.push(file.current);
        const bytes = file.queuedBytes;
        file.slabs = [];
        file.current = undefined;
        file.queuedBytes = 0;
        try {
          await this.writeSlabs(file, slabs);
        } catch (err) {
          this.failed(file, slabs.reduce((n, slab) => n + slab.lines, 0), err);
        } finally {
          this.bufferedBytes -= bytes;
          this.release(slabs);
        }
      }
    } finally {
      file.writing = false;
      file.written = false;
      this.pumps--;
      if (file.queuedBytes > 0) {
        this.ready.push(file);
        if (this.scheduled === undefined) {
          this.scheduled = setTimeout(this.startPumps, BATCH_MS);
          this.scheduled.unref();
        }
      }
      if (this.pumps === 0 && this.bufferedBytes === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  /** Appends the slabs' lines, rotating between lines where the size limit says so. */
  private async writeSlabs(file: GroupFile, slabs: Slab[]): Promise<void> {
    const { maxFileBytes } = this.options;
    let handle = await this.handleOf(file);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for (const slab of slabs) {
      let from = 0;
      // The common case: the whole slab fits in the file.
      if (file.size + pendingBytes + slab.used <= maxFileBytes) {
        pending.push(slab.buf.subarray(0, slab.used));
        pendingBytes += slab.used;
        continue;
      }
      while (from < slab.used) {
        const newline = slab.buf.indexOf(0x0a, from);
        const end = newline === -1 || newline >= slab.used ? slab.used : newline + 1;
        const bytes = end - from;
        if (file.size + pendingBytes > 0 && file.size + pendingBytes + bytes > maxFileBytes) {
          if (pendingBytes > 0) await this.append(file, handle, pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          await this.rotate(file);
          handle = await this.handleOf(file);
        }
        pending.push(slab.buf.subarray(from, end));
        pendingBytes += bytes;
        from = end;
      }
    }
    if (pendingBytes > 0) await this.append(file, handle, pending, pendingBytes);
  }

  private async append(file: GroupFile, handle: FileHandle, buffers: Buffer[], bytes: number): Promise<void> {
    let written = 0;
    while (written < bytes) {
      const { bytesWritten } = await handle.writev(buffers);
      written += bytesWritten;
      if (written < bytes) buffers = remainder(buffers, bytesWritten);
    }
    file.size += bytes;
  }

  /** The group's open file, opening it (and closing the least recently used one) if needed. */
  private async handleOf(file: GroupFile): Promise<FileHandle> {
    const group = file.group;
    if (file.handle !== undefined) {
      // Most recently written last.
      this.openFiles.delete(group);
      this.openFiles.set(group, file);
      return file.handle;
    }
    await this.evictIfFull();
    await mkdir(dirname(file.path), { recursive: true });
    const handle = await open(file.path, 'a');
    try {
      file.size = (await handle.stat()).size;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
    file.handle = handle;
    this.openFiles.set(group, file);
    return handle;
  }

  private async evictIfFull(): Promise<void> {
    if (this.openFiles.size < this.options.maxOpenFiles) return;
    for (const [group, other] of this.openFiles) {
      if (other.writing) continue;
      this.openFiles.delete(group);
      const handle = other.handle;
      other.handle = undefined;
      // A group that is idle and closed holds nothing worth keeping.
      if (other.queuedBytes === 0 && other.units === 0) this.groups.delete(group);
      await handle?.close().catch(() => undefined);
      return;
    }
    // Every open file is being written right now: go over the bound briefly rather than wait.
  }

  /** `.log` → `.log.1` → … → `.log.N`, then a new `.log`. */
  private async rotate(file: GroupFile): Promise<void> {
    const handle = file.handle;
    file.handle = undefined;
    this.openFiles.delete(file.group);
    await handle?.close();
    const { maxFiles } = this.options;
    if (maxFiles <= 0) {
      await unlink(file.path).catch(ignoreMissing);
    } else {
      for (let n = maxFiles - 1; n >= 1; n--) await rename(`${file.path}.${n}`, `${file.path}.${n + 1}`).catch(ignoreMissing);
      await rename(file.path, `${file.path}.1`).catch(ignoreMissing);
    }
    file.size = 0;
  }

  private failed(file: GroupFile, lines: number, err: unknown): void {
    this.dropped += lines;
    // Reopen next time: the handle may be what failed.
    const handle = file.handle;
    file.handle = undefined;
    this.openFiles.delete(file.group);
    handle?.close().catch(() => undefined);
    if (this.reportedFailure) return;
    this.reportedFailure = true;
    console.error(`portico: cannot write log file ${file.path}: ${(err as Error).message ?? err}; its events are dropped (counted as dropped)`);
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What is left of `buffers` after the first `skip` bytes went out (a short writev). */
function remainder(buffers: Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buf of buffers) {
    if (skip >= buf.length) {
      skip -= buf.length;
      continue;
    }
    rest.push(skip > 0 ? buf.subarray(skip) : buf);
    skip = 0;
  }
  return rest;
}
