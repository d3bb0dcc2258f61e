import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema, SCHEMA_FILE } from '../../scripts/lib/manifest-schema';

describe('models/manifest.schema.json', () => {
  it('is what `npm run schema` generates from src/runtime/manifest.ts (run it after changing the zod schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(manifestJsonSchema());
  });
});
