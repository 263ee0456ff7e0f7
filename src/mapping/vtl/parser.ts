/**
 * The VTL parser: template source → syntax tree, once per deployment.
 *
 * Text mode copies characters until a `$` (reference), `#` (directive or comment) or `\`
 * (escape); directive arguments and method arguments switch to expression mode. Anything that
 * only looks like VTL — `$5`, `#ffffff`, `#endif` — stays text, as in Velocity. Reference
 * names follow Velocity 1.x: a letter or `_`, then letters, digits, `_` and `-` (so
 * `$context.requestOverride.header.X-Id` is one name, and so is `$a-` in `$a-$b`).
 *
 * Whitespace follows Velocity's default ("lines") gobbling, applied here so that text nodes
 * hold exactly what prints:
 * - a directive alone on its line (leading blanks, the directive, trailing blanks, line break)
 *   prints nothing of that line;
 * - the line break right after a block header (`#if(…)`, `#elseif(…)`, `#else`, `#foreach(…)`,
 *   `#macro(…)`, `#define(…)`) is always eaten;
 * - `#set` at the start of a line also eats the blanks before it, and its line break;
 * - `#end` eats the line break after it when it or its opening directive started a line;
 * - `##` comments run to the end of the line and take the line break with them.
 */
import type { BinaryOp, Expr, IfBranch, MacroDefinition, Node, Reference, ReferenceStep } from './ast.js';
import { Cursor, isDigit, isIdentStart, isLetter } from './lexer.js';
import { integer, JavaDouble } from './values.js';

const MAX_NESTING = 200;

const DIRECTIVES = new Set(['set', 'if', 'elseif', 'else', 'end', 'foreach', 'break', 'stop', 'macro', 'define', 'include', 'parse', 'evaluate']);

interface Shared {
  macros: Map<string, MacroDefinition>;
  depth: number;
}

type Terminator = { kind: 'eof' } | { kind: 'end' } | { kind: 'else' } | { kind: 'elseif'; condition: Expr };

/** Parses a template. Throws TemplateError kind 'syntax'. */
export function parseTemplate(source: string): Node[] {
  return new Parser(source, { macros: new Map(), depth: 0 }).document();
}

function pushText(nodes: Node[], text: string): void {
  if (!text) return;
  const last = nodes[nodes.length - 1];
  if (last?.kind === 'text') last.text += text;
  else nodes.push({ kind: 'text', text });
}

/** Removes the `count` blanks that precede a gobbled directive on its line. */
function trimIndent(nodes: Node[], count: number): void {
  if (count <= 0) return;
  const last = nodes[nodes.length - 1];
  if (last?.kind !== 'text') return;
  last.text = last.text.slice(0, -count);
  if (!last.text) nodes.pop();
}

class Parser {
  private readonly c: Cursor;
  /** Where the last #else / #elseif / #end began, for error messages. */
  private terminatorAt = 0;

  constructor(
    source: string,
    private readonly shared: Shared,
  ) {
    this.c = new Cursor(source);
  }

  document(): Node[] {
    const { nodes, end } = this.nodes(false);
    if (end.kind !== 'eof') throw this.c.error(`#${end.kind} without a matching #if, #foreach, #macro or #define`, this.terminatorAt);
    return nodes;
  }

  private enter(): void {
    if (++this.shared.depth > MAX_NESTING) throw this.c.error('template nested too deeply');
  }

  private leave(): void {
    this.shared.depth--;
  }

  /** Parses until `#else`, `#elseif`, `#end` or the end of the source. */
  private nodes(openerStartsLine: boolean): { nodes: Node[]; end: Terminator } {
    this.enter();
    const c = this.c;
    const src = c.src;
    const nodes: Node[] = [];
    while (!c.atEnd) {
      const start = c.pos;
      const ch = src.charCodeAt(start);
      if (ch !== 36 && ch !== 35 && ch !== 92) {
        let j = start + 1;
        while (j < src.length) {
          const x = src.charCodeAt(j);
          if (x === 36 || x === 35 || x === 92) break;
          j++;
        }
        pushText(nodes, src.slice(start, j));
        c.pos = j;
      } else if (ch === 92 /* \ */) {
        this.backslashes(nodes);
      } else if (ch === 36 /* $ */) {
        const ref = this.reference();
        if (ref) nodes.push({ kind: 'output', ref });
        else {
          pushText(nodes, '$');
          c.pos = start + 1;
        }
      } else {
        const end = this.hash(nodes, openerStartsLine);
        if (end) {
          this.leave();
          return { nodes, end };
        }
      }
    }
    this.leave();
    return { nodes, end: { kind: 'eof' } };
  }

