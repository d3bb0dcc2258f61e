/**
 * The OpenAPI 3.1 document of the HTTP API (served at /openapi.json, rendered at /docs), generated from what the
 * routes validate and answer with: every parameter's type, range, pattern, enum and default from the zod schemas of
 * ./params.ts (as JSON Schema 2020-12, ./json-schema.ts), the error codes from ./errors.ts, the image media types from
 * src/runtime/encode.ts, the manifest's shape from src/runtime/manifest.ts and the image cache headers from
 * ./image-response.ts. Written here is only what no schema says: each route's path, summary and prose, and which
 * errors it can answer with. test/worker/openapi.test.ts checks the document against the app both ways.
 */
import type { ZodRawShape, ZodTypeAny } from 'zod';
import { ZodEffects, ZodObject, ZodPipeline } from 'zod';
import { version } from '../../package.json';
import { DEFAULT_QUALITY, IMAGE_FORMATS, LOSSY_FORMATS } from '../runtime/encode';
import { manifestSchema } from '../runtime/manifest';
import { ERROR_CODES, type ErrorCode, type ErrorStatus } from './errors';
import { DEFAULT_SIDE } from './frame-size';
import { IMMUTABLE } from './image-response';
import { jsonSchema2020 } from './json-schema';
import { attributesQuery, facePath, faceQuery, interpolateQuery, latentPath, latentQuery, MAX_STRENGTH } from './params';

/** A JSON Schema, or any other object of the document. */
type Json = { [key: string]: unknown };

/** What the document says about one GET route; everything else is read from schemas and tables. */
interface Operation {
  /** The route's path as Hono spells it (`/face/:seed`). */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** The zod schemas the route validates its path and query with. */
  pathSchema?: ZodTypeAny;
  querySchema?: ZodTypeAny;
  /** What each parameter means, by name (`attributes` for a query's attribute strengths); the schema says the rest. */
  params?: Record<string, string>;
  /** Defaults a route applies after parsing (`size` when neither it nor `width`/`height` is given), to document. */
  defaults?: Record<string, number>;
  /** The 200 response. */
  ok: Json;
  /** Answers `If-None-Match` with 304 and the 200's headers. */
  conditional?: boolean;
  /** The error codes it can answer with besides not_found for unknown paths and internal for bugs. */
  errors?: ErrorCode[];
}

/** The parameter that stands for a query's attribute strengths, every key that is not one of the route's own. */
export const ATTRIBUTES_PARAMETER = 'attributes';

const ATTRIBUTES_PROSE =
  `Attribute strengths, each as its own query parameter (\`smile=0.8&age=-0.5\`), from -${MAX_STRENGTH} to ${MAX_STRENGTH} with at ` +
  'most 3 decimals; 0 is the unshifted face. Which names exist depends on the model version: `GET /attributes` lists ' +
  'them (a model may have none), and any other name is a 400 `invalid_query`.';

const SEED_PROSE = 'Any string of 1 to 256 UTF-8 bytes (percent-encoded in the URL); the same seed always gives the same face.';

const LOSSY = LOSSY_FORMATS.join(' and ');

const QUALITY_PROSE = `Quality of ${LOSSY} (1 smallest, 100 best), default ${DEFAULT_QUALITY}; asked of a PNG, which is lossless, it is a 400 \`invalid_query\`.`;

