/**
 * JSON error responses. Every failure a client can cause is a 400 `{ error, detail }`; a model the worker cannot
 * serve right now is a 503 with `Retry-After`; only bugs reach the generic 500.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { ModelUnavailableError, UnknownVersionError } from '../runtime/model-store';
import { UnknownAttributeError } from './attributes';
import { issuesDetail } from './params';

/**
 * Every `error` code the API answers with, by status, and what it means: jsonError takes only these, so the OpenAPI
 * document (src/http/openapi.ts), which lists them from here, names every code a client can meet.
 */
export const ERROR_CODES = {
  400: {
    invalid_param: 'a path parameter is malformed (the seed is empty or too long)',
    invalid_query: 'a query parameter is malformed, out of range, or neither the route\'s nor one of the model\'s attributes',
    unknown_version: '`v` names a model version the manifest does not list',
  },
  404: { not_found: 'no such route, or no such file' },
  429: { rate_limited: 'this client rendered too many uncached faces lately; cached images are still served' },
  500: { internal: 'a bug in the worker' },
  503: {
    model_unavailable: 'the model cannot be loaded right now (missing, corrupt or failed to start)',
    overloaded: 'this worker is rendering as many images as it takes at once',
  },
} as const satisfies Partial<Record<ContentfulStatusCode, Record<string, string>>>;

/** A status that has error codes. */
export type ErrorStatus = keyof typeof ERROR_CODES;
/** An error code of `status`, or of any status. */
export type ErrorCode<S extends ErrorStatus = ErrorStatus> = S extends ErrorStatus ? keyof (typeof ERROR_CODES)[S] & string : never;

/**
 * A JSON error body with the given status and one of its codes. The code goes into the request's log line
 * (src/http/observability.ts); the detail, which may quote the request, does not.
 */
export function jsonError<S extends ErrorStatus>(c: Context, status: S, error: ErrorCode<S>, detail: string, headers?: Record<string, string>): Response {
  c.set('errorCode', error);
  return c.json({ error, detail }, status, headers);
}

/** `{ success, error }` as @hono/zod-validator hands it to a hook. */
interface ValidationResult {
  success: boolean;
  error?: ZodError;
  target: string;
}

/** zValidator hook: turns a failed parse into a 400 that names the offending parameter. */
export function onInvalid(result: ValidationResult, c: Context): Response | undefined {
  if (result.success || !result.error) return undefined;
  return jsonError(c, 400, result.target === 'param' ? 'invalid_param' : 'invalid_query', issuesDetail(result.error));
}

/** App-wide error handler for errors thrown by route handlers; a bug's stack goes into the request's log line. */
export const onError: ErrorHandler = (err, c) => {
  if (err instanceof UnknownVersionError) return jsonError(c, 400, 'unknown_version', err.message);
  // Same code as any other unknown query parameter: attribute names are query keys checked against the model.
  if (err instanceof UnknownAttributeError) return jsonError(c, 400, 'invalid_query', err.message);
  if (err instanceof ModelUnavailableError) {
    return jsonError(c, 503, 'model_unavailable', err.message, { 'Retry-After': String(err.retryAfterSeconds), 'Cache-Control': 'no-store' });
  }
  c.set('exception', err);
  return jsonError(c, 500, 'internal', 'unexpected error');
};

/** 404 for every route the app does not define. */
export const onNotFound: NotFoundHandler = (c) => jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
