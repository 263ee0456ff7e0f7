/**
 * What a render may still spend. Every loop iteration, method call and JSON node visited costs a
 * step; every string a template builds (concatenation, interpolation, printing a collection)
 * costs its length. The render state implements this; code outside a render (reading overrides
 * back out of a TemplateContext) uses a detached budget with the same bounds.
 */
import { limitError } from './errors.js';

export interface Budget {
  /** Spends `n` steps (default 1); throws TemplateError kind 'limit' past the bound or the deadline. */
  tick(n?: number): void;
  /** Accounts for building one string of `chars` characters; throws TemplateError kind 'limit' when
   *  that string is over maxStringLength or the render has built too much in total. */
  charge(chars: number): void;
  /** The longest single string a template may build. */
  readonly maxStringLength: number;
}

/** A budget for work done outside a render, bounded like one. */
export class DetachedBudget implements Budget {
  private steps = 0;
  private built = 0;
  constructor(
    private readonly maxSteps = 2_000_000,
    readonly maxStringLength = 10 * 1024 * 1024,
  ) {}

  tick(n = 1): void {
    if ((this.steps += n) > this.maxSteps) throw limitError('step limit exceeded');
  }

  charge(chars: number): void {
    if (chars > this.maxStringLength || (this.built += chars) > this.maxStringLength * 32) {
      throw limitError('string size limit exceeded');
    }
  }
}
