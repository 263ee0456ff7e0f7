/**
 * Access log events as records: what a request's line needs, written by the gateway thread into
 * the log ring (log-ring.ts) instead of the line itself, and turned into the line by the log
 * writer thread (log-worker.ts). Building and encoding a 300-character line per request is most
 * of what an access log costs; writing its values costs a fraction of that, and the text is then
 * made on a thread that is not answering requests.
 *
 * Both threads compile the same format with parseAccessLogFormat, so they agree on its slots,
 * one per variable, in order:
 * - a number (status, lengths, latencies, the arrival time: NUMERIC_VARIABLES): a float64, which
 *   the writer thread prints as the text formatter would;
 * - `requestId`: its four words (request-ids.ts), 16 bytes;
 * - `extendedRequestId`: its counter, a float64, printed with this process's prefix;
 * - anything else: the text formatter's own value, as a 32-bit tag: SAME when it equals the
 *   format's previous value for the slot (a busy stage repeats the client address, method,
 *   resource and protocol), else the UTF-8 byte length, followed by the bytes.
 * An id made elsewhere than request-ids.ts (a test's observation) goes as text.
 *
 * Records of one format are read in the order they were written, so the reader's previous
 * values are the writer's: a record that finds no room in the ring is dropped before it
 * changes the writer's.
 *
 * The writer is compiled per format into one function with a statement per slot
 * (`compiledWriter`), so that each variable's reader is called from a call site of its own and
 * inlined; `writeGeneric` makes the same records with a loop over the slots.
 *
 * Layout: [ACCESS, length][formatId, 0] then the slots, unaligned (read through a DataView).
 */
import type { RequestObservation } from './request-observation.js';
import { NUMERIC_VARIABLES, parseAccessLogFormat, type Getter } from './access-log-format.js';
import { ACCESS, HEADER_BYTES, align8, type RingWriter } from './log-ring.js';
import { extendedRequestIdOf, requestIdOfWords } from '../gateway/request-ids.js';

const TEXT = 0;
const NUMBER = 1;
const REQUEST_ID = 2;
const EXTENDED_ID = 3;

/** Tags of a text-carrying slot; a tag >= 0 is the byte length of the text that follows. */
const SAME = -1;
const WORDS = -2;
const SEQ = -3;

/** Bytes before the first slot. */
const FIXED_BYTES = HEADER_BYTES + 8;

interface Slots {
  literals: string[];
  kinds: number[];
  getters: Getter[];
  numbers: ((obs: RequestObservation) => number)[];
  numberTexts: ((value: number) => string)[];
}

function slotsOf(format: string): Slots {
  const { literals, getters, names } = parseAccessLogFormat(format);
  const kinds: number[] = [];
  const numbers: ((obs: RequestObservation) => number)[] = [];
  const numberTexts: ((value: number) => string)[] = [];
  const none = (): number => -1;
  for (const name of names) {
    const numeric = Object.hasOwn(NUMERIC_VARIABLES, name) ? NUMERIC_VARIABLES[name] : undefined;
    kinds.push(numeric !== undefined ? NUMBER : name === 'requestId' ? REQUEST_ID : name === 'extendedRequestId' ? EXTENDED_ID : TEXT);
    numbers.push(numeric?.read ?? none);
    numberTexts.push(numeric?.text ?? String);
  }
  return { literals, kinds, getters, numbers, numberTexts };
}

/** Writes a finished request's record into the ring; its bytes, or 0 when the ring had no room. */
export type RecordWrite = (ring: RingWriter, obs: RequestObservation) => number;

/** The gateway thread's side of one format: writes a finished request's record. */
export class AccessRecordWriter {
  /**
   * The writer compiled for the format's slots (`compiledWriter`), or the generic one
   * (`writeGeneric`) where the runtime refuses to compile code (`--disallow-code-generation-from-strings`).
   */
  readonly write: RecordWrite;
  /** Whether `write` is the compiled writer. */
  readonly compiled: boolean;
  private readonly slots: Slots;
  /** Each text slot's value in the last record written. */
  private readonly previous: string[];
  /** This record's changed text values (undefined: the same as before), kept between the two passes. */
  private readonly changed: (string | undefined)[];

