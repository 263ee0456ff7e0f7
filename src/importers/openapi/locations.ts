/**
 * Remembers which part of the OpenAPI document each part of the built model came from, so that
 * problems found by model validation can be reported where the user has to fix them.
 */
import { jsonPointer, parseJsonPointer } from '../../model/validate.js';
import type { SourcePath } from './context.js';

export class LocationMap {
  private readonly entries = new Map<string, SourcePath>();

  /** Model location `model` (pointer segments into the RestApiDocument) came from `source`. */
  add(model: readonly string[], source: SourcePath): void {
    this.entries.set(jsonPointer(model), source);
  }

  /**
   * The source location for a model pointer: the longest recorded prefix, with the rest of the
   * pointer appended (most model fields carry the same names as their OpenAPI counterparts).
   * Undefined when nothing covers the pointer.
   */
  toSource(modelPointer: string): SourcePath | undefined {
    const segments = parseJsonPointer(modelPointer);
    for (let n = segments.length; n >= 0; n--) {
      const hit = this.entries.get(jsonPointer(segments.slice(0, n)));
      if (hit) return [...hit, ...segments.slice(n)];
    }
    return undefined;
  }
}
