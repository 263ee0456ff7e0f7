/**
 * One function instance: an execution environment that runs one invocation at a time, as a
 * Lambda sandbox does. Node handlers run in worker threads (`node-instance.ts`); every other
 * runtime runs as a child process speaking the Lambda Runtime API (`process-instance.ts`).
 * The pool owns timeouts, queueing and replacement; an instance only runs what it is given and
 * reports how it ended.
 */
import type { FunctionDefinition } from '../model/function.js';
import type { AccountSettings } from '../model/settings.js';
import type { LambdaErrorPayload } from './invoker.js';

export interface InstanceInvocation {
  requestId: string;
  /** The event as JSON text: serialised once, sent as is to workers and processes. */
  eventJson: string;
  /** Epoch milliseconds by which the invocation must end (Lambda-Runtime-Deadline-Ms). */
  deadlineMs: number;
  traceId?: string;
  /** Base64 JSON, as Lambda passes it (Lambda-Runtime-Client-Context). */
  clientContext?: string;
}

export type InstanceOutcome =
  /** The handler returned; `payloadJson` is its result as JSON text. */
  | { kind: 'response'; payloadJson: string }
  /** The handler failed (threw, rejected, reported /error): the instance stays usable. */
  | { kind: 'error'; error: LambdaErrorPayload }
  /**
   * The instance is gone or unusable: it exited, crashed, ran out of memory or failed to
   * initialise. The pool replaces it. `error` is what Lambda reports for the invocation.
   */
  | { kind: 'fatal'; error: LambdaErrorPayload };

export interface InstanceEnvironment {
  definition: FunctionDefinition;
  account: AccountSettings;
  /** Variables every instance gets on top of the function's own (endpoints pointing at Portico). */
  baseEnvironment: Record<string, string>;
  /** Called with the instance's output, a chunk at a time (text, possibly several lines). */
  onOutput(text: string): void;
  /** Called once when the instance ends, for any reason (stopped, crashed, exited). */
  onExit(): void;
}

export interface FunctionInstance {
  /**
   * Starts the instance and resolves once it is ready for its first invocation. Never rejects:
   * an init failure is reported by the first `invoke` as Lambda reports it (a fatal outcome).
   */
  start(): Promise<void>;
  /** Milliseconds the start took (Lambda's Init Duration), once started. */
  readonly initDurationMs: number;
  /** Runs one invocation; never rejects. Only called when the previous one has ended. */
  invoke(invocation: InstanceInvocation): Promise<InstanceOutcome>;
  /** Highest memory use seen so far, in MB (REPORT's Max Memory Used). */
  maxMemoryUsedMb(): number;
  /** Tears the instance down at once (timeout, reload, shutdown). Idempotent. */
  stop(): void;
  readonly stopped: boolean;
}

/** The standard variables a Lambda execution environment has, for this definition. */
export function lambdaEnvironment(definition: FunctionDefinition, account: AccountSettings): Record<string, string> {
  const fn = definition;
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: account.region,
    AWS_DEFAULT_REGION: account.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: fn.codeDirectory,
    LAMBDA_RUNTIME_DIR: fn.codeDirectory,
    _HANDLER: fn.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
  };
}

/** The named variables of Portico's own environment that are set: what a function inherits from the host. */
export function hostEnvironment(names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

let streamCounter = 0;
/** A log stream name shaped like Lambda's: date/[version]id. */
function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const id = (Date.now().toString(16) + (streamCounter++).toString(16)).padStart(32, '0').slice(-32);
  return `${day}/[$LATEST]${id}`;
}

/** Lambda's error payload for an invocation that never got an answer from its instance. */
export function runtimeError(requestId: string, errorType: string, detail: string): LambdaErrorPayload {
  return { errorType, errorMessage: `RequestId: ${requestId} Error: ${detail}` };
}
