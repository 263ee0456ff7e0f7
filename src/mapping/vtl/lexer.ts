/**
 * Character-level scanning shared by the template parser: a cursor over the source with the
 * small readers VTL needs (identifiers, numbers, quoted strings, whitespace) and the line/column
 * arithmetic for error messages. Velocity's grammar switches between text and expression modes
 * on context, so the parser drives this cursor directly rather than consuming a token stream.
 */
import { syntaxError, type TemplateError } from './errors.js';

export const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
export const isIdentStart = (c: number): boolean => isLetter(c) || c === 95;
export const isIdentPart = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);
/** Velocity 1.x reference names may contain '-' (`$context.requestOverride.header.X-Id`). */
export const isReferencePart = (c: number): boolean => isIdentPart(c) || c === 45;
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;

export class Cursor {
  pos = 0;
  constructor(readonly src: string) {}

  get atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  peek(offset = 0): number {
    return this.src.charCodeAt(this.pos + offset);
  }

  /** Skips spaces, tabs and line breaks (allowed anywhere inside a directive's parentheses). */
  skipSpace(): void {
    while (isSpace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  /** Skips spaces and tabs only. */
  skipBlanks(): void {
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (c === 32 || c === 9) this.pos++;
      else return;
    }
  }

  /** True (and consumed) when the source continues with `text`. */
  eat(text: string): boolean {
    if (!this.src.startsWith(text, this.pos)) return false;
    this.pos += text.length;
    return true;
  }

  /** Like eat, for a keyword that must not run on into an identifier (`and`, `in`, `true`…). */
  eatWord(word: string): boolean {
    if (!this.src.startsWith(word, this.pos) || isIdentPart(this.src.charCodeAt(this.pos + word.length))) return false;
    this.pos += word.length;
    return true;
  }

  expect(text: string, what: string): void {
    if (!this.eat(text)) throw this.error(`expected ${what}`);
  }

  /** A directive or macro name: letters, digits and '_'. */
  readIdentifier(): string {
    return this.readName(isIdentPart);
  }

  /** A reference, property or method name: also '-', as in Velocity 1.x. */
  readReferenceName(): string {
    return this.readName(isReferencePart);
  }

  private readName(part: (c: number) => boolean): string {
    const start = this.pos;
    if (!isIdentStart(this.peek())) throw this.error('expected a name');
    this.pos++;
    while (part(this.peek())) this.pos++;
    return this.src.slice(start, this.pos);
  }

  /** An integer or decimal literal (no sign: the parser handles unary minus). */
  readNumber(): { text: string; decimal: boolean } {
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    let decimal = false;
    if (this.peek() === 46 /* . */ && isDigit(this.peek(1))) {
      decimal = true;
      this.pos++;
      while (isDigit(this.peek())) this.pos++;
    }
    const e = this.peek();
    if (e === 101 || e === 69) {
      const save = this.pos;
      this.pos++;
      if (this.peek() === 43 || this.peek() === 45) this.pos++;
      if (isDigit(this.peek())) {
        decimal = true;
        while (isDigit(this.peek())) this.pos++;
      } else {
        this.pos = save;
      }
    }
    return { text: this.src.slice(start, this.pos), decimal };
  }

  /**
   * A quoted string starting at the opening quote; returns its content. A doubled quote stands
   * for one quote. In double quotes a backslash keeps the next character from ending the string
   * and both stay in the content, as in Velocity (`"\\'"` is the three characters `\\'`).
   */
  readQuoted(): string {
    const quote = this.peek();
    const start = this.pos;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.atEnd) {
        this.pos = start;
        throw this.error('unclosed string literal');
      }
      const c = this.peek();
      if (c === quote) {
        if (this.peek(1) === quote) {
          out += this.src.slice(chunk, this.pos + 1);
          this.pos += 2;
          chunk = this.pos;
          continue;
        }
        out += this.src.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      this.pos += c === 92 && quote === 34 && this.pos + 1 < this.src.length ? 2 : 1;
    }
  }

  error(message: string, at = this.pos): TemplateError {
    const before = this.src.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    return syntaxError(`${message} at line ${line}, column ${column}`);
  }
}
