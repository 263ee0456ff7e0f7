/**
 * The syntax tree of a mapping template, as the parser builds it and the compiler consumes it.
 * Whitespace gobbling has already been applied: text nodes hold exactly what is printed.
 */
import type { Value } from './values.js';

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

/** `$name`, `$!{name.a.b(x)[0]}`… */
export interface Reference {
  kind: 'reference';
  name: string;
  /** `$!`: prints nothing for null (every null prints nothing in API Gateway anyway). */
  silent: boolean;
  steps: ReferenceStep[];
}

export type ReferenceStep =
  | { kind: 'property'; name: string }
  | { kind: 'method'; name: string; args: Expr[] }
  | { kind: 'index'; index: Expr };

export type Expr =
  | { kind: 'literal'; value: Value }
  /** A double-quoted string with references or directives inside: rendered on each evaluation. */
  | { kind: 'interpolated'; body: Node[] }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'map'; entries: [Expr, Expr][] }
  | { kind: 'range'; from: Expr; to: Expr }
  | Reference
  | { kind: 'not'; operand: Expr }
  | { kind: 'negate'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr };

/** A `#macro`: calls point at the definition in force where they were parsed. */
export interface MacroDefinition {
  name: string;
  params: string[];
  body: Node[];
}

export interface IfBranch {
  /** null for `#else`. */
  condition: Expr | null;
  body: Node[];
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; ref: Reference }
  | { kind: 'set'; target: Reference; value: Expr }
  | { kind: 'if'; branches: IfBranch[] }
  | { kind: 'foreach'; variable: string; iterable: Expr; body: Node[] }
  | { kind: 'break' }
  | { kind: 'stop' }
  | { kind: 'macroCall'; macro: MacroDefinition; args: Expr[] }
  | { kind: 'define'; name: string; body: Node[] }
  /** `#include`, `#parse`, `#evaluate`: no files or dynamic templates here; fails when reached. */
  | { kind: 'unsupported'; directive: string };
