/**
 * The management APIs' errors as API Gateway sends them: the code in `x-amzn-ErrorType`, the
 * body `{"message": "..."}`. The SDKs read the code from the header and the message from the
 * body, so both must be exact for clients to branch on them.
 */

const STATUS: Record<string, number> = {
  BadRequestException: 400,
  UnauthorizedException: 401,
  AccessDeniedException: 403,
  IncompleteSignatureException: 403,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  LimitExceededException: 429,
  TooManyRequestsException: 429,
  PayloadTooLargeException: 413,
  SerializationException: 400,
  ServiceUnavailableException: 503,
  NotImplementedException: 501,
  InternalServerErrorException: 500,
};

export class ManagementError extends Error {
  override readonly name = 'ManagementError';
  readonly statusCode: number;

  constructor(
    readonly code: string,
    message: string,
    statusCode?: number,
  ) {
    super(message);
    this.statusCode = statusCode ?? STATUS[code] ?? 400;
  }
}

export const badRequest = (message: string): ManagementError => new ManagementError('BadRequestException', message);
export const notFound = (message: string): ManagementError => new ManagementError('NotFoundException', message);
export const conflict = (message: string): ManagementError => new ManagementError('ConflictException', message);
