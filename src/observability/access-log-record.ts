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
import { writeExtendedRequestId, writeRequestIdOfWords } from '../gateway/request-ids.js';
import type { LineEncoder } from './log-sink-file.js';

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

/**
 * The writer thread's side of one format: makes the line of a record as bytes, written straight
 * into the file's buffer (log-sink-file.ts `writeEncoded`) without making a string.
 *
 * `decode` reads a record into each slot's current bytes and says how long the line can be;
 * `encodeLine` then writes it. As the text formatter does with strings, the end of the line
 * whose values did not change since the previous record is kept, encoded, as one piece (on a
 * busy stage only the ids change), so a line is a few short copies and one long one.
 */
export class AccessRecordReader implements LineEncoder {
  private readonly kinds: number[];
  private readonly numberTexts: ((value: number) => string)[];
  /** The format's text between the variables, encoded; the last one ends with the newline. */
  private readonly literals: Buffer[];
  /** Each slot's current value: its bytes are `values[k].subarray(0, lengths[k])`. */
  private readonly values: Buffer[];
  private readonly lengths: number[];
  private readonly numbers: number[];
  private readonly numberStrings: string[];
  private readonly changed: boolean[];
  /** Slots before this one have changed in the record being decoded. */
  private unchanged = 0;
  /** `literals[tailStart] values[tailStart] … literals[n]`, encoded. */
  private tail: Buffer;
  private tailStart: number;
  /** For `read`. */
  private scratch = Buffer.allocUnsafe(1024);

  /** The prefix of the gateway process's extended request ids, in ASCII. */
  private readonly extendedIdPrefix: Buffer;

  constructor(format: string, extendedIdPrefix: string) {
    this.extendedIdPrefix = Buffer.from(extendedIdPrefix, 'latin1');
    const slots = slotsOf(format);
    const n = slots.kinds.length;
    this.kinds = slots.kinds;
    this.numberTexts = slots.numberTexts;
    this.literals = slots.literals.map((literal, k) => Buffer.from(k === n ? `${literal}\n` : literal, 'utf8'));
    // Room for an id: 36 characters, or the prefix, 11 base-36 digits and `=`.
    this.values = slots.kinds.map(() => Buffer.alloc(Math.max(36, this.extendedIdPrefix.length + 12)));
    this.lengths = slots.kinds.map(() => 0);
    this.numbers = slots.kinds.map(() => NaN);
    this.numberStrings = slots.kinds.map(() => '');
    this.changed = slots.kinds.map(() => false);
    this.tail = this.literals[n]!;
    this.tailStart = n;
  }

  /** Reads the record at `at`; returns the most bytes its line (newline included) can take. */
  decode(view: DataView, bytes: Buffer, at: number): number {
    const { kinds, changed, lengths } = this;
    const n = kinds.length;
    let p = at + FIXED_BYTES;
    for (let k = 0; k < n; k++) {
      if (kinds[k] === NUMBER) {
        const value = view.getFloat64(p, true);
        p += 8;
        changed[k] = value !== this.numbers[k] && this.setNumber(k, value);
        continue;
      }
      const tag = view.getInt32(p, true);
      p += 4;
      if (tag === SAME) {
        changed[k] = false;
      } else if (tag === WORDS) {
        writeRequestIdOfWords(view.getInt32(p, true), view.getInt32(p + 4, true), view.getInt32(p + 8, true), view.getInt32(p + 12, true), this.values[k]!, 0);
        lengths[k] = 36;
        changed[k] = true;
        p += 16;
      } else if (tag === SEQ) {
        lengths[k] = writeExtendedRequestId(this.extendedIdPrefix, view.getFloat64(p, true), this.values[k]!, 0);
        changed[k] = true;
        p += 8;
      } else {
        if (tag > this.values[k]!.length) this.values[k] = Buffer.allocUnsafe(Math.max(tag, 2 * this.values[k]!.length));
        bytes.copy(this.values[k]!, 0, p, p + tag);
        lengths[k] = tag;
        changed[k] = true;
        p += tag;
      }
    }
    let unchanged = n;
    while (unchanged > 0 && !changed[unchanged - 1]) unchanged--;
    this.unchanged = unchanged;
    // The kept end of the line holds a value that changed: start it again from the last literal.
    if (unchanged > this.tailStart) {
      this.tailStart = n;
      this.tail = this.literals[n]!;
    }
    // More of the end is unchanged than is kept: keep it, encoded once.
    if (unchanged < this.tailStart) {
      const pieces: Buffer[] = [];
      for (let k = unchanged; k < this.tailStart; k++) pieces.push(this.literals[k]!, this.values[k]!.subarray(0, lengths[k]));
      pieces.push(this.tail);
      this.tail = Buffer.concat(pieces);
      this.tailStart = unchanged;
    }
    let bound = this.tail.length;
    for (let k = 0; k < unchanged; k++) bound += this.literals[k]!.length + lengths[k]!;
    return bound;
  }

  /** Writes the decoded record's line, newline included, at `at`; returns where it ends. */
  encodeLine(buf: Buffer, at: number): number {
    const { literals, values, lengths } = this;
    let p = at;
    for (let k = 0; k < this.unchanged; k++) {
      p = copy(literals[k]!, literals[k]!.length, buf, p);
      p = copy(values[k]!, lengths[k]!, buf, p);
    }
    return copy(this.tail, this.tail.length, buf, p);
  }

  /** The line of the record at `at`, as text without its newline (for tests and tools). */
  read(view: DataView, bytes: Buffer, at: number): string {
    const bound = this.decode(view, bytes, at);
    if (bound > this.scratch.length) this.scratch = Buffer.allocUnsafe(2 * bound);
    const end = this.encodeLine(this.scratch, 0);
    return this.scratch.toString('utf8', 0, end - 1);
  }

  /** A numeric slot's new value; whether its text changed. */
  private setNumber(k: number, value: number): boolean {
    this.numbers[k] = value;
    const text = this.numberTexts[k]!(value);
    if (text === this.numberStrings[k]) return false;
    this.numberStrings[k] = text;
    this.setText(k, text);
    return true;
  }

  private setText(k: number, text: string): void {
    const max = 3 * text.length;
    if (max > this.values[k]!.length) this.values[k] = Buffer.allocUnsafe(max);
    this.lengths[k] = this.values[k]!.write(text, 0, 'utf8');
  }
}

/**
 * Copies `length` bytes of `from` into `to` at `at`; returns where they end. Short pieces (most
 * literals and values) are copied in a loop: a native copy costs more to call than they take.
 */
function copy(from: Uint8Array, length: number, to: Uint8Array, at: number): number {
  if (length > 24) {
    to.set(length === from.length ? from : from.subarray(0, length), at);
    return at + length;
  }
  for (let i = 0; i < length; i++) to[at + i] = from[i]!;
  return at + length;
}
