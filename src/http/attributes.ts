/**
 * A request's attribute strengths: checked against the model's attribute names (400 listing the valid ones), then
 * spelled canonically for ETags and cache keys, so equal requests share both whatever their query's spelling.
 */
import { canonicalStrengths, type Strengths } from '../runtime/attributes';
import type { ModelEntry } from '../runtime/manifest';
import { attributeStrengths, MAX_STRENGTH, routeKeys, type AttributeQuerySchema } from './params';

/** A query names a parameter that is neither the route's nor one of the model's attributes: the client's error. */
export class UnknownAttributeError extends Error {}

/** The canonical strengths of a query parsed by a `withAttributes` schema, checked against `entry`'s attributes. */
export function requestStrengths(query: Record<string, unknown>, schema: AttributeQuerySchema, entry: ModelEntry): Strengths {
  const known = entry.attributes ?? [];
  const unknown = Object.keys(attributeStrengths(query, schema)).filter((name) => !known.includes(name));
  if (unknown.length) {
    const valid = known.length ? `its attributes are ${known.join(', ')} (strength -${MAX_STRENGTH}…${MAX_STRENGTH})` : 'it has no attributes';
    throw new UnknownAttributeError(`unknown parameter ${unknown.map((n) => JSON.stringify(n)).join(', ')}: model ${entry.version} takes ${routeKeys(schema).join(', ')}; ${valid}`);
  }
  return canonicalStrengths(attributeStrengths(query, schema));
}

/** `name=strength` pairs joined by `separator`. */
function spell(strengths: Strengths, separator: string): string {
  return strengths.map(([name, s]) => `${name}=${s}`).join(separator);
}

/**
 * ETag suffix: empty for no shift, else the attributes file's hash (directions may be republished) and strengths.
 * Joined with `;`, not `,`: If-None-Match lists ETags separated by commas, and parsers split on them.
 */
export function strengthsTag(entry: ModelEntry, strengths: Strengths): string {
  if (strengths.length === 0) return '';
  return `-${entry.attributesSha256?.slice(0, 8)}:${spell(strengths, ';')}`;
}

/** Cache-key query suffix, like {@link strengthsTag}. */
export function strengthsQuery(entry: ModelEntry, strengths: Strengths): string {
  if (strengths.length === 0) return '';
  return `&${spell(strengths, '&')}&attributes=${entry.attributesSha256?.slice(0, 16)}`;
}
