/**
 * The `local` half of seedface.js (web/seedface.ts), imported by it on first use as `/web/local-faces.js`: faces
 * drawn in the page by the worker's own runtime (web/face-generator.ts: WebGPU, WASM fallback), one generator per
 * model version, shared by every element on the page. A query is refused here as its route refuses it (the route's
 * schema, frame limits, format combinations and the model's attribute names), with the same message naming the
 * parameter. The only requests are the model store's and ORT's wasm: the seed stays in the page.
 */
import { z } from 'zod';
import { requestStrengths } from '../src/http/attributes';
import { resolveFrame, transparencyOf, type FrameQuery } from '../src/http/frame-query';
import { MAX_SIDE } from '../src/http/frame-size';
import { faceEncoding, faceQuery, interpolateEncoding, interpolateQuery, issuesDetail, seed as seedSchema, type AttributeQuerySchema } from '../src/http/params';
import type { Frame } from '../src/runtime/frame';
import { createFaceGenerator, type FaceGenerator, type FaceOptions } from './face-generator';

/** An element's query: the route's parameters and attribute strengths as their attributes spell them. */
export type Query = Readonly<Record<string, string>>;

const generators = new Map<string, Promise<FaceGenerator>>();

/** The page's generator for model `version` (the manifest's current one if absent), started on first use. */
function generator(base: string, version: string | undefined): Promise<FaceGenerator> {
  const key = version ?? '';
  let started = generators.get(key);
  if (!started) {
    started = createFaceGenerator({ baseUrl: base, version });
    generators.set(key, started);
    // a failed start (offline, say) is tried again by the next element, not remembered
    started.catch(() => generators.delete(key));
  }
  return started;
}

/** `value` if the check passed, else a RangeError with its message (which names the parameter). */
function checked<T extends object>(value: T | { error: string }): T {
  if ('error' in value) throw new RangeError(value.error);
  return value;
}

/** `query` parsed by the route's schema, or a RangeError with the 400's detail. */
function parse<S extends z.ZodTypeAny>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new RangeError(issuesDetail(parsed.error));
  return parsed.data;
}

/** The drawing options of a parsed query: its frame parameters, and its strengths checked against the model. */
function faceOptions(query: FrameQuery & Record<string, unknown>, schema: AttributeQuerySchema, faces: FaceGenerator): FaceOptions {
  const { size, width, height, fit, shape, background, dpr, grayscale, blur } = query;
  const attributes = Object.fromEntries(requestStrengths(query, schema, faces.model));
  return { size, width, height, fit, shape, background, dpr, grayscale, blur, attributes };
}

const seedOnly = z.object({ seed: seedSchema });

/** The face `GET /face/:seed?<query>` shows, drawn in the page (the query's format and quality are checked, not applied). */
export async function drawFace(base: string, seed: string, query: Query): Promise<ImageData> {
  parse(seedOnly, { seed });
  const parsed = parse(faceQuery, query);
  const frame: Frame = checked(resolveFrame(parsed, MAX_SIDE.face));
  checked(faceEncoding(undefined, parsed, transparencyOf(frame), undefined));
  const faces = await generator(base, parsed.v);
  return (await faces.generate(seed, faceOptions(parsed, faceQuery, faces))).imageData;
}

/** The frames of `GET /interpolate?from&to&<query>`, drawn in the page. */
export async function drawMorph(base: string, from: string, to: string, query: Query): Promise<ImageData[]> {
  const parsed = parse(interpolateQuery, { ...query, from, to });
  const frame: Frame = checked(resolveFrame(parsed, MAX_SIDE.interpolate));
  checked(interpolateEncoding(parsed, transparencyOf(frame)));
  const faces = await generator(base, parsed.v);
  return faces.interpolate(from, to, parsed.steps, faceOptions(parsed, interpolateQuery, faces));
}