  /**
   * A run of backslashes before `$` or `#`: each pair prints one backslash, and an odd one out
   * makes the following reference or directive print literally.
   */
  private backslashes(nodes: Node[]): void {
    const c = this.c;
    const src = c.src;
    const start = c.pos;
    let k = start;
    while (src.charCodeAt(k) === 92) k++;
    const next = src.charCodeAt(k);
    const escapes = next === 36 ? this.isReferenceAt(k) : next === 35 ? this.isDirectiveAt(k) : false;
    if (!escapes) {
      pushText(nodes, src.slice(start, k));
      c.pos = k;
      return;
    }
    const n = k - start;
    pushText(nodes, '\\'.repeat(n >> 1));
    if (n & 1) {
      pushText(nodes, src[k]!);
      c.pos = k + 1;
    } else {
      c.pos = k;
    }
  }

  private isReferenceAt(k: number): boolean {
    const src = this.c.src;
    let i = k + 1;
    if (src.charCodeAt(i) === 33) i++;
    if (src.charCodeAt(i) === 123) i++;
    return isIdentStart(src.charCodeAt(i));
  }

  private isDirectiveAt(k: number): boolean {
    const save = this.c.pos;
    this.c.pos = k;
    const name = this.directiveName();
    this.c.pos = save;
    return name !== null;
  }

  /** At '#': `#name` or `#{name}` for a directive or a macro defined so far; null otherwise (pos unchanged). */
  private directiveName(): string | null {
    const c = this.c;
    const start = c.pos;
    c.pos++;
    const braced = c.peek() === 123;
    if (braced) c.pos++;
    if (!isIdentStart(c.peek())) {
      c.pos = start;
      return null;
    }
    const name = c.readIdentifier();
    if ((braced && !c.eat('}')) || !(DIRECTIVES.has(name) || this.shared.macros.has(name))) {
      c.pos = start;
      return null;
    }
    return name;
  }

  /** Blanks between the start of the line and `at`, or -1 when anything else precedes it. */
  private indentBefore(at: number): number {
    const src = this.c.src;
    let k = at;
    while (k > 0 && (src.charCodeAt(k - 1) === 32 || src.charCodeAt(k - 1) === 9)) k--;
    return k === 0 || src.charCodeAt(k - 1) === 10 || src.charCodeAt(k - 1) === 13 ? at - k : -1;
  }

  /** Where the line ends after the cursor (past its line break) if only blanks remain on it; else -1. */
  private lineEnd(): number {
    const src = this.c.src;
    let k = this.c.pos;
    while (src.charCodeAt(k) === 32 || src.charCodeAt(k) === 9) k++;
    if (k >= src.length) return k;
    const ch = src.charCodeAt(k);
    if (ch === 10) return k + 1;
    if (ch === 13) return src.charCodeAt(k + 1) === 10 ? k + 2 : k + 1;
    return -1;
  }