/** The routes, in the order the reference lists them (a function: nothing is converted before a request asks). */
function operations(): Operation[] {
  return [
    {
      path: '/face/:seed',
      operationId: 'getFace',
      tag: 'faces',
      summary: 'The face of a seed',
      description:
        'One generated face, as PNG (the default), WebP or JPEG. `/face/<seed>.png` is the same image as `/face/<seed>`, ' +
        'and `.webp`, `.jpg` or `.jpeg` name the other formats: the URL then ends in an image extension and needs no ' +
        'query, as a Gravatar `d=` fallback requires. Any frame: `width` × `height` with `fit`, `background`, `dpr` for ' +
        '`srcset`, `grayscale` and `blur`. JPEG has no transparency, so a transparent circle or padding as JPEG is a 400.',
      pathSchema: facePath,
      querySchema: faceQuery,
      defaults: { size: DEFAULT_SIDE },
      params: {
        seed: `${SEED_PROSE} A trailing \`.png\`, \`.webp\`, \`.jpg\` or \`.jpeg\` is the format, not part of the seed (the seed "x.png" is \`/face/x.png.png\`).`,
        size: 'Side of a square image in pixels, before `dpr` (default 128); with `width` or `height` it is a 400.',
        width: 'Width of the frame in pixels, before `dpr`; alone, the frame is square. Example: `/face/alice.png?width=300&height=200`.',
        height: 'Height of the frame in pixels, before `dpr`; alone, the frame is square.',
        fit: '`cover` (default): the face fills the frame and is cropped, a wide frame keeping the eyes and mouth; `contain`: the whole face, centred, the rest filled with `background`.',
        shape: '`circle` (square frames only) makes the outside of the inscribed circle transparent, or the `background` colour.',
        background: '`RRGGBB` (hex, no `#`) or `transparent` (PNG and WebP only): what fills the padding of `fit=contain` and the outside of a circle. Without it, `contain` pads with the mean colour of the face\'s own border.',
        dpr: 'Device pixel ratio for `srcset`: the image is `size` (or `width` × `height`) times it, at most 512 px a side; the same pixels and ETag as the URL without it.',
        grayscale: 'A flag (`?grayscale` or `grayscale=1`): R = G = B in every pixel.',
        blur: 'A Gaussian blur of σ = `blur` output pixels.',
        format: 'The image format, for a URL without an extension; with one, it may repeat it but a different one is a 400. `auto`: WebP where `Accept` lists `image/webp`, PNG otherwise (the response then has `Vary: Accept`).',
        quality: QUALITY_PROSE,
        v: 'Model version (`GET /models/manifest.json` lists them); default: the current one.',
        attributes: ATTRIBUTES_PROSE,
      },
      ok: imageResponse('The face.'),
      conditional: true,
      errors: ['invalid_param', 'invalid_query', 'unknown_version', 'rate_limited', 'model_unavailable', 'overloaded'],
    },
    {
      path: '/interpolate',
      operationId: 'getInterpolation',
      tag: 'faces',
      summary: 'A morph between two seeds',
      description:
        "`steps` faces along the great circle between the two seeds' latents, decoded in one batch: side by side in one " +
        'PNG (`format=strip`), WebP (`webp`) or JPEG (`jpeg`), or an animated PNG (APNG, still `image/png`) that plays ' +
        'there and back (`format=apng`). Counts `steps` faces against the rate limit.',
      querySchema: interpolateQuery,
      defaults: { size: DEFAULT_SIDE },
      params: {
        from: `The first seed. ${SEED_PROSE}`,
        to: 'The last seed.',
        steps: 'Faces from `from` to `to`, both included.',
        size: 'Side of each face in pixels, before `dpr` (default 128).',
        format: '`strip`: the faces side by side in one PNG; `webp`, `jpeg`: the same strip as WebP or JPEG; `apng`: an animation there and back.',
        quality: QUALITY_PROSE,
        shape: '`circle` makes the outside of each inscribed circle transparent (not with `jpeg`), or the `background` colour.',
        background: '`RRGGBB` (hex, no `#`) or `transparent`: the outside of each circle (with `shape=circle`; a square face has nothing to fill).',
        dpr: 'Device pixel ratio: each face is `size` times it, at most 256 px.',
        grayscale: 'A flag (`?grayscale` or `grayscale=1`): every frame in grey.',
        blur: 'A Gaussian blur of σ = `blur` output pixels on every frame.',
        v: 'Model version; default: the current one.',
        attributes: `${ATTRIBUTES_PROSE} They shift both ends before interpolating.`,
      },
      ok: imageResponse('The strip or the animation.'),
      conditional: true,
      errors: ['invalid_query', 'unknown_version', 'rate_limited', 'model_unavailable', 'overloaded'],
    },
    {
      path: '/latent/:seed',
      operationId: 'getLatent',
      tag: 'faces',
      summary: 'The latent vector of a seed',
      description:
        'The seed\'s latent vector, so clients can check their own implementation of the seed → latent algorithm: ' +
        '`{ seed, sha256, algorithm, model, latentSize, latent }`, and `attributes` with the strengths when shifted.',
      pathSchema: latentPath,
      querySchema: latentQuery,
      params: { seed: SEED_PROSE, v: 'Model version, which sets the latent size; default: the current one.', attributes: ATTRIBUTES_PROSE },
      ok: jsonResponse('The latent.', objectSchema({
        seed: { type: 'string', description: 'The seed, percent-decoded.' },
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of its UTF-8 bytes, hex.' },
        algorithm: { type: 'string', description: 'The seed → latent algorithm.' },
        model: MODEL_VERSION,
        latentSize: { type: 'integer', minimum: 1 },
        attributes: { type: 'object', additionalProperties: { type: 'number' }, description: 'The strengths it was shifted by, when shifted.' },
        latent: { type: 'array', items: { type: 'number' }, description: 'The decoder\'s input: `latentSize` float32 values.' },
      }, ['attributes'])),
      errors: ['invalid_param', 'invalid_query', 'unknown_version', 'model_unavailable'],
    },
    {
      path: '/attributes',
      operationId: 'getAttributes',
      tag: 'model',
      summary: 'The attributes faces can be shifted along',
      description: "`{ model, usage, attributes: [{ name, positive, range }] }`: the names `/face` takes as strengths, what a positive strength does, and the range.",
      querySchema: attributesQuery,
      params: { v: 'Model version; default: the current one.' },
      ok: jsonResponse('The attributes.', objectSchema({
        model: MODEL_VERSION,
        usage: { type: 'string' },
        attributes: {
          type: 'array',
          items: objectSchema({
            name: { type: 'string' },
            positive: { type: 'string', description: 'What a positive strength does.' },
            range: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: { type: 'number' }, minItems: 2, maxItems: 2 },
          }),
        },
      })),
      errors: ['invalid_query', 'unknown_version', 'model_unavailable'],
    },
    {
      path: '/healthz',
      operationId: 'getHealth',
      tag: 'model',
      summary: 'The model in service',
      description: 'Loads the current model (a broken one answers 503) and describes it, the versions, the wasm memory and the rate limit.',
      ok: jsonResponse('The worker is healthy.', objectSchema({
        status: { type: 'string', const: 'ok' },
        model: { type: 'object', description: 'The current model\'s manifest fields: name, version, sha256, latentSize, imageSize, valueRange, quantization, dataset, license.' },
        versions: { type: 'array', items: { type: 'string' }, description: 'Every version `v` takes.' },
        memory: objectSchema({ wasmBytes: { type: 'integer', description: 'The isolate\'s wasm linear memory.' } }),
        rateLimit: {
          description: 'The per-client limit on renders, or `unlimited` without the binding.',
          oneOf: [{ type: 'string', const: 'unlimited' }, { type: 'object' }],
        },
      })),
      errors: ['model_unavailable'],
    },
    {
      path: '/models/manifest.json',
      operationId: 'getManifest',
      tag: 'model',
      summary: 'The model manifest',
      description: 'The models the worker serves and the current one (models/README.md), as the browser client loads them.',
      ok: jsonResponse('The manifest.', jsonSchema(manifestSchema)),
      errors: ['model_unavailable'],
    },
    {
      path: '/models/:file',
      operationId: 'getModelFile',
      tag: 'model',
      summary: 'A file the manifest names',
      description: 'A decoder (ONNX) or attribute-directions file, byte for byte; its ETag is the manifest\'s sha256.',
      params: { file: 'A `file` or `attributesFile` of a manifest entry.' },
      ok: {
        description: 'The file.',
        headers: immutableHeaders('The sha256 of the file, quoted.'),
        content: { 'application/octet-stream': BYTES, 'application/json': { schema: { type: 'object' } } },
      },
      conditional: true,
      errors: ['not_found', 'model_unavailable'],
    },
    {
      path: '/runtime/:dir/:file',
      operationId: 'getRuntimeFile',
      tag: 'browser',
      summary: "onnxruntime-web's wasm for the browser client",
      description: 'Sent as stored (gzip, `Content-Encoding: gzip`). The folder names the ORT version, so a URL always means the same bytes.',
      params: { dir: '`ort-web-<version>`', file: 'One of its `ort-wasm*.wasm` files.' },
      ok: { description: 'The wasm file.', headers: immutableHeaders('The stored object\'s ETag.'), content: { 'application/wasm': BYTES } },
      conditional: true,
      errors: ['not_found'],
    },
    {
      path: '/',
      operationId: 'getDemoPage',
      tag: 'browser',
      summary: 'The demo page',
      description: 'Faces drawn in the browser by the client (`/web/face-generator.js`) beside the server\'s.',
      ok: htmlResponse('The page.'),
    },
    {
      path: '/openapi.json',
      operationId: 'getOpenApi',
      tag: 'documentation',
      summary: 'This document',
      description: 'The OpenAPI 3.1 document of the API, with this worker\'s origin as its server.',
      ok: jsonResponse('The OpenAPI 3.1 document.', objectSchema({ openapi: { type: 'string' }, info: { type: 'object' }, servers: { type: 'array', items: { type: 'object' } }, paths: { type: 'object' } })),
    },
    {
      path: '/docs',
      operationId: 'getDocs',
      tag: 'documentation',
      summary: 'The API reference page',
      description: 'This document rendered by Swagger UI, served with the worker (no third-party requests).',
      ok: htmlResponse('The page.'),
    },
  ];
}

