/**
 * The model manifest (`manifest.json`, models/README.md): the one definition of its shape, shared by the worker, the
 * browser client, the scripts, the benchmarks and the evaluation. `npm run schema` writes the JSON Schema generated
 * from it to models/manifest.schema.json, which the training side's tests validate `manifest.py`'s entries against.
 */
import { z } from 'zod';
import { ATTRIBUTE_NAME } from './attributes';

/** What a version name may look like (models/README.md); also what the `v` query parameter accepts. */
export const VERSION_PATTERN = /^[a-z0-9][a-z0-9.-]{0,31}$/;

const SHA256 = /^[0-9a-f]{64}$/;

/** One entry, before the rule that ties its attribute fields together (JSON Schema keeps what this says). */
const entryShape = z
  .object({
    name: z.string().describe('model family, e.g. seedface-ae64'),
    version: z.string().regex(VERSION_PATTERN).describe('the `v` query parameter; never reused for other weights'),
    file: z.string().min(1).describe('R2 key of the ONNX bytes'),
    sha256: z.string().regex(SHA256).describe('hex SHA-256 of those bytes; the worker refuses a mismatch'),
    bytes: z.number().int().positive(),
    latentSize: z.number().int().min(1).max(4096).describe('D: the decoder input is float32 [N, D], drawn from N(0, I)'),
    imageSize: z.number().int().min(4).max(1024).describe('H = W of the output'),
    input: z.string().describe('graph input name'),
    output: z.string().describe('graph output name; float32 [N, 3, H, W] (NCHW, RGB)'),
    valueRange: z.tuple([z.number(), z.number()]).describe('[lo, hi]: the output values that map to 0 and 255'),
    quantization: z.string(),
    parameters: z.number().int().positive().optional().describe('decoder parameter count'),
    macs: z.number().int().positive().optional().describe('multiply-accumulates per face'),
    dataset: z.unknown(),
    license: z.unknown(),
    attributesFile: z.string().min(1).optional().describe('R2 key of the attribute directions (src/runtime/attributes.ts)'),
    attributesSha256: z.string().regex(SHA256).optional(),
    attributes: z.array(z.string().regex(ATTRIBUTE_NAME)).optional().describe('the names the attributes file holds'),
    trainingWeights: z
      .string()
      .min(1)
      .optional()
      .describe("the run's training weights in models/ (PyTorch: EMA autoencoder and critic), for a warm start; not served"),
  })
  .passthrough();

/** A manifest entry: the fields above are checked, extra ones (training and eval figures) pass through. */
const entrySchema = entryShape
  .refine(({ valueRange: [lo, hi] }) => hi > lo, 'valueRange must be increasing')
  .refine(
    (e) => new Set([e.attributesFile, e.attributesSha256, e.attributes].map((field) => field === undefined)).size === 1,
    'attributesFile, attributesSha256 and attributes go together',
  );

/** The whole manifest: the current version and the models, one of which it must name. */
export const manifestSchema = z
  .object({ current: z.string().describe('version served when a request names none'), models: z.array(entrySchema).min(1) })
  .refine((m) => m.models.some((e) => e.version === m.current), 'current names no listed model');

/** One manifest entry (extra fields such as training and eval figures pass through). */
export type ModelEntry = z.infer<typeof entrySchema>;
/** The parsed `manifest.json`. */
export type Manifest = z.infer<typeof manifestSchema>;

/** `json` checked against {@link manifestSchema}; throws with the first problem found. */
export function parseManifest(json: unknown): Manifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || 'manifest'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The entry of `version`, by default the manifest's current one (which {@link parseManifest} guarantees exists). */
export function findEntry(manifest: Manifest, version = manifest.current): ModelEntry | undefined {
  return manifest.models.find((e) => e.version === version);
}
