/**
 * Lambda's REST-JSON errors: the code goes in `x-amzn-ErrorType`, the body is
 * `{"Type": "User" | "Service", "message" | "Message": "..."}`. Which of the two spellings a
 * code uses is fixed by Lambda's service model (the SDKs read only that member), so each code
 * carries its own.
 */
import { functionArn } from '../model/function.js';
import type { AccountSettings } from '../model/settings.js';

interface ErrorSpec {
  statusCode: number;
  /** Lambda's model spells the member `Message` for some codes and `message` for others. */
  messageKey: 'Message' | 'message';
  type: 'User' | 'Service';
}

const SPECS: Record<string, ErrorSpec> = {
  InvalidParameterValueException: { statusCode: 400, messageKey: 'message', type: 'User' },
  InvalidRequestContentException: { statusCode: 400, messageKey: 'message', type: 'User' },
  // Coral's constraint checks; not in Lambda's model, so the SDK builds a generic error from it.
  ValidationException: { statusCode: 400, messageKey: 'message', type: 'User' },
  ResourceNotFoundException: { statusCode: 404, messageKey: 'Message', type: 'User' },
  UnknownOperationException: { statusCode: 404, messageKey: 'message', type: 'User' },
  ResourceConflictException: { statusCode: 409, messageKey: 'message', type: 'User' },
  PreconditionFailedException: { statusCode: 412, messageKey: 'message', type: 'User' },
  RequestTooLargeException: { statusCode: 413, messageKey: 'message', type: 'User' },
  TooManyRequestsException: { statusCode: 429, messageKey: 'message', type: 'User' },
  ServiceException: { statusCode: 500, messageKey: 'Message', type: 'Service' },
  InvalidRuntimeException: { statusCode: 502, messageKey: 'Message', type: 'User' },
};

export class LambdaApiError extends Error {
  override readonly name = 'LambdaApiError';
  readonly statusCode: number;

  constructor(
    readonly code: string,
    message: string,
    /** Extra body members, e.g. TooManyRequestsException's `Reason`. */
    readonly extra: Record<string, string> = {},
    statusCode?: number,
  ) {
    super(message);
    this.statusCode = statusCode ?? SPECS[code]?.statusCode ?? 400;
  }

  body(): Record<string, string> {
    const spec = SPECS[this.code];
    return { Type: spec?.type ?? 'User', [spec?.messageKey ?? 'message']: this.message, ...this.extra };
  }
}

export const invalidParameter = (message: string): LambdaApiError => new LambdaApiError('InvalidParameterValueException', message);

export const invalidContent = (detail: string): LambdaApiError =>
  new LambdaApiError('InvalidRequestContentException', `Could not parse request body into json: ${detail}`);

export const functionNotFound = (account: AccountSettings, functionName: string, qualifier?: string): LambdaApiError =>
  new LambdaApiError(
    'ResourceNotFoundException',
    `Function not found: ${functionArn(account.region, account.accountId, functionName)}${qualifier ? `:${qualifier}` : ''}`,
  );

export const serviceError = (message: string): LambdaApiError => new LambdaApiError('ServiceException', message);

/**
 * Collects constraint violations and reports them the way Lambda's front end does:
 * `2 validation errors detected: Value 'x' at 'timeout' failed to satisfy constraint: …; …`.
 */
export class ValidationErrors {
  private readonly problems: string[] = [];

  add(value: unknown, field: string, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`;
    this.problems.push(`Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw new LambdaApiError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`);
  }
}
