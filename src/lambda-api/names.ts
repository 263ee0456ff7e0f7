/**
 * Function references as the Lambda API accepts them: a name, a partial ARN
 * (`123456789012:function:name`) or a full ARN, each optionally with a `:qualifier`. Only
 * `$LATEST` exists here: Portico keeps no published versions or aliases.
 */
import { LambdaApiError, functionNotFound, invalidParameter } from './errors.js';
import type { AccountSettings } from '../model/settings.js';

/** Lambda's FunctionName pattern (the account and region parts are not checked against ours). */
const FUNCTION_REFERENCE =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:[a-z]{2}(?:-gov)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** The pattern as Lambda's validation messages quote it. */
export const FUNCTION_NAME_CONSTRAINT =
  'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';

export interface FunctionReference {
  functionName: string;
  qualifier?: string;
}

/** Parses a reference; undefined when it does not match Lambda's pattern. */
export function parseFunctionReference(reference: string): FunctionReference | undefined {
  if (reference.length === 0 || reference.length > 170) return undefined;
  const m = FUNCTION_REFERENCE.exec(reference);
  if (!m) return undefined;
  return { functionName: m[1]!, qualifier: m[2] };
}

/**
 * The function a request addresses, from the path's `{FunctionName}` and the `Qualifier`
 * query parameter. A reference that cannot name any function, or a qualifier other than
 * `$LATEST`, is answered the way Lambda answers a missing function.
 */
export function resolveFunctionName(account: AccountSettings, reference: string, queryQualifier: string | null): string {
  const parsed = parseFunctionReference(reference);
  if (!parsed || parsed.functionName.length > 64) {
    throw new LambdaApiError('ResourceNotFoundException', `Function not found: ${reference}`);
  }
  if (queryQualifier !== null && parsed.qualifier !== undefined && queryQualifier !== parsed.qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = parsed.qualifier ?? (queryQualifier === null || queryQualifier === '' ? undefined : queryQualifier);
  if (qualifier !== undefined && qualifier !== '$LATEST') throw functionNotFound(account, parsed.functionName, qualifier);
  return parsed.functionName;
}
