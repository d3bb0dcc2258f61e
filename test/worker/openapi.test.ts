/**
 * GET /openapi.json against the app, both ways: the document is valid OpenAPI 3.1 (by a validator library), it lists
 * exactly the routes the app defines, every value it documents for a parameter (each enum member, each range's ends,
 * each default, the model's attributes at both ends) is accepted by the worker with a response the document lists
 * (status, media type, required headers, error code), and just past each documented range or enum is a documented 400.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { currentEntry } from '../../scripts/lib/models-dir';
import { nodeEncoders } from '../../scripts/lib/node-codecs';
import { NODE_ORTS } from '../../scripts/lib/node-ort';
import { runtimeObjects } from '../../scripts/lib/uploads';
import { createApp } from '../../src/app';
import { ATTRIBUTES_PARAMETER, openApiPath } from '../../src/http/openapi';
import { ModelStore } from '../../src/runtime/model-store';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true, runtime: true });

/** The parts of a JSON Schema the walk reads. */
interface Schema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  additionalProperties?: Schema;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema: Schema;
}

interface Response {
  headers?: Record<string, { required?: boolean; schema: Schema }>;
  content?: Record<string, { schema?: { properties?: { error?: Schema } } }>;
}

interface Operation {
  operationId: string;
  parameters: Parameter[];
  responses: Record<string, Response>;
}

interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** A parameter's value: a string, or the key=value pairs of an exploded object (the attribute strengths). */
type Value = string | Record<string, string>;

let doc: Document;
/** The model's attribute names, as its documented listing (GET /attributes) gives them. */
let attributes: string[];

beforeAll(async () => {
  const { status, body } = await get(worker(), '/openapi.json');
  expect(status).toBe(200);
  doc = JSON.parse(Buffer.from(body).toString());
  const listing = JSON.parse(Buffer.from((await get(worker(), '/attributes')).body).toString());
  attributes = listing.attributes.map((a: { name: string }) => a.name);
});

/**
 * Valid values of the string parameters of the route at `path` that name things which exist (a model version, a
 * file); no schema can give them. A parameter missing here fails the walk, so a new one gets a value to try.
 */
function namedValues(path: string): Record<string, string[]> {
  const entry = currentEntry();
  const [dir, wasm] = runtimeObjects()[0].key.replace(/^runtime\//, '').split('/');
  return {
    seed: ['alice', 'émile 😀', 'x.png', 'x.webp', 'x.jpg'],
    from: ['alice'],
    background: ['ff0000', 'transparent'],
    to: ['bob'],
    v: [entry.version],
    file: path.startsWith('/runtime/') ? [wasm] : [entry.file, ...(entry.attributesFile ? [entry.attributesFile] : [])],
    dir: [dir],
  };
}

/**
 * Parameters that apply only beside a value of another, and that value, which the walk sets with them: `quality`
 * only with a lossy format (with PNG, the default, it is a 400); `dpr` 3 only on a side that stays within the
 * route's largest (an interpolation frame of the default 128 px is at most dpr 2). No schema of a single parameter
 * can say this.
 */
const COMPANIONS: Record<string, Record<string, Value>> = { quality: { format: 'webp' }, dpr: { size: '64' } };

/** `base` with `param` at `value`, and the companion values `param` needs. */
function withValue(base: Map<string, Value>, param: string, value: Value): Map<string, Value> {
  return new Map([...base, ...Object.entries(COMPANIONS[param] ?? {}), [param, value]]);
}

/** Every value the document says `param` takes: enum members, range ends and default, or the named values. */
function documentedValues(path: string, param: Parameter): Value[] {
  const { schema } = param;
  if (param.name === ATTRIBUTES_PARAMETER) {
    const { minimum, maximum } = schema.additionalProperties!;
    return attributes.flatMap((name) => [{ [name]: String(minimum) }, { [name]: String(maximum) }]);
  }
  if (schema.enum) return schema.enum.map(String);
  if (schema.type === 'integer' || schema.type === 'number') return [...new Set([schema.minimum, schema.maximum, schema.default].filter((n) => n !== undefined))].map(String);
  const named = namedValues(path)[param.name];
  if (!named) throw new Error(`no value to try for the string parameter ${param.name}: add one to namedValues()`);
  return named;
}

/** Values just outside what the document says `param` takes (none for free strings and path segments). */
function undocumentedValues(param: Parameter): Value[] {
  const { schema } = param;
  if (param.name === ATTRIBUTES_PARAMETER) {
    const { minimum, maximum } = schema.additionalProperties!;
    return attributes.length ? [{ [attributes[0]]: String(minimum! - 1) }, { [attributes[0]]: String(maximum! + 1) }] : [{ 'not-an-attribute': '1' }];
  }
  if (param.in === 'path') return [];
  if (schema.enum) return [`not-${schema.enum[0]}`];
  if (schema.type === 'integer') return [String(schema.minimum! - 1), String(schema.maximum! + 1)];
  if (schema.pattern) return ['NOT A MATCH!'];
  if (schema.minLength) return [''];
  return [];
}

/** The URL of `path` with `values` in its path and query. */
function url(path: string, op: Operation, values: Map<string, Value>): string {
  let filled = path;
  const query = new URLSearchParams();
  for (const param of op.parameters) {
    const value = values.get(param.name);
    if (value === undefined) continue;
    if (param.in === 'path') filled = filled.replace(`{${param.name}}`, encodeURIComponent(value as string));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) query.append(k, v);
    else query.append(param.name, value);
  }
  return query.size ? `${filled}?${query}` : filled;
}