  /** At '#'. Returns a terminator for #else/#elseif/#end, otherwise appends to `nodes`. */
  private hash(nodes: Node[], openerStartsLine: boolean): Terminator | null {
    const c = this.c;
    const src = c.src;
    const start = c.pos;
    if (c.eat('##')) {
      const eol = src.indexOf('\n', c.pos);
      c.pos = eol < 0 ? src.length : eol + 1;
      return null;
    }
    if (c.eat('#*')) {
      const close = src.indexOf('*#', c.pos);
      if (close < 0) throw c.error('unclosed #* comment', start);
      c.pos = close + 2;
      return null;
    }
    if (c.eat('#[[')) {
      const close = src.indexOf(']]#', c.pos);
      if (close < 0) throw c.error('unclosed #[[ block', start);
      pushText(nodes, src.slice(c.pos, close));
      c.pos = close + 3;
      return null;
    }
    const name = this.directiveName();
    if (name === null) {
      pushText(nodes, '#');
      c.pos = start + 1;
      return null;
    }
    const indent = this.indentBefore(start);
    const startsLine = indent >= 0;

    switch (name) {
      case 'set': {
        c.skipBlanks();
        if (!c.eat('(')) {
          pushText(nodes, '#');
          c.pos = start + 1;
          return null;
        }
        const node = this.setHeader(start);
        if (startsLine) {
          trimIndent(nodes, indent);
          const eol = this.lineEnd();
          if (eol >= 0) c.pos = eol;
        }
        nodes.push(node);
        return null;
      }
      case 'else':
      case 'elseif':
      case 'end': {
        this.terminatorAt = start;
        let condition: Expr | undefined;
        if (name === 'elseif') condition = this.condition(name);
        if (startsLine) trimIndent(nodes, indent);
        const eol = this.lineEnd();
        if (eol >= 0 && (name !== 'end' || startsLine || openerStartsLine)) c.pos = eol;
        if (condition) return { kind: 'elseif', condition };
        return name === 'end' ? { kind: 'end' } : { kind: 'else' };
      }
      case 'if': {
        const condition = this.condition(name);
        this.blockHeader(nodes, startsLine, indent);
        nodes.push({ kind: 'if', branches: this.ifBranches(condition, startsLine, start) });
        return null;
      }
      case 'foreach': {
        const node = this.foreachHeader();
        this.blockHeader(nodes, startsLine, indent);
        node.body = this.block(startsLine, start, name);
        nodes.push(node);
        return null;
      }
      case 'macro': {
        const macro = this.macroHeader();
        this.blockHeader(nodes, startsLine, indent);
        macro.body = this.block(startsLine, start, name);
        return null;
      }
      case 'define': {
        const node = this.defineHeader();
        this.blockHeader(nodes, startsLine, indent);
        node.body = this.block(startsLine, start, name);
        nodes.push(node);
        return null;
      }
      default: {
        // Line directives: #break, #stop, #include/#parse/#evaluate, macro calls. #stop takes
        // no arguments (what follows it is text); the others may have a parenthesised list.
        const args = name === 'stop' ? [] : this.lineArgs();
        let node: Node;
        if (name === 'break' || name === 'stop') node = { kind: name };
        else if (name === 'include' || name === 'parse' || name === 'evaluate') node = { kind: 'unsupported', directive: name };
        else node = { kind: 'macroCall', macro: this.shared.macros.get(name)!, args };
        const eol = this.lineEnd();
        if (startsLine && eol >= 0) {
          trimIndent(nodes, indent);
          c.pos = eol;
        }
        nodes.push(node);
        return null;
      }
    }
  }

  private blockHeader(nodes: Node[], startsLine: boolean, indent: number): void {
    const eol = this.lineEnd();
    if (eol < 0) return;
    if (startsLine) trimIndent(nodes, indent);
    this.c.pos = eol;
  }

  private block(startsLine: boolean, start: number, name: string): Node[] {
    const { nodes, end } = this.nodes(startsLine);
    if (end.kind !== 'end') {
      throw end.kind === 'eof' ? this.c.error(`#${name} without #end`, start) : this.c.error(`#${end.kind} inside #${name}`, this.terminatorAt);
    }
    return nodes;
  }

  private ifBranches(first: Expr, startsLine: boolean, start: number): IfBranch[] {
    const branches: IfBranch[] = [];
    let condition: Expr | null = first;
    for (;;) {
      const { nodes, end } = this.nodes(startsLine);
      branches.push({ condition, body: nodes });
      if (end.kind === 'end') return branches;
      if (end.kind === 'eof') throw this.c.error('#if without #end', start);
      if (condition === null) throw this.c.error(`#${end.kind} after #else`, this.terminatorAt);
      condition = end.kind === 'elseif' ? end.condition : null;
    }
  }

  private openParen(name: string): void {
    this.c.skipSpace();
    this.c.expect('(', `'(' after #${name}`);
  }

  private condition(name: string): Expr {
    this.openParen(name);
    const condition = this.expression();
    this.closeParen();
    return condition;
  }

  private closeParen(): void {
    this.c.skipSpace();
    this.c.expect(')', "')'");
  }

  private setHeader(start: number): Node {
    const c = this.c;
    c.skipSpace();
    const target = c.peek() === 36 ? this.reference() : null;
    if (!target) throw c.error('#set needs a reference to assign to', start);
    if (target.steps[target.steps.length - 1]?.kind === 'method') throw c.error('#set cannot assign to a method call', start);
    c.skipSpace();
    if (c.peek(1) === 61 || !c.eat('=')) throw c.error("expected '=' in #set");
    const value = this.expression();
    this.closeParen();
    return { kind: 'set', target, value };
  }

  private variableName(): string {
    const c = this.c;
    c.skipSpace();
    c.expect('$', 'a $variable');
    const braced = c.eat('{');
    const name = c.readReferenceName();
    if (braced) c.expect('}', "'}'");
    return name;
  }

