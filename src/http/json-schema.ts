/**
 * JSON Schema from zod schemas, in one dialect: draft 2020-12, the one OpenAPI 3.1 embeds and the one
 * models/manifest.schema.json declares. zod-to-json-schema writes draft 7 at best (its other targets use draft-04
 * forms such as `exclusiveMinimum: true`), so its draft-7 output is rewritten here where the two drafts differ for
 * what zod produces: tuples (`items: [...]` becomes `prefixItems`, `additionalItems` becomes `items`) and
 * definitions (`definitions` becomes `$defs`, and the `$ref`s into it follow).
 *
 * A tuple without a rest element also gets `items`: the schema every element matches (its element schema, or any of
 * them). `maxItems` already forbids more elements, so this adds nothing to what validates; it is there for readers
 * and linters that know arrays by `items` alone (Spectral's `array-items` requires it).
 */
import type { ZodTypeAny } from 'zod';
import { zodToJsonSchema, type Options } from 'zod-to-json-schema';

/** A JSON Schema, or any other JSON object. */
export type JsonObject = { [key: string]: unknown };

/** The meta-schema URI of draft 2020-12. */
export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/** Keywords whose value maps names to schemas (the names are data, the values are schemas). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
/** Keywords whose value is one schema, or (`items` in draft 7) a list of them. */
const SUBSCHEMAS = new Set(['items', 'additionalItems', 'prefixItems', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf']);

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The one schema that each of `schemas` is: itself if they are all equal, else any of them. */
function anyOf(schemas: unknown[]): unknown {
  const distinct = [...new Map(schemas.map((s) => [JSON.stringify(s), s])).values()];
  return distinct.length === 1 ? distinct[0] : { anyOf: distinct };
}

/** `value` as draft 2020-12 when it is a schema (or a list of schemas); anything else as it is. */
function subschema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(subschema);
  return isObject(value) ? toDraft2020(value) : value;
}

/**
 * A draft-7 schema as draft 2020-12. Only schema keywords are walked: values of `default`, `enum`, `const` and the
 * like are data and stay as they are, whatever keys they hold.
 */
export function toDraft2020(schema: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'items' && Array.isArray(value)) {
      out.prefixItems = subschema(value);
      out.items = 'additionalItems' in schema ? subschema(schema.additionalItems) : anyOf(out.prefixItems as unknown[]);
    } else if (key === 'additionalItems') continue;
    else if (key === 'definitions') out.$defs = Object.fromEntries(Object.entries(value as JsonObject).map(([name, s]) => [name, subschema(s)]));
    else if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(/^#\/definitions\//, '#/$defs/');
    else if (SCHEMA_MAPS.has(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, subschema(s)]));
    else if (SUBSCHEMAS.has(key)) out[key] = subschema(value);
    else out[key] = value;
  }
  return out;
}

/**
 * The draft 2020-12 JSON Schema of `schema`, with `$schema` naming the draft first; `options` are
 * zod-to-json-schema's, but for the target, which is always draft 7 before the rewrite.
 */
export function jsonSchema2020(schema: ZodTypeAny, options: Partial<Omit<Options, 'target'>> = {}): JsonObject {
  const { $schema: _, ...draft7 } = zodToJsonSchema(schema, { ...options, target: 'jsonSchema7' }) as JsonObject;
  return { $schema: DRAFT_2020_12, ...toDraft2020(draft7) };
}
