/**
 * Gateway errors: the typed failures a pipeline step raises. Each maps to one of AWS's gateway
 * response types, which decides the status, body and `x-amzn-ErrorType` the client sees
 * (see `gateway-responses.ts`). Tests assert on the response type, not on prose.
 */
import type { GatewayResponseType } from '../model/rest-api.js';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    /** Which gateway response renders this error. */
    readonly responseType: GatewayResponseType,
    /** `$context.error.message`: what the client reads in `{"message": …}`. */
    message: string,
    /** Overrides the status of the gateway response (AWS does this for a few integration errors). */
    readonly statusCode?: number,
    /** `$context.error.validationErrorString`: why a request validator refused the request. */
    readonly validationErrorString?: string,
    /**
     * The body AWS sends while the API has not customised this response type, when it is not
     * `{"message":…}` (a resource policy's denial reads `{"Message":…}`).
     */
    readonly defaultBody?: string,
    /**
     * The `x-amzn-ErrorType` to send instead of the response type's usual one: SigV4 failures
     * share INVALID_SIGNATURE but name their own (IncompleteSignatureException,
     * UnrecognizedClientException).
     */
    readonly errorType?: string,
  ) {
    super(message);
  }
}

/** No resource or method matched: AWS's famous 403 "Missing Authentication Token". */
export const missingAuthenticationToken = (): GatewayError =>
  new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');

/** The request body is over the 10 MB payload limit. */
export const requestTooLarge = (): GatewayError =>
  new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long');

/** The integration did not answer within timeoutInMillis. */
export const integrationTimeout = (): GatewayError =>
  new GatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out');

/**
 * The backend failed (unreachable, reset, a function that crashed or returned a malformed
 * proxy response). AWS answers these with 502 or 500 and "Internal server error".
 */
export const integrationFailure = (statusCode = 502): GatewayError =>
  new GatewayError('INTEGRATION_FAILURE', 'Internal server error', statusCode);

/** Something in the API definition cannot work (e.g. a Lambda ARN naming no function). */
export const apiConfigurationError = (): GatewayError =>
  new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');

/**
 * AWS's 415: no request template matches the Content-Type and passthrough is not allowed, or
 * the body is in a Content-Encoding AWS does not support (or not really in the one it names).
 */
export const unsupportedMediaType = (): GatewayError =>
  new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type');

/**
 * A request validator found required parameters missing or blank. The names keep the case the
 * method declares them in.
 */
export const badRequestParameters = (missing: string[]): GatewayError => {
  const message = `Missing required request parameters: [${missing.join(', ')}]`;
  return new GatewayError('BAD_REQUEST_PARAMETERS', message, undefined, message);
};

/** A request validator found the body does not match the method's model. */
export const badRequestBody = (validationErrorString: string): GatewayError =>
  new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', undefined, validationErrorString);

/** A usage plan, stage method, or account throttle had no token for the request: AWS's 429. */
export const throttled = (): GatewayError => new GatewayError('THROTTLED', 'Too Many Requests');

/** The API key has used its usage plan's quota for the period: AWS's 429 "Limit Exceeded". */
export const quotaExceeded = (): GatewayError => new GatewayError('QUOTA_EXCEEDED', 'Limit Exceeded');

/**
 * The quota count could not be reached (Redis down, the store failing) and quotas fail closed.
 * Not QUOTA_EXCEEDED: the client's quota did not run out, and a 503 tells it to try again later.
 */
export const quotaUnavailable = (): GatewayError =>
  new GatewayError('DEFAULT_5XX', 'Service Unavailable', 503, undefined, undefined, 'ServiceUnavailableException');
