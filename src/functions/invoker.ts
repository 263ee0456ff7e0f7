/**
 * The FunctionInvoker contract: how the gateway runs a Lambda function, whatever runs it.
 *
 * Results follow Lambda's Invoke API: a successful call returns the function's JSON payload;
 * a function error returns Lambda's error shape with `functionError` set. Failures to invoke at
 * all (no such function, throttled) reject with an `InvokeError` carrying Lambda's error code.
 */

export interface InvokeOptions {
  requestId: string;
  /** X-Ray style trace header, passed to the function as `_X_AMZN_TRACE_ID`. */
  traceId?: string;
}

export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvokeResult =
  | { functionError?: undefined; payload: unknown }
  | { functionError: 'Unhandled' | 'Handled'; payload: LambdaErrorPayload };

export interface FunctionInvoker {
  invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult>;
  close(): Promise<void>;
}

/** Lambda's Invoke API error codes the gateway reacts to. */
export type InvokeErrorCode = 'ResourceNotFoundException' | 'TooManyRequestsException' | 'ServiceException';

export class InvokeError extends Error {
  override readonly name = 'InvokeError';
  constructor(readonly code: InvokeErrorCode, message: string) {
    super(message);
  }
}