  private foreachHeader(): Extract<Node, { kind: 'foreach' }> {
    this.openParen('foreach');
    const variable = this.variableName();
    this.c.skipSpace();
    if (!this.c.eatWord('in')) throw this.c.error("expected 'in' in #foreach");
    const iterable = this.expression();
    this.closeParen();
    return { kind: 'foreach', variable, iterable, body: [] };
  }

  private macroHeader(): MacroDefinition {
    const c = this.c;
    this.openParen('macro');
    c.skipSpace();
    const at = c.pos;
    const name = c.readIdentifier();
    if (DIRECTIVES.has(name)) throw c.error(`#${name} is a directive and cannot be a macro`, at);
    const params: string[] = [];
    for (;;) {
      c.skipSpace();
      if (c.eat(')')) break;
      if (c.eat(',')) continue;
      params.push(this.variableName());
    }
    const macro: MacroDefinition = { name, params, body: [] };
    // Registered before its body so that the macro can call itself.
    this.shared.macros.set(name, macro);
    return macro;
  }

  private defineHeader(): Extract<Node, { kind: 'define' }> {
    this.openParen('define');
    const name = this.variableName();
    this.closeParen();
    return { kind: 'define', name, body: [] };
  }

  /** Optional `(arg arg…)` or `(arg, arg…)` after a line directive. */
  private lineArgs(): Expr[] {
    const c = this.c;
    const save = c.pos;
    c.skipBlanks();
    if (!c.eat('(')) {
      c.pos = save;
      return [];
    }
    const args: Expr[] = [];
    for (;;) {
      c.skipSpace();
      if (c.eat(')')) return args;
      if (c.eat(',')) continue;
      args.push(this.unary());
    }
  }

  /** At '$': a reference, or null (pos unchanged) when `$` does not start one. */
  private reference(): Reference | null {
    const c = this.c;
    const start = c.pos;
    c.pos++;
    const silent = c.peek() === 33;
    if (silent) c.pos++;
    const formal = c.peek() === 123;
    if (formal) c.pos++;
    if (!isIdentStart(c.peek())) {
      c.pos = start;
      return null;
    }
    const name = c.readReferenceName();
    const steps: ReferenceStep[] = [];
    for (;;) {
      const ch = c.peek();
      if (ch === 46 /* . */ && isLetter(c.peek(1))) {
        c.pos++;
        const member = c.readReferenceName();
        if (c.peek() === 40 /* ( */) {
          c.pos++;
          steps.push({ kind: 'method', name: member, args: this.callArgs() });
        } else {
          steps.push({ kind: 'property', name: member });
        }
      } else if (ch === 91 /* [ */) {
        c.pos++;
        const index = this.expression();
        c.skipSpace();
        c.expect(']', "']'");
        steps.push({ kind: 'index', index });
      } else break;
    }
    if (formal && !c.eat('}')) throw c.error("expected '}' to close ${", start);
    return { kind: 'reference', name, silent, steps };
  }

  private callArgs(): Expr[] {
    const c = this.c;
    const args: Expr[] = [];
    c.skipSpace();
    if (c.eat(')')) return args;
    for (;;) {
      args.push(this.expression());
      c.skipSpace();
      if (c.eat(')')) return args;
      c.expect(',', "',' or ')'");
    }
  }

  private expression(): Expr {
    this.enter();
    const e = this.or();
    this.leave();
    return e;
  }

  private binary(op: BinaryOp, left: Expr, right: Expr): Expr {
    return { kind: 'binary', op, left, right };
  }

  private or(): Expr {
    let left = this.and();
    for (;;) {
      this.c.skipSpace();
      if (this.c.eat('||') || this.c.eatWord('or')) left = this.binary('||', left, this.and());
      else return left;
    }
  }

  private and(): Expr {
    let left = this.equality();
    for (;;) {
      this.c.skipSpace();
      if (this.c.eat('&&') || this.c.eatWord('and')) left = this.binary('&&', left, this.equality());
      else return left;
    }
  }

  private equality(): Expr {
    let left = this.relational();
    for (;;) {
      const c = this.c;
      c.skipSpace();
      if (c.eat('==') || c.eatWord('eq')) left = this.binary('==', left, this.relational());
      else if (c.eat('!=') || c.eatWord('ne')) left = this.binary('!=', left, this.relational());
      else return left;
    }
  }

