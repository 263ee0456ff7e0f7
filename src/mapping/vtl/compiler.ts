/**
 * Syntax tree → closures, once per deployment: each node becomes a plain JavaScript function
 * over the render state, so a render walks no tree and interprets no source. (No code is ever
 * generated from template text.)
 *
 * Semantics worth knowing, all Velocity 1.7 as API Gateway runs it:
 * - Null prints nothing. Velocity would echo an undefined `$ref` literally; API Gateway prints
 *   empty text for any undefined or null reference (see the recorded `$input.path` and
 *   `$input.body.attr` cases), so `$x` and `$!x` print the same here.
 * - `#set($x = <null>)` leaves `$x` as it was (Velocity's directive.set.null.allowed=false).
 * - `#foreach` over a map iterates its values; it sets `$foreach` (index, count, hasNext,
 *   first, last, parent) and the legacy `$velocityCount` / `$velocityHasNext`, and restores
 *   the loop variable afterwards.
 * - Macro arguments are evaluated once, at the call; other variables a macro sets are global.
 */
import type { Expr, MacroDefinition, Node, Reference, ReferenceStep } from './ast.js';
import type { Budget } from './budget.js';
import { mapKey } from './collection-methods.js';
import { runtimeError } from './errors.js';
import { getIndex, getProperty, invoke, setIndex, setProperty } from './members.js';
import { arithmetic, compare, negate, truthy, velocityEquals } from './operators.js';
import { display } from './print.js';
import { BREAK, RenderState, STOP } from './runtime.js';
import { HostObject, JavaDouble, JavaList, JavaRange, type Value } from './values.js';

export type Exec = (st: RenderState) => void;
type Eval = (st: RenderState) => Value;

const NOTHING: Exec = () => {};

/** `$foreach`: where the innermost loop is. */
class ForeachState extends HostObject {
  index = 0;
  constructor(
    private readonly size: number,
    readonly parent: HostObject | null,
  ) {
    super();
  }

  property(name: string): Value | undefined {
    switch (name) {
      case 'hasNext':
        return this.index < this.size - 1;
      case 'index':
        return this.index;
      case 'count':
        return this.index + 1;
      case 'first':
        return this.index === 0;
      case 'last':
        return this.index === this.size - 1;
      case 'parent':
        return this.parent;
      default:
        return undefined;
    }
  }

  invoke(name: string, args: Value[]): Value | undefined {
    if (args.length !== 0) return undefined;
    switch (name) {
      case 'hasNext':
      case 'getHasNext':
        return this.property('hasNext');
      case 'getIndex':
        return this.index;
      case 'getCount':
        return this.index + 1;
      case 'isFirst':
      case 'getFirst':
        return this.property('first');
      case 'isLast':
      case 'getLast':
        return this.property('last');
      case 'getParent':
        return this.parent;
      default:
        return undefined;
    }
  }
}

/** A `#define`d block: printing the reference renders the block where it is printed. */
class DefinedBlock extends HostObject {
  constructor(private readonly body: Exec) {
    super();
  }

  property(): Value | undefined {
    return undefined;
  }

  invoke(): Value | undefined {
    return undefined;
  }

  override render(budget: Budget): string {
    // Only a render can run a block (a block stored in $context and read back later prints nothing).
    if (!(budget instanceof RenderState)) return '';
    const st = budget;
    return st.call(() => st.capture(() => this.body(st)), null);
  }
}

interface MacroHolder {
  exec: Exec;
}

/** A compiled template: its code, and how many variable slots a render of it needs. */
export interface CompiledTemplate {
  exec: Exec;
  slotCount: number;
}

export function compileTemplate(nodes: Node[]): CompiledTemplate {
  const compiler = new Compiler();
  const exec = compiler.block(nodes);
  return { exec, slotCount: compiler.slotCount };
}

class Compiler {
  private readonly macros = new Map<MacroDefinition, MacroHolder>();
  /** Every variable name the template uses gets a slot, so a render never looks names up. */
  private readonly slots = new Map<string, number>();

  get slotCount(): number {
    return this.slots.size;
  }

  private slot(name: string): number {
    let index = this.slots.get(name);
    if (index === undefined) {
      index = this.slots.size;
      this.slots.set(name, index);
    }
    return index;
  }

