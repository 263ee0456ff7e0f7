/**
 * SigV4 authentication of data-plane requests to methods whose authorizationType is AWS_IAM:
 * the request must be signed (header or presigned form) for the gateway's region and the
 * `execute-api` service by an access key Portico holds. Success names the principal and the
 * `$context.identity` fields; failure carries the status, x-amzn-ErrorType, gateway response
 * type and message AWS answers with for execute-api. Authorizing the principal (evaluating its
 * policy for execute-api:Invoke on the method ARN) is the caller's next step, not done here;
 * `accessDenied` shapes the answer when that evaluation refuses.
 */
import type { GatewayResponseType } from '../model/rest-api.js';
import { identityContext, type IamIdentityContext, type IamPrincipal, type IamPrincipalDirectory } from './iam-principals.js';
import { verifySigV4Detailed, type SignedRequest } from './sigv4.js';

export const EXECUTE_API_SERVICE = 'execute-api';

export type DataPlaneErrorType =
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'UnrecognizedClientException'
  | 'ExpiredTokenException'
  | 'AccessDeniedException';

export interface DataPlaneAuthFailure {
  ok: false;
  status: 403;
  /** Sent as x-amzn-ErrorType. */
  errorType: DataPlaneErrorType;
  /** The gateway response an API can customise for this failure. */
  gatewayResponseType: GatewayResponseType;
  message: string;
}

export interface DataPlaneAuthSuccess {
  ok: true;
  principal: IamPrincipal;
  /** `$context.identity` fields for the caller; sourceIp, userAgent and apiKey are the caller's to add. */
  identity: IamIdentityContext;
  signedHeaders: string[];
  /** The canonical request and string to sign the signature covered, for execution logs. */
  canonicalRequest: string;
  stringToSign: string;
}

export type DataPlaneAuthResult = DataPlaneAuthSuccess | DataPlaneAuthFailure;

export interface DataPlaneVerifyOptions {
  principals: IamPrincipalDirectory;
  /** The gateway's region; the credential scope must name it. */
  region: string;
  /** The signing service; `execute-api` unless replaying vectors signed for another name. */
  service?: string;
  /** The clock; defaults to the system clock. */
  now?: () => Date;
}

const GATEWAY_RESPONSE: Record<Exclude<DataPlaneErrorType, 'AccessDeniedException'>, GatewayResponseType> = {
  MissingAuthenticationTokenException: 'MISSING_AUTHENTICATION_TOKEN',
  IncompleteSignatureException: 'INVALID_SIGNATURE',
  InvalidSignatureException: 'INVALID_SIGNATURE',
  UnrecognizedClientException: 'INVALID_SIGNATURE',
  ExpiredTokenException: 'EXPIRED_TOKEN',
};

/**
 * Authenticates `req`. Throws only when the principal directory throws (the server's own
 * failure); anything a client sends yields a result.
 */
export function verifyDataPlaneRequest(req: SignedRequest, options: DataPlaneVerifyOptions): DataPlaneAuthResult {
  const directory = options.principals;
  const result = verifySigV4Detailed(req, {
    lookup: (accessKeyId) => directory.credential(accessKeyId),
    now: options.now?.(),
    region: options.region,
    service: options.service ?? EXECUTE_API_SERVICE,
    explainMismatch: true,
  });
  if (!result.ok) return failure(result.code, result.message);
  const principal = directory.lookup(result.accessKeyId);
  // The directory answered for the secret a moment ago; a key gone since is simply unknown.
  if (!principal) return failure('UnrecognizedClientException', 'The security token included in the request is invalid.');
  return {
    ok: true,
    principal,
    identity: identityContext(principal),
    signedHeaders: result.signedHeaders,
    canonicalRequest: result.canonicalRequest,
    stringToSign: result.stringToSign,
  };
}

/**
 * The answer when the principal's policies do not allow execute-api:Invoke on `methodArn`
 * (arn:aws:execute-api:region:account:api-id/stage/METHOD/path). AWS masks all but the last
 * four digits of account ids in this message and sends it under a "Message" key.
 */
export function accessDenied(principal: IamPrincipal, methodArn: string, options: { explicitDeny?: boolean } = {}): DataPlaneAuthFailure {
  const message = `User: ${maskAccount(principal.arn)} is not authorized to perform: execute-api:Invoke on resource: ${maskAccount(methodArn)}${
    options.explicitDeny ? ' with an explicit deny' : ''
  }`;
  return { ok: false, status: 403, errorType: 'AccessDeniedException', gatewayResponseType: 'ACCESS_DENIED', message };
}

function failure(code: string, message: string): DataPlaneAuthFailure {
  const errorType = (code in GATEWAY_RESPONSE ? code : 'InvalidSignatureException') as keyof typeof GATEWAY_RESPONSE;
  return { ok: false, status: 403, errorType, gatewayResponseType: GATEWAY_RESPONSE[errorType], message };
}

/** arn:partition:service:region:123456789012:rest → arn:partition:service:region:********9012:rest */
function maskAccount(arn: string): string {
  return arn.replace(/^(arn:[^:]*:[^:]*:[^:]*:)(\d{8})(\d{4})(:|$)/, '$1********$3$4');
}
