/**
 * Function definitions: what Lambda integrations invoke, by name or ARN. The same record backs
 * `portico.yaml` functions and functions created through the Lambda API.
 */

export const FUNCTION_RUNTIMES = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'provided.al2',
  'provided.al2023',
] as const;
export type FunctionRuntime = (typeof FUNCTION_RUNTIMES)[number];

export interface FunctionDefinition {
  functionName: string;
  runtime: FunctionRuntime;
  /** `file.export` for Node and Python, e.g. `index.handler`; free-form for `provided`. */
  handler: string;
  /** Absolute path of the code directory. */
  codeDirectory: string;
  /** Seconds; Lambda's default 3, at most 900. */
  timeout: number;
  /** MB; Lambda's default 128. */
  memorySize: number;
  environment: Record<string, string>;
  reservedConcurrency?: number;

  // What the Lambda API reports back; optional for functions declared in a project file.
  description?: string;
  role?: string;
  /** `directory`: code served in place (project files, local paths); `archive`: an uploaded zip Portico unpacked. */
  codeOrigin?: 'directory' | 'archive';
  /** Base64 SHA-256 of the uploaded zip, as Lambda reports CodeSha256. */
  codeSha256?: string;
  codeSize?: number;
  /** Lambda's LastModified format, e.g. 2026-11-21T10:00:00.000+0000. */
  lastModified?: string;
  revisionId?: string;
  architectures?: ('x86_64' | 'arm64')[];
  tags?: Record<string, string>;
}

export const FUNCTION_TIMEOUT_DEFAULT_S = 3;
export const FUNCTION_TIMEOUT_MAX_S = 900;
export const FUNCTION_MEMORY_DEFAULT_MB = 128;
export const FUNCTION_MEMORY_MIN_MB = 128;
export const FUNCTION_MEMORY_MAX_MB = 10240;
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The function's ARN as Lambda prints it. */
export function functionArn(region: string, accountId: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}