  constructor(
    readonly formatId: number,
    format: string,
    options: { generic?: boolean } = {},
  ) {
    this.slots = slotsOf(format);
    this.previous = this.slots.kinds.map(() => '');
    this.changed = this.slots.kinds.map(() => undefined);
    let compiled: RecordWrite | undefined;
    if (options.generic !== true) {
      try {
        compiled = compiledWriter(formatId, this.slots, this.previous);
      } catch {
        compiled = undefined;
      }
    }
    this.compiled = compiled !== undefined;
    this.write = compiled ?? ((ring, obs) => this.writeGeneric(ring, obs));
  }

  /** The slot-by-slot writer: the same records as the compiled one, a loop over the slots. */
  writeGeneric(ring: RingWriter, obs: RequestObservation): number {
    const { kinds, getters, numbers } = this.slots;
    const { changed, previous } = this;
    const n = kinds.length;
    // First the values and the room they need (text at most 3 bytes per UTF-16 unit).
    let bound = FIXED_BYTES;
    for (let k = 0; k < n; k++) {
      const kind = kinds[k];
      if (kind === NUMBER) {
        bound += 8;
        continue;
      }
      if (kind === REQUEST_ID && obs.idInWords) {
        bound += 20;
        continue;
      }
      if (kind === EXTENDED_ID && obs.extendedRequestSeq >= 0) {
        bound += 12;
        continue;
      }
      const value = getters[k]!(obs);
      if (value === previous[k]) {
        changed[k] = undefined;
        bound += 4;
      } else {
        changed[k] = value;
        bound += 4 + 3 * value.length;
      }
    }
    const at = ring.reserve(align8(bound));
    if (at === -1) return 0;
    const view = ring.view;
    view.setInt32(at, ACCESS, true);
    view.setInt32(at + 8, this.formatId, true);
    let p = at + FIXED_BYTES;
    for (let k = 0; k < n; k++) {
      const kind = kinds[k];
      if (kind === NUMBER) {
        view.setFloat64(p, numbers[k]!(obs), true);
        p += 8;
      } else if (kind === REQUEST_ID && obs.idInWords) {
        p = writeWords(view, p, obs);
      } else if (kind === EXTENDED_ID && obs.extendedRequestSeq >= 0) {
        view.setInt32(p, SEQ, true);
        view.setFloat64(p + 4, obs.extendedRequestSeq, true);
        p += 12;
      } else {
        const value = changed[k];
        if (value === undefined) {
          view.setInt32(p, SAME, true);
          p += 4;
        } else {
          p = writeText(ring, p, value);
          previous[k] = value;
          changed[k] = undefined;
        }
      }
    }
    const length = align8(p - at);
    view.setInt32(at + 4, length, true);
    ring.commit(at, length);
    return length;
  }
}

function writeWords(view: DataView, p: number, obs: RequestObservation): number {
  view.setInt32(p, WORDS, true);
  view.setInt32(p + 4, obs.idWord0, true);
  view.setInt32(p + 8, obs.idWord1, true);
  view.setInt32(p + 12, obs.idWord2, true);
  view.setInt32(p + 16, obs.idWord3, true);
  return p + 20;
}

/** A changed text value: its UTF-8 byte length, then the bytes. */
function writeText(ring: RingWriter, p: number, value: string): number {
  const length = ring.bytes.write(value, p + 4, 'utf8');
  ring.view.setInt32(p, length, true);
  return p + 4 + length;
}

/**
 * The writer of a format as one function with a statement per slot. Looping over the slots
 * calls every variable's reader from one call site, which V8 then calls generically; here each
 * reader has a call site of its own, which the compiler inlines (a field load, mostly): about
 * 1,800 instructions per record become a few hundred. Only slot numbers and fixed statements
 * go into the code; the format's text never does, and the readers are passed in as values.
 */
