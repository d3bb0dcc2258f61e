/**
 * `<seedface-avatar seed="alice" size="64">`: a seed's face.
 *
 * Attributes: `seed`; each `GET /face/:seed` parameter under its own name (`size`, or `width` and `height` with
 * `fit`; `shape`, `background`, `grayscale`, `blur`, `format`, `quality`, `v`); attribute strengths as
 * `strengths="smile=0.8 age=-0.5"`; `alt` (empty by default: an avatar usually sits beside a name); `local`.
 *
 * Without `local` it is an `<img>` of `/face/<seed>.png?…` (the worker this module came from) with a `srcset` for 1×, 2×
 * and 3× screens as far as the route's 512 px allow, `width` and `height` set (no layout shift) and lazy loading.
 * With `local` the face is drawn on a canvas by the worker's own runtime in the page, at the screen's pixel ratio: no
 * request carries the seed, and on WebAssembly the pixels are the PNG's (`format` and `quality` are checked, not
 * applied). Changing an attribute draws again. A bad option or a failed request shows a neutral box of the same size
 * and warns on the console, naming the option; the element fires `load` when a face is shown and `error` then.
 */
import { MAX_SIDE } from '../src/http/frame-size';
import { queryFaceUrl, SERVICE, srcsetOf, type FaceUrlOptions } from './face-url';
import { failureOf, localFaces, SeedfaceElement } from './seedface-element';

/**
 * The `/face` parameters taken as attributes: all of them but `dpr`, which the srcset (or, with `local`, the screen)
 * sets. Typed against the route's schema, so a parameter added there fails to compile until it is listed here.
 */
const PARAMS = {
  size: true,
  width: true,
  height: true,
  fit: true,
  shape: true,
  background: true,
  grayscale: true,
  blur: true,
  format: true,
  quality: true,
  v: true,
} satisfies Record<Exclude<keyof FaceUrlOptions, 'dpr' | 'attributes'>, true>;

/** `<seedface-avatar>`: see the module comment. */
export class SeedfaceAvatar extends SeedfaceElement {
  static readonly observedAttributes = [...Object.keys(PARAMS), 'seed', 'strengths', 'alt', 'local'];
  protected readonly params = Object.keys(PARAMS);
  #img?: HTMLImageElement;

  protected async render(current: () => boolean): Promise<void> {
    const seed = this.getAttribute('seed');
    if (seed === null) throw new RangeError('seed: missing');
    const sides = this.sides(), query = this.query();
    if (this.hasAttribute('local')) {
      const dpr = this.pixelRatio(MAX_SIDE.face, sides);
      const face = await (await localFaces()).drawFace(SERVICE.href, seed, { ...query, dpr: String(dpr) });
      if (!current()) return;
      this.canvas([face.width, face.height], sides).putImageData(face, 0, 0);
      this.loaded();
      return;
    }
    const src = queryFaceUrl(seed, query);
    const img = (this.#img ??= Object.assign(document.createElement('img'), { loading: 'lazy', decoding: 'async' }));
    img.setAttribute('part', 'face');
    img.onload = () => current() && this.loaded();
    img.onerror = async () => {
      const reason = await failureOf(img.currentSrc || src);
      if (current()) this.fail(reason);
    };
    const srcset = srcsetOf(sides, (dpr) => (dpr === 1 ? src : queryFaceUrl(seed, { ...query, dpr })));
    Object.assign(img, { width: sides[0], height: sides[1], srcset, src });
    this.show(img);
  }
}
