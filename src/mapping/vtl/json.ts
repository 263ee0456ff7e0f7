/**
 * JSON text → template values, for `$input.path`, `$input.json` and `$util.parseJson`.
 *
 * A parser of its own rather than JSON.parse: Java tells `1` (Integer) from `1.0` (Double) and
 * prints them differently, objects must become `Map`s (a `"__proto__"` key is then only a key),
 * and arrays become JSON lists. Strict RFC 8259; nesting deeper than MAX_DEPTH is refused
 * rather than risk the stack.
 */
import type { Budget } from './budget.js';
import { JavaDouble, JavaList, type JavaMap, type Value } from './values.js';

const MAX_DEPTH = 512;

class Failure {}
const FAIL = new Failure();

/** Parses `text`; undefined when it is not JSON. Charges one step per KiB. */
export function parseJson(text: string, budget?: Budget): Value | undefined {
  budget?.tick(text.length >> 10);
  const p = new JsonParser(text);
  try {
    p.ws();
    const value = p.value(0);
    p.ws();
    return p.pos === text.length ? value : undefined;
  } catch (e) {
    if (e === FAIL) return undefined;
    throw e;
  }
}

class JsonParser {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s;
    let i = this.pos;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.pos = i;
  }

  value(depth: number): Value {
    const c = this.s.charCodeAt(this.pos);
    switch (c) {
      case 123 /* { */:
        return this.object(depth + 1);
      case 91 /* [ */:
        return this.array(depth + 1);
      case 34 /* " */:
        return this.string();
      case 116 /* t */:
        return this.literal('true', true);
      case 102 /* f */:
        return this.literal('false', false);
      case 110 /* n */:
        return this.literal('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        throw FAIL;
    }
  }

  private literal(word: string, value: Value): Value {
    if (!this.s.startsWith(word, this.pos)) throw FAIL;
    this.pos += word.length;
    return value;
  }

  private object(depth: number): JavaMap {
    if (depth > MAX_DEPTH) throw FAIL;
    const map: JavaMap = new Map();
    this.pos++;
    this.ws();
    if (this.s.charCodeAt(this.pos) === 125) {
      this.pos++;
      return map;
    }
    for (;;) {
      if (this.s.charCodeAt(this.pos) !== 34) throw FAIL;
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.pos) !== 58) throw FAIL;
      this.pos++;
      this.ws();
      map.set(key, this.value(depth));
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 125) return map;
      if (c !== 44) throw FAIL;
      this.ws();
    }
  }

  private array(depth: number): JavaList {
    if (depth > MAX_DEPTH) throw FAIL;
    const items: Value[] = [];
    this.pos++;
    this.ws();
    if (this.s.charCodeAt(this.pos) === 93) {
      this.pos++;
      return new JavaList(items, true);
    }
    for (;;) {
      items.push(this.value(depth));
      this.ws();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 93) return new JavaList(items, true);
      if (c !== 44) throw FAIL;
      this.ws();
    }
  }

  private string(): string {
    const s = this.s;
    const start = ++this.pos;
    let i = start;
    // Fast path: no escapes.
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 92) break;
      if (c < 32 || Number.isNaN(c)) throw FAIL;
      i++;
    }
    let out = s.slice(start, i);
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return out;
      }
      if (c < 32 || Number.isNaN(c)) throw FAIL;
      if (c !== 92) {
        out += s[i];
        i++;
        continue;
      }
      const e = s.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 34: out += '"'; break;
        case 92: out += '\\'; break;
        case 47: out += '/'; break;
        case 98: out += '\b'; break;
        case 102: out += '\f'; break;
        case 110: out += '\n'; break;
        case 114: out += '\r'; break;
        case 116: out += '\t'; break;
        case 117: {
          const hex = s.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw FAIL;
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          throw FAIL;
      }
    }
  }

  private number(): Value {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === 45) i++;
    const digit = (k: number): boolean => {
      const c = s.charCodeAt(k);
      return c >= 48 && c <= 57;
    };
    if (s.charCodeAt(i) === 48) i++;
    else if (digit(i)) while (digit(i)) i++;
    else throw FAIL;
    let double = false;
    if (s.charCodeAt(i) === 46) {
      i++;
      if (!digit(i)) throw FAIL;
      while (digit(i)) i++;
      double = true;
    }
    const e = s.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      if (!digit(i)) throw FAIL;
      while (digit(i)) i++;
      double = true;
    }
    this.pos = i;
    const n = Number(s.slice(start, i));
    return double || !Number.isSafeInteger(n) ? new JavaDouble(n) : n;
  }
}
