/** Zod schemas for path and query parameters shared by the routes. */
import { z } from 'zod';
import { VERSION_PATTERN } from '../runtime/model-store';

/** Longest seed accepted, in UTF-8 bytes. */
const MAX_SEED_BYTES = 256;

const utf8 = new TextEncoder();

/** A seed string of 1–256 UTF-8 bytes. */
export const seed = z
  .string()
  .refine((s) => s.length > 0, 'seed is empty')
  .refine((s) => utf8.encode(s).length <= MAX_SEED_BYTES, `seed is longer than ${MAX_SEED_BYTES} UTF-8 bytes`);

/** An integer query parameter in [min, max], `fallback` when absent. Digits only: no signs, decimals or exponents. */
export function intParam(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^[0-9]{1,6}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(String(fallback));
}

/** `shape`: square (default) or circle. */
export const shape = z.enum(['square', 'circle']).default('square');

/** `v`: a model version name; whether it exists is checked against the manifest. */
export const version = z.string().regex(VERSION_PATTERN, 'not a version name').optional();
