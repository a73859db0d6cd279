// The one error type of the HTTP APIs, with a factory per Google-style status.
// The error handler (error-handler.ts) turns it into {"error":{code,message,status}}.
export type ApiStatus =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ABORTED'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: ApiStatus,
    message: string,
    /** Extra response headers, e.g. WWW-Authenticate or Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static invalidArgument(message: string) {
    return new ApiError(400, 'INVALID_ARGUMENT', message);
  }
  static unauthenticated(message: string, challenge: string) {
    return new ApiError(401, 'UNAUTHENTICATED', message, { 'WWW-Authenticate': challenge });
  }
  static permissionDenied(message: string) {
    return new ApiError(403, 'PERMISSION_DENIED', message);
  }
  static notFound(message: string) {
    return new ApiError(404, 'NOT_FOUND', message);
  }
  static alreadyExists(message: string) {
    return new ApiError(409, 'ALREADY_EXISTS', message);
  }
  /** A conflict with a concurrent change (serialization failure, deadlock): retrying is right. */
  static aborted(message = 'The request conflicted with a concurrent change and was not applied. Retry it.') {
    return new ApiError(409, 'ABORTED', message, { 'Retry-After': '1' });
  }
  static failedPrecondition(message: string) {
    return new ApiError(412, 'FAILED_PRECONDITION', message);
  }
  // The status names are google.rpc.Code values (Sinch's API answers with those only); the
  // HTTP status still says 413 / 415. Neither is retriable as is: the request must change.
  static payloadTooLarge(message: string) {
    return new ApiError(413, 'INVALID_ARGUMENT', message);
  }
  static unsupportedMediaType(message: string) {
    return new ApiError(415, 'INVALID_ARGUMENT', message);
  }
  static resourceExhausted(message: string, retryAfterSeconds: number) {
    return new ApiError(429, 'RESOURCE_EXHAUSTED', message, { 'Retry-After': String(retryAfterSeconds) });
  }
  static internal() {
    return new ApiError(500, 'INTERNAL', 'An internal error occurred. It has been logged; please try again.');
  }
  static unavailable(message = 'The service is temporarily unavailable. Please retry shortly.') {
    return new ApiError(503, 'UNAVAILABLE', message, { 'Retry-After': '5' });
  }
}
