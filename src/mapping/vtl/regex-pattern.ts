/**
 * Java regular expression syntax (java.util.regex.Pattern) → a pattern tree for the matcher in
 * java-regex.ts: literals and escapes, character classes with ranges, unions, intersections
 * and POSIX / Unicode properties, groups (capturing, named, non-capturing, atomic,
 * look-ahead and bounded look-behind), greedy / lazy / possessive quantifiers, back
 * references, anchors and the inline flags i, m, s, x, d and u. What Java rejects
 * (PatternSyntaxException) is a TemplateError kind 'runtime'.
 */
import { runtimeError } from './errors.js';

export type CharTest = (c: number) => boolean;

export type Node =
  | { t: 'char'; test: CharTest; literal?: number }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; index: number; body: Node }
  | { t: 'repeat'; body: Node; min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive' }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'bos' | 'eos' | 'eosnl' | 'word' | 'nonword' | 'start'; multiline: boolean; unixLines: boolean }
  | { t: 'look'; body: Node; behind: boolean; negate: boolean }
  | { t: 'backref'; index: number; ci: boolean }
  | { t: 'atomic'; body: Node };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  d: boolean;
  u: boolean;
}

const MAX_PATTERN_NESTING = 100;

export const isLineTerminator = (c: number): boolean => c === 10 || c === 13 || c === 0x85 || c === 0x2028 || c === 0x2029;

const range = (lo: number, hi: number): CharTest => (c) => c >= lo && c <= hi;
const DIGIT: CharTest = range(48, 57);
const WORD: CharTest = (c) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
const SPACE: CharTest = (c) => c === 32 || (c >= 9 && c <= 13);
const HSPACE: CharTest = (c) =>
  c === 32 || c === 9 || c === 0xa0 || c === 0x1680 || c === 0x180e || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000;
const VSPACE: CharTest = (c) => (c >= 10 && c <= 13) || c === 0x85 || c === 0x2028 || c === 0x2029;
const not = (t: CharTest): CharTest => (c) => !t(c);
const union = (a: CharTest, b: CharTest): CharTest => (c) => a(c) || b(c);

const UNICODE_WORD = /[\p{L}\p{Nd}_]/u;
export const isBoundaryWordChar = (c: number): boolean => WORD(c) || (c > 127 && UNICODE_WORD.test(String.fromCharCode(c)));

const POSIX: Record<string, CharTest> = {
  Lower: range(97, 122),
  Upper: range(65, 90),
  ASCII: range(0, 127),
  Alpha: (c) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90),
  Digit: DIGIT,
  Alnum: (c) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || DIGIT(c),
  Punct: (c) => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  Graph: (c) => c >= 33 && c <= 126,
  Print: (c) => c >= 32 && c <= 126,
  Blank: (c) => c === 32 || c === 9,
  Cntrl: (c) => c < 32 || c === 127,
  XDigit: (c) => DIGIT(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70),
  Space: SPACE,
};

const CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cn Cs'.split(' '),
);
const BINARY: Record<string, string> = {
  Alphabetic: 'Alphabetic',
  Letter: 'L',
  Lowercase: 'Lowercase',
  Uppercase: 'Uppercase',
  Titlecase: 'Lt',
  Punctuation: 'P',
  Control: 'Cc',
  White_Space: 'White_Space',
  WhiteSpace: 'White_Space',
  Digit: 'Nd',
  Hex_Digit: 'Hex_Digit',
  HexDigit: 'Hex_Digit',
  Ideographic: 'Ideographic',
  Assigned: 'Assigned',
  Emoji: 'Emoji',
};

const propertyCache = new Map<string, CharTest>();

function unicodeTest(expression: string): CharTest {
  let test = propertyCache.get(expression);
  if (!test) {
    // `expression` is built only from the whitelists above or a name checked against /^\w+$/.
    const re = new RegExp(`^\\p{${expression}}$`, 'u');
    test = (c) => re.test(String.fromCharCode(c));
    propertyCache.set(expression, test);
  }
  return test;
}

