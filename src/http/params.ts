/** Zod schemas for path and query parameters shared by the routes. */
import { z, type ZodError } from 'zod';
import { DEFAULT_QUALITY, FORMATS, IMAGE_FORMATS, LOSSY_FORMATS, type Encoding, type ImageFormat } from '../runtime/encode';
import { VERSION_PATTERN } from '../runtime/manifest';

/**
 * What a failed parse says to the client (a 400's detail, or the browser client's RangeError): `name: message` for
 * each issue, so that it names the offending parameter, joined by `; `.
 */
export function issuesDetail(error: ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** Longest seed accepted, in UTF-8 bytes. */
const MAX_SEED_BYTES = 256;

const utf8 = new TextEncoder();

/** A seed string of 1–256 UTF-8 bytes. */
export const seed = z
  .string()
  .min(1, 'seed is empty')
  .refine((s) => utf8.encode(s).length <= MAX_SEED_BYTES, `seed is longer than ${MAX_SEED_BYTES} UTF-8 bytes`);

/** An integer query parameter in [min, max]. Digits only: no signs, decimals or exponents. */
function integer(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,6}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** An integer query parameter in [min, max], `fallback` when absent. */
export function intParam(min: number, max: number, fallback: number) {
  return integer(min, max).default(String(fallback));
}

/** `shape`: square (default) or circle. */
export const shape = z.enum(['square', 'circle']).default('square');

/** `width`, `height`: a side of the frame in CSS pixels (before `dpr`). */
const side = integer(16, 512).optional();

/** `fit`: how a face fills a frame of another aspect; `cover` crops it, `contain` pads it. */
const fit = z.enum(['cover', 'contain']).default('cover');

/** `background`: a colour as RRGGBB hex (either case), or `transparent`. */
const background = z
  .string()
  .regex(/^([0-9a-fA-F]{6}|transparent)$/, 'must be a colour as 6 hex digits (RRGGBB, no #) or transparent')
  .transform((s) => s.toLowerCase())
  .optional();

/** `dpr`: device pixel ratio 1–3; the image is the frame's size times it. */
const dpr = intParam(1, 3, 1);

/** `grayscale`: a flag (`?grayscale`, `grayscale=1`; `grayscale=0` is off). */
const grayscale = z
  .enum(['', '1', '0'], { errorMap: () => ({ message: 'is a flag: grayscale, grayscale=1 or grayscale=0' }) })
  .transform((s) => s !== '0')
  .optional();

/** `blur`: σ of a Gaussian blur in output pixels, 1–10. */
const blur = integer(1, 10).optional();

/** The frame parameters every image route takes (src/http/frame-query.ts turns them into a frame). */
const effects = { background, dpr, grayscale, blur };

/** `quality` of a lossy format, 1–100; absent means {@link DEFAULT_QUALITY}. */
export const quality = integer(1, 100).optional();

/**
 * The `/face/:seed` path segment: the seed, and the format a trailing `.png`, `.webp`, `.jpg` or `.jpeg` names (only
 * the last one, lower case: `/face/x.webp.png` is the seed "x.webp" as PNG).
 */
export const facePath = z
  .object({ seed: z.string() })
  .transform(({ seed }) => splitExtension(seed))
  .pipe(z.object({ seed, extension: z.enum(FORMATS).optional() }));

/** The `/latent/:seed` path. */
export const latentPath = z.object({ seed });

/** A path segment's seed and the format of its extension, if it has one of the image extensions. */
export function splitExtension(segment: string): { seed: string; extension?: ImageFormat } {
  const match = /\.(png|webp|jpe?g)$/.exec(segment);
  if (!match) return { seed: segment };
  return { seed: segment.slice(0, match.index), extension: match[1] === 'jpg' ? 'jpeg' : (match[1] as ImageFormat) };
}

/** What makes an image transparent, for the message when its format cannot be: a circle, or a transparent padding. */
export type Transparency = 'shape' | 'background' | null;

/**
 * The encoding of a request, or why the combination is refused (a 400): `quality` only for the lossy formats, and no
 * transparency (a circle without a background colour, or `background=transparent` padding) as JPEG.
 */
export function encodingOf(format: ImageFormat, quality: number | undefined, transparency: Transparency): Encoding | { error: string } {
  const { lossy, alpha } = IMAGE_FORMATS[format];
  if (!lossy && quality !== undefined) {
    return { error: `quality: ${format} is lossless; quality applies to ${LOSSY_FORMATS.join(' and ')}` };
  }
  if (transparency === 'shape' && !alpha) return { error: `shape: circle needs transparency, which ${format} cannot store; use png or webp, shape=square, or a background colour` };
  if (transparency === 'background' && !alpha) return { error: `background: transparent needs an alpha channel, which ${format} cannot store; use png or webp, or a colour` };
  return { format, quality: lossy ? (quality ?? DEFAULT_QUALITY) : 0 };
}

/** `/face`'s `format`: a file format, or `auto` for the best one the request's `Accept` allows. */
export type FaceFormat = ImageFormat | 'auto';

/**
 * The format `auto` picks for a request's `Accept` header: WebP where the client lists it (with a non-zero q), PNG
 * otherwise (every client shows PNG; JPEG cannot carry a circle's transparency).
 */
export function negotiateFormat(accept: string | undefined): ImageFormat {
  const webp = (accept ?? '').split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    return type === 'image/webp' && (q === undefined || Number(q.slice(2)) > 0);
  });
  return webp ? 'webp' : 'png';
}

