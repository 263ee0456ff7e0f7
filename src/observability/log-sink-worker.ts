/**
 * The `file` log destination as the gateway thread sees it: events go into a shared-memory ring
 * (log-ring.ts), and a log writer thread (log-worker.ts) turns them into lines and writes the
 * files (log-sink-file.ts does the files there: batching, rotation, bounds).
 *
 * Two kinds of events go in:
 * - text events (execution logs, and access logs when the router needs their text): a group's
 *   events of a turn are joined and encoded into the ring in one call once the code that wrote
 *   them is done (a microtask), as one LINES record;
 * - access log events of stages whose lines only go to files: one ACCESS record per request with
 *   the line's values (access-log-record.ts), so the gateway thread neither builds nor encodes
 *   the line.
 *
 * The writer thread is started with the first event and reads the ring every 25 ms, or when
 * told that a good part of the ring is waiting. Nothing here waits for it: an event that finds
 * no room in the ring is dropped and counted, and the first drop is reported once. `dropped`
 * adds what the writer thread's files dropped, as it last reported.
 */
import { Worker } from 'node:worker_threads';
import type { FileSinkOptions } from './log-sink-file.js';
import type { LineSink } from './log-sinks.js';
import type { RequestObservation } from './request-observation.js';
import { AccessRecordWriter } from './access-log-record.js';
import { FORMAT, GROUP, HEADER_BYTES, LINES, RingWriter, WRITER_DROPPED, align8, allocateRing, type RingMemory } from './log-ring.js';
import { EXTENDED_ID_PREFIX } from '../gateway/request-ids.js';
import { TurnLines, take, type WaitingLines } from './turn-lines.js';

/** What the log writer thread is started with. */
export interface LogWorkerData {
  ring: RingMemory;
  dir: string;
  file: FileSinkOptions;
  extendedIdPrefix: string;
}

/** Messages between the threads. */
export type ToLogWorker = { type: 'drain' } | { type: 'flush'; id: number } | { type: 'close' };
export type FromLogWorker = { type: 'flushed'; id: number } | { type: 'closed' };

/** Writes one request's access log event. */
export type AccessLogWriter = (obs: RequestObservation) => void;

export interface WorkerSinkOptions {
  /** Bytes of the ring (default 2 MiB). */
  ringBytes?: number;
}

const DEFAULT_RING_BYTES = 2 * 1024 * 1024;
/** A group with this many UTF-16 units waiting is encoded at once. */
const PENDING_UNITS = 64 * 1024;
/** Distinct access log formats (per group) kept as records; any beyond are written as text. */
const MAX_FORMATS = 1024;
/** Log groups given an id; events for groups beyond are dropped. */
const MAX_GROUPS = 65536;
/** Bytes before the text of a GROUP, FORMAT or LINES record. */
const TEXT_RECORD_BYTES = HEADER_BYTES + 12;
/** How long close waits for the writer thread to finish its files. */
const CLOSE_TIMEOUT_MS = 10_000;

/** A log group's id in the ring, and its events not yet in it. */
interface PendingGroup extends WaitingLines {
  id: number;
}

export class WorkerFileSink implements LineSink {
  private ring: RingWriter | undefined;
  /** The ring's control words, where the writer thread reports its drops. */
  private control: Int32Array | undefined;
  private worker: Worker | undefined;
  private workerGone = false;
  private readonly groups = new Map<string, PendingGroup>();
  private readonly turnLines = new TurnLines<PendingGroup>((pending) => this.encode(pending), PENDING_UNITS);
  private readonly accessWriters = new Map<string, AccessLogWriter>();
  private bytesSinceNudge = 0;
  private publishScheduled = false;
  private nextFlushId = 0;
  private readonly flushes = new Map<number, () => void>();
  private closing: Promise<void> | undefined;
  private closed = false;
  private ringDropped = 0;
  private reportedDrop = false;

  constructor(
    private readonly dir: string,
    private readonly fileOptions: FileSinkOptions = {},
    private readonly options: WorkerSinkOptions = {},
  ) {}

  get dropped(): number {
    const control = this.control;
    return this.ringDropped + (control === undefined ? 0 : Atomics.load(control, WRITER_DROPPED));
  }

  write(group: string, line: string): void {
    if (this.closed || this.workerGone) return void this.ringDropped++;
    const pending = this.groupOf(group);
    if (pending === undefined) return this.drop(1);
    this.turnLines.add(pending, line);
  }

  /**
   * The writer of a format's events into a group, as records; undefined when there are too many
   * formats already, or the format is too long to cross the ring (the caller then writes text).
   * Stages sharing a group and format share one.
   */
  accessLogWriter(group: string, format: string): AccessLogWriter | undefined {
    const key = `${group}\n${format}`;
    const known = this.accessWriters.get(key);
    if (known !== undefined) return known;
    if (this.accessWriters.size >= MAX_FORMATS) return undefined;
    if (TEXT_RECORD_BYTES + 3 * (group.length + format.length) > (this.options.ringBytes ?? DEFAULT_RING_BYTES) >>> 3) return undefined;
    const writer = new AccessRecordWriter(this.accessWriters.size, format);
    let defined = false;
    const write: AccessLogWriter = (obs) => {
      if (this.closed || this.workerGone) return void this.ringDropped++;
      const ring = this.ring ?? this.start();
      if (!defined) {
        const groupId = this.groupOf(group)?.id;
        if (groupId === undefined || !this.textRecord(ring, FORMAT, writer.formatId, groupId, format)) return this.drop(1);
        defined = true;
      }
      const bytes = writer.write(ring, obs);
      if (bytes === 0) return this.drop(1);
      this.wrote(ring, bytes);
    };
    this.accessWriters.set(key, write);
    return write;
  }

