/**
 * What a Lambda authorizer function's answer means, for the data plane and TestInvokeAuthorizer
 * alike (api-gateway-lambda-authorizer-output.md):
 * - an object with `principalId` and a `policyDocument` (compiled as an authorizer policy),
 *   optionally a `context` map of string, number or boolean values and a `usageIdentifierKey`;
 * - the function failing with the error message exactly "Unauthorized": the caller is refused
 *   with 401 (the guide's TOKEN example: `callback("Unauthorized"); // Return a 401`);
 * - anything else (another error, a payload that is not such an object, a policy that does not
 *   compile, a context value that is an object, array or null) is the authorizer's failure,
 *   which AWS answers with 500 AUTHORIZER_CONFIGURATION_ERROR (see lambda-authorizer.ts).
 */
import type { InvokeResult } from '../functions/invoker.js';
import { compilePolicy, PolicyValidationError, type CompiledPolicy } from './policy.js';

export type AuthorizerContextValue = string | number | boolean;

/** A usable authorizer answer; compiled once, so a cached one is only evaluated. */
export interface AuthorizerOutput {
  principalId: string;
  /** The document as the function returned it (TestInvokeAuthorizer answers it as `policy`). */
  policyDocument: Record<string, unknown>;
  policy: CompiledPolicy;
  context?: Readonly<Record<string, AuthorizerContextValue>>;
  usageIdentifierKey?: string;
}

export type AuthorizerVerdict =
  | { kind: 'output'; output: AuthorizerOutput }
  /** The function refused the identity: 401 UNAUTHORIZED. */
  | { kind: 'unauthorized' }
  /** The function failed or answered something unusable; `reason` is for logs only. */
  | { kind: 'failed'; reason: string };

/** The error message by which a function refuses an identity, matched exactly. */
export const UNAUTHORIZED_ERROR_MESSAGE = 'Unauthorized';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function interpretAuthorizerResult(result: InvokeResult): AuthorizerVerdict {
  if (result.functionError) {
    if (result.payload.errorMessage === UNAUTHORIZED_ERROR_MESSAGE) return { kind: 'unauthorized' };
    return { kind: 'failed', reason: `Authorizer function failed: ${result.payload.errorMessage}` };
  }
  return interpretAuthorizerPayload(result.payload);
}

export function interpretAuthorizerPayload(payload: unknown): AuthorizerVerdict {
  if (!isObject(payload)) return failed('The authorizer function answered something that is not a JSON object');
  const { principalId, policyDocument, context, usageIdentifierKey } = payload;
  if (typeof principalId !== 'string') return failed('The authorizer response has no principalId string');
  if (!isObject(policyDocument)) return failed('The authorizer response has no policyDocument object');
  let policy: CompiledPolicy;
  try {
    policy = compilePolicy(policyDocument, { kind: 'authorizer' });
  } catch (err) {
    if (err instanceof PolicyValidationError) return failed(`Could not parse policy: ${err.message}`);
    throw err;
  }
  const output: AuthorizerOutput = { principalId, policyDocument, policy };
  if (context !== undefined && context !== null) {
    if (!isObject(context)) return failed('The authorizer context is not a map');
    for (const [key, value] of Object.entries(context)) {
      // The guide: "you cannot set a JSON object or array as a valid value of any key in the context map".
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return failed(`The authorizer context value of '${key}' is not a string, number or boolean`);
      }
    }
    output.context = context as Record<string, AuthorizerContextValue>;
  }
  if (usageIdentifierKey !== undefined && usageIdentifierKey !== null) {
    if (typeof usageIdentifierKey !== 'string') return failed('The authorizer usageIdentifierKey is not a string');
    output.usageIdentifierKey = usageIdentifierKey;
  }
  return { kind: 'output', output };
}

function failed(reason: string): AuthorizerVerdict {
  return { kind: 'failed', reason };
}
