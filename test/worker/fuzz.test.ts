/**
 * Property-based fuzzing (fast-check) of every route through one worker. Requests are generated from the app's own
 * query schemas (src/http/params.ts: their keys and the values each key accepts) and the model's versions and
 * attribute names (manifest), mixed with wrong types, out-of-range values, repeats, unknown keys and
 * arbitrary Unicode seeds, and sent BATCH at a time, concurrently, to one Miniflare instance.
 *
 * Cases per run (numRuns × BATCH): /face 4,000 · /interpolate 2,500 · /latent 1,500 · /attributes 500 ·
 * other and mangled paths 1,500 = 10,000. FUZZ_SEED=<n> replays a run (a failure names its request and seed).
 *
 * Every response: status 200, 304 (only for If-None-Match) or 400/404 with a JSON `{error, detail}` body (503 would
 * mean the model is absent, which it is not here, or more image requests in flight than the worker's load-shedding
 * limit, which one batch at a time stays under), or the rate limiter's 429 (JSON `rate_limited`, Retry-After,
 * no-store) where the request would have rendered and only for the one HOT_CLIENT: the worker has the rate-limit
 * binding at FUZZ_RATE_LIMIT, one request in six comes from HOT_CLIENT, which goes over it, and every other one from
 * an address of its own, which never does; an image route's 200 is a valid PNG/APNG (scripts/lib/png-reader.ts
 * checks every CRC and inflates every row), WebP or JPEG (container read by test/support/image-formats.ts, pixels
 * decoded by libwebp's and mozjpeg's decoders) of the format, size and alpha the request asks for; each answer
 * comes within HANG_MS.
 * Requests spelt canonically (encodeURIComponent, no dot segments) must also get exactly the status, error code
 * and image the schemas imply; mangled ones (raw seeds and query strings) only the invariants above.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ZodDefault, ZodEffects, ZodEnum, ZodOptional, ZodPipeline } from 'zod';
import { currentEntry, readManifest } from '../../scripts/lib/models-dir';
import { nodeDecoders } from '../../scripts/lib/node-codecs';
import { decodePng } from '../../scripts/lib/png-reader';
import { MAX_IN_FLIGHT } from '../../src/http/load-shedding';
import {
  attributesQuery,
  faceEncoding,
  faceQuery,
  interpolateEncoding,
  interpolateQuery,
  latentQuery,
  seed as seedSchema,
  splitExtension,
} from '../../src/http/params';
import { resolveFrame, transparencyOf, type FrameQuery } from '../../src/http/frame-query';
import { MAX_SIDE } from '../../src/http/frame-size';
import { IMAGE_FORMATS, type Encoding, type ImageFormat } from '../../src/runtime/encode';
import { isOpaque, type Frame } from '../../src/runtime/frame';
import { useWorker } from '../support/fixtures';
import { jpegInfo, webpInfo } from '../support/image-formats';

/** Low enough that HOT_CLIENT's share of renders goes over it within each test, however slow the machine. */
const FUZZ_RATE_LIMIT = { limit: 20, period: 60 } as const;
const worker = useWorker({ models: true, rateLimit: FUZZ_RATE_LIMIT });

