/**
 * The JSON Schema of the model manifest, generated from its zod schema (src/runtime/manifest.ts), for the training
 * side (train/tests/ validates the entries manifest.py writes against it) and for readers. Checked in as
 * models/manifest.schema.json; `npm run schema` rewrites it, and test/unit/manifest-schema.test.ts fails when the
 * checked-in file is stale. JSON Schema cannot say what the zod refinements say (`current` names a listed version,
 * valueRange increases, the three attribute fields go together); those the worker checks.
 */
import { join } from 'node:path';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { manifestSchema } from '../../src/runtime/manifest';
import { ROOT } from './root';

/** Where the generated schema is checked in. */
export const SCHEMA_FILE = join(ROOT, 'models', 'manifest.schema.json');

/** The manifest's JSON Schema as the checked-in file's text. */
export function manifestJsonSchema(): string {
  const schema = zodToJsonSchema(manifestSchema, { name: 'Manifest', $refStrategy: 'none' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