  private relational(): Expr {
    let left = this.additive();
    for (;;) {
      const c = this.c;
      c.skipSpace();
      let op: BinaryOp;
      if (c.eat('<=') || c.eatWord('le')) op = '<=';
      else if (c.eat('>=') || c.eatWord('ge')) op = '>=';
      else if (c.eat('<') || c.eatWord('lt')) op = '<';
      else if (c.eat('>') || c.eatWord('gt')) op = '>';
      else return left;
      left = this.binary(op, left, this.additive());
    }
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const c = this.c;
      c.skipSpace();
      if (c.eat('+')) left = this.binary('+', left, this.multiplicative());
      else if (c.peek() === 45) {
        c.pos++;
        left = this.binary('-', left, this.multiplicative());
      } else return left;
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const c = this.c;
      c.skipSpace();
      if (c.eat('*')) left = this.binary('*', left, this.unary());
      else if (c.eat('/')) left = this.binary('/', left, this.unary());
      else if (c.eat('%')) left = this.binary('%', left, this.unary());
      else return left;
    }
  }

  private unary(): Expr {
    const c = this.c;
    c.skipSpace();
    this.enter();
    let e: Expr;
    if (c.peek() === 33 && c.peek(1) !== 61) {
      c.pos++;
      e = { kind: 'not', operand: this.unary() };
    } else if (c.eatWord('not')) {
      e = { kind: 'not', operand: this.unary() };
    } else if (c.peek() === 45) {
      c.pos++;
      e = { kind: 'negate', operand: this.unary() };
    } else {
      e = this.primary();
    }
    this.leave();
    return e;
  }

  private primary(): Expr {
    const c = this.c;
    c.skipSpace();
    const ch = c.peek();
    switch (ch) {
      case 40 /* ( */: {
        c.pos++;
        const e = this.expression();
        this.closeParen();
        return e;
      }
      case 34 /* " */:
        return this.doubleQuoted();
      case 39 /* ' */:
        return { kind: 'literal', value: c.readQuoted() };
      case 91 /* [ */:
        return this.listOrRange();
      case 123 /* { */:
        return this.mapLiteral();
      case 36 /* $ */: {
        const ref = this.reference();
        if (!ref) throw c.error('expected a reference after $');
        return ref;
      }
    }
    if (isDigit(ch)) {
      const { text, decimal } = c.readNumber();
      return { kind: 'literal', value: decimal ? new JavaDouble(Number(text)) : integer(Number(text)) };
    }
    if (c.eatWord('true')) return { kind: 'literal', value: true };
    if (c.eatWord('false')) return { kind: 'literal', value: false };
    if (c.eatWord('null')) return { kind: 'literal', value: null };
    throw c.error(c.atEnd ? 'unexpected end of template' : `unexpected '${c.src[c.pos]}'`);
  }

  private doubleQuoted(): Expr {
    const c = this.c;
    const at = c.pos;
    const content = c.readQuoted();
    if (!content.includes('$') && !content.includes('#')) return { kind: 'literal', value: content };
    let body: Node[];
    try {
      body = new Parser(content, this.shared).document();
    } catch (e) {
      throw c.error(`in string literal: ${(e as Error).message}`, at);
    }
    if (body.length === 0) return { kind: 'literal', value: '' };
    if (body.length === 1 && body[0]!.kind === 'text') return { kind: 'literal', value: body[0]!.text };
    return { kind: 'interpolated', body };
  }

  private listOrRange(): Expr {
    const c = this.c;
    c.pos++;
    c.skipSpace();
    if (c.eat(']')) return { kind: 'list', items: [] };
    const first = this.expression();
    c.skipSpace();
    if (c.eat('..')) {
      const to = this.expression();
      c.skipSpace();
      c.expect(']', "']'");
      return { kind: 'range', from: first, to };
    }
    const items = [first];
    for (;;) {
      c.skipSpace();
      if (c.eat(']')) return { kind: 'list', items };
      c.expect(',', "',' or ']'");
      items.push(this.expression());
    }
  }

  private mapLiteral(): Expr {
    const c = this.c;
    c.pos++;
    const entries: [Expr, Expr][] = [];
    c.skipSpace();
    if (c.eat('}')) return { kind: 'map', entries };
    for (;;) {
      const key = this.expression();
      c.skipSpace();
      c.expect(':', "':'");
      entries.push([key, this.expression()]);
      c.skipSpace();
      if (c.eat('}')) return { kind: 'map', entries };
      c.expect(',', "',' or '}'");
    }
  }
}
