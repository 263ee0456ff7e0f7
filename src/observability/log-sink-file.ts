/**
 * The `file` log destination: one file per log group under the logs directory, written in the
 * background and rotated by size.
 *
 * - A group's file is created on its first event (the directory too), opened for appending, and
 *   gets one line per event.
 * - Events are queued in memory and written in batches: every BATCH_MS, or at once when a
 *   group has BATCH_CHARS waiting, all of a group's queued lines in as few writes as the size
 *   limit allows; the request that logs never waits for the disk. Writing each event-loop
 *   turn's few lines on their own cost a write (and a thread-pool round trip) per handful of
 *   requests under load, about a tenth of a MOCK route's throughput. The queue is bounded (`maxBufferedBytes`, counted in characters across all groups):
 *   events beyond it are dropped and counted, and the first drop is reported once on stderr.
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

export interface FileSinkOptions {
  /** Rotate a file before it grows past this many bytes (default 10 MiB). */
  maxFileBytes?: number;
  /** Rotated files kept per group, `.log.1` … `.log.N` (default 5). */
  maxFiles?: number;
  /** Characters queued for writing, across groups, beyond which events are dropped (default 8 Mi). */
  maxBufferedBytes?: number;
  /** Files kept open at once (default 64). */
  maxOpenFiles?: number;
}

/** How long a line may wait for its batch. */
const BATCH_MS = 50;
/** A group with this many characters waiting is written without waiting for the batch timer. */
const BATCH_CHARS = 64 * 1024;

const DEFAULTS: Required<FileSinkOptions> = {
  maxFileBytes: 10 * 1024 * 1024,
  maxFiles: 5,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxOpenFiles: 64,
};

/** One group's file and the lines waiting for it. */
interface GroupFile {
  readonly group: string;
  readonly path: string;
  queue: string[];
  queuedChars: number;
  handle: FileHandle | undefined;
  /** Bytes in the open file (tracked from its size when opened). */
  size: number;
  /** True while its pump runs; the pump is the only code touching the handle. */
  writing: boolean;
  /** Set once the running pump has written its first batch. */
  written: boolean;
}

export class FileLogSink implements LineSink {
  private readonly options: Required<FileSinkOptions>;
  private readonly groups = new Map<string, GroupFile>();
  /** Groups with an open handle, least recently written first. */
  private readonly openFiles = new Map<string, GroupFile>();
  private bufferedChars = 0;
  private pumps = 0;
  private scheduled: NodeJS.Timeout | undefined;
  private readonly ready: GroupFile[] = [];
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

  write(group: string, line: string): void {
    if (this.closed) return void this.dropped++;
    if (this.bufferedChars + line.length > this.options.maxBufferedBytes) return this.drop();
    let file = this.groups.get(group);
    if (file === undefined) {
      file = { group, path: this.pathOf(group), queue: [], queuedChars: 0, handle: undefined, size: 0, writing: false, written: false };
      this.groups.set(group, file);
    }
    file.queue.push(line);
    file.queuedChars += line.length;
    this.bufferedChars += line.length;
    if (file.writing) return;
    if (file.queue.length === 1) {
      this.ready.push(file);
      if (this.scheduled === undefined) {
        this.scheduled = setTimeout(this.startPumps, BATCH_MS);
        // Pending lines alone do not keep the process alive: close() writes them out.
        this.scheduled.unref();
      }
    }
    if (file.queuedChars >= BATCH_CHARS) this.startPumps();
  }

  /** Resolves once everything queued so far is written (or failed). */
  flush(): Promise<void> {
    this.startPumps();
    if (this.pumps === 0 && this.bufferedChars === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    const handles = [...this.openFiles.values()];
    this.openFiles.clear();
    this.groups.clear();
    await Promise.allSettled(handles.map((file) => file.handle?.close()));
  }

  private drop(): void {
    this.dropped++;
    if (this.reportedDrop) return;
    this.reportedDrop = true;
    console.error(
      `portico: log files are falling behind: more than ${this.options.maxBufferedBytes} characters of log events are waiting to be written; dropping events until they are (counted as dropped)`,
    );
  }

  private readonly startPumps = (): void => {
    if (this.scheduled !== undefined) {
      clearTimeout(this.scheduled);
      this.scheduled = undefined;
    }
    for (const file of this.ready.splice(0)) {
      if (file.writing || file.queue.length === 0) continue;
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
      while (file.queue.length > 0 && (file.queuedChars >= BATCH_CHARS || this.idleWaiters.length > 0 || this.closed || !file.written)) {
        file.written = true;
        const lines = file.queue;
        const chars = file.queuedChars;
        file.queue = [];
        file.queuedChars = 0;
        try {
          await this.writeLines(file, lines, chars);
        } catch (err) {
          this.failed(file, lines.length, err);
        } finally {
          this.bufferedChars -= chars;
        }
      }
    } finally {
      file.writing = false;
      file.written = false;
      this.pumps--;
      if (file.queue.length > 0) {
        this.ready.push(file);
        if (this.scheduled === undefined) {
          this.scheduled = setTimeout(this.startPumps, BATCH_MS);
          this.scheduled.unref();
        }
      }
      if (this.pumps === 0 && this.bufferedChars === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  /** Appends the lines, rotating between them where the size limit says so. */
  private async writeLines(file: GroupFile, lines: string[], chars: number): Promise<void> {
    const { maxFileBytes } = this.options;
    let handle = await this.handleOf(file);
    // A UTF-8 byte is at most three per character: when even that fits, the batch goes out in
    // one write, joined in one step, without measuring each line.
    if (file.size + 3 * (chars + lines.length) <= maxFileBytes) {
      lines.push('');
      const text = lines.join('\n');
      await this.append(file, handle, text, Buffer.byteLength(text));
      return;
    }
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (file.size + chunkBytes > 0 && file.size + chunkBytes + bytes > maxFileBytes) {
        if (chunkBytes > 0) await this.append(file, handle, chunk.join(''), chunkBytes);
        chunk = [];
        chunkBytes = 0;
        await this.rotate(file);
        handle = await this.handleOf(file);
      }
      chunk.push(line, '\n');
      chunkBytes += bytes;
    }
    if (chunkBytes > 0) await this.append(file, handle, chunk.join(''), chunkBytes);
  }

  private async append(file: GroupFile, handle: FileHandle, text: string, bytes: number): Promise<void> {
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
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
      if (other.queue.length === 0) this.groups.delete(group);
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