/** The one client address that sends many requests; every other request comes from an address of its own. */
const HOT_CLIENT = '192.0.2.1';
/** Whether a request comes from HOT_CLIENT (one in six). */
const hotArb = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
let ownAddresses = 0;
/** An address no request has come from yet (10.0.0.0/8 has room for every request of a run). */
function ownAddress(): string {
  const n = ownAddresses++;
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

let decoders: Awaited<ReturnType<typeof nodeDecoders>>;
beforeAll(async () => {
  decoders = await nodeDecoders();
});

/** Requests in flight together. */
const BATCH = 50;
/** A response slower than this counts as a hang (a liveness bound, not a speed target: bench/ measures speed). */
const HANG_MS = 30_000;

const manifest = readManifest();
const versions = manifest.models.map((m) => m.version);
const model = currentEntry();
const attributeNames: string[] = manifest.models.find((m) => m.version === manifest.current)?.attributes ?? [];

// ---------------------------------------------------------------------------------------------------------------
// What the schemas accept

type QuerySchema = z.ZodTypeAny;

/** The object schema inside a query schema's preprocessing or refinements. */
function objectOf(schema: QuerySchema): z.AnyZodObject {
  return schema instanceof ZodEffects ? objectOf(schema.innerType()) : (schema as z.AnyZodObject);
}

/** The route's own query keys. */
const ownKeys = (schema: QuerySchema) => Object.keys(objectOf(schema).shape);

/** The schema of `key` in `schema`: its own field, else the catch-all (attribute strengths), else none (strict). */
function fieldOf(schema: QuerySchema, key: string): z.ZodTypeAny | undefined {
  const object = objectOf(schema);
  if (Object.hasOwn(object.shape, key)) return object.shape[key];
  const catchall = object._def.catchall as z.ZodTypeAny;
  return catchall._def.typeName === 'ZodNever' ? undefined : catchall;
}

/** Enum values anywhere inside a field's wrappers (default, optional, transforms, pipes). */
function enumValues(t: z.ZodTypeAny): string[] {
  if (t instanceof ZodEnum) return t.options;
  if (t instanceof ZodDefault) return enumValues(t.removeDefault());
  if (t instanceof ZodOptional) return enumValues(t.unwrap());
  if (t instanceof ZodEffects) return enumValues(t.innerType());
  if (t instanceof ZodPipeline) return [...enumValues(t._def.in), ...enumValues(t._def.out)];
  return [];
}

const SCHEMAS = [faceQuery, interpolateQuery, latentQuery, attributesQuery];

/** Integers above this make images that cost noticeably more to render, encode and check. */
const CHEAP = 48;

/**
 * Spellings tried for every key; the schema sorts them into valid and not. Integers are dense where images are
 * cheap and sparse (every limit ±1) where they are not, to keep the suite's time modest.
 */
const SPELLINGS = [
  ...Array.from({ length: CHEAP + 1 }, (_, i) => String(i)),
  ...['64', '99', '100', '101', '128', '255', '256', '257', '511', '512', '513', '1000', '999999', '1000000'],
  ...['-0', '+0', '-1', '-2', '-2.001', '2.001', '-1.5', '-0.5', '.5', '0.25', '0.8', '+1.250', '1.999', '2.0', '2.0000', '0.1234', '3', '1e0'],
  ...['12.5', '1e2', '0x20', '+16', ' 16', '16 ', '0016', '99999999999999999999', 'NaN', 'Infinity', 'true', 'null', '[]', '%', ''],
  ...new Set(SCHEMAS.flatMap((s) => Object.values(objectOf(s).shape as Record<string, z.ZodTypeAny>).flatMap(enumValues))),
  ...versions,
  ...['nope', 'v2', 'BAD!', `${versions[0]} `, 'alice', 'bob', 'x'.repeat(256), 'x'.repeat(257)],
  ...['ff0000', 'FFFFFF', '00ff7F', 'transparent', 'Transparent', '#ff0000', 'fff', 'zzzzzz', 'ff00001'],
];

/** Keys that are not in any schema and not attributes, among them names that are special to JavaScript objects. */
const STRANGE_KEYS = ['colour', 'SIZE', 'Size', 'size ', 'v[]', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', ''];

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

const utf8 = new TextEncoder();

/** Seeds: arbitrary Unicode, empty, 1 byte, at and over the 256-byte limit (straddling multi-byte), path-like. */
const seedArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 60, maxLength: 140 }) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 250, max: 258 }), fc.constantFrom('', 'é', '€', '😀')).map(([n, c]) => 'x'.repeat(n - utf8.encode(c).length + 1) + c) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom('..', '.', '/', '\\', '%', '%2F', '%2e', '%ZZ', '%E0%A4', '\0', '?', '#', '&', '=', '+', ' ', 'a', 'é', '.png', '.webp', '.jpg'), { maxLength: 8 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('a', '.png', 'a.png', 'a.png.png', 'a.PNG', '.webp', 'a.jpeg.webp', 'a.JPG', '\0', 'é'.repeat(128), 'é'.repeat(129), '😀'.repeat(64), '😀'.repeat(65)) },
);

/**
 * A value for `key` of `schema`: mostly one the schema accepts (when it accepts any), else anything. Among valid
 * integers the smallest few are likeliest, then the rest up to CHEAP, and larger ones (the limits) least: a face
 * costs about the same to decode whatever its size, so `steps` matters as much as `size`.
 */