const TAGS = [
  { name: 'faces', description: 'Faces, morphs and latents: deterministic for a seed and a model version.' },
  { name: 'model', description: 'The models in service and what they can do.' },
  { name: 'browser', description: 'What the browser client and the demo page load.' },
  { name: 'documentation', description: 'This description of the API.' },
];

const DESCRIPTION = `Deterministic generated faces: any seed string gives the same face, every time, for a model version.

Every response carries \`Access-Control-Allow-Origin: *\` (errors too; \`ETag\` and \`X-Model-Version\` are exposed to
scripts) and \`Server-Timing\`. Images are cached for a year under a strong ETag: send it back as \`If-None-Match\` for a
304. Errors are JSON \`{ "error": "<code>", "detail": "<for people>" }\`; the codes are listed with each response.`;

/** The `model` of a JSON body: the version that answered. */
const MODEL_VERSION: Json = { type: 'string', description: 'The model version.' };

/** An object schema with `properties`, all of them required but those named in `optional`. */
function objectSchema(properties: Record<string, Json>, optional: string[] = []): Json {
  return { type: 'object', required: Object.keys(properties).filter((name) => !optional.includes(name)), properties };
}

/** A body of bytes: OpenAPI 3.1 describes one by its media type alone, without a schema. */
const BYTES: Json = {};