  block(nodes: Node[]): Exec {
    const execs = nodes.map((n) => this.node(n)).filter((e) => e !== NOTHING);
    if (execs.length === 0) return NOTHING;
    if (execs.length === 1) return execs[0]!;
    if (execs.length === 2) {
      const [a, b] = execs as [Exec, Exec];
      return (st) => {
        a(st);
        b(st);
      };
    }
    return (st) => {
      for (let i = 0; i < execs.length; i++) execs[i]!(st);
    };
  }

  private node(n: Node): Exec {
    switch (n.kind) {
      case 'text': {
        const text = n.text;
        return text ? (st) => st.write(text) : NOTHING;
      }
      case 'output': {
        const value = this.reference(n.ref);
        return (st) => {
          const v = value(st);
          if (typeof v === 'string') st.write(v);
          else if (v !== null) st.write(display(v, st));
        };
      }
      case 'set':
        return this.set(n.target, n.value);
      case 'if': {
        const conditions = n.branches.map((b) => (b.condition ? this.expr(b.condition) : null));
        const bodies = n.branches.map((b) => this.block(b.body));
        return (st) => {
          st.tick();
          for (let i = 0; i < conditions.length; i++) {
            const condition = conditions[i];
            if (!condition || truthy(condition(st))) {
              bodies[i]!(st);
              return;
            }
          }
        };
      }
      case 'foreach':
        return this.foreach(n.variable, this.expr(n.iterable), this.block(n.body));
      case 'break':
        return () => {
          throw BREAK;
        };
      case 'stop':
        return () => {
          throw STOP;
        };
      case 'macroCall':
        return this.macroCall(n.macro, n.args.map((a) => this.expr(a)));
      case 'define': {
        const block = new DefinedBlock(this.block(n.body));
        const name = n.name;
        const slot = this.slot(name);
        return (st) => st.assign(slot, name, block);
      }
      case 'unsupported': {
        const message = `#${n.directive} is not supported in API Gateway mapping templates`;
        return () => {
          throw runtimeError(message);
        };
      }
    }
  }

  private set(target: Reference, valueExpr: Expr): Exec {
    const value = this.expr(valueExpr);
    const steps = target.steps;
    if (steps.length === 0) {
      const name = target.name;
      const slot = this.slot(name);
      return (st) => {
        st.tick();
        const v = value(st);
        if (v !== null) st.assign(slot, name, v);
      };
    }
    const base = this.path(target, steps.length - 1);
    const last = steps[steps.length - 1]!;
    if (last.kind === 'property') {
      const name = last.name;
      return (st) => {
        st.tick();
        const v = value(st);
        if (v === null) return;
        const b = base(st);
        if (b !== null) setProperty(b, name, v);
      };
    }
    if (last.kind !== 'index') throw runtimeError('#set cannot assign to a method call');
    const index = this.expr(last.index);
    return (st) => {
      st.tick();
      const v = value(st);
      if (v === null) return;
      const b = base(st);
      if (b !== null) setIndex(b, index(st), v, st);
    };
  }

  private foreach(variable: string, iterable: Eval, body: Exec): Exec {
    const v = this.slot(variable);
    const foreach = this.slot('foreach');
    const count = this.slot('velocityCount');
    const hasNext = this.slot('velocityHasNext');
    return (st) => {
      const collection = iterable(st);
      st.tick();
      let items: Value[] | null = null;
      let range: JavaRange | null = null;
      if (collection instanceof JavaList) items = collection.items;
      else if (collection instanceof JavaRange) range = collection;
      else if (collection instanceof Map) {
        st.tick(collection.size);
        items = [...collection.values()];
      } else return;
      const size = items ? items.length : range!.size;
      const state = new ForeachState(size, st.foreach);
      const saved = [
        st.peek(v, variable),
        st.peek(foreach, 'foreach'),
        st.peek(count, 'velocityCount'),
        st.peek(hasNext, 'velocityHasNext'),
      ] as const;
      st.foreach = state;
      st.assign(foreach, 'foreach', state);
      try {
        for (let i = 0; i < size; i++) {
          st.tick();
          if (items && items.length !== size) {
            throw runtimeError('ConcurrentModificationException: the list changed while #foreach was iterating over it');
          }
          state.index = i;
          st.assign(v, variable, items ? items[i]! : range!.at(i));
          st.assign(count, 'velocityCount', i + 1);
          st.assign(hasNext, 'velocityHasNext', i < size - 1);
          try {
            body(st);
          } catch (e) {
            if (e === BREAK) break;
            throw e;
          }
        }
      } finally {
        st.foreach = state.parent;
        st.restore(v, variable, saved[0]);
        st.restore(foreach, 'foreach', saved[1]);
        st.restore(count, 'velocityCount', saved[2]);
        st.restore(hasNext, 'velocityHasNext', saved[3]);
      }
    };
  }