function valueArb(schema: QuerySchema, key: string): fc.Arbitrary<string> {
  const field = fieldOf(schema, key);
  // The schema takes any version-shaped name; which versions exist is the manifest's say.
  const exists = (s: string) => key !== 'v' || versions.includes(s);
  const valid = field ? SPELLINGS.filter((s) => field.safeParse(s).success && exists(s)) : [];
  const numbers = valid.filter((s) => /^[0-9]+$/.test(s)).sort((a, b) => Number(a) - Number(b));
  const tiers = [
    [...valid.filter((s) => !numbers.includes(s)), ...numbers.slice(0, 4)],
    numbers.slice(4).filter((s) => Number(s) <= CHEAP),
    numbers.slice(4).filter((s) => Number(s) > CHEAP),
  ];
  const anything = fc.oneof(fc.constantFrom(...SPELLINGS), seedArb);
  return fc.oneof(
    ...[8, 4, 1].flatMap((weight, i) => (tiers[i].length ? [{ weight, arbitrary: fc.constantFrom(...tiers[i]) }] : [])),
    { weight: 3, arbitrary: anything },
  );
}

/**
 * How often each own key is present, as fast-check's option frequency (present `freq` times to absent once): 5 by
 * default, since a missing key takes its default, which for sizes is an expensive 128 px; `quality` half the time,
 * since with PNG (most formats drawn) it is refused and would leave few images to check; the frame's keys half the
 * time too (`size` beside `width` or `height` is refused, and so are most combinations of many frame options).
 */
const PRESENCE: Record<string, number> = { quality: 1, size: 1, width: 1, height: 1, fit: 1, background: 1, dpr: 1, grayscale: 1, blur: 1 };

/** Query pairs for `schema`: its own keys as {@link PRESENCE} says, attributes and unknown keys now and then, repeats, in any order. */
function queryArb(schema: QuerySchema): fc.Arbitrary<Array<[string, string]>> {
  const keys = ownKeys(schema);
  const pair = (key: string) => valueArb(schema, key).map((v): [string, string] => [key, v]);
  const own = fc.tuple(...keys.map((k) => fc.option(pair(k), { freq: PRESENCE[k] ?? 5 }))).map((ps) => ps.filter((p) => p !== null));
  const extraPair = fc.oneof(
    ...(attributeNames.length ? [{ weight: 6, arbitrary: fc.constantFrom(...attributeNames).chain(pair) }] : []),
    { weight: 1, arbitrary: fc.constantFrom(...keys).chain(pair) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...STRANGE_KEYS), fc.string({ unit: 'binary', maxLength: 8 })), valueArb(schema, '')) },
  );
  return fc.tuple(own, fc.array(extraPair, { maxLength: 2 })).chain(([o, e]) => fc.shuffledSubarray([...o, ...e], { minLength: o.length + e.length }));
}

/** How a request is spelt: canonically (exact expectations) or mangled (invariants only). */
const spellingArb = fc.constantFrom<'canonical' | 'mangled'>('canonical', 'canonical', 'canonical', 'canonical', 'mangled');

/** If-None-Match: mostly none; `*` must turn an image 200 into a 304. */
const inmArb = fc.constantFrom<string | undefined>(undefined, undefined, undefined, undefined, undefined, undefined, '*', '"nope"', 'W/"x", "y"');

interface FuzzRequest {
  path: string;
  inm?: string;
  /** What the worker must answer, when the request was spelt canonically. */
  expected?: Expected;
}

/** The exact answer the schemas imply for a canonical request. */
type Expected = { status: 400; error: string } | { status: 404; error: 'not_found' } | { status: 304 } | { status: 200; json?: true };

/** An empty path segment matches no route (`/face/`), so an empty seed is a 404 there. */
const NO_ROUTE: Expected = { status: 404, error: 'not_found' };

interface ImageShape {
  format: ImageFormat;
  width: number;
  height: number;
  alpha: boolean;
  frames: number;
}