function compiledWriter(formatId: number, slots: Slots, previous: string[]): RecordWrite {
  const { kinds } = slots;
  const values: string[] = [];
  const room: string[] = [];
  const writes: string[] = [];
  let fixed = FIXED_BYTES;
  const text = (k: number): { value: string; write: string } => ({
    value: `let t${k} = g${k}(obs); if (t${k} === previous[${k}]) t${k} = undefined; else bound += 3 * t${k}.length;`,
    write: `if (t${k} === undefined) { view.setInt32(p, ${SAME}, true); p += 4; } else { p = writeText(ring, p, t${k}); previous[${k}] = t${k}; }`,
  });
  kinds.forEach((kind, k) => {
    if (kind === NUMBER) {
      fixed += 8;
      writes.push(`view.setFloat64(p, n${k}(obs), true); p += 8;`);
    } else if (kind === REQUEST_ID) {
      fixed += 20;
      const t = text(k);
      values.push(`const w${k} = obs.idInWords; let t${k}; if (!w${k}) { ${t.value.slice(4)} }`);
      writes.push(`if (w${k}) p = writeWords(view, p, obs); else { ${t.write} }`);
    } else if (kind === EXTENDED_ID) {
      fixed += 12;
      const t = text(k);
      values.push(`const s${k} = obs.extendedRequestSeq; let t${k}; if (s${k} < 0) { ${t.value.slice(4)} }`);
      writes.push(`if (s${k} >= 0) { view.setInt32(p, ${SEQ}, true); view.setFloat64(p + 4, s${k}, true); p += 12; } else { ${t.write} }`);
    } else {
      fixed += 4;
      const t = text(k);
      values.push(t.value);
      writes.push(t.write);
    }
  });
  const body = [
    `return function write(ring, obs) {`,
    `let bound = ${fixed};`,
    ...values,
    `const at = ring.reserve((bound + 7) & ~7);`,
    `if (at === -1) return 0;`,
    `const view = ring.view;`,
    `view.setInt32(at, ${ACCESS}, true);`,
    `view.setInt32(at + 8, ${formatId | 0}, true);`,
    `let p = at + ${FIXED_BYTES};`,
    ...writes,
    `const length = (p - at + 7) & ~7;`,
    `view.setInt32(at + 4, length, true);`,
    `ring.commit(at, length);`,
    `return length;`,
    `};`,
  ].join('\n');
  const names = kinds.flatMap((_, k) => [`g${k}`, `n${k}`]);
  const args = kinds.flatMap((_, k) => [slots.getters[k], slots.numbers[k]]);
  const factory = new Function('previous', 'writeText', 'writeWords', ...names, body) as (...args: unknown[]) => RecordWrite;
  return factory(previous, writeText, writeWords, ...args);
}

/** The writer thread's side of one format: makes the line of a record. */
export class AccessRecordReader {
  private readonly slots: Slots;
  private readonly previous: string[];

  constructor(
    format: string,
    /** The prefix of the gateway process's extended request ids. */
    private readonly extendedIdPrefix: string,
  ) {
    this.slots = slotsOf(format);
    this.previous = this.slots.kinds.map(() => '');
  }

  /** The line of the record at `at`. */
  read(view: DataView, bytes: Buffer, at: number): string {
    const { literals, kinds, numberTexts } = this.slots;
    const previous = this.previous;
    let line = literals[0]!;
    let p = at + FIXED_BYTES;
    for (let k = 0; k < kinds.length; k++) {
      let value: string;
      if (kinds[k] === NUMBER) {
        value = numberTexts[k]!(view.getFloat64(p, true));
        p += 8;
      } else {
        const tag = view.getInt32(p, true);
        p += 4;
        if (tag === SAME) {
          value = previous[k]!;
        } else if (tag === WORDS) {
          value = requestIdOfWords(view.getInt32(p, true), view.getInt32(p + 4, true), view.getInt32(p + 8, true), view.getInt32(p + 12, true));
          p += 16;
        } else if (tag === SEQ) {
          value = extendedRequestIdOf(this.extendedIdPrefix, view.getFloat64(p, true));
          p += 8;
        } else {
          value = bytes.toString('utf8', p, p + tag);
          p += tag;
          previous[k] = value;
        }
      }
      line += value + literals[k + 1]!;
    }
    return line;
  }
}