  private macro(definition: MacroDefinition): MacroHolder {
    let holder = this.macros.get(definition);
    if (!holder) {
      // Registered before compiling the body, which may call the macro itself.
      holder = { exec: NOTHING };
      this.macros.set(definition, holder);
      holder.exec = this.block(definition.body);
    }
    return holder;
  }

  private macroCall(definition: MacroDefinition, args: Eval[]): Exec {
    const holder = this.macro(definition);
    const params = definition.params;
    return (st) => {
      st.tick();
      const locals = new Map<string, Value>();
      for (let i = 0; i < params.length; i++) locals.set(params[i]!, i < args.length ? args[i]!(st) : null);
      st.call(() => holder.exec(st), locals);
    };
  }

  private expr(e: Expr): Eval {
    switch (e.kind) {
      case 'literal': {
        const value = e.value;
        return () => value;
      }
      case 'interpolated': {
        const body = this.block(e.body);
        return (st) => st.capture(() => body(st));
      }
      case 'list': {
        const items = e.items.map((i) => this.expr(i));
        return (st) => {
          st.tick();
          const values = new Array<Value>(items.length);
          for (let i = 0; i < items.length; i++) values[i] = items[i]!(st);
          return new JavaList(values, false);
        };
      }
      case 'map': {
        const entries = e.entries.map(([k, v]) => [this.expr(k), this.expr(v)] as const);
        return (st) => {
          st.tick();
          const map = new Map<string, Value>();
          for (const [k, v] of entries) map.set(mapKey(k(st), st), v(st));
          return map;
        };
      }
      case 'range': {
        const from = this.expr(e.from);
        const to = this.expr(e.to);
        return (st) => {
          const a = rangeBound(from(st));
          const b = rangeBound(to(st));
          return a === undefined || b === undefined ? null : new JavaRange(a, b);
        };
      }
      case 'reference':
        return this.reference(e);
      case 'not': {
        const operand = this.expr(e.operand);
        return (st) => !truthy(operand(st));
      }
      case 'negate': {
        const operand = this.expr(e.operand);
        return (st) => negate(operand(st));
      }
      case 'binary': {
        const left = this.expr(e.left);
        const right = this.expr(e.right);
        switch (e.op) {
          case '&&':
            return (st) => truthy(left(st)) && truthy(right(st));
          case '||':
            return (st) => truthy(left(st)) || truthy(right(st));
          case '==':
            return (st) => velocityEquals(left(st), right(st), st);
          case '!=':
            return (st) => !velocityEquals(left(st), right(st), st);
          case '<':
          case '<=':
          case '>':
          case '>=': {
            const op = e.op;
            return (st) => compare(op, left(st), right(st));
          }
          default: {
            const op = e.op;
            return (st) => arithmetic(op, left(st), right(st), st);
          }
        }
      }
    }
  }

  private reference(r: Reference): Eval {
    return this.path(r, r.steps.length);
  }

  /** The reference's variable followed by its first `count` steps. */
  private path(r: Reference, count: number): Eval {
    const name = r.name;
    const slot = this.slot(name);
    let value: Eval = (st) => st.lookup(slot, name);
    for (let i = 0; i < count; i++) value = this.step(value, r.steps[i]!);
    return value;
  }

  private step(base: Eval, step: ReferenceStep): Eval {
    switch (step.kind) {
      case 'property': {
        const name = step.name;
        return (st) => {
          const b = base(st);
          if (b === null) return null;
          st.tick();
          return getProperty(b, name, st);
        };
      }
      case 'method': {
        const name = step.name;
        const args = step.args.map((a) => this.expr(a));
        return (st) => {
          const b = base(st);
          if (b === null) return null;
          const values = new Array<Value>(args.length);
          for (let i = 0; i < args.length; i++) values[i] = args[i]!(st);
          st.tick();
          return invoke(b, name, values, st);
        };
      }
      case 'index': {
        const index = this.expr(step.index);
        return (st) => {
          const b = base(st);
          if (b === null) return null;
          const key = index(st);
          st.tick();
          return getIndex(b, key, st);
        };
      }
    }
  }
}

/** A range bound must be a number (Velocity 1.7 logs and yields null otherwise). */
function rangeBound(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof JavaDouble && Number.isFinite(v.value)) return Math.trunc(v.value);
  return undefined;
}
