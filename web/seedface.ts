/**
 * seedface.js: faces in any web page without code. Served by the worker as `/web/seedface.js`:
 *
 * ```html
 * <script type="module" src="https://<worker>/web/seedface.js"></script>
 * <seedface-avatar seed="alice" size="64"></seedface-avatar>
 * ```
 *
 * - `<seedface-avatar>` (web/seedface-avatar.ts): a seed's face as an `<img>` with a `srcset`, or drawn in the page
 *   with `local`, the seed then never leaving it;
 * - `<seedface-morph>` (web/seedface-morph.ts): the morph between two seeds, playing or following `t`;
 * - `faceUrl()`, `faceSrcset()` and `interpolateUrl()` (web/face-url.ts): the routes' URLs, their options typed by
 *   the routes' schemas.
 *
 * URLs point at the worker this module was loaded from. Without `local`, this file is all a page loads; `local`
 * imports the in-page runtime (`/web/local-faces.js`, then ORT's wasm and the model) once, for every element.
 */
import { SeedfaceAvatar } from './seedface-avatar';
import { SeedfaceMorph } from './seedface-morph';

export { faceSrcset, faceUrl, interpolateUrl, type FaceUrlOptions, type InterpolateUrlOptions } from './face-url';
export { SeedfaceAvatar, SeedfaceMorph };

declare global {
  interface HTMLElementTagNameMap {
    'seedface-avatar': SeedfaceAvatar;
    'seedface-morph': SeedfaceMorph;
  }
}

// a second copy of the module (another URL for the same worker) finds them defined and leaves them
for (const [name, element] of [['seedface-avatar', SeedfaceAvatar], ['seedface-morph', SeedfaceMorph]] as const) {
  if (!customElements.get(name)) customElements.define(name, element);
}