/** zod-to-json-schema's reading: a parameter as the route sees it once parsed (so `"128"` → integer 16…512). */
const CONVERT = { $refStrategy: 'none', pipeStrategy: 'output', effectStrategy: 'input' } as const;

/** The JSON Schema of `schema`, as OpenAPI 3.1 embeds it: draft 2020-12, its default dialect, so without `$schema`. */
function jsonSchema(schema: ZodTypeAny): Json {
  const { $schema: _, ...rest } = jsonSchema2020(schema, CONVERT);
  return rest;
}

/** The object under a parameter schema's preprocessing, refinements and pipes (its input side): its fields. */
function objectShape(schema: ZodTypeAny): ZodRawShape {
  let inner = schema;
  while (inner instanceof ZodEffects || inner instanceof ZodPipeline) inner = inner instanceof ZodEffects ? inner.innerType() : inner._def.in;
  if (!(inner instanceof ZodObject)) throw new TypeError('a parameter schema must be an object');
  return inner.shape;
}

/**
 * A field's JSON Schema with `default` as the route sees it: zod-to-json-schema writes the raw default (the string
 * "128" of a digits-only parameter), while a client needs the value, which is what the field parses an absent value to.
 */
function withParsedDefault(json: Json, field: ZodTypeAny | undefined): Json {
  if (!('default' in json) || !field) return json;
  const parsed = field.safeParse(undefined);
  return parsed.success ? { ...json, default: parsed.data } : json;
}

/**
 * The parameters of `op`: its path's, then its query's with the attribute strengths as one exploded object, then
 * If-None-Match where it applies.
 */
function parameters(op: Operation): Json[] {
  const describe = (name: string) => op.params?.[name];
  const pathProps = (op.pathSchema && (jsonSchema(op.pathSchema).properties as Record<string, Json>)) ?? {};
  const inPath = [...op.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: describe(name),
    schema: pathProps[name] ?? { type: 'string' },
  }));
  const conditional = op.conditional ? [{ name: 'If-None-Match', in: 'header', description: 'ETags the client has; a match answers 304.', schema: { type: 'string' } }] : [];
  if (!op.querySchema) return [...inPath, ...conditional];
  const query = jsonSchema(op.querySchema);
  const shape = objectShape(op.querySchema);
  const required = (query.required as string[] | undefined) ?? [];
  const inQuery: Json[] = Object.entries((query.properties as Record<string, Json>) ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    description: describe(name),
    schema: op.defaults?.[name] === undefined ? withParsedDefault(schema, shape[name]) : { ...schema, default: op.defaults[name] },
  }));
  // A schema's catchall (withAttributes) takes every other key: OpenAPI's form of that is an exploded object.
  if (typeof query.additionalProperties === 'object') {
    inQuery.push({
      name: ATTRIBUTES_PARAMETER,
      in: 'query',
      style: 'form',
      explode: true,
      description: describe(ATTRIBUTES_PARAMETER),
      schema: { type: 'object', additionalProperties: query.additionalProperties },
      // Without it, reference pages fill in made-up names, which the worker refuses.
      example: {},
    });
  }
  return [...inPath, ...inQuery, ...conditional];
}