function encodeQuery(pairs: Array<[string, string]>, spelling: 'canonical' | 'mangled'): string {
  const enc = spelling === 'canonical' ? encodeURIComponent : (s: string) => s;
  return pairs.length ? `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle: what the schemas say a request must get

/**
 * The query object @hono/zod-validator hands to the schema: a string per key, an array for a repeated key; Hono's
 * query parser drops parameters with an empty name (`?=2`).
 */
function validatorQuery(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    if (key === '') continue;
    const all = params.getAll(key);
    // defineProperty: a `__proto__` key must be an own property, as it is in the worker, not set the prototype.
    Object.defineProperty(out, key, { value: all.length === 1 ? all[0] : all, enumerable: true, configurable: true, writable: true });
  }
  return out;
}

/** What an image route makes of a parsed query: the frame each face is drawn in and the file's encoding. */
interface ImagePlan {
  frame: Frame;
  encoding: Encoding;
}

type Checked = { error: string } | { query: Record<string, unknown>; plan?: ImagePlan };

/**
 * 400 code, or the parsed query, for `params` under `schema`, in the route's order: the schema, the frame's and the
 * format's rules (`planOf`: the route's own functions of the parsed query), the version, the attribute names.
 */
function checkQuery(schema: QuerySchema, params: URLSearchParams, planOf?: (query: never) => ImagePlan | { error: string }): Checked {
  const parsed = schema.safeParse(validatorQuery(params));
  if (!parsed.success) return { error: 'invalid_query' };
  const query = parsed.data as Record<string, unknown>;
  const plan = planOf?.(query as never);
  if (plan && 'error' in plan) return { error: 'invalid_query' };
  if (typeof query.v === 'string' && !versions.includes(query.v)) return { error: 'unknown_version' };
  const unknown = Object.keys(query).filter((k) => !ownKeys(schema).includes(k) && !attributeNames.includes(k));
  return unknown.length ? { error: 'invalid_query' } : { query, plan };
}

/** The route's frame then encoding of a parsed query (no Accept header is sent: `format=auto` is PNG). */
function planOf(maxSide: number, encodingOf: (query: never, frame: Frame) => Encoding | { error: string }) {
  return (query: never): ImagePlan | { error: string } => {
    const frame = resolveFrame(query as FrameQuery, maxSide);
    if ('error' in frame) return frame;
    const encoding = encodingOf(query, frame);
    return 'error' in encoding ? encoding : { frame, encoding };
  };
}

/** Hono's lenient decoding: the whole string, or else each run of valid escapes on its own. */
function tryDecode(text: string, decode: (s: string) => string): string {
  try {
    return decode(text);
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decode(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * The ways the worker may read a `/face/` URL's seed segment: decoded once (what a canonical URL gets), and for
 * mangled ones also decoded twice (Hono decodes the path, then the parameter) or not at all.
 */
function faceSegmentReadings(url: URL): string[] {
  const raw = url.pathname.slice('/face/'.length);
  return [tryDecode(raw, decodeURIComponent), tryDecode(tryDecode(raw, decodeURI), decodeURIComponent), raw];
}

/** The checked query of an image route's URL; `face` takes its format from `segment`'s extension too. */
function checkImageQuery(route: 'face' | 'interpolate', url: URL, segment = ''): Checked {
  if (route === 'interpolate') return checkQuery(interpolateQuery, url.searchParams, planOf(MAX_SIDE.interpolate, (query, frame) => interpolateEncoding(query, transparencyOf(frame))));
  return checkQuery(faceQuery, url.searchParams, planOf(MAX_SIDE.face, (query, frame) => faceEncoding(splitExtension(segment).extension, query, transparencyOf(frame), undefined)));
}

/** The image a parsed face or interpolation query asks for. */
function imageShape(route: 'face' | 'interpolate', q: Record<string, unknown>, { frame, encoding: { format } }: ImagePlan): ImageShape {
  const { width, height } = frame, alpha = !isOpaque(frame);
  if (route === 'face') return { format, width, height, alpha, frames: 1 };
  const steps = q.steps as number;
  return q.format === 'apng' ? { format, width, height, alpha, frames: 2 * steps - 2 } : { format, width: steps * width, height, alpha, frames: 1 };
}

/** An image route's answer (its PNG is checked against {@link imageShape} for every 200, canonical or not). */
function expectImage(checked: Checked, inm: string | undefined): Expected {
  if ('error' in checked) return { status: 400, error: checked.error };
  return inm === '*' ? { status: 304 } : { status: 200 };
}

const validSeed = (s: string) => seedSchema.safeParse(s).success;

// ---------------------------------------------------------------------------------------------------------------
// Per-route request arbitraries

const BASE = 'http://seedface.test';

/** Canonical only if the URL parser keeps the path as written (a seed of "." or ".." is a dot segment). */
function request(path: string, spelling: 'canonical' | 'mangled', inm: string | undefined, expected: () => Expected): FuzzRequest {
  const url = new URL(BASE + path);
  const kept = spelling === 'canonical' && url.pathname + url.search === path;
  return { path, inm, expected: kept ? expected() : undefined };
}

const faceArb = fc
  .record({ seed: seedArb, suffix: fc.constantFrom('', '', '.png', '.png', '.PNG', '.webp', '.jpg', '.jpeg', '.JPG'), query: queryArb(faceQuery), spelling: spellingArb, inm: inmArb })
  .map(({ seed, suffix, query, spelling, inm }) => {
    const segment = spelling === 'canonical' ? encodeURIComponent(seed) : seed;
    const path = `/face/${segment}${suffix}${encodeQuery(query, spelling)}`;
    return request(path, spelling, inm, () => {
      if (seed + suffix === '') return NO_ROUTE;
      if (!validSeed(splitExtension(seed + suffix).seed)) return { status: 400, error: 'invalid_param' };
      const url = new URL(BASE + path);
      return expectImage(checkImageQuery('face', url, faceSegmentReadings(url)[0]), inm);
    });
  });

const interpolateArb = fc.record({ query: queryArb(interpolateQuery), spelling: spellingArb, inm: inmArb }).map(({ query, spelling, inm }) => {
  const path = `/interpolate${encodeQuery(query, spelling)}`;
  return request(path, spelling, inm, () => expectImage(checkImageQuery('interpolate', new URL(BASE + path)), inm));
});

const latentArb = fc.record({ seed: seedArb, query: queryArb(latentQuery), spelling: spellingArb, inm: inmArb }).map(({ seed, query, spelling, inm }) => {
  const path = `/latent/${spelling === 'canonical' ? encodeURIComponent(seed) : seed}${encodeQuery(query, spelling)}`;
  return request(path, spelling, inm, (): Expected => {
    if (seed === '') return NO_ROUTE;
    if (!validSeed(seed)) return { status: 400, error: 'invalid_param' };
    const checked = checkQuery(latentQuery, new URL(BASE + path).searchParams);
    return 'error' in checked ? { status: 400, error: checked.error } : { status: 200, json: true };
  });
});

const attributesArb = fc.record({ query: queryArb(attributesQuery), spelling: spellingArb, inm: inmArb }).map(({ query, spelling, inm }) => {
  const path = `/attributes${encodeQuery(query, spelling)}`;
  return request(path, spelling, inm, (): Expected => {
    const checked = checkQuery(attributesQuery, new URL(BASE + path).searchParams);
    return 'error' in checked ? { status: 400, error: checked.error } : { status: 200, json: true };
  });
});

/** Any path: route names, dot segments, empty and encoded segments, trailing slashes; any query. Invariants only. */
const otherArb = fc
  .record({
    segments: fc.array(fc.oneof(fc.constantFrom('face', 'interpolate', 'latent', 'attributes', 'healthz', 'models', '', '.', '..', '%2e%2e', '%2F', 'a', 'a.png', '%ZZ', '😀'), seedArb), { maxLength: 4 }),
    query: fc.oneof(queryArb(faceQuery), queryArb(interpolateQuery)),
    spelling: spellingArb,
    inm: inmArb,
  })
  .map(({ segments, query, spelling, inm }): FuzzRequest => ({ path: `/${segments.join('/')}${encodeQuery(query, spelling)}`, inm }));

// ---------------------------------------------------------------------------------------------------------------
// Checking one answer

interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  body: Uint8Array;
}

async function send(req: FuzzRequest, client: string): Promise<Answer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([
      hang,
      (async () => {
        const response = await worker().fetch(req.path, { headers: { 'CF-Connecting-IP': client, ...(req.inm && { 'If-None-Match': req.inm }) } });
        const { status, headers } = response;
        return { status, contentType: headers.get('content-type') ?? '', headers, body: new Uint8Array(await response.arrayBuffer()) };
      })(),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

/** Problems with a 429 to `req` from `client`: only where it would have rendered, only for HOT_CLIENT, the limiter's. */
function rateLimitedProblems(req: FuzzRequest, answer: Answer, client: string): string[] {
  const { pathname } = new URL(BASE + req.path);
  const out: string[] = [];
  if (client !== HOT_CLIENT) out.push(`429 for ${client}, which sent one request`);
  if (!pathname.startsWith('/face/') && pathname !== '/interpolate') out.push(`429 from ${pathname}`);
  if (req.expected && req.expected.status !== 200) out.push(`429 where ${req.expected.status} was due`);
  if (answer.headers.get('retry-after') !== String(FUZZ_RATE_LIMIT.period)) out.push(`429 with Retry-After ${answer.headers.get('retry-after')}`);
  if (answer.headers.get('cache-control') !== 'no-store') out.push(`429 with Cache-Control ${answer.headers.get('cache-control')}`);
  if (!answer.contentType.startsWith('application/json') || !text(answer.body).startsWith('{"error":"rate_limited","detail":"')) {
    out.push(`429 that is not the limiter's JSON: ${answer.contentType} ${text(answer.body).slice(0, 200)}`);
  }
  return out;
}

