/**
 * Attribute directions: unit vectors in the decoder's input space (the standard-normal z) written by the training
 * side next to a model (models/README.md), and the latent shift they define:
 *
 *   z'_i = fround(z_i + Σ_a (strength_a · scale_a) · direction_a,i)
 *
 * summed in float64, attributes in name order (code-unit order), then rounded to float32. Float addition is not
 * associative, so the fixed order is what makes equal requests give equal bytes whatever their query order.
 */
import { z } from 'zod';

/** What an attribute name may look like (also what the manifest's `attributes` list must hold). */
export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,31}$/;

// Only what the shift needs is checked; descriptive fields (space, strengthRange, shift, label counts) pass through.
const fileSchema = z
  .object({
    attributes: z.record(
      z.string().regex(ATTRIBUTE_NAME, 'not an attribute name'),
      z
        .object({
          positive: z.string(),
          scale: z.number().finite().positive(),
          direction: z.array(z.number().finite()),
        })
        .passthrough(),
    ),
  })
  .passthrough();

/** One attribute's direction, ready for shifting. */
export interface Attribute {
  /** What positive strengths do (e.g. "older"). */
  positive: string;
  /** Latent distance of strength 1. */
  scale: number;
  direction: Float64Array;
}

/** The attributes of one model, by name; empty for a model published without them. */
export type AttributeSet = ReadonlyMap<string, Attribute>;

/** Requested strengths in canonical form: non-zero only, sorted by name, one entry per name. */
export type Strengths = ReadonlyArray<readonly [name: string, strength: number]>;

/** Parses an attributes file and checks it against the model: names as listed, directions of `latentSize`. */
export function parseAttributes(json: unknown, latentSize: number, names: readonly string[]): AttributeSet {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.')}: ${issue?.message}`);
  }
  const listed = Object.keys(parsed.data.attributes).sort();
  if (listed.join() !== [...names].sort().join()) throw new Error(`lists [${listed}], the manifest [${names}]`);
  const set = new Map<string, Attribute>();
  for (const name of listed) {
    const { positive, scale, direction } = parsed.data.attributes[name];
    if (direction.length !== latentSize) throw new Error(`${name}: direction has ${direction.length} values, the model's latent ${latentSize}`);
    set.set(name, { positive, scale, direction: Float64Array.from(direction) });
  }
  return set;
}

/** `strengths` as canonical {@link Strengths}: zeros dropped (0 and absent are the same face), sorted by name. */
export function canonicalStrengths(strengths: Readonly<Record<string, number>>): Strengths {
  return Object.entries(strengths)
    .filter(([, s]) => s !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `z` shifted along the attributes' directions (formula above); `z` itself when `strengths` is empty. */
export function shiftLatent(z: Float32Array, set: AttributeSet, strengths: Strengths): Float32Array {
  if (strengths.length === 0) return z;
  const out = Float64Array.from(z);
  for (const [name, strength] of strengths) {
    const attribute = set.get(name);
    if (!attribute) throw new Error(`shiftLatent: no attribute "${name}"`);
    const step = strength * attribute.scale;
    for (let i = 0; i < out.length; i++) out[i] += step * attribute.direction[i];
  }
  return Float32Array.from(out);
}