function property(name: string): CharTest | undefined {
  const posix = POSIX[name];
  if (posix) return posix;
  switch (name) {
    case 'javaLowerCase':
      return unicodeTest('Lowercase');
    case 'javaUpperCase':
      return unicodeTest('Uppercase');
    case 'javaWhitespace':
      return (c) => (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || (c !== 0xa0 && c !== 0x2007 && c !== 0x202f && unicodeTest('White_Space')(c));
    case 'javaLetter':
      return unicodeTest('L');
    case 'javaDigit':
      return unicodeTest('Nd');
    case 'javaLetterOrDigit':
      return union(unicodeTest('L'), unicodeTest('Nd'));
  }
  let n = name;
  const eq = /^(?:general_category|gc|script|sc)=(\w+)$/.exec(n);
  if (eq) n = eq[1]!;
  if (CATEGORIES.has(n)) return unicodeTest(n);
  if (n.startsWith('Is')) {
    const rest = n.slice(2);
    if (CATEGORIES.has(rest)) return unicodeTest(rest);
    const binary = BINARY[rest];
    if (binary) return binary === 'Assigned' ? not(unicodeTest('Cn')) : unicodeTest(binary);
    if (/^\w+$/.test(rest)) {
      try {
        return unicodeTest(`Script=${rest}`);
      } catch {
        return undefined;
      }
    }
  }
  if (eq && /^(?:script|sc)=/.test(name)) {
    try {
      return unicodeTest(`Script=${n}`);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function foldAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function foldUnicode(c: number): number {
  const lower = String.fromCharCode(c).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

export class PatternParser {
  pos = 0;
  groups = 0;
  readonly names = new Map<string, number>();
  flags: Flags = { i: false, m: false, s: false, x: false, d: false, u: false };
  private nesting = 0;

  constructor(private readonly src: string) {}

  error(message: string): never {
    throw runtimeError(`PatternSyntaxException: ${message} near index ${this.pos}: ${this.src}`);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.src.length) this.error("Unmatched closing ')'");
    return node;
  }

  private peek(offset = 0): number {
    return this.src.charCodeAt(this.pos + offset);
  }

  private skipComments(): void {
    if (!this.flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === 32 || (c >= 9 && c <= 13)) this.pos++;
      else if (c === 35 /* # */) {
        while (this.pos < this.src.length && !isLineTerminator(this.peek())) this.pos++;
      } else return;
    }
  }

  private alternation(): Node {
    const alts = [this.sequence()];
    while (this.peek() === 124 /* | */) {
      this.pos++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      this.skipComments();
      if (this.pos >= this.src.length) break;
      const c = this.peek();
      if (c === 124 || c === 41) break;
      const atom = this.atom();
      if (atom) items.push(this.quantifier(atom));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  private literal(c: number): Node {
    if (!this.flags.i || !(this.flags.u || c < 128)) return { t: 'char', test: (x) => x === c, literal: c };
    const fold = this.flags.u ? foldUnicode : foldAscii;
    const f = fold(c);
    return { t: 'char', test: (x) => x === c || fold(x) === f };
  }

  private charNode(test: CharTest): Node {
    return { t: 'char', test: this.flags.i ? this.caseless(test) : test };
  }

  private caseless(test: CharTest): CharTest {
    const unicode = this.flags.u;
    return (c) => {
      if (test(c)) return true;
      if (unicode) {
        const s = String.fromCharCode(c);
        const lower = s.toLowerCase();
        const upper = s.toUpperCase();
        return (lower.length === 1 && test(lower.charCodeAt(0))) || (upper.length === 1 && test(upper.charCodeAt(0)));
      }
      if (c >= 65 && c <= 90) return test(c + 32);
      if (c >= 97 && c <= 122) return test(c - 32);
      return false;
    };
  }

  private assertion(kind: Extract<Node, { t: 'assert' }>['kind']): Node {
    return { t: 'assert', kind, multiline: this.flags.m, unixLines: this.flags.d };
  }

  private atom(): Node | null {
    const c = this.peek();
    switch (c) {
      case 40 /* ( */:
        return this.group();
      case 91 /* [ */: {
        this.pos++;
        return { t: 'char', test: this.characterClass() };
      }
      case 46 /* . */: {
        this.pos++;
        if (this.flags.s) return { t: 'char', test: () => true };
        const unix = this.flags.d;
        return { t: 'char', test: unix ? (x) => x !== 10 : (x) => !isLineTerminator(x) };
      }
      case 94 /* ^ */:
        this.pos++;
        return this.assertion('bol');
      case 36 /* $ */:
        this.pos++;
        return this.assertion(this.flags.m ? 'eol' : 'eosnl');
      case 92 /* \ */:
        return this.escape();
      case 42:
      case 43:
      case 63:
        return this.error(`Dangling meta character '${String.fromCharCode(c)}'`);
      case 123 /* { */:
        return this.error('Illegal repetition');
      default:
        this.pos++;
        return this.literal(c);
    }
  }

  private group(): Node | null {
    this.pos++;
    if (++this.nesting > MAX_PATTERN_NESTING) this.error('pattern nested too deeply');
    const saved = { ...this.flags };
    let node: Node;
    if (this.peek() === 63 /* ? */) {
      this.pos++;
      const c = this.peek();
      if (c === 58 /* : */) {
        this.pos++;
        node = this.groupBody(-1);
      } else if (c === 61 || c === 33) {
        this.pos++;
        node = { t: 'look', body: this.groupBody(-1), behind: false, negate: c === 33 };
      } else if (c === 62 /* > */) {
        this.pos++;
        node = { t: 'atomic', body: this.groupBody(-1) };
      } else if (c === 60 /* < */) {
        this.pos++;
        const d = this.peek();
        if (d === 61 || d === 33) {
          this.pos++;
          const body = this.groupBody(-1);
          const [, max] = lengthBounds(body);
          if (!Number.isFinite(max)) this.error('Look-behind group does not have an obvious maximum length');
          node = { t: 'look', body, behind: true, negate: d === 33 };
        } else {
          const match = /^([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.src.slice(this.pos));
          if (!match) this.error('named capturing group is missing trailing \'>\'');
          this.pos += match[0].length;
          if (this.names.has(match[1]!)) this.error(`Named capturing group <${match[1]}> is already defined`);
          const index = ++this.groups;
          this.names.set(match[1]!, index);
          node = this.groupBody(index);
        }
      } else {
        // Inline flags: (?imsx-imsx) for the rest of the group, or (?imsx-imsx:X) for X only.
        let on = true;
        for (;;) {
          const f = this.src[this.pos];
          if (f === '-') on = false;
          else if (f === 'i' || f === 'm' || f === 's' || f === 'x' || f === 'd' || f === 'u') this.flags[f] = on;
          else if (f === 'U') this.flags.u = on;
          else break;
          this.pos++;
        }
        if (this.peek() === 41) {
          this.pos++;
          this.nesting--;
          return null;
        }
        if (this.peek() !== 58) this.error('Unknown inline modifier');
        this.pos++;
        node = this.groupBody(-1);
      }
    } else {
      node = this.groupBody(++this.groups);
    }
    this.flags = saved;
    this.nesting--;
    return node;
  }

  private groupBody(index: number): Node {
    const body = this.alternation();
    if (this.peek() !== 41) this.error('Unclosed group');
    this.pos++;
    return index < 0 ? body : { t: 'group', index, body };
  }

  private quantifier(atom: Node): Node {
    this.skipComments();
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === 42) [min, max] = [0, Infinity];
    else if (c === 43) [min, max] = [1, Infinity];
    else if (c === 63) [min, max] = [0, 1];
    else if (c === 123) {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!match) this.error('Illegal repetition');
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
      if (max < min || min > 0x7fffffff) this.error('Illegal repetition range');
      this.pos += match[0].length - 1;
    } else return atom;
    this.pos++;
    let mode: 'greedy' | 'lazy' | 'possessive' = 'greedy';
    if (this.peek() === 63) {
      mode = 'lazy';
      this.pos++;
    } else if (this.peek() === 43) {
      mode = 'possessive';
      this.pos++;
    }
    return { t: 'repeat', body: atom, min, max, mode };
  }

  /** After '['. Returns the test for the whole class, consuming the closing ']'. */
  private characterClass(): CharTest {
    if (++this.nesting > MAX_PATTERN_NESTING) this.error('pattern nested too deeply');
    let negate = false;
    if (this.peek() === 94) {
      negate = true;
      this.pos++;
    }
    let acc: CharTest | null = null;
    let first = true;
    for (;;) {
      if (this.flags.x) {
        while (this.peek() === 32 || (this.peek() >= 9 && this.peek() <= 13)) this.pos++;
      }
      if (this.pos >= this.src.length) this.error('Unclosed character class');
      const c = this.peek();
      if (c === 93 /* ] */ && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === 91 /* [ */) {
        this.pos++;
        const inner = this.characterClass();
        acc = acc ? union(acc, inner) : inner;
        continue;
      }
      if (c === 38 && this.peek(1) === 38 /* && */) {
        this.pos += 2;
        const left = acc ?? (() => true);
        const right = this.classRest();
        acc = (x) => left(x) && right(x);
        break;
      }
      const item = this.classItem();
      acc = acc ? union(acc, item) : item;
    }
    this.nesting--;
    let test: CharTest = acc ?? (() => false);
    if (this.flags.i) test = this.caseless(test);
    return negate ? not(test) : test;
  }

  /** The right side of `&&`: the rest of the class up to and including its ']'. */
  private classRest(): CharTest {
    let acc: CharTest | null = null;
    for (;;) {
      if (this.pos >= this.src.length) this.error('Unclosed character class');
      const c = this.peek();
      if (c === 93) {
        this.pos++;
        return acc ?? (() => true);
      }
      if (c === 91) {
        this.pos++;
        const inner = this.characterClass();
        acc = acc ? union(acc, inner) : inner;
        continue;
      }
      if (c === 38 && this.peek(1) === 38) {
        this.pos += 2;
        const left = acc ?? (() => true);
        const right = this.classRest();
        return (x) => left(x) && right(x);
      }
      const item = this.classItem();
      acc = acc ? union(acc, item) : item;
    }
  }

  private classItem(): CharTest {
    const lo = this.classChar();
    if (typeof lo !== 'number') return lo;
    if (this.peek() === 45 /* - */ && this.peek(1) !== 93 && this.peek(1) !== 91 && this.pos + 1 < this.src.length) {
      this.pos++;
      const hi = this.classChar();
      if (typeof hi !== 'number') this.error('Illegal character range');
      if (hi < lo) this.error('Illegal character range');
      return range(lo, hi);
    }
    return (x) => x === lo;
  }

  private classChar(): number | CharTest {
    const c = this.peek();
    if (c !== 92) {
      this.pos++;
      return c;
    }
    // Inside a class an escape is always a character or a character test.
    return this.escapeChar(true) as number | CharTest;
  }

  private escape(): Node {
    const e = this.escapeChar(false);
    if (typeof e === 'number') return this.literal(e);
    if (typeof e === 'function') return this.charNode(e);
    return e;
  }

  /** After '\'. A single character, a character test, or (outside classes) a node. */
  private escapeChar(inClass: boolean): number | CharTest | Node {
    this.pos++;
    if (this.pos >= this.src.length) this.error('Unexpected internal error');
    const c = this.src[this.pos++]!;
    switch (c) {
      case 'd': return DIGIT;
      case 'D': return not(DIGIT);
      case 'w': return WORD;
      case 'W': return not(WORD);
      case 's': return SPACE;
      case 'S': return not(SPACE);
      case 'h': return HSPACE;
      case 'H': return not(HSPACE);
      case 'v': return VSPACE;
      case 'V': return not(VSPACE);
      case 't': return 9;
      case 'n': return 10;
      case 'r': return 13;
      case 'f': return 12;
      case 'a': return 7;
      case 'e': return 27;
      case 'p':
      case 'P': {
        let name: string;
        if (this.peek() === 123) {
          const end = this.src.indexOf('}', this.pos);
          if (end < 0) this.error('Unclosed character family');
          name = this.src.slice(this.pos + 1, end);
          this.pos = end + 1;
        } else {
          name = this.src[this.pos++] ?? '';
        }
        const test = property(name);
        if (!test) this.error(`Unknown character property name {${name}}`);
        return c === 'P' ? not(test) : test;
      }
      case '0': {
        const match = /^[0-3]?[0-7]{1,2}|^[0-7]/.exec(this.src.slice(this.pos));
        if (!match) this.error('Illegal octal escape sequence');
        this.pos += match[0].length;
        return parseInt(match[0], 8);
      }
      case 'x': {
        const match = /^(?:([0-9a-fA-F]{2})|\{([0-9a-fA-F]{1,4})\})/.exec(this.src.slice(this.pos));
        if (!match) this.error('Illegal hexadecimal escape sequence');
        this.pos += match[0].length;
        return parseInt(match[1] ?? match[2]!, 16);
      }
      case 'u': {
        const hex = this.src.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.error('Illegal Unicode escape sequence');
        this.pos += 4;
        return parseInt(hex, 16);
      }
      case 'c': {
        if (this.pos >= this.src.length) this.error('Illegal control escape sequence');
        return this.src.charCodeAt(this.pos++) ^ 64;
      }
    }
    if (!inClass) {
      switch (c) {
        case 'b': return this.assertion('word');
        case 'B': return this.assertion('nonword');
        case 'A': return this.assertion('bos');
        case 'z': return this.assertion('eos');
        case 'Z': return this.assertion('eosnl');
        case 'G': return this.assertion('start');
        case 'R':
          return {
            t: 'alt',
            alts: [
              { t: 'seq', items: [{ t: 'char', test: (x) => x === 13, literal: 13 }, { t: 'char', test: (x) => x === 10, literal: 10 }] },
              { t: 'char', test: (x) => (x >= 10 && x <= 13) || x === 0x85 || x === 0x2028 || x === 0x2029 },
            ],
          };
        case 'Q': {
          let end = this.src.indexOf('\\E', this.pos);
          if (end < 0) end = this.src.length;
          const items: Node[] = [];
          for (let j = this.pos; j < end; j++) items.push(this.literal(this.src.charCodeAt(j)));
          this.pos = Math.min(end + 2, this.src.length);
          return { t: 'seq', items };
        }
        case 'k': {
          const match = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.src.slice(this.pos));
          if (!match) this.error('\\k is not followed by \'<\' for named capturing group');
          const index = this.names.get(match[1]!);
          if (index === undefined) this.error(`named capturing group <${match[1]}> does not exist`);
          this.pos += match[0].length;
          return { t: 'backref', index, ci: this.flags.i };
        }
      }
      if (c >= '1' && c <= '9') {
        let index = c.charCodeAt(0) - 48;
        for (;;) {
          const d = this.peek();
          if (!(d >= 48 && d <= 57)) break;
          const next = index * 10 + (d - 48);
          if (next > this.groups) break;
          index = next;
          this.pos++;
        }
        return { t: 'backref', index, ci: this.flags.i };
      }
    }
    if (/[a-zA-Z0-9]/.test(c)) {
      this.pos--;
      this.error('Illegal/unsupported escape sequence');
    }
    return c.charCodeAt(0);
  }
}

/** Minimum and maximum length a node can match (for look-behind). */
export function lengthBounds(node: Node): [number, number] {
  switch (node.t) {
    case 'char':
      return [1, 1];
    case 'seq': {
      let min = 0;
      let max = 0;
      for (const item of node.items) {
        const [a, b] = lengthBounds(item);
        min += a;
        max += b;
      }
      return [min, max];
    }
    case 'alt': {
      let min = Infinity;
      let max = 0;
      for (const alt of node.alts) {
        const [a, b] = lengthBounds(alt);
        min = Math.min(min, a);
        max = Math.max(max, b);
      }
      return [min, max];
    }
    case 'group':
    case 'atomic':
      return lengthBounds(node.body);
    case 'repeat': {
      const [a, b] = lengthBounds(node.body);
      return [a * node.min, node.max === 0 ? 0 : b * node.max];
    }
    case 'backref':
      return [0, Infinity];
    default:
      return [0, 0];
  }
}