/** Problems with `answer` to `req` from `client` (empty when it is right). */
function problems(req: FuzzRequest, answer: Answer, client: string): string[] {
  const { status, contentType, body } = answer;
  const out: string[] = [];
  if (status === 429) return rateLimitedProblems(req, answer, client);
  if (![200, 304, 400, 404].includes(status)) return [`status ${status}: ${text(body).slice(0, 300)}`];
  if (status === 304 && !req.inm) out.push('304 without If-None-Match');
  let error: unknown;
  if (status === 400 || status === 404) {
    try {
      const json = JSON.parse(text(body));
      error = json.error;
      if (typeof json.error !== 'string' || typeof json.detail !== 'string') out.push(`error body without string error/detail: ${text(body).slice(0, 200)}`);
    } catch {
      out.push(`non-JSON ${status}: ${contentType} ${text(body).slice(0, 200)}`);
    }
    if (!contentType.startsWith('application/json')) out.push(`${status} with content-type ${contentType}`);
  }
  const url = new URL(BASE + req.path);
  const imageRoute = url.pathname.startsWith('/face/') ? 'face' : url.pathname === '/interpolate' ? 'interpolate' : null;
  if (status === 200 && (contentType.startsWith('image/') || imageRoute)) {
    if (!imageRoute) out.push(`${contentType} from ${url.pathname}`);
    else {
      // Right under any reading of the path the worker may have made (one for all but mangled /face/ URLs).
      const readings = (imageRoute === 'face' ? faceSegmentReadings(url) : ['']).map((segment) => {
        const checked = checkImageQuery(imageRoute, url, segment);
        if ('error' in checked) return [`200 for a query the schema rejects (${checked.error})`];
        return imageProblems(body, contentType, imageShape(imageRoute, checked.query, checked.plan!));
      });
      if (readings.every((r) => r.length)) out.push(...readings[0]);
    }
  }
  const want = req.expected;
  if (want) {
    if (status !== want.status) out.push(`status ${status}, expected ${want.status}${'error' in want ? ` ${want.error}` : ''}: ${text(body).slice(0, 200)}`);
    else if ('error' in want && error !== want.error) out.push(`error ${String(error)}, expected ${want.error}`);
    else if (want.status === 200 && want.json) {
      if (!contentType.startsWith('application/json')) out.push(`content-type ${contentType}, expected JSON`);
      else if (url.pathname.startsWith('/latent/') && JSON.parse(text(body)).latent?.length !== model.latentSize) out.push('latent of the wrong length');
    }
  }
  return out;
}