/**
 * The encoding of a `/face` request: the path's extension and `format` must agree (`auto` with an extension is a
 * contradiction too); neither means PNG; `auto` is resolved from `accept`.
 */
export function faceEncoding(extension: ImageFormat | undefined, query: { format?: FaceFormat; quality?: number }, transparency: Transparency, accept: string | undefined): Encoding | { error: string } {
  if (extension && query.format && extension !== query.format) return { error: `format: ${query.format} contradicts the path's .${IMAGE_FORMATS[extension].extension} extension` };
  const format = query.format === 'auto' ? negotiateFormat(accept) : (extension ?? query.format ?? 'png');
  return encodingOf(format, query.quality, transparency);
}

/** The encoding of an `/interpolate` request: `strip` and `apng` are PNG, `webp` and `jpeg` a strip in that format. */
export function interpolateEncoding(query: { format: 'strip' | 'apng' | 'webp' | 'jpeg'; quality?: number }, transparency: Transparency): Encoding | { error: string } {
  return encodingOf(query.format === 'strip' || query.format === 'apng' ? 'png' : query.format, query.quality, transparency);
}

/** ETag part of an encoding: empty for PNG, so PNG URLs keep the ETags they always had. */
export function encodingTag({ format, quality }: Encoding): string {
  return IMAGE_FORMATS[format].lossy ? `-${format}-q${quality}` : '';
}

/** Cache-key query part of an encoding's quality: empty for PNG, like {@link encodingTag}. */
export function qualityQuery({ format, quality }: Encoding): string {
  return IMAGE_FORMATS[format].lossy ? `&quality=${quality}` : '';
}

/** `v`: a model version name; whether it exists is checked against the manifest. */
export const version = z.string().regex(VERSION_PATTERN, 'not a version name').optional();

/** Largest attribute strength accepted, either sign (the API's contract; the training side suggests the same). */
export const MAX_STRENGTH = 2;

/**
 * An attribute strength: a plain decimal in [-2, 2] (`0.8`, `-.5`, `%2B1.250`; no exponent; at most 3 decimals
 * besides trailing zeros), as a number. Every accepted spelling of a value parses to the same double (`0.80`, `+0.8`,
 * `.8`; `-0` becomes 0), so equal values share an ETag and a cache entry. A literal `+` in a query is a space.
 */
export const strength = z
  .string()
  .regex(/^[+-]?([0-9]{1,3}(\.[0-9]{0,3}0{0,9})?|\.[0-9]{1,3}0{0,9})$/, `must be a decimal number in [-${MAX_STRENGTH}, ${MAX_STRENGTH}] with at most 3 decimals (attribute strength)`)
  .transform((s) => Number(s) + 0)
  .pipe(z.number().min(-MAX_STRENGTH).max(MAX_STRENGTH));

/**
 * The query schema of a route whose images can be shifted along attributes: the route's own parameters `fixed`,
 * and any other key as an attribute strength. Which names are attributes depends on the model, so the route
 * checks them against the manifest (src/http/attributes.ts); the valid keys are {@link routeKeys} plus the
 * model's attribute names (GET /attributes).
 */
export function withAttributes<T extends z.ZodRawShape>(fixed: T) {
  // zod builds its output by assignment, where a `__proto__` key vanishes instead of reaching the name check.
  return z.preprocess((raw, ctx) => {
    if (raw !== null && typeof raw === 'object' && Object.hasOwn(raw, '__proto__')) ctx.addIssue({ code: 'custom', message: '__proto__: unknown parameter' });
    return raw;
  }, z.object(fixed).catchall(strength));
}

/** A {@link withAttributes} schema. */
export type AttributeQuerySchema = ReturnType<typeof withAttributes>;

/** The route's own parameter names of a {@link withAttributes} schema (every other key is an attribute). */
export function routeKeys(schema: AttributeQuerySchema): string[] {
  return Object.keys(schema.innerType().shape);
}

/** The attribute strengths of a query parsed by a {@link withAttributes} schema: every key it does not name. */
export function attributeStrengths(query: Record<string, unknown>, schema: AttributeQuerySchema): Record<string, number> {
  const own = routeKeys(schema);
  return Object.fromEntries(Object.entries(query).filter(([key]) => !own.includes(key))) as Record<string, number>;
}

/** `GET /face/:seed` query. */
export const faceQuery = withAttributes({
  size: side,
  width: side,
  height: side,
  fit,
  shape,
  ...effects,
  format: z.enum([...FORMATS, 'auto']).optional(),
  quality,
  v: version,
});

/** `GET /interpolate` query. */
export const interpolateQuery = withAttributes({
  from: seed,
  to: seed,
  steps: intParam(2, 16, 8),
  size: integer(16, 256).optional(),
  format: z.enum(['strip', 'apng', 'webp', 'jpeg']).default('strip'),
  quality,
  shape,
  ...effects,
  v: version,
});

/** `GET /latent/:seed` query. */
export const latentQuery = withAttributes({ v: version });

/** `GET /attributes` query. */
export const attributesQuery = z.object({ v: version }).strict();
