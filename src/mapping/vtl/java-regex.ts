/**
 * java.util.regex, for String.matches, replaceAll, replaceFirst and split.
 *
 * A small backtracking matcher over a parsed pattern rather than a translation to RegExp, for
 * two reasons. Java's syntax and semantics differ from JavaScript's in many corners (`$` before
 * a final newline, ASCII `\s`, `\Q…\E`, possessive quantifiers, `{` that is not a quantifier
 * being an error). And a RegExp cannot be interrupted: a catastrophic pattern over client input
 * would hang the process, while this matcher charges every step to the render budget and stops
 * at the bound like any other runaway template.
 *
 * Matching works on UTF-16 code units, as Java's does for everything but supplementary
 * characters in classes.
 */
import type { Budget } from './budget.js';
import { limitError, runtimeError } from './errors.js';
import { foldAscii, isBoundaryWordChar, isLineTerminator, lengthBounds, type Node, PatternParser } from './regex-pattern.js';

type Cont = (i: number) => boolean;
type Matcher = (i: number, k: Cont) => boolean;

/** One match: start and end of the whole match and of each group (-1 when a group did not take part). */
export interface RegexMatch {
  readonly start: number;
  readonly end: number;
  readonly groups: Int32Array;
}

interface State {
  s: string;
  caps: Int32Array;
  from: number;
  steps: number;
  budget: Budget | null;
}

const STEP_BATCH = 1024;

export class JavaRegex {
  readonly groupCount: number;
  readonly groupNames: ReadonlyMap<string, number>;
  private readonly state: State;
  private readonly root: Matcher;
  private readonly firstLiteral: number | undefined;

  private constructor(node: Node, groups: number, names: Map<string, number>) {
    this.groupCount = groups;
    this.groupNames = names;
    this.state = { s: '', caps: new Int32Array((groups + 1) * 2), from: 0, steps: 0, budget: null };
    this.root = this.compile(node);
    const first = node.t === 'seq' ? node.items[0] : node;
    this.firstLiteral = first && first.t === 'char' ? first.literal : undefined;
  }

  static compile(pattern: string): JavaRegex {
    const parser = new PatternParser(pattern);
    const node = parser.parse();
    return new JavaRegex(node, parser.groups, parser.names);
  }

  /** String.matches: the whole of `s`. */
  matches(s: string, budget: Budget): boolean {
    return this.run(s, 0, budget, true) !== null;
  }

  /** Matcher.find from `from`. */
  find(s: string, from: number, budget: Budget): RegexMatch | null {
    return this.run(s, from, budget, false);
  }

  private run(s: string, from: number, budget: Budget, whole: boolean): RegexMatch | null {
    const st = this.state;
    st.s = s;
    st.from = from;
    st.budget = budget;
    st.steps = 0;
    let end = -1;
    const accept: Cont = whole ? (j) => j === s.length && ((end = j), true) : (j) => ((end = j), true);
    try {
      const last = whole ? 0 : s.length;
      for (let start = from; start <= last; start++) {
        if (this.firstLiteral !== undefined && !whole) {
          const next = s.indexOf(String.fromCharCode(this.firstLiteral), start);
          if (next < 0) return null;
          start = next;
        }
        st.caps.fill(-1);
        this.tick();
        if (this.root(start, accept)) {
          const groups = st.caps.slice();
          groups[0] = start;
          groups[1] = end;
          return { start, end, groups };
        }
      }
      return null;
    } catch (e) {
      if (e instanceof RangeError) throw limitError('regular expression too complex for its input');
      throw e;
    } finally {
      budget.tick(st.steps % STEP_BATCH);
      st.s = '';
      st.budget = null;
    }
  }

  private tick(): void {
    const st = this.state;
    if (++st.steps % STEP_BATCH === 0) st.budget!.tick(STEP_BATCH);
  }

