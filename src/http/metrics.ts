/**
 * Metrics on Workers Analytics Engine: one data point per request, written with its log line
 * (./observability.ts), so that hit ratio, faces rendered per minute, 429s and what a cache miss costs chart with the
 * SQL API (docs/operations.md has the queries). Without the `METRICS` binding (`[[analytics_engine_datasets]]` in
 * wrangler.toml) nothing is written. A data point holds no seed and no client, not even hashed: only the route's
 * pattern, what became of the request, and numbers.
 *
 * Fields, by position (the SQL API names them blob1…, double1…; docs/operations.md repeats this table):
 *
 * | field | value |
 * |---|---|
 * | index1, blob2 | outcome: `hit`, `miss`, `not-modified` (an image), `ok` (any other success), or the error code (`rate_limited`, `overloaded`, `invalid_query`, …) |
 * | blob1 | route pattern (`/face/:seed`, `/interpolate`, …; `unmatched` for no route) |
 * | blob3 | image format (`png`, `webp`, `jpeg`), or empty |
 * | blob4 | model version of an image, or empty |
 * | double1 | HTTP status |
 * | double2 | faces the request asked for (1 for a face, `steps` for a morph; 0 without an image) |
 * | double3 | image bytes sent (0 for a 304, a refused render or without an image) |
 * | double4–double8 | Server-Timing's queue, decode, resize, encode and total ms (0 where absent) |
 *
 * The outcome is the index, Analytics Engine's sampling key: it keeps as many points of each outcome, so rare ones
 * (429s, 503s) stay countable beside millions of hits.
 */
import type { RequestRecord } from './observability';

/** Server-Timing stages written as doubles, in this order. */
const STAGES = ['queue', 'decode', 'resize', 'encode', 'total'] as const;

/** The data point of a request's record. */
export function dataPoint(record: RequestRecord): AnalyticsEngineDataPoint {
  const image = record.image;
  return {
    indexes: [record.outcome],
    blobs: [record.route ?? 'unmatched', record.outcome, image?.format ?? '', image?.model ?? ''],
    doubles: [record.status, image?.faces ?? 0, image?.bytes ?? 0, ...STAGES.map((stage) => record.ms[stage] ?? 0)],
  };
}

/** Writes `record`'s data point to `dataset`; without a dataset (no binding), nothing. */
export function writeDataPoint(dataset: AnalyticsEngineDataset | undefined, record: RequestRecord): void {
  dataset?.writeDataPoint(dataPoint(record));
}
