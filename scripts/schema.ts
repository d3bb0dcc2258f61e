/** `npm run schema`: writes models/manifest.schema.json from the manifest's zod schema (scripts/lib/manifest-schema.ts). */
import { writeFileSync } from 'node:fs';
import { manifestJsonSchema, SCHEMA_FILE } from './lib/manifest-schema';

writeFileSync(SCHEMA_FILE, manifestJsonSchema());
console.log(`wrote ${SCHEMA_FILE}`);