  private compile(node: Node): Matcher {
    const st = this.state;
    const tick = (): void => this.tick();
    switch (node.t) {
      case 'char': {
        const test = node.test;
        return (i, k) => {
          tick();
          return i < st.s.length && test(st.s.charCodeAt(i)) && k(i + 1);
        };
      }
      case 'seq': {
        const ms = node.items.map((n) => this.compile(n));
        if (ms.length === 0) return (i, k) => k(i);
        let m = ms[ms.length - 1]!;
        for (let j = ms.length - 2; j >= 0; j--) {
          const a = ms[j]!;
          const b = m;
          m = (i, k) => a(i, (x) => b(x, k));
        }
        return m;
      }
      case 'alt': {
        const ms = node.alts.map((n) => this.compile(n));
        return (i, k) => {
          for (const m of ms) if (m(i, k)) return true;
          return false;
        };
      }
      case 'group': {
        const body = this.compile(node.body);
        const g = node.index * 2;
        return (i, k) =>
          body(i, (j) => {
            const caps = st.caps;
            const os = caps[g]!;
            const oe = caps[g + 1]!;
            caps[g] = i;
            caps[g + 1] = j;
            if (k(j)) return true;
            caps[g] = os;
            caps[g + 1] = oe;
            return false;
          });
      }
      case 'repeat':
        return this.compileRepeat(node);
      case 'atomic': {
        const body = this.compile(node.body);
        return (i, k) => {
          let end = -1;
          if (!body(i, (j) => ((end = j), true))) return false;
          return k(end);
        };
      }
      case 'look': {
        const body = this.compile(node.body);
        const { negate, behind } = node;
        const [min, max] = behind ? lengthBounds(node.body) : [0, 0];
        return (i, k) => {
          const saved = negate ? st.caps.slice() : null;
          let found = false;
          if (behind) {
            for (let start = i - min; start >= Math.max(0, i - max); start--) {
              if (body(start, (j) => j === i)) {
                found = true;
                break;
              }
            }
          } else {
            found = body(i, () => true);
          }
          if (saved) st.caps.set(saved);
          return found !== negate && k(i);
        };
      }
      case 'backref': {
        const g = node.index * 2;
        const ci = node.ci;
        return (i, k) => {
          tick();
          if (g + 1 >= st.caps.length) return false;
          const s0 = st.caps[g]!;
          const e0 = st.caps[g + 1]!;
          if (s0 < 0) return false;
          const len = e0 - s0;
          const s = st.s;
          if (i + len > s.length) return false;
          for (let j = 0; j < len; j++) {
            const a = s.charCodeAt(s0 + j);
            const b = s.charCodeAt(i + j);
            if (a !== b && !(ci && foldAscii(a) === foldAscii(b))) return false;
          }
          return k(i + len);
        };
      }
      case 'assert':
        return this.compileAssert(node);
    }
  }

  private compileAssert(node: Extract<Node, { t: 'assert' }>): Matcher {
    const st = this.state;
    const lt = node.unixLines ? (c: number) => c === 10 : isLineTerminator;
    let test: (i: number) => boolean;
    switch (node.kind) {
      case 'bol':
        test = node.multiline
          ? (i) => {
              if (i === 0) return true;
              const s = st.s;
              if (i >= s.length) return false;
              const prev = s.charCodeAt(i - 1);
              return lt(prev) && !(prev === 13 && s.charCodeAt(i) === 10);
            }
          : (i) => i === 0;
        break;
      case 'bos':
        test = (i) => i === 0;
        break;
      case 'start':
        test = (i) => i === st.from;
        break;
      case 'eos':
        test = (i) => i === st.s.length;
        break;
      case 'eol':
        test = (i) => {
          const s = st.s;
          if (i === s.length) return true;
          const c = s.charCodeAt(i);
          return lt(c) && !(c === 10 && i > 0 && s.charCodeAt(i - 1) === 13);
        };
        break;
      case 'eosnl':
        test = (i) => {
          const s = st.s;
          const n = s.length;
          if (i === n) return true;
          if (i === n - 1) return lt(s.charCodeAt(i)) && !(s.charCodeAt(i) === 10 && i > 0 && s.charCodeAt(i - 1) === 13);
          return i === n - 2 && !node.unixLines && s.charCodeAt(i) === 13 && s.charCodeAt(i + 1) === 10;
        };
        break;
      case 'word':
      case 'nonword': {
        const want = node.kind === 'word';
        test = (i) => {
          const s = st.s;
          const before = i > 0 && isBoundaryWordChar(s.charCodeAt(i - 1));
          const after = i < s.length && isBoundaryWordChar(s.charCodeAt(i));
          return (before !== after) === want;
        };
        break;
      }
    }
    return (i, k) => {
      this.tick();
      return test(i) && k(i);
    };
  }

  private compileRepeat(node: Extract<Node, { t: 'repeat' }>): Matcher {
    const st = this.state;
    const { min, max, mode } = node;
    const tick = (): void => this.tick();
    if (node.body.t === 'char') {
      const test = node.body.test;
      const run = (i: number, limit: number): number => {
        const s = st.s;
        const end = Math.min(s.length, i + limit);
        let j = i;
        while (j < end && test(s.charCodeAt(j))) {
          tick();
          j++;
        }
        return j - i;
      };
      if (mode === 'lazy') {
        return (i, k) => {
          if (run(i, min) < min) return false;
          let j = i + min;
          for (let n = min; ; n++) {
            tick();
            if (k(j)) return true;
            if (n >= max || j >= st.s.length || !test(st.s.charCodeAt(j))) return false;
            j++;
          }
        };
      }
      return (i, k) => {
        const n = run(i, max);
        if (n < min) return false;
        if (mode === 'possessive') return k(i + n);
        for (let j = n; j >= min; j--) {
          tick();
          if (k(i + j)) return true;
        }
        return false;
      };
    }
    const body = this.compile(node.body);
    if (mode === 'possessive') {
      return (i, k) => {
        let pos = i;
        let count = 0;
        while (count < max) {
          let end = -1;
          if (!body(pos, (j) => ((end = j), true))) break;
          tick();
          count++;
          if (end === pos) {
            count = Math.max(count, min);
            break;
          }
          pos = end;
        }
        return count >= min && k(pos);
      };
    }
    if (mode === 'lazy') {
      const rep = (count: number, i: number, k: Cont): boolean => {
        tick();
        if (count >= min && k(i)) return true;
        return count < max && body(i, (j) => (j === i && count >= min ? false : rep(count + 1, j, k)));
      };
      return (i, k) => rep(0, i, k);
    }
    const rep = (count: number, i: number, k: Cont): boolean => {
      tick();
      if (count < max && body(i, (j) => (j === i && count >= min ? false : rep(count + 1, j, k)))) return true;
      return count >= min && k(i);
    };
    return (i, k) => rep(0, i, k);
  }
}