/** Each required parameter at its first documented value. */
function baseValues(path: string, op: Operation): Map<string, Value> {
  return new Map(op.parameters.filter((p) => p.required).map((p) => [p.name, documentedValues(path, p)[0]]));
}

/** Asserts that the document lists the response: its status, media type, required headers and error code. */
async function expectDocumented(op: Operation, path: string, headers?: Record<string, string>, from = worker) {
  const { status, body, header } = await get(from(), path, headers);
  const label = `${op.operationId} ${path} → ${status}`;
  const documented = op.responses[String(status)];
  expect(documented, `${label}: status not documented`).toBeDefined();
  for (const [name, h] of Object.entries(documented.headers ?? {})) {
    if (h.required) expect(header(name), `${label}: header ${name}`).not.toBeNull();
    if (h.schema.const !== undefined) expect(header(name), `${label}: header ${name}`).toBe(h.schema.const);
  }
  if (status === 304) return { status, header };
  const type = header('content-type')!.split(';')[0];
  expect(Object.keys(documented.content ?? {}), `${label}: media type`).toContain(type);
  const errorCodes = documented.content?.[type]?.schema?.properties?.error?.enum;
  if (errorCodes) expect(errorCodes, label).toContain(JSON.parse(Buffer.from(body).toString()).error);
  return { status, header };
}

/** Every operation as [path, method, operation]. */
function operations(): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [path, method, op] as [string, string, Operation]));
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is JSON that clients may cache for a few minutes', async () => {
    const { header } = await get(worker(), '/openapi.json');
    expect(header('content-type')).toMatch(/^application\/json/);
    expect(header('cache-control')).toBe('public, max-age=300');
    expect(header('access-control-allow-origin')).toBe('*');
  });

  it('lists exactly the routes the app defines', () => {
    const app = createApp(new ModelStore(NODE_ORTS.wasm), () => 0, nodeEncoders());
    const routes = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    const documented = operations().map(([path, method]) => `${method} ${path}`);
    expect(documented.sort()).toEqual([...new Set(routes)].sort());
  });

  it('describes every parameter, and the attribute strengths of the image and latent routes', () => {
    for (const [, , op] of operations()) for (const p of op.parameters) expect(p.description, `${op.operationId} ${p.name}`).toBeTruthy();
    for (const id of ['getFace', 'getInterpolation', 'getLatent']) {
      const op = operations().find(([, , o]) => o.operationId === id)![2];
      expect(op.parameters.map((p) => p.name)).toContain(ATTRIBUTES_PARAMETER);
    }
  });

  it('gives ranges and defaults as the routes read them (integers, not the strings of the query)', () => {
    const face = doc.paths['/face/{seed}'].get.parameters.find((p) => p.name === 'size')!;
    expect(face.schema).toMatchObject({ type: 'integer', minimum: 16, maximum: 512, default: 128 });
  });
});

describe('the worker accepts every value the document gives a parameter, and refuses the values just past them', () => {
  it('takes each documented value of each parameter, one at a time, with a documented response', { timeout: 180_000 }, async () => {
    let requests = 0;
    for (const [path, , op] of operations()) {
      const base = baseValues(path, op);
      await expectDocumented(op, url(path, op, base));
      for (const param of op.parameters.filter((p) => p.in !== 'header')) {
        for (const value of documentedValues(path, param)) {
          const { status } = await expectDocumented(op, url(path, op, withValue(base, param.name, value)));
          expect(status, `${op.operationId} ${param.name}=${JSON.stringify(value)}`).not.toBe(400);
          requests++;
        }
      }
    }
    expect(requests).toBeGreaterThan(30);
  });

  it('answers just outside each documented range or enum with a documented 400', async () => {
    let refused = 0;
    for (const [path, , op] of operations()) {
      const base = baseValues(path, op);
      for (const param of op.parameters.filter((p) => p.in === 'query')) {
        for (const value of undocumentedValues(param)) {
          const { status } = await expectDocumented(op, url(path, op, withValue(base, param.name, value)));
          expect(status, `${op.operationId} ${param.name}=${JSON.stringify(value)}`).toBe(400);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(10);
  });

  it('answers If-None-Match with the current ETag with a documented 304 where the document says so', async () => {
    const conditional = operations().filter(([, , op]) => op.responses['304']);
    expect(conditional.map(([, , op]) => op.operationId)).toEqual(expect.arrayContaining(['getFace', 'getInterpolation']));
    for (const [path, , op] of conditional) {
      const target = url(path, op, baseValues(path, op));
      const { status, header } = await expectDocumented(op, target);
      expect(status, target).toBe(200);
      expect((await expectDocumented(op, target, { 'If-None-Match': header('etag')! })).status, target).toBe(304);
    }
  });
});

describe('the errors a client cannot cause are documented as the worker sends them', () => {
  describe('without a model in the bucket', () => {
    const empty = useWorker({ models: false });

    it('every route answers as documented (503 model_unavailable with Retry-After and no-store where it needs the model)', async () => {
      const statuses = new Set<number>();
      for (const [path, , op] of operations()) statuses.add((await expectDocumented(op, url(path, op, baseValues(path, op)), undefined, empty)).status);
      expect(statuses).toContain(503);
    });
  });

  describe('past the rate limit', () => {
    const limited = useWorker({ models: true, rateLimit: { limit: 1, period: 60 } });

    it('a render past the limit is the documented 429 rate_limited with Retry-After and no-store', async () => {
      const op = doc.paths['/interpolate'].get;
      // Two faces against a limit of one: refused whatever this window counted before.
      const { status } = await expectDocumented(op, '/interpolate?from=openapi-a&to=openapi-b&steps=2&size=16', undefined, limited);
      expect(status).toBe(429);
    });
  });
});
