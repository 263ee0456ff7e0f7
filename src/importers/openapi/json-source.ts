/**
 * A strict JSON parser that also records where every member and item starts.
 *
 * `JSON.parse` neither reports a position for every kind of syntax error nor tells where a
 * value came from, and both are needed to point users at the offending line.
 */
import { jsonPointer } from '../../model/validate.js';

export class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export interface JsonWithOffsets {
  value: unknown;
  /** JSON pointer → offset of the member's key (objects) or of the item (arrays). */
  offsets: Map<string, number>;
  /** JSON pointer → the source spelling of a number, which `1.0` loses when read as 1. */
  numbers: Map<string, string>;
}

/** Deep enough for any real API definition, shallow enough not to exhaust the stack. */
const MAX_DEPTH = 500;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses `text` as JSON; throws JsonSyntaxError at the first error. */
export function parseJsonWithOffsets(text: string): JsonWithOffsets {
  return new JsonScanner(text).parseDocument();
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the input';
  if (ch === '\n') return 'a line break';
  return `'${ch}'`;
}

class JsonScanner {
  private pos = 0;
  private readonly offsets = new Map<string, number>();
  private readonly numbers = new Map<string, string>();

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  parseDocument(): JsonWithOffsets {
    this.skipWhitespace();
    this.offsets.set(jsonPointer([]), this.pos);
    const value = this.value([]);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('unexpected text after the end of the JSON value');
    return { value, offsets: this.offsets, numbers: this.numbers };
  }

  private fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(at, message);
  }

  private skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else break;
    }
  }

  private value(path: string[]): unknown {
    if (path.length > MAX_DEPTH) this.fail('the document is nested too deeply');
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(path);
      case '[':
        return this.array(path);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number(path);
        return this.fail(`expected a JSON value but found ${describe(c)}`);
    }
  }

  private object(path: string[]): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') {
        this.fail(`expected a property name in double quotes but found ${describe(this.text[this.pos])}`);
      }
      const keyOffset = this.pos;
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after the property name but found ${describe(this.text[this.pos])}`);
      this.pos++;
      this.skipWhitespace();
      const childPath = [...path, key];
      this.offsets.set(jsonPointer(childPath), keyOffset);
      // defineProperty keeps a "__proto__" key an ordinary member, as JSON.parse does.
      Object.defineProperty(result, key, { value: this.value(childPath), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === ',') continue;
      if (next === '}') return result;
      this.fail(`expected ',' or '}' after a property value but found ${describe(next)}`, this.pos - 1);
    }
  }

  private array(path: string[]): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      const childPath = [...path, String(result.length)];
      this.offsets.set(jsonPointer(childPath), this.pos);
      result.push(this.value(childPath));
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === ',') continue;
      if (next === ']') return result;
      this.fail(`expected ',' or ']' after an array item but found ${describe(next)}`, this.pos - 1);
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = t[i];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '"') break;
      if (c === '\\') {
        const e = t[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) this.fail('invalid \\u escape: expected four hex digits', i);
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail(`invalid escape '\\${e ?? ''}' in a string`, i);
        i += 2;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) this.fail('control characters must be escaped inside strings', i);
      i++;
    }
    this.pos = i + 1;
    // The scan above has checked every escape, so the built-in decoder cannot fail here.
    return JSON.parse(t.slice(start, i + 1)) as string;
  }

  private number(path: string[]): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail(`expected a number but found ${describe(this.text[this.pos])}`);
    this.pos += match[0].length;
    this.numbers.set(jsonPointer(path), match[0]);
    return Number(match[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected a JSON value but found ${describe(this.text[this.pos])}`);
    this.pos += word.length;
    return value;
  }
}
