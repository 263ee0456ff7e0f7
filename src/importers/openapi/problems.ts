/**
 * The error an OpenAPI import fails with: every problem found, each located in the source
 * document by JSON pointer and, when the input was text, by line.
 */

export interface ImportProblem {
  /** A JSON pointer into the OpenAPI document (`/` for the document itself), or `line L, column C` for syntax errors. */
  location: string;
  message: string;
  /** 1-based line in the source text, when the input was text and the location could be found in it. */
  line?: number;
  /** 1-based column; only for syntax errors. */
  column?: number;
}

/** `location (line N): message`; syntax errors already carry their line in the location. */
export function formatImportProblem(problem: ImportProblem): string {
  const line = problem.line !== undefined && problem.column === undefined ? ` (line ${problem.line})` : '';
  return `${problem.location}${line}: ${problem.message}`;
}

export class OpenApiImportError extends Error {
  readonly problems: ImportProblem[];

  constructor(problems: ImportProblem[], sourceName?: string) {
    const subject = sourceName ?? 'The OpenAPI document';
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${subject} cannot be imported (${count}):\n${problems.map(formatImportProblem).join('\n')}`);
    this.name = 'OpenApiImportError';
    this.problems = problems;
  }
}