const cache = new Map<string, JavaRegex>();
const CACHE_SIZE = 128;

/** Compiles (or reuses) a pattern. Throws TemplateError kind 'runtime' for PatternSyntaxException. */
export function javaRegex(pattern: string): JavaRegex {
  let regex = cache.get(pattern);
  if (!regex) {
    regex = JavaRegex.compile(pattern);
    // Patterns can be computed from client input: keep the cache bounded.
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(pattern, regex);
  }
  return regex;
}

/** Matcher.appendReplacement's replacement syntax: `$n`, `${name}`, and `\` quoting the next character. */
function replacementParts(replacement: string, regex: JavaRegex): (string | number)[] {
  const parts: (string | number)[] = [];
  let text = '';
  for (let i = 0; i < replacement.length; ) {
    const c = replacement[i]!;
    if (c === '\\') {
      if (i + 1 >= replacement.length) throw runtimeError('IllegalArgumentException: character to be escaped is missing');
      text += replacement[i + 1];
      i += 2;
    } else if (c === '$') {
      i++;
      if (i >= replacement.length) throw runtimeError('IllegalArgumentException: Illegal group reference: group index is missing');
      let index: number;
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        const name = end < 0 ? '' : replacement.slice(i + 1, end);
        if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw runtimeError('IllegalArgumentException: named capturing group has 0 length name');
        const found = regex.groupNames.get(name);
        if (found === undefined) throw runtimeError(`IllegalArgumentException: No group with name {${name}}`);
        index = found;
        i = end + 1;
      } else {
        const d = replacement.charCodeAt(i) - 48;
        if (!(d >= 0 && d <= 9)) throw runtimeError('IllegalArgumentException: Illegal group reference');
        index = d;
        i++;
        while (i < replacement.length) {
          const e = replacement.charCodeAt(i) - 48;
          if (!(e >= 0 && e <= 9)) break;
          const next = index * 10 + e;
          if (next > regex.groupCount) break;
          index = next;
          i++;
        }
        if (index > regex.groupCount) throw runtimeError(`IndexOutOfBoundsException: No group ${index}`);
      }
      if (text) parts.push(text);
      text = '';
      parts.push(index);
    } else {
      text += c;
      i++;
    }
  }
  if (text) parts.push(text);
  return parts;
}

/** String.replaceAll / replaceFirst. */
export function replaceRegex(s: string, pattern: string, replacement: string, all: boolean, budget: Budget): string {
  const regex = javaRegex(pattern);
  const parts = replacementParts(replacement, regex);
  let out = '';
  let last = 0;
  let from = 0;
  while (from <= s.length) {
    const m = regex.find(s, from, budget);
    if (!m) break;
    out += s.slice(last, m.start);
    for (const part of parts) {
      if (typeof part === 'string') out += part;
      else if (m.groups[part * 2]! >= 0) out += s.slice(m.groups[part * 2], m.groups[part * 2 + 1]);
    }
    // Charged once at the end; in between only a string past the size bound is stopped early.
    if (out.length > budget.maxStringLength) budget.charge(out.length);
    last = m.end;
    from = m.end === m.start ? m.end + 1 : m.end;
    if (!all) break;
  }
  out += s.slice(last);
  budget.charge(out.length);
  return out;
}

/** String.split(regex, limit): Java's rules, trailing empty strings dropped when limit is 0. */
export function splitRegex(s: string, pattern: string, limit: number, budget: Budget): string[] {
  const regex = javaRegex(pattern);
  const list: string[] = [];
  let index = 0;
  let from = 0;
  while (from <= s.length) {
    if (limit > 0 && list.length >= limit - 1) break;
    const m = regex.find(s, from, budget);
    if (!m) break;
    from = m.end === m.start ? m.end + 1 : m.end;
    // A zero-width match at the very beginning never produces an empty leading substring.
    if (m.end === 0) continue;
    list.push(s.slice(index, m.start));
    index = m.end;
    budget.tick();
  }
  if (index === 0) return [s];
  list.push(s.slice(index));
  if (limit === 0) while (list.length > 0 && list[list.length - 1] === '') list.pop();
  return list;
}