/** What an image answer holds, read by a strict parser and (WebP, JPEG) the codec's own decoder. */
function readImage(body: Uint8Array, format: ImageFormat): Omit<ImageShape, 'format'> {
  if (format === 'png') {
    const png = decodePng(body);
    return { width: png.width, height: png.height, alpha: png.colorType === 6, frames: png.frames.length };
  }
  const declared = format === 'webp' ? webpInfo(body) : jpegInfo(body);
  const pixels = decoders[format](body);
  if (pixels.width !== declared.width || pixels.height !== declared.height) throw new Error(`declares ${declared.width}x${declared.height}, decodes to ${pixels.width}x${pixels.height}`);
  return { width: declared.width, height: declared.height, alpha: 'alpha' in declared ? declared.alpha : declared.components === 4, frames: 1 };
}

/** Problems with an image answer that should have `shape`. */
function imageProblems(body: Uint8Array, contentType: string, shape: ImageShape): string[] {
  if (contentType !== IMAGE_FORMATS[shape.format].contentType) return [`content-type ${contentType}, expected ${IMAGE_FORMATS[shape.format].contentType}`];
  try {
    const got = { format: shape.format, ...readImage(body, shape.format) };
    return JSON.stringify(got) === JSON.stringify(shape) ? [] : [`${shape.format} ${JSON.stringify(got)}, expected ${JSON.stringify(shape)}`];
  } catch (e) {
    return [`invalid ${shape.format}: ${(e as Error).message}`];
  }
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs `runs` batches of BATCH requests from `arb`; fails on the first wrong answer, naming the request. Each status
 * in `mustSee` and each content type in `mustSeeTypes` (of 200s) must have come up.
 */
async function fuzz(arb: fc.Arbitrary<FuzzRequest>, runs: number, mustSee: number[], mustSeeTypes: string[] = []): Promise<void> {
  let checked = 0;
  const statuses = new Map<number, number>(), types = new Map<string, number>();
  const result = await fc.check(
    fc.asyncProperty(fc.array(fc.tuple(arb, hotArb), { minLength: BATCH, maxLength: BATCH }), async (drawn) => {
      const batch = drawn.map(([req, hot]) => [req, hot ? HOT_CLIENT : ownAddress()] as const);
      const answers = await Promise.all(batch.map(([req, client]) => send(req, client)));
      batch.forEach(([req, client], i) => {
        const found = problems(req, answers[i], client);
        if (found.length) throw new Error(`GET ${req.path} from ${client}${req.inm ? ` (If-None-Match: ${req.inm})` : ''}\n  ${found.join('\n  ')}`);
        statuses.set(answers[i].status, (statuses.get(answers[i].status) ?? 0) + 1);
        if (answers[i].status === 200) types.set(answers[i].contentType, (types.get(answers[i].contentType) ?? 0) + 1);
      });
      checked += batch.length;
    }),
    { numRuns: runs, endOnFailure: true, ...(process.env.FUZZ_SEED && { seed: Number(process.env.FUZZ_SEED) }) },
  );
  // The failing request alone, not fast-check's dump of the whole batch.
  if (result.failed) throw new Error(`${(result.errorInstance as Error).message}\n(FUZZ_SEED=${result.seed} replays this run)`);
  expect(checked).toBe(runs * BATCH);
  const tally = (m: Map<string | number, number>) => [...m].sort().map(([k, n]) => `${k}×${n}`).join(' ');
  console.log(`${checked} cases, by status: ${tally(statuses)}; 200s by type: ${tally(types)}`);
  // Every kind of answer must have been exercised, or the generators have drifted from the schemas.
  expect([...statuses.keys()]).toEqual(expect.arrayContaining(mustSee));
  expect([...types.keys()]).toEqual(expect.arrayContaining(mustSeeTypes));
}

describe('fuzzed requests (fast-check, one worker)', () => {
  const TIMEOUT = 300_000;
  it('sends fewer requests at once than the worker sheds load at, so a 503 overloaded cannot happen here', () => {
    expect(BATCH).toBeLessThan(MAX_IN_FLIGHT);
  });
  const IMAGE_TYPES = ['image/png', 'image/webp', 'image/jpeg'];
  it('/face/:seed — 4,000 cases', () => fuzz(faceArb, 80, [200, 304, 400, 429], IMAGE_TYPES), TIMEOUT);
  it('/interpolate — 2,500 cases', () => fuzz(interpolateArb, 50, [200, 304, 400], IMAGE_TYPES), TIMEOUT);
  it('/latent/:seed — 1,500 cases', () => fuzz(latentArb, 30, [200, 400]), TIMEOUT);
  it('/attributes — 500 cases', () => fuzz(attributesArb, 10, [200, 400]), TIMEOUT);
  it('any other path, mangled spellings — 1,500 cases', () => fuzz(otherArb, 30, [200, 404]), TIMEOUT);
});
