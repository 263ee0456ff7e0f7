/**
 * The log writer thread of the `file` destination (started by log-sink-worker.ts): reads the
 * records the gateway thread puts in the shared ring (log-ring.ts), and hands every line to the
 * files (log-sink-file.ts), which batch, rotate and bound them as they would on any thread.
 * Access log records are written into the files' buffers as bytes by their format's reader
 * (access-log-record.ts); text lines are handed over as strings.
 *
 * It reads the ring every DRAIN_MS and whenever the gateway thread says a good part of it is
 * waiting; a flush reads it, then waits for the files. What the files dropped is reported in
 * the ring's control words for the gateway thread's `dropped`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileLogSink } from './log-sink-file.js';
import { logFilePath } from './log-sinks.js';
import { AccessRecordReader } from './access-log-record.js';
import { ACCESS, FORMAT, GROUP, HEADER_BYTES, LINES, RingReader, WRITER_DROPPED } from './log-ring.js';
import type { FromLogWorker, LogWorkerData, ToLogWorker } from './log-sink-worker.js';

/**
 * How often the ring is read when nobody asks. Each read wakes this thread, which on a small
 * machine takes a CPU from the gateway thread for a moment; the ring holds far more than this
 * much of a busy stage's records, and the gateway thread asks for a read when an eighth of it
 * is waiting.
 */
const DRAIN_MS = 25;

const data = workerData as LogWorkerData;
const ring = new RingReader(data.ring);
const files = new FileLogSink((group) => logFilePath(data.dir, group), data.file);
const groups: string[] = [];
const formats: { group: string; reader: AccessRecordReader }[] = [];
let reportedFailure = false;

function text(at: number, length: number): string {
  return ring.bytes.toString('utf8', at, at + length);
}

function read(kind: number, at: number): void {
  const view = ring.view;
  const body = at + HEADER_BYTES;
  try {
    switch (kind) {
      case ACCESS: {
        const format = formats[view.getInt32(body, true)];
        if (format !== undefined) files.writeEncoded(format.group, format.reader.decode(view, ring.bytes, at), format.reader);
        break;
      }
      case LINES: {
        const group = groups[view.getInt32(body, true)];
        if (group === undefined) break;
        const lines = text(body + 12, view.getInt32(body + 8, true));
        let from = 0;
        for (;;) {
          const end = lines.indexOf('\n', from);
          if (end === -1) {
            files.write(group, lines.slice(from));
            break;
          }
          files.write(group, lines.slice(from, end));
          from = end + 1;
        }
        break;
      }
      case GROUP:
        groups[view.getInt32(body, true)] = text(body + 12, view.getInt32(body + 8, true));
        break;
      case FORMAT: {
        const group = groups[view.getInt32(body + 4, true)];
        const format = text(body + 12, view.getInt32(body + 8, true));
        if (group !== undefined) formats[view.getInt32(body, true)] = { group, reader: new AccessRecordReader(format, data.extendedIdPrefix) };
        break;
      }
    }
  } catch (err) {
    // One bad record costs its own event, never the thread.
    if (!reportedFailure) {
      reportedFailure = true;
      console.error('portico: a log record could not be written:', err);
    }
  }
}

function drain(): void {
  ring.drain(read);
  Atomics.store(ring.control, WRITER_DROPPED, files.dropped);
}

const timer = setInterval(drain, DRAIN_MS);

function reply(message: FromLogWorker): void {
  parentPort!.postMessage(message);
}

parentPort!.on('message', (message: ToLogWorker) => {
  switch (message.type) {
    case 'drain':
      drain();
      break;
    case 'flush':
      drain();
      void files.flush().then(() => {
        Atomics.store(ring.control, WRITER_DROPPED, files.dropped);
        reply({ type: 'flushed', id: message.id });
      });
      break;
    case 'close':
      clearInterval(timer);
      drain();
      void files.close().then(() => {
        Atomics.store(ring.control, WRITER_DROPPED, files.dropped);
        reply({ type: 'closed' });
        parentPort!.close();
      });
      break;
  }
});
