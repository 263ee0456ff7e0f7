/**
 * Invoke: RequestResponse answers with the function's payload (a function error is still a
 * 200, flagged by `X-Amz-Function-Error`), Event queues the call and answers 202 at once,
 * DryRun only checks that the function exists. Event calls run in this process; their number
 * is bounded so a flood of them cannot grow memory without limit.
 */
import { InvokeError, type InvokeResult } from '../functions/invoker.js';
import { functionNotFound, invalidContent, LambdaApiError, serviceError, ValidationErrors } from './errors.js';
import { loadFunction, type LambdaApiContext } from './functions.js';

/** Lambda's limit on a synchronous request and response payload. */
export const MAX_PAYLOAD_BYTES = 6_291_456;
/** Event invocations accepted but not yet finished, across all functions. */
export const MAX_OUTSTANDING_EVENTS = 1000;

export interface InvokeResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** Raw JSON text: the function's payload is passed on as it is. */
  body: string;
}

export interface InvokeRequest {
  functionName: string;
  requestId: string;
  headers: Record<string, string | string[] | undefined>;
  payload: Buffer;
}

const header = (headers: InvokeRequest['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class InvokeOperation {
  private outstandingEvents = 0;

  constructor(private readonly ctx: LambdaApiContext) {}

  async invoke(request: InvokeRequest): Promise<InvokeResponse> {
    const { ctx } = this;
    const invocationType = header(request.headers, 'x-amz-invocation-type') ?? 'RequestResponse';
    const logType = header(request.headers, 'x-amz-log-type') ?? 'None';
    const clientContext = header(request.headers, 'x-amz-client-context');
    const problems = new ValidationErrors();
    if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
      problems.add(invocationType, 'invocationType', 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
    }
    if (!['None', 'Tail'].includes(logType)) problems.add(logType, 'logType', 'Member must satisfy enum value set: [None, Tail]');
    problems.throwIfAny();

    const event = parsePayload(request.payload);
    const fn = await loadFunction(ctx, request.functionName);
    if (invocationType === 'DryRun') return { statusCode: 204, headers: {}, body: '' };

    if (invocationType === 'Event') {
      // Like Lambda, an accepted event is acknowledged even if the function is throttled later.
      if (this.outstandingEvents >= MAX_OUTSTANDING_EVENTS) throw throttled(false);
      this.outstandingEvents++;
      // Through a promise, so even an invoker that throws synchronously releases its slot.
      void Promise.resolve()
        .then(() => ctx.invoker.invoke(fn.functionName, event, { requestId: request.requestId, clientContext }))
        .then(
          (result) => {
            if (result.functionError) {
              console.error(
                `portico: event invocation ${request.requestId} of ${fn.functionName} failed: ${result.payload.errorType}: ${result.payload.errorMessage}`,
              );
            }
          },
          (err: unknown) => {
            console.error(`portico: event invocation ${request.requestId} of ${fn.functionName} could not run: ${(err as Error)?.message ?? err}`);
          },
        )
        .finally(() => this.outstandingEvents--);
      return { statusCode: 202, headers: {}, body: '' };
    }

    // Lambda's way to switch a function off; checked here too in case an invoker does not.
    if (fn.reservedConcurrency === 0) throw throttled(true);
    let result: InvokeResult;
    try {
      result = await ctx.invoker.invoke(fn.functionName, event, {
        requestId: request.requestId,
        tailLog: logType === 'Tail',
        clientContext,
      });
    } catch (err) {
      throw invokeFailure(ctx, fn.functionName, fn.reservedConcurrency !== undefined, err);
    }
    return render(result, logType === 'Tail');
  }
}

/** Lambda passes an empty payload as `{}`; anything else must be JSON. */
function parsePayload(payload: Buffer): unknown {
  if (payload.length === 0) return {};
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw invalidContent(`Could not parse payload into json: ${(err as Error).message}`);
  }
}

function render(result: InvokeResult, tail: boolean): InvokeResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' };
  if (tail && result.logTail !== undefined) headers['X-Amz-Log-Result'] = Buffer.from(result.logTail, 'utf8').toString('base64');
  let body: string;
  if (result.functionError) {
    headers['X-Amz-Function-Error'] = result.functionError;
    const { errorType, errorMessage, trace } = result.payload;
    body = JSON.stringify(trace === undefined ? { errorType, errorMessage } : { errorType, errorMessage, trace });
  } else {
    // The function's own bytes when the runtime kept them (a custom runtime may answer non-JSON).
    body = result.payloadJson ?? JSON.stringify(result.payload === undefined ? null : result.payload) ?? 'null';
  }
  const size = Buffer.byteLength(body);
  if (!result.functionError && size > MAX_PAYLOAD_BYTES) {
    headers['X-Amz-Function-Error'] = 'Unhandled';
    body = JSON.stringify({
      errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
      errorType: 'Function.ResponseSizeTooLarge',
    });
  }
  return { statusCode: 200, headers, body };
}

function throttled(reserved: boolean): LambdaApiError {
  return new LambdaApiError('TooManyRequestsException', 'Rate Exceeded.', {
    Reason: reserved ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded',
  });
}

function invokeFailure(ctx: LambdaApiContext, functionName: string, reserved: boolean, err: unknown): LambdaApiError {
  if (!(err instanceof InvokeError)) {
    console.error(`portico: invoking ${functionName} failed unexpectedly:`, err);
    return serviceError('An internal error occurred while invoking the function.');
  }
  switch (err.code) {
    case 'ResourceNotFoundException':
      return functionNotFound(ctx.account, functionName);
    case 'TooManyRequestsException':
      return throttled(reserved);
    case 'InvalidRuntimeException':
      return new LambdaApiError('InvalidRuntimeException', err.message);
    default:
      return serviceError(err.message);
  }
}
