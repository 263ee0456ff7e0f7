/**
 * Which `$context` variables a template can observe, found once when it compiles, so that a
 * request builds only those. `$context` holds two dozen entries and `$context.identity` a dozen
 * more; a typical template reads three or four of them.
 *
 * The analysis is conservative: only `$context.name…` (or `$context["name"]…`) with a literal
 * name is a known use. Anything else — `$context` printed, passed, iterated, assigned to another
 * variable, or a method called on it — lets the template see the whole map, and then every entry
 * is built. The same holds one level down for `$context.identity`. A template reads an entry it
 * did not name only through one of those whole-map uses, so leaving the others out cannot be
 * observed.
 */
import type { Expr, MacroDefinition, Node, Reference, ReferenceStep } from './ast.js';

export class ContextUse {
  /** No template at all. */
  static readonly NONE = new ContextUse(new Set(), new Set());
  /** Every entry, at both levels. */
  static readonly ALL = new ContextUse(null, null);

  private constructor(
    /** Top-level names a template reads, or null for all of them. */
    readonly entries: ReadonlySet<string> | null,
    /** Names read under `identity`, or null for all of them. */
    readonly identity: ReadonlySet<string> | null,
  ) {}

  needs(name: string): boolean {
    return this.entries === null || this.entries.has(name);
  }

  needsIdentity(name: string): boolean {
    return this.identity === null || this.identity.has(name);
  }

  union(other: ContextUse): ContextUse {
    if (this === ContextUse.NONE) return other;
    if (other === ContextUse.NONE) return this;
    return new ContextUse(unite(this.entries, other.entries), unite(this.identity, other.identity));
  }

  /** The use of a compiled template's nodes. */
  static of(nodes: Node[]): ContextUse {
    const walk = new Walk();
    walk.nodes(nodes);
    return new ContextUse(walk.entries, walk.identity);
  }
}

function unite(a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): ReadonlySet<string> | null {
  return a === null || b === null ? null : new Set([...a, ...b]);
}

/** A step's literal name: `.name` or `["name"]`; undefined for anything computed. */
function literalName(step: ReferenceStep | undefined): string | undefined {
  if (!step) return undefined;
  if (step.kind === 'property') return step.name;
  if (step.kind === 'index' && step.index.kind === 'literal' && typeof step.index.value === 'string') return step.index.value;
  return undefined;
}

class Walk {
  entries: Set<string> | null = new Set();
  identity: Set<string> | null = new Set();
  private readonly macros = new Set<MacroDefinition>();

  nodes(nodes: Node[]): void {
    for (const n of nodes) this.node(n);
  }

  private node(n: Node): void {
    switch (n.kind) {
      case 'text':
      case 'break':
      case 'stop':
      case 'unsupported':
        return;
      case 'output':
        return this.reference(n.ref);
      case 'set':
        this.reference(n.target);
        return this.expr(n.value);
      case 'if':
        for (const b of n.branches) {
          if (b.condition) this.expr(b.condition);
          this.nodes(b.body);
        }
        return;
      case 'foreach':
        this.expr(n.iterable);
        return this.nodes(n.body);
      case 'macroCall':
        for (const a of n.args) this.expr(a);
        // A macro may call itself: walk each body once.
        if (!this.macros.has(n.macro)) {
          this.macros.add(n.macro);
          this.nodes(n.macro.body);
        }
        return;
      case 'define':
        return this.nodes(n.body);
      default:
        return unreachable(n);
    }
  }

  private expr(e: Expr): void {
    switch (e.kind) {
      case 'literal':
        return;
      case 'interpolated':
        return this.nodes(e.body);
      case 'list':
        for (const item of e.items) this.expr(item);
        return;
      case 'map':
        for (const [k, v] of e.entries) {
          this.expr(k);
          this.expr(v);
        }
        return;
      case 'range':
        this.expr(e.from);
        return this.expr(e.to);
      case 'reference':
        return this.reference(e);
      case 'not':
      case 'negate':
        return this.expr(e.operand);
      case 'binary':
        this.expr(e.left);
        return this.expr(e.right);
      default:
        return unreachable(e);
    }
  }

  private reference(r: Reference): void {
    for (const step of r.steps) {
      if (step.kind === 'method') for (const a of step.args) this.expr(a);
      else if (step.kind === 'index') this.expr(step.index);
    }
    if (r.name !== 'context') return;
    const first = literalName(r.steps[0]);
    if (first === undefined) {
      this.entries = null;
      this.identity = null;
      return;
    }
    this.entries?.add(first);
    if (first !== 'identity') return;
    const second = literalName(r.steps[1]);
    if (second === undefined) this.identity = null;
    else this.identity?.add(second);
  }
}

function unreachable(x: never): never {
  throw new Error(`unexpected syntax node ${JSON.stringify(x)}`);
}
