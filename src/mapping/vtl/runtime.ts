/**
 * The state of one render: the output being written, the variables, and the budget that bounds
 * the render (steps, wall clock, output size, string building, call depth). One RenderState is
 * created per render and thrown away after it, so nothing a template does outlives its request
 * except writes into the shared `$context` map.
 */
import type { Budget } from './budget.js';
import { limitError } from './errors.js';
import type { HostObject, Value } from './values.js';

/** Thrown by `#break` and caught by the innermost `#foreach` (or ends the template, as in Velocity). */
export const BREAK: unique symbol = Symbol('#break');
/** Thrown by `#stop`: rendering ends, keeping what was written so far. */
export const STOP: unique symbol = Symbol('#stop');

/** Velocity's default velocimacro.max.depth. */
export const MAX_CALL_DEPTH = 20;

/** How many steps pass between two looks at the clock. */
const CHECK_INTERVAL = 256;

export interface RenderLimits {
  maxOutputBytes: number;
  maxSteps: number;
  timeoutMs: number;
}

/** A macro's arguments, in front of the template's variables. */
interface Frame {
  readonly vars: Map<string, Value>;
  readonly parent: Frame | null;
}

/** Supplies `$input`, `$util`, `$context`, `$stageVariables` on first use. */
export type Builtins = (name: string) => Value | undefined;

export class RenderState implements Budget {
  out = '';
  readonly maxStringLength: number;
  private readonly maxOutput: number;
  private readonly maxBuilt: number;
  private readonly maxSteps: number;
  private readonly deadline: number;
  private outLength = 0;
  private capturing = 0;
  private built = 0;
  private steps = 0;
  private nextCheck: number;
  private readonly slots: (Value | undefined)[];
  private frame: Frame | null = null;
  private depth = 0;
  /** The innermost `#foreach`, for `$foreach.parent`. */
  foreach: HostObject | null = null;

  constructor(
    limits: RenderLimits,
    private readonly builtins: Builtins,
    slotCount: number,
  ) {
    this.slots = new Array<Value | undefined>(slotCount).fill(undefined);
    this.maxOutput = limits.maxOutputBytes;
    this.maxStringLength = limits.maxOutputBytes;
    // Accumulating a string in a loop is quadratic in what it copies; allow plenty of that,
    // while any single string stays within the output bound.
    this.maxBuilt = limits.maxOutputBytes * 32;
    this.maxSteps = limits.maxSteps;
    this.deadline = performance.now() + limits.timeoutMs;
    this.nextCheck = Math.min(CHECK_INTERVAL, this.maxSteps + 1);
  }

  tick(n = 1): void {
    if ((this.steps += n) >= this.nextCheck) this.check();
  }

  private check(): void {
    if (this.steps > this.maxSteps) throw limitError(`template exceeded ${this.maxSteps} evaluation steps`);
    if (performance.now() > this.deadline) throw limitError('template exceeded its time limit');
    this.nextCheck = Math.min(this.steps + CHECK_INTERVAL, this.maxSteps + 1);
  }

  charge(chars: number): void {
    if (chars > this.maxStringLength) throw limitError('template built a string over the output size limit');
    if ((this.built += chars) > this.maxBuilt) throw limitError('template built too much text');
  }

  write(text: string): void {
    this.out += text;
    if (this.capturing === 0) {
      if ((this.outLength += text.length) > this.maxOutput) throw limitError('template output exceeded its size limit');
    } else {
      this.charge(text.length);
      if (this.out.length > this.maxStringLength) throw limitError('template built a string over the output size limit');
    }
  }

  /** Renders `body` into a string of its own (string interpolation, `#define` blocks). */
  capture(body: () => void): string {
    const saved = this.out;
    this.out = '';
    this.capturing++;
    try {
      body();
      return this.out;
    } finally {
      this.out = saved;
      this.capturing--;
    }
  }

  /** Runs a macro body or `#define` block one level deeper, with `args` as its local variables. */
  call<T>(body: () => T, args: Map<string, Value> | null): T {
    if (this.depth >= MAX_CALL_DEPTH) throw limitError(`macro or #define recursion deeper than ${MAX_CALL_DEPTH}`);
    const saved = this.frame;
    if (args) this.frame = { vars: args, parent: saved };
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
      this.frame = saved;
    }
  }

  /**
   * Variables live in slots the compiler numbered (one per name in the template); macro
   * arguments shadow them by name, and only while a macro runs.
   */
  lookup(slot: number, name: string): Value {
    if (this.frame) {
      for (let f: Frame | null = this.frame; f; f = f.parent) {
        const v = f.vars.get(name);
        if (v !== undefined) return v;
      }
    }
    const v = this.slots[slot];
    if (v !== undefined) return v;
    const builtin = this.builtins(name);
    if (builtin === undefined) return null;
    this.slots[slot] = builtin;
    return builtin;
  }

  /** The variable's current value, undefined when it was never set (to restore it after #foreach). */
  peek(slot: number, name: string): Value | undefined {
    if (this.frame) {
      for (let f: Frame | null = this.frame; f; f = f.parent) {
        const v = f.vars.get(name);
        if (v !== undefined) return v;
      }
    }
    return this.slots[slot];
  }

  /** Sets a variable: a macro argument of that name if one is in scope, else the template's. */
  assign(slot: number, name: string, value: Value): void {
    if (this.frame) {
      for (let f: Frame | null = this.frame; f; f = f.parent) {
        if (f.vars.has(name)) {
          f.vars.set(name, value);
          return;
        }
      }
    }
    this.slots[slot] = value;
  }

  /** Puts a variable back as it was (undefined: never set). */
  restore(slot: number, name: string, value: Value | undefined): void {
    if (value !== undefined) this.assign(slot, name, value);
    else this.slots[slot] = undefined;
  }
}
