/**
 * Calls a Lambda authorizer's function with its event, within a time limit, and says what came
 * of it: never reached (no such function, throttled), timed out, or answered, with the answer
 * interpreted by lambda-authorizer-output.ts. Shared by the data plane and TestInvokeAuthorizer,
 * which logs each case differently.
 */
import type { FunctionInvoker, InvokeResult } from '../functions/invoker.js';
import { interpretAuthorizerResult, type AuthorizerVerdict } from './lambda-authorizer-output.js';

/**
 * How long the gateway waits for an authorizer function. The function's own timeout usually
 * ends it first (as a function error); this bounds a runtime that never answers.
 */
export const AUTHORIZER_TIMEOUT_MS = 30_000;

export type AuthorizerCall =
  | { kind: 'unreachable'; reason: string; latencyMs: number }
  | { kind: 'timeout'; latencyMs: number }
  | { kind: 'answered'; result: InvokeResult; payloadText: string; verdict: AuthorizerVerdict; latencyMs: number };

export interface AuthorizerCallOptions {
  requestId: string;
  traceId?: string;
  timeoutMs?: number;
}

export function callAuthorizerFunction(invoker: FunctionInvoker, functionName: string, event: unknown, options: AuthorizerCallOptions): Promise<AuthorizerCall> {
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout', latencyMs: Date.now() - started }), options.timeoutMs ?? AUTHORIZER_TIMEOUT_MS);
    invoker.invoke(functionName, event, { requestId: options.requestId, traceId: options.traceId }).then(
      (result) => {
        clearTimeout(timer);
        const payloadText = result.payloadJson ?? JSON.stringify(result.payload ?? null);
        resolve({ kind: 'answered', result, payloadText, verdict: interpretAuthorizerResult(result), latencyMs: Date.now() - started });
      },
      (err: unknown) => {
        clearTimeout(timer);
        const reason = err instanceof Error ? err.message : 'the authorizer function could not be invoked';
        resolve({ kind: 'unreachable', reason, latencyMs: Date.now() - started });
      },
    );
  });
}

/** The call's outcome as the gateway acts on it: not reaching or outwaiting the function is its failure. */
export function verdictOf(call: AuthorizerCall): AuthorizerVerdict {
  switch (call.kind) {
    case 'answered':
      return call.verdict;
    case 'timeout':
      return { kind: 'failed', reason: 'Authorizer function timed out' };
    case 'unreachable':
      return { kind: 'failed', reason: call.reason };
  }
}
