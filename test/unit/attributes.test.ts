import { describe, expect, it } from 'vitest';
import { canonicalStrengths, parseAttributes, shiftLatent } from '../../src/runtime/attributes';

const file = (attributes: Record<string, { positive?: string; scale?: number; direction: number[] }>) => ({
  space: 'test',
  attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { positive: `more ${k}`, scale: 1, ...v }])),
});

describe('parseAttributes', () => {
  it('reads directions and checks them against the manifest', () => {
    const set = parseAttributes(file({ b: { direction: [0, 1], scale: 2 }, a: { direction: [1, 0] } }), 2, ['a', 'b']);
    expect([...set.keys()]).toEqual(['a', 'b']);
    expect(set.get('b')).toEqual({ positive: 'more b', scale: 2, direction: Float64Array.from([0, 1]) });
  });

  it.each([
    ['a name the manifest does not list', file({ a: { direction: [1, 0] }, c: { direction: [0, 1] } }), ['a', 'b'], /manifest/],
    ['a missing name', file({ a: { direction: [1, 0] } }), ['a', 'b'], /manifest/],
    ['a direction of the wrong length', file({ a: { direction: [1, 0, 0] } }), ['a'], /3 values/],
    ['a non-positive scale', file({ a: { direction: [1, 0], scale: 0 } }), ['a'], /scale/],
    ['a bad name', file({ 'A b': { direction: [1, 0] } }), ['A b'], /attribute name/],
    ['no attributes object', { space: 'x' }, ['a'], /attributes/],
  ])('rejects %s', (_, json, names, message) => {
    expect(() => parseAttributes(json, 2, names)).toThrow(message);
  });
});

describe('shiftLatent', () => {
  const set = parseAttributes(file({ a: { direction: [0.6, 0.8, 0], scale: 0.7 }, b: { direction: [0, 0.1, 0.99], scale: 1.3 } }), 3, ['a', 'b']);
  const z = Float32Array.from([0.1, -1.2, 2.3]);

  it('is z itself with no strengths, and z + Σ s·scale·direction in float64 rounded once otherwise', () => {
    expect(shiftLatent(z, set, [])).toBe(z);
    const want = Array.from(z, (v, i) => Math.fround(v + 1.5 * 0.7 * [0.6, 0.8, 0][i] + -0.25 * 1.3 * [0, 0.1, 0.99][i]));
    expect(Array.from(shiftLatent(z, set, canonicalStrengths({ b: -0.25, a: 1.5 })))).toEqual(want);
  });

  it('canonical strengths drop zeros and sort by name, so query order never changes the bits', () => {
    expect(canonicalStrengths({ b: 1, c: 0, a: -2 })).toEqual([['a', -2], ['b', 1]]);
    expect(shiftLatent(z, set, canonicalStrengths({ a: 0.3, b: 0.7 }))).toEqual(shiftLatent(z, set, canonicalStrengths({ b: 0.7, a: 0.3 })));
  });

  it('refuses a name the set does not have (routes check names first)', () => {
    expect(() => shiftLatent(z, set, [['nope', 1]])).toThrow(/nope/);
  });
});
