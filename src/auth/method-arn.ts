/**
 * The `execute-api` method ARN that names one invocation of one method:
 * `arn:{partition}:execute-api:{region}:{accountId}:{apiId}/{stage}/{METHOD}/{resourcePath}`.
 * It is what resource policies, identity policies and Lambda authorizer policies are matched
 * against, what a Lambda authorizer receives as `methodArn`, and what ACCESS_DENIED messages
 * quote. Also expands the `execute-api:/…` shorthand AWS accepts in resource policies.
 */

/** The API a method ARN (or a resource policy) belongs to. */
export interface ExecuteApiScope {
  region: string;
  accountId: string;
  apiId: string;
  /** Default `aws`. */
  partition?: string;
}

export interface MethodArnParts extends ExecuteApiScope {
  stage: string;
  /** The request's HTTP method as received (`GET`, `POST`…). */
  method: string;
  /** The request path below the stage, e.g. `/pets/7`; `/` for the root resource. */
  resourcePath: string;
}

/**
 * Builds a method ARN. The path's leading `/` is the separator after the method, so it is not
 * repeated; the root resource therefore ends in `{METHOD}/`, as AWS writes it.
 *
 * @example buildMethodArn({ region: 'us-east-1', accountId: '123456789012', apiId: 'a1b2c3', stage: 'dev', method: 'GET', resourcePath: '/pets/7' })
 * // 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/GET/pets/7'
 */
export function buildMethodArn(parts: MethodArnParts): string {
  const path = parts.resourcePath.startsWith('/') ? parts.resourcePath.slice(1) : parts.resourcePath;
  return `${executeApiArnPrefix(parts)}/${parts.stage}/${parts.method}/${path}`;
}

/**
 * buildMethodArn for one stage of one API, for callers that build an ARN per request: the part
 * that never changes is joined once, so each call only appends the method and the path.
 *
 * @example methodArnBuilder({ region: 'us-east-1', accountId: '123456789012', apiId: 'a1b2c3', stage: 'dev' })('GET', '/pets/7')
 * // 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/GET/pets/7'
 */
export function methodArnBuilder(scope: ExecuteApiScope & { stage: string }): (method: string, resourcePath: string) => string {
  const prefix = `${executeApiArnPrefix(scope)}/${scope.stage}/`;
  return (method, resourcePath) => `${prefix}${method}/${resourcePath.charCodeAt(0) === SLASH ? resourcePath.slice(1) : resourcePath}`;
}

const SLASH = 47;

/** `arn:{partition}:execute-api:{region}:{accountId}:{apiId}`: the ARN of the API itself. */
export function executeApiArnPrefix(scope: ExecuteApiScope): string {
  return `arn:${scope.partition ?? 'aws'}:execute-api:${scope.region}:${scope.accountId}:${scope.apiId}`;
}

/** The shorthand resource-policy prefix AWS expands on save (`execute-api:/stage/GET/pets`). */
export const EXECUTE_API_SHORTHAND = 'execute-api:/';

/**
 * Expands `execute-api:/{rest}` to `arn:…:{apiId}/{rest}` for the given API, as API Gateway does
 * when a resource policy is saved. Anything else is returned unchanged.
 *
 * @example expandExecuteApiShorthand('execute-api:/*', scope) // 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*'
 */
export function expandExecuteApiShorthand(resource: string, scope: ExecuteApiScope): string {
  if (!resource.startsWith(EXECUTE_API_SHORTHAND)) return resource;
  return `${executeApiArnPrefix(scope)}/${resource.slice(EXECUTE_API_SHORTHAND.length)}`;
}