  /** Resolves once every event so far is in its file (or dropped). */
  flush(): Promise<void> {
    this.turnLines.flush();
    this.ring?.publish();
    const worker = this.worker;
    if (worker === undefined || this.workerGone) return Promise.resolve();
    const id = ++this.nextFlushId;
    return new Promise((resolve) => {
      this.flushes.set(id, resolve);
      worker.postMessage({ type: 'flush', id } satisfies ToLogWorker);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.turnLines.flush();
    this.ring?.publish();
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined || this.workerGone) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate().finally(resolve), CLOSE_TIMEOUT_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ type: 'close' } satisfies ToLogWorker);
    });
  }

  /** The ring, and the writer thread reading it, made on the first event. */
  private start(): RingWriter {
    const memory = allocateRing(this.options.ringBytes ?? DEFAULT_RING_BYTES);
    this.control = new Int32Array(memory.control);
    this.ring = new RingWriter(memory);
    const workerData: LogWorkerData = { ring: memory, dir: this.dir, file: this.fileOptions, extendedIdPrefix: EXTENDED_ID_PREFIX };
    const worker = new Worker(new URL('./log-worker.js', import.meta.url), { workerData });
    // Waiting events alone do not keep the process alive: close() writes them out.
    worker.unref();
    worker.on('message', (message: FromLogWorker) => {
      if (message.type === 'flushed') {
        this.flushes.get(message.id)?.();
        this.flushes.delete(message.id);
      }
    });
    worker.on('error', (err) => {
      console.error('portico: the log writer thread failed; log events are dropped from now on:', err);
    });
    // Once the thread is gone (it failed, or close ended it), events are dropped and counted.
    worker.on('exit', () => {
      this.workerGone = true;
      for (const resolve of this.flushes.values()) resolve();
      this.flushes.clear();
    });
    this.worker = worker;
    return this.ring;
  }

  private groupOf(group: string): PendingGroup | undefined {
    let pending = this.groups.get(group);
    if (pending !== undefined) return pending;
    if (this.groups.size >= MAX_GROUPS) return undefined;
    pending = { id: this.groups.size, lines: [], units: 0 };
    const ring = this.ring ?? this.start();
    if (!this.textRecord(ring, GROUP, pending.id, 0, group)) return undefined;
    this.groups.set(group, pending);
    return pending;
  }

  /** Encodes a group's waiting events, joined, into one LINES record; drops them when it finds no room. */
  private encode(pending: PendingGroup): void {
    const { text, count } = take(pending);
    if (count === 0) return;
    if (!this.textRecord(this.ring ?? this.start(), LINES, pending.id, count, text)) this.drop(count);
  }

  /**
   * Writes a record of text: `[a, b, byteLength]`, then the text in UTF-8. GROUP is
   * `[id, 0]` and a name, FORMAT `[id, groupId]` and a format, LINES `[groupId, count]` and the
   * lines joined by newlines. False when the ring has no room for it.
   */
  private textRecord(ring: RingWriter, kind: number, a: number, b: number, text: string): boolean {
    let bound = TEXT_RECORD_BYTES + 3 * text.length;
    // The exact size only when the bound does not fit (mostly: never).
    if (bound > ring.size >>> 1) bound = TEXT_RECORD_BYTES + Buffer.byteLength(text, 'utf8');
    const at = ring.reserve(align8(bound));
    if (at === -1) return false;
    const view = ring.view;
    const length = ring.bytes.write(text, at + TEXT_RECORD_BYTES, 'utf8');
    view.setInt32(at, kind, true);
    view.setInt32(at + HEADER_BYTES, a, true);
    view.setInt32(at + HEADER_BYTES + 4, b, true);
    view.setInt32(at + HEADER_BYTES + 8, length, true);
    const bytes = align8(TEXT_RECORD_BYTES + length);
    view.setInt32(at + 4, bytes, true);
    ring.commit(at, bytes);
    this.wrote(ring, bytes);
    return true;
  }

  /**
   * A record was committed: it is published with the others of this turn once the code that
   * wrote them is done (a microtask), and the writer thread is told to read now once a good
   * part of the ring is waiting.
   */
  private wrote(ring: RingWriter, bytes: number): void {
    if (!this.publishScheduled) {
      this.publishScheduled = true;
      queueMicrotask(this.publish);
    }
    this.bytesSinceNudge += bytes;
    if (this.bytesSinceNudge < ring.size >>> 3) return;
    this.bytesSinceNudge = 0;
    ring.publish();
    this.worker?.postMessage({ type: 'drain' } satisfies ToLogWorker);
  }

  private readonly publish = (): void => {
    this.publishScheduled = false;
    this.ring?.publish();
  };

  private drop(events: number): void {
    this.ringDropped += events;
    if (this.reportedDrop) return;
    this.reportedDrop = true;
    console.error('portico: the log writer is falling behind: its queue is full; dropping events until it catches up (counted as dropped)');
  }
}
