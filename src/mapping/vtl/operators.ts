/**
 * Velocity 1.7's operators over the value model: truthiness, `==`, relational comparison and
 * arithmetic with Java's Integer/Double rules (int ∘ int stays int, integer division truncates,
 * anything with a double is a double), plus Java's `equals` for the collection methods.
 */
import type { Budget } from './budget.js';
import { display, javaString } from './print.js';
import { integer, isNumber, JavaDouble, JavaList, JavaRange, MapEntry, numberValue, type Value } from './values.js';

/** `#if($x)`: Velocity 1.7 treats every non-null value but `false` as true (no empty check). */
export const truthy = (v: Value): boolean => v !== null && v !== false;

/**
 * `==`. Numbers compare by value whatever their type; values of one class use Java's equals;
 * otherwise Velocity compares the two toString()s. Null equals null and, as AWS's recorded
 * `$input.path` output shows (`#if($missing == "")` is true), the empty string.
 */
export function velocityEquals(a: Value, b: Value, budget: Budget): boolean {
  if (a === null || b === null) {
    const other = a === null ? b : a;
    return other === null || other === '';
  }
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (isNumber(a) && isNumber(b)) return numberValue(a) === numberValue(b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b;
  if (sameClass(a, b)) return javaEquals(a, b);
  return javaString(a, budget) === javaString(b, budget);
}

const isListLike = (v: Value): boolean => v instanceof JavaList || v instanceof JavaRange;

function sameClass(a: Value, b: Value): boolean {
  if (isListLike(a) && isListLike(b)) return true;
  if (a instanceof Map && b instanceof Map) return true;
  return a instanceof MapEntry && b instanceof MapEntry;
}

/** Java's Object.equals: an Integer never equals a Double; lists and maps compare by content. */
export function javaEquals(a: Value, b: Value, depth = 0): boolean {
  if (a === b) return true;
  if (a === null || b === null || depth > 100) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof JavaDouble) return b instanceof JavaDouble && (a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value)));
  if (isListLike(a) && isListLike(b)) {
    const la = a as JavaList | JavaRange;
    const lb = b as JavaList | JavaRange;
    const na = la instanceof JavaList ? la.items.length : la.size;
    const nb = lb instanceof JavaList ? lb.items.length : lb.size;
    if (na !== nb) return false;
    for (let i = 0; i < na; i++) {
      const x = la instanceof JavaList ? la.items[i]! : la.at(i);
      const y = lb instanceof JavaList ? lb.items[i]! : lb.at(i);
      if (!javaEquals(x, y, depth + 1)) return false;
    }
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (!b.has(key) || !javaEquals(value, b.get(key) ?? null, depth + 1)) return false;
    }
    return true;
  }
  if (a instanceof MapEntry && b instanceof MapEntry) {
    return a.key === b.key && javaEquals(a.value, b.value, depth + 1);
  }
  return false;
}

/** `<`, `<=`, `>`, `>=`: numbers only, as in Velocity 1.7; anything else compares false. */
export function compare(op: '<' | '<=' | '>' | '>=', a: Value, b: Value): boolean {
  if (!isNumber(a) || !isNumber(b)) return false;
  const x = numberValue(a);
  const y = numberValue(b);
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

/**
 * Arithmetic. `+` concatenates when either side is a string (a null side contributes nothing,
 * like a null reference). Division or remainder by an integer zero is null, as Velocity logs and
 * returns null; any other non-number operand is null too.
 */
export function arithmetic(op: ArithmeticOp, a: Value, b: Value, budget: Budget): Value {
  if (op === '+' && (typeof a === 'string' || typeof b === 'string')) {
    const left = display(a, budget);
    const right = display(b, budget);
    budget.charge(left.length + right.length);
    return left + right;
  }
  if (!isNumber(a) || !isNumber(b)) return null;
  const x = numberValue(a);
  const y = numberValue(b);
  const double = a instanceof JavaDouble || b instanceof JavaDouble;
  if (double) {
    switch (op) {
      case '+': return new JavaDouble(x + y);
      case '-': return new JavaDouble(x - y);
      case '*': return new JavaDouble(x * y);
      case '/': return new JavaDouble(x / y);
      default: return new JavaDouble(x % y);
    }
  }
  switch (op) {
    case '+': return integer(x + y);
    case '-': return integer(x - y);
    case '*': return integer(x * y);
    case '/': return y === 0 ? null : integer(Math.trunc(x / y));
    default: return y === 0 ? null : integer(x % y);
  }
}

export function negate(v: Value): Value {
  if (typeof v === 'number') return v === 0 ? 0 : -v;
  if (v instanceof JavaDouble) return new JavaDouble(-v.value);
  return null;
}
