/**
 * src/http/json-schema.ts: zod schemas as JSON Schema draft 2020-12, checked by Ajv's 2020-12 validator in strict mode
 * (which refuses draft-04/07 forms such as a tuple's `items: [...]` or a boolean `exclusiveMinimum`), on the manifest
 * schema (both where it is checked in and where /openapi.json embeds it) and on small schemas.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SCHEMA_FILE } from '../../scripts/lib/manifest-schema';
import { ROOT } from '../../scripts/lib/root';
import { DRAFT_2020_12, jsonSchema2020, toDraft2020 } from '../../src/http/json-schema';
import { openApiDocument } from '../../src/http/openapi';

/**
 * A strict 2020-12 validator: unknown keywords and draft-04/07 forms are errors, not ignored. strictTuples is a
 * style rule that wants every tuple closed, which a tuple with a rest element is not, validly.
 */
const ajv = () => new Ajv2020({ strict: true, strictTuples: false, allErrors: true });

describe('jsonSchema2020', () => {
  it('writes tuples as prefixItems (items: what every element is), rest elements as items, exclusive bounds as numbers', () => {
    const schema = jsonSchema2020(z.object({ pair: z.tuple([z.number(), z.string()]), list: z.tuple([z.number()]).rest(z.boolean()), n: z.number().positive() }));
    expect(schema.$schema).toBe(DRAFT_2020_12);
    const props = (schema as { properties: Record<string, Record<string, unknown>> }).properties;
    expect(props.pair).toEqual({
      type: 'array',
      minItems: 2,
      maxItems: 2,
      prefixItems: [{ type: 'number' }, { type: 'string' }],
      items: { anyOf: [{ type: 'number' }, { type: 'string' }] },
    });
    expect(props.list).toMatchObject({ prefixItems: [{ type: 'number' }], items: { type: 'boolean' } });
    expect(props.n).toEqual({ type: 'number', exclusiveMinimum: 0 });
    const validate = ajv().compile(schema);
    expect(validate({ pair: [1, 'a'], list: [1, true, false], n: 1 })).toBe(true);
    expect(validate({ pair: [1, 2], list: [1], n: 1 })).toBe(false);
    expect(validate({ pair: [1, 'a'], list: [1], n: 0 })).toBe(false);
  });

  it('moves definitions to $defs and points $refs there', () => {
    const schema = jsonSchema2020(z.object({ a: z.string() }), { name: 'Thing' });
    expect(schema).toMatchObject({ $ref: '#/$defs/Thing', $defs: { Thing: { type: 'object' } } });
    expect(schema).not.toHaveProperty('definitions');
    expect(ajv().compile(schema)({ a: 'x' })).toBe(true);
  });

  it('rewrites schema keywords only: property names and data (defaults, enums) stay as they are', () => {
    const draft7 = {
      type: 'object',
      properties: { items: { type: 'array', items: [{ type: 'number' }] }, definitions: { type: 'string' } },
      default: { items: [1], definitions: {} },
    };
    expect(toDraft2020(draft7)).toEqual({
      type: 'object',
      properties: { items: { type: 'array', prefixItems: [{ type: 'number' }], items: { type: 'number' } }, definitions: { type: 'string' } },
      default: { items: [1], definitions: {} },
    });
  });
});

describe('the manifest schema follows draft 2020-12 everywhere it is used', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8'));

  it('models/manifest.schema.json declares 2020-12, compiles strictly and accepts the checked-in manifest', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(schema.$schema).toBe(DRAFT_2020_12);
    const validate = ajv().compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...manifest, models: [{ ...manifest.models[0], valueRange: [0, 1, 2] }] })).toBe(false);
  });

  it('/openapi.json embeds the same schema, which compiles strictly as 2020-12 (its default dialect)', () => {
    const doc = openApiDocument('http://localhost:8787') as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }> };
    const embedded = doc.paths['/models/manifest.json'].get.responses['200'].content['application/json'].schema;
    const validate = ajv().compile(embedded);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...manifest, models: [{ ...manifest.models[0], bytes: 0 }] })).toBe(false);
  });
});
