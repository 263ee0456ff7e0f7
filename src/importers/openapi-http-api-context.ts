/**
 * What the parts of an HTTP API import share: the parsed document, how a number was spelled in
 * it, and what the import reports besides the API itself, in API Gateway's three categories:
 * errors (the document cannot be imported at all), warnings (part of it is invalid and was left
 * out) and info (valid OpenAPI that HTTP APIs do not use, ignored).
 */

/** At most this many findings of each kind are kept; a last line says how many more there were. */
const MAX_FINDINGS = 100;

export type SourcePath = readonly string[];

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ImportFindings {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly info: string[] = [];
  private readonly dropped = { errors: 0, warnings: 0, info: 0 };
  private readonly seen = new Set<string>();

  error(message: string): void {
    this.add('errors', message);
  }

  warn(message: string): void {
    this.add('warnings', message);
  }

  note(message: string): void {
    this.add('info', message);
  }

  /** The list with a closing "… and N more" line when some were dropped. */
  list(kind: 'errors' | 'warnings' | 'info'): string[] {
    const extra = this.dropped[kind];
    return extra === 0 ? [...this[kind]] : [...this[kind], `... and ${extra} more`];
  }

  private add(kind: 'errors' | 'warnings' | 'info', message: string): void {
    const key = `${kind}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this[kind].length >= MAX_FINDINGS) this.dropped[kind]++;
    else this[kind].push(message);
  }
}

export interface HttpImportContext {
  root: Record<string, unknown>;
  findings: ImportFindings;
  /** How the number at `path` was written (`1.0` rather than `1`), when the source was text. */
  numberText(path: SourcePath): string | undefined;
}

/**
 * A member API Gateway reads as a string, which documents often write as a number
 * (`payloadFormatVersion: 1.0`, `version: 2`): the number as it was spelled.
 */
export function textOf(ctx: HttpImportContext, value: unknown, path: SourcePath): unknown {
  if (typeof value !== 'number') return value;
  return ctx.numberText(path) ?? (Number.isInteger(value) ? value.toFixed(1) : String(value));
}

/** The import cannot go ahead; `problems` says why. */
export class HttpApiImportError extends Error {
  constructor(readonly problems: string[]) {
    super(`Errors found during import:\n${problems.map((p) => `\t${p}`).join('\n')}`);
    this.name = 'HttpApiImportError';
  }
}
