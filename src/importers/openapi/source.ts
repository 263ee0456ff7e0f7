/**
 * Turns OpenAPI text (JSON or YAML) into data plus a way to find the line any JSON pointer came
 * from. Syntax errors become an OpenApiImportError located by line and column.
 */
import { jsonPointer } from '../../model/validate.js';
import { JsonSyntaxError, parseJsonWithOffsets } from './json-source.js';
import { OpenApiImportError, type ImportProblem } from './problems.js';
import { YamlSyntaxErrors, parseYamlWithOffsets } from './yaml-source.js';

export interface ParsedSource {
  value: unknown;
  /** The 1-based line of the member at `path`, or of its nearest ancestor below the root. */
  lineOf(path: readonly string[]): number | undefined;
  /** How the number at `path` was written, for members that are strings to API Gateway (`version: 1.0`). */
  numberText(path: readonly string[]): string | undefined;
}

/** Offsets to 1-based lines and columns. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

/**
 * JSON unless the name says YAML; without a telling name, text that opens with `{` or `[` is
 * JSON. JSON is parsed strictly rather than as YAML (which would accept trailing commas and
 * comments) so that mistakes are reported where they are.
 */
function isJsonText(text: string, sourceName: string | undefined): boolean {
  const name = sourceName?.toLowerCase() ?? '';
  if (name.endsWith('.json')) return true;
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return false;
  return /^\uFEFF?\s*[{[]/.test(text);
}

function syntaxProblem(index: LineIndex, offset: number, message: string): ImportProblem {
  const { line, column } = index.position(offset);
  return { location: `line ${line}, column ${column}`, message, line, column };
}

/** Parses `text`, keeping positions; throws OpenApiImportError on syntax errors. */
export function parseSource(text: string, sourceName?: string): ParsedSource {
  const index = new LineIndex(text);
  let parsed: { value: unknown; offsets: Map<string, number>; numbers: Map<string, string> };
  if (isJsonText(text, sourceName)) {
    try {
      parsed = parseJsonWithOffsets(text);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      throw new OpenApiImportError([syntaxProblem(index, err.offset, `invalid JSON: ${err.message}`)], sourceName);
    }
  } else {
    try {
      parsed = parseYamlWithOffsets(text);
    } catch (err) {
      if (!(err instanceof YamlSyntaxErrors)) throw err;
      throw new OpenApiImportError(
        err.problems.map((p) => syntaxProblem(index, p.offset, `invalid YAML: ${p.message}`)),
        sourceName,
      );
    }
  }
  const { value, offsets, numbers } = parsed;
  return {
    value,
    numberText: (path) => numbers.get(jsonPointer(path)),
    lineOf(path) {
      // The root is excluded: "line 1" says nothing useful about a missing top-level member.
      for (let n = path.length; n > 0; n--) {
        const offset = offsets.get(jsonPointer(path.slice(0, n)));
        if (offset !== undefined) return index.position(offset).line;
      }
      return undefined;
    },
  };
}

/** Parses OpenAPI text (JSON or YAML) into plain data; throws OpenApiImportError on syntax errors. */
export function parseOpenApi(text: string, sourceName?: string): unknown {
  return parseSource(text, sourceName).value;
}