/** `Cache-Control` (immutable) and `ETag` headers, the ETag described as `etag`. */
function immutableHeaders(etag: string): Json {
  return {
    'Cache-Control': { required: true, description: 'The URL always means the same bytes.', schema: { type: 'string', const: IMMUTABLE } },
    ETag: { required: true, description: `${etag} Send it back as \`If-None-Match\` for a 304.`, schema: { type: 'string' } },
  };
}

/** A 200 with an image of any format the worker encodes, and the image caching headers. */
function imageResponse(description: string): Json {
  return {
    description,
    headers: {
      ...immutableHeaders('Strong, unique per model bytes, seeds and normalised parameters.'),
      'X-Model-Version': { required: true, description: 'The model version that drew it.', schema: { type: 'string' } },
    },
    content: Object.fromEntries(Object.values(IMAGE_FORMATS).map(({ contentType }) => [contentType, BYTES])),
  };
}

/** A 200 with a JSON body of `schema` and the Cache-Control the route sets. */
function jsonResponse(description: string, schema: Json): Json {
  return {
    description,
    headers: { 'Cache-Control': { required: true, description: 'How long it may be cached (`no-store` where it must not).', schema: { type: 'string' } } },
    content: { 'application/json': { schema } },
  };
}

/** A 200 with an HTML page. */
function htmlResponse(description: string): Json {
  return { description, content: { 'text/html': { schema: { type: 'string' } } } };
}

/** The status an error code belongs to. */
function statusOf(code: ErrorCode): ErrorStatus {
  return Number(Object.keys(ERROR_CODES).find((s) => code in ERROR_CODES[Number(s) as ErrorStatus])) as ErrorStatus;
}

/** The error response of `status` with `codes`: the JSON shape, the codes' meanings and, for 429/503, Retry-After. */
function errorResponse(status: ErrorStatus, codes: ErrorCode[]): Json {
  const meanings: Record<string, string> = ERROR_CODES[status];
  const retry = status === 429 || status === 503;
  return {
    description: codes.map((code) => `\`${code}\`: ${meanings[code]}.`).join(' '),
    ...(retry && {
      headers: {
        'Retry-After': { required: true, description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
        'Cache-Control': { required: true, schema: { type: 'string', const: 'no-store' } },
      },
    }),
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['error', 'detail'],
          properties: { error: { type: 'string', enum: codes }, detail: { type: 'string', description: 'What went wrong, for people.' } },
        },
      },
    },
  };
}

/** The responses of `op`: 200, 304 when conditional, then its errors by status, and 500. */
function responses(op: Operation): Json {
  const byStatus = new Map<ErrorStatus, ErrorCode[]>();
  for (const code of [...(op.errors ?? []), 'internal' as const]) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  const notModified = op.conditional && { 304: { description: 'Not modified: `If-None-Match` names the current ETag. No body.', headers: (op.ok as { headers: Json }).headers } };
  const errors = [...byStatus].sort(([a], [b]) => a - b).map(([status, codes]) => [status, errorResponse(status, codes)]);
  return { 200: op.ok, ...notModified, ...Object.fromEntries(errors) };
}

/** `/face/:seed` → `/face/{seed}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)/g, '{$1}');
}

/**
 * The licence the document states: the faces' terms are the serving model's, which /healthz reports (`model.license`),
 * since a deployment may serve a model of its own. The default models' is non-commercial research only.
 */
function license(origin: string): Json {
  return { name: 'The serving model\'s licence: GET /healthz, model.license (the default models: non-commercial research only)', url: `${origin}/healthz` };
}

/**
 * The OpenAPI 3.1 document of the API served at `origin` (`https://faces.example.com`, no trailing slash), its one
 * server. The API is public: `security: []` says that no operation takes credentials.
 */
export function openApiDocument(origin: string): Json {
  const paths = Object.fromEntries(
    operations().map((op) => [
      openApiPath(op.path),
      {
        get: {
          operationId: op.operationId,
          tags: [op.tag],
          summary: op.summary,
          ...(op.description && { description: op.description }),
          parameters: parameters(op),
          responses: responses(op),
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'seedface', version, description: DESCRIPTION, license: license(origin) },
    servers: [{ url: origin, description: 'This worker.' }],
    security: [],
    tags: TAGS,
    paths,
  };
}
