/**
 * The JSON Schema of the model manifest, generated from its zod schema (src/runtime/manifest.ts) in draft 2020-12, the
 * dialect /openapi.json embeds it in too (src/http/json-schema.ts), for the training side (train/tests/ validates the
 * entries manifest.py writes against it) and for readers. Checked in as
 * models/manifest.schema.json; `npm run schema` rewrites it, and test/unit/manifest-schema.test.ts fails when the
 * checked-in file is stale. JSON Schema cannot say what the zod refinements say (`current` names a listed version,
 * valueRange increases, the three attribute fields go together); those the worker checks.
 */
import { join } from 'node:path';
import { jsonSchema2020 } from '../../src/http/json-schema';
import { manifestSchema } from '../../src/runtime/manifest';
import { ROOT } from './root';

/** Where the generated schema is checked in. */
export const SCHEMA_FILE = join(ROOT, 'models', 'manifest.schema.json');

/** The manifest's JSON Schema as the checked-in file's text. */
export function manifestJsonSchema(): string {
  const schema = jsonSchema2020(manifestSchema, { name: 'Manifest', $refStrategy: 'none' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
