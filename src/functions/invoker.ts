/**
 * The FunctionInvoker contract: how the gateway and the Lambda API run a function, whatever
 * runs it.
 *
 * Results follow Lambda's Invoke API: a successful call returns the function's JSON payload;
 * a function error returns Lambda's error shape with `functionError` set. Failures to invoke at
 * all (no such function, throttled) reject with an `InvokeError` carrying Lambda's error code.
 */

export interface InvokeOptions {
  requestId: string;
  /** X-Ray style trace header, passed to the function as `_X_AMZN_TRACE_ID`. */
  traceId?: string;
  /** Keep the invocation's log lines, for Invoke with `LogType: Tail`. */
  tailLog?: boolean;
  /** Base64 JSON client context (Invoke's `X-Amz-Client-Context`). */
  clientContext?: string;
}

export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

interface InvokeOutcome {
  /** The invocation's log (START … REPORT), at most its last 4 KB; only with `tailLog`. */
  logTail?: string;
  /** The payload exactly as the function returned it, when the runtime had it as text. */
  payloadJson?: string;
}

export type InvokeResult =
  | (InvokeOutcome & { functionError?: undefined; payload: unknown })
  | (InvokeOutcome & { functionError: 'Unhandled' | 'Handled'; payload: LambdaErrorPayload });

export interface FunctionInvoker {
  invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult>;
  /**
   * Retires a function's warm instances (its definition or code changed, or it was deleted).
   * Invocations in flight finish on the old instances; new ones start fresh.
   */
  invalidate(functionName: string): void;
  close(): Promise<void>;
}

/** Lambda's Invoke API error codes the gateway and the Lambda API react to. */
export type InvokeErrorCode =
  | 'ResourceNotFoundException'
  | 'TooManyRequestsException'
  | 'ServiceException'
  | 'InvalidRuntimeException';

export class InvokeError extends Error {
  override readonly name = 'InvokeError';
  constructor(readonly code: InvokeErrorCode, message: string) {
    super(message);
  }
}
