/**
 * Function definitions: what Lambda integrations invoke, by name or ARN.
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
  /** `file.export` for Node, e.g. `index.handler`. */
  handler: string;
  /** Absolute path of the code directory. */
  codeDirectory: string;
  /** Seconds; Lambda's default 3, at most 900. */
  timeout: number;
  /** MB; Lambda's default 128. */
  memorySize: number;
  environment: Record<string, string>;
  reservedConcurrency?: number;
}

export const FUNCTION_TIMEOUT_DEFAULT_S = 3;
export const FUNCTION_TIMEOUT_MAX_S = 900;
export const FUNCTION_MEMORY_DEFAULT_MB = 128;
