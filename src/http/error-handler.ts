// The one place where errors become HTTP responses: ApiError as is, body-parser and
// pg errors mapped to their meaning (src/db/db-errors.ts), anything else a logged 500 without details.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '../kernel/api-error.js';
import { Overloaded, RateLimited } from '../kernel/rate-limited.js';
import { loggablePath } from './request-log.js';
import { dbFaultKind } from '../db/db-errors.js';

// zlib (gzip, deflate) and brotli failures: a Content-Encoding the body does not match.
const DECOMPRESSION_CODES = /^(Z_|ERR__ERROR_|ERR_BROTLI_|ERR_ZSTD_)/;

export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof RateLimited) return ApiError.resourceExhausted(err.message, err.retryAfterSeconds);
  if (err instanceof Overloaded) return new ApiError(503, 'UNAVAILABLE', err.message, { 'Retry-After': String(err.retryAfterSeconds) });
  // A body check passed to jsonBody() refuses with the ApiError it carries (body-parser
  // wraps whatever its verify hook throws).
  const carried = (err as { answer?: unknown } | undefined)?.answer;
  if (carried instanceof ApiError) return carried;
  const e = err as { type?: string; status?: number; code?: string; message?: string };
  switch (e?.type) {
    case 'entity.parse.failed':
      return ApiError.invalidArgument('The request body is not valid JSON.');
    case 'entity.too.large':
      return ApiError.payloadTooLarge('The request body is larger than the 64 KiB limit.');
    case 'encoding.invalid':
      return ApiError.invalidArgument('The request body is not valid UTF-8.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return ApiError.unsupportedMediaType('The request body must be UTF-8 encoded JSON.');
    case 'request.aborted':
    case 'request.size.invalid':
      return ApiError.invalidArgument('The request body was incomplete.');
  }
  // Client errors of express and zlib, whose own messages are not ours to show: a path
  // segment that is not valid percent-encoding, a body that does not decompress.
  if (err instanceof URIError) return ApiError.invalidArgument('The request path is not validly percent-encoded.');
  if (typeof e?.code === 'string' && DECOMPRESSION_CODES.test(e.code)) {
    return ApiError.invalidArgument('The request body could not be decoded with its Content-Encoding.');
  }
  // Any other request error of body-parser or express (http-errors, exposed as a 400).
  if (e?.status === 400 && (err as { expose?: unknown }).expose === true) return ApiError.invalidArgument('The request could not be read.');
  if (e?.code === '23505') return ApiError.alreadyExists('A resource with these values already exists.');
  if (e?.code === '22P02' || e?.code === '22021') return ApiError.invalidArgument('A value in the request is malformed.');
  // Database faults (down, hung, read-only, full, locked): nothing was half-written, since
  // each change is one transaction; the client may retry.
  const fault = dbFaultKind(err);
  if (fault === 'retry') return ApiError.aborted();
  if (fault === 'unavailable') return ApiError.unavailable();
  return undefined;
}

/** A fault the client should retry (database down, hung, read-only, full, or a conflict): OAuth's temporarily_unavailable. */
export function isTemporaryFault(err: unknown): boolean {
  const apiError = toApiError(err);
  return apiError?.code === 503 || apiError?.status === 'ABORTED';
}

export function sendApiError(res: Parameters<RequestHandler>[1], err: ApiError): void {
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  // details: [] as google.rpc.Status has it (Sinch's OpenAPI description lists it).
  res.status(err.code).json({ error: { code: err.code, message: err.message, status: err.status, details: [] } });
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    let apiError = toApiError(err);
    if (!apiError) {
      log.error({ err, method: req.method, path: loggablePath(req) }, 'unhandled error');
      apiError = ApiError.internal();
    } else if (apiError.code >= 500) {
      log.warn({ code: (err as { code?: string }).code, path: loggablePath(req) }, apiError.message);
    }
    sendApiError(res, apiError);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(ApiError.notFound(`No route for ${req.method} ${req.path}.`));
};
