/**
 * The typed URL builder of seedface.js: `faceUrl(seed, options)` and `interpolateUrl(from, to, options)` write the
 * URLs of `GET /face/:seed` and `GET /interpolate`. Their option types are read off the zod schemas the routes
 * validate with (src/http/params.ts), as types only: a misspelt option, a string where the route reads a number or
 * a value outside an enum is a type error, and no byte of zod reaches the browser. Ranges are the route's to check
 * (a 400 that names the parameter).
 *
 * ```ts
 * faceUrl('alice', { size: 64, shape: 'circle', attributes: { smile: 0.8 } });
 * // → https://<worker>/face/alice.png?size=64&shape=circle&smile=0.8
 * ```
 */
import type { z } from 'zod';
import { frameSides, MAX_SIDE, type Sides } from '../src/http/frame-size';
import type { faceQuery, interpolateQuery } from '../src/http/params';

/** The route's own parameters (not the attribute strengths) of a `withAttributes` schema. */
type RouteShape<S> = S extends z.ZodEffects<z.ZodObject<infer Shape, z.UnknownKeysParam, z.ZodTypeAny>, unknown, unknown> ? Shape : never;

/**
 * A route's own parameters as the route reads them once parsed (numbers, enums, flags), each optional: the query's
 * raw input is strings only, so `z.input` would take `size: '64'` and refuse `size: 64`.
 */
type RouteOptions<S> = { [K in keyof RouteShape<S>]?: Exclude<z.output<RouteShape<S>[K]>, undefined> };

/** Attribute strengths by name, −2…2 (the model's names: `GET /attributes`). */
interface Strengths {
  attributes?: Readonly<Record<string, number>>;
}

/** Options of {@link faceUrl}: every parameter of `GET /face/:seed`, and attribute strengths. */
export type FaceUrlOptions = RouteOptions<typeof faceQuery> & Strengths;

/** Options of {@link interpolateUrl}: every parameter of `GET /interpolate` but the two seeds, and attribute strengths. */
export type InterpolateUrlOptions = Omit<RouteOptions<typeof interpolateQuery>, 'from' | 'to'> & Strengths;

/** A query's value as the route parses it back: numbers and strings as written, a flag as 1 or 0. */
export type QueryValue = string | number | boolean;

/**
 * The worker this module was loaded from (it is served at `<worker>/web/`), so that a page on any origin that
 * imports it gets URLs of that worker.
 */
export const SERVICE = new URL('../', import.meta.url);

/** `path` under `base` (a worker's origin, with its path prefix if any) with `query`'s defined values, flags as 1 or 0. */
export function serviceUrl(path: string, query: Readonly<Record<string, QueryValue | undefined>>, base: URL | string = SERVICE): string {
  const root = new URL(base);
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  const url = new URL(path, root);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.append(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return url.href;
}

/** A seed that ends like a format extension: `/face/<seed>` would read the end as the format. */
const EXTENSION_LIKE = /\.(png|webp|jpe?g)$/;

/**
 * The URL of `GET /face/:seed` for a query as the route reads it (attribute strengths among the other parameters):
 * the format is the path's extension (`.png` by default), or `?format=auto`, which needs a seed that does not end
 * like an extension (a RangeError otherwise). Untyped: `<seedface-avatar>` passes its attributes' strings, which the
 * route checks.
 */
export function queryFaceUrl(seed: string, query: Readonly<Record<string, QueryValue | undefined>>, base: URL | string = SERVICE): string {
  const { format = 'png', ...rest } = query;
  const name = encodeURIComponent(seed);
  if (format !== 'auto') return serviceUrl(`face/${name}.${format}`, rest, base);
  if (EXTENSION_LIKE.test(seed)) throw new RangeError('format: auto needs a seed that does not end in .png, .webp, .jpg or .jpeg');
  return serviceUrl(`face/${name}`, { ...rest, format }, base);
}

/**
 * The URL of `GET /face/:seed` for `options`, on the worker this module came from unless `base` names another (an
 * origin, with the worker's path prefix if it has one). The format is the path's extension (`.png` by default), or
 * `?format=auto`. Throws a RangeError for `format: 'auto'` with a seed that ends like an extension (hash the seed).
 */
export function faceUrl(seed: string, options: FaceUrlOptions = {}, base: URL | string = SERVICE): string {
  const { attributes, ...query } = options;
  return queryFaceUrl(seed, { ...query, ...attributes }, base);
}

/**
 * A `srcset` for 1×, 2× and 3× screens of a face laid out at `sides` CSS pixels, `urlAt(dpr)` being its URL at that
 * pixel ratio: the ratios that keep it within the route's 512 px a side.
 */
export function srcsetOf(sides: Sides, urlAt: (dpr: number) => string): string {
  return [1, 2, 3]
    .filter((dpr) => Math.max(...sides) * dpr <= MAX_SIDE.face)
    .map((dpr) => `${urlAt(dpr)} ${dpr}x`)
    .join(', ');
}

/**
 * The `srcset` of {@link faceUrl}'s face for 1×, 2× and 3× screens (`dpr` 2 and 3, as far as 512 px allow): with
 * `src` = faceUrl(seed, options) and `width` and `height` from the options, an `<img>` sharp on every screen.
 */
export function faceSrcset(seed: string, options: FaceUrlOptions = {}, base: URL | string = SERVICE): string {
  return srcsetOf(frameSides(options), (dpr) => faceUrl(seed, dpr === 1 ? options : { ...options, dpr }, base));
}

/** The URL of `GET /interpolate` from seed `from` to seed `to` for `options`, on the worker as in {@link faceUrl}. */
export function interpolateUrl(from: string, to: string, options: InterpolateUrlOptions = {}, base: URL | string = SERVICE): string {
  const { attributes, ...query } = options;
  return serviceUrl('interpolate', { from, to, ...query, ...attributes }, base);
}
