/**
 * seedface.js's typed URL builder (web/face-url.ts): the URLs it writes, and its option types, taken from the routes'
 * schemas: each `@ts-expect-error` below is a wrong option that must stay a type error (`npm run typecheck` fails
 * if one compiles), and each URL written parses back through the route's schema to the options given.
 */
import { describe, expect, it } from 'vitest';
import { faceQuery, facePath, interpolateQuery } from '../../src/http/params';
import { faceSrcset, faceUrl, interpolateUrl } from '../../web/face-url';

const BASE = 'https://faces.example/';

/** The query of `url` as an object, as the route sees it. */
const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('faceUrl', () => {
  it('writes the format as the extension, PNG by default, and every option as its parameter', () => {
    expect(faceUrl('alice', { size: 64 }, BASE)).toBe('https://faces.example/face/alice.png?size=64');
    expect(faceUrl('alice', { format: 'jpeg', quality: 70 }, BASE)).toBe('https://faces.example/face/alice.jpeg?quality=70');
    const url = faceUrl('a b/é', { width: 300, height: 200, fit: 'contain', background: 'FF8800', grayscale: true, blur: 2, dpr: 2, v: '5', attributes: { smile: 0.8, age: -0.5 } }, BASE);
    expect(url).toBe('https://faces.example/face/a%20b%2F%C3%A9.png?width=300&height=200&fit=contain&background=FF8800&grayscale=1&blur=2&dpr=2&v=5&smile=0.8&age=-0.5');
  });

  it('writes URLs the route parses back to the options given', () => {
    const url = new URL(faceUrl('alice.webp', { size: 48, shape: 'circle', format: 'webp', grayscale: false, attributes: { smile: 1.25 } }, BASE));
    expect(facePath.parse({ seed: decodeURIComponent(url.pathname.slice('/face/'.length)) })).toEqual({ seed: 'alice.webp', extension: 'webp' });
    expect(faceQuery.parse(queryOf(url.href))).toEqual({ size: 48, shape: 'circle', fit: 'cover', dpr: 1, grayscale: false, smile: 1.25 });
  });

  it('puts format=auto in the query, and refuses it for a seed that ends like an extension', () => {
    expect(faceUrl('alice', { format: 'auto' }, BASE)).toBe('https://faces.example/face/alice?format=auto');
    expect(() => faceUrl('x.png', { format: 'auto' }, BASE)).toThrow(/^format: /);
  });

  it('keeps a base path prefix, with or without its trailing slash', () => {
    expect(faceUrl('a', {}, 'https://example.com/faces')).toBe('https://example.com/faces/face/a.png');
    expect(faceUrl('a', {}, 'https://example.com/faces/')).toBe('https://example.com/faces/face/a.png');
  });

  it('takes only the route’s options, with the route’s types', () => {
    // @ts-expect-error: an unknown option
    faceUrl('a', { sise: 64 });
    // @ts-expect-error: size is a number
    faceUrl('a', { size: '64' });
    // @ts-expect-error: not a shape
    faceUrl('a', { shape: 'oval' });
    // @ts-expect-error: not a format of /face
    faceUrl('a', { format: 'gif' });
    // @ts-expect-error: grayscale is a flag
    faceUrl('a', { grayscale: 1 });
    // @ts-expect-error: strengths are numbers
    faceUrl('a', { attributes: { smile: 'big' } });
    // @ts-expect-error: steps is /interpolate's
    faceUrl('a', { steps: 4 });
  });
});

describe('faceSrcset', () => {
  it('lists 1×, 2× and 3× as far as the route’s 512 px a side allow', () => {
    const face = 'https://faces.example/face/alice.png';
    expect(faceSrcset('alice', { size: 64, shape: 'circle' }, BASE)).toBe(`${face}?size=64&shape=circle 1x, ${face}?size=64&shape=circle&dpr=2 2x, ${face}?size=64&shape=circle&dpr=3 3x`);
    expect(faceSrcset('alice', { width: 200, height: 100 }, BASE)).toBe(`${face}?width=200&height=100 1x, ${face}?width=200&height=100&dpr=2 2x`);
    expect(faceSrcset('alice', {}, BASE)).toBe(`${face} 1x, ${face}?dpr=2 2x, ${face}?dpr=3 3x`);
    expect(faceSrcset('alice', { size: 512 }, BASE)).toBe(`${face}?size=512 1x`);
  });
});

describe('interpolateUrl', () => {
  it('writes /interpolate with both seeds and the options the route parses back', () => {
    const url = interpolateUrl('alice', 'bob', { steps: 5, size: 64, format: 'apng', attributes: { smile: -1 } }, BASE);
    expect(url).toBe('https://faces.example/interpolate?from=alice&to=bob&steps=5&size=64&format=apng&smile=-1');
    expect(interpolateQuery.parse(queryOf(url))).toMatchObject({ from: 'alice', to: 'bob', steps: 5, size: 64, format: 'apng', smile: -1 });
  });

  it('takes only the route’s options', () => {
    // @ts-expect-error: width is /face's
    interpolateUrl('a', 'b', { width: 64 });
    // @ts-expect-error: not a format of /interpolate
    interpolateUrl('a', 'b', { format: 'png' });
    // @ts-expect-error: the seeds are arguments
    interpolateUrl('a', 'b', { from: 'c' });
  });
});
