/**
 * A decoded face in the frame a page asks for: any width × height, the face covering it (cropped) or contained in it
 * (padded), a background, grayscale and a Gaussian-like blur of the face, square or circle. Pure integer arithmetic after the
 * resampling (src/runtime/image.ts), so the bytes are the same in every isolate, in Node and in the browser.
 *
 * A plain square frame (`cover`, no background, grayscale or blur) is exactly the face the service always drew:
 * old URLs keep their bytes.
 */
import { circleMask, planesToRgba } from './image';

/** How the face fills a frame of another aspect: `cover` crops it, `contain` pads it. */
export type Fit = 'cover' | 'contain';

/** What fills the padding of `contain` and the outside of a circle: taken from the face's border, none, or a colour. */
export type Background = 'auto' | 'transparent' | readonly [r: number, g: number, b: number];

/** A frame to draw a face in. */
export interface Frame {
  width: number;
  height: number;
  fit: Fit;
  /** `circle` only in a square frame: everything outside the inscribed circle is the background. */
  shape: 'square' | 'circle';
  background: Background;
  grayscale: boolean;
  /** σ of the blur in output pixels, 0 for none. */
  blur: number;
}

/** The frame of a plain `size` square face, as `/face?size=` draws it. */
export function squareFrame(size: number, shape: Frame['shape'] = 'square'): Frame {
  return { width: size, height: size, fit: 'cover', shape, background: 'auto', grayscale: false, blur: 0 };
}

/**
 * Where a wide frame's crop is centred, as a share of the face's height: halfway between the brows (~0.16 of the
 * aligned template's height) and the chin below the mouth (~0.75), measured on the mean of the training faces.
 * A crop of at least 0.6 of the face's height then keeps both eyes and the mouth.
 */
const FACE_CENTRE_Y = 0.46;

function isColour(background: Background): background is readonly [number, number, number] {
  return typeof background !== 'string';
}

/** Whether the frame pads the face (a `contain` frame of another aspect). */
export function pads({ width, height, fit }: Frame): boolean {
  return fit === 'contain' && width !== height;
}

/** Whether every pixel of the drawn frame is opaque, so an encoder may drop the alpha channel. */
export function isOpaque(frame: Frame): boolean {
  if (frame.shape === 'circle') return isColour(frame.background);
  return !(pads(frame) && frame.background === 'transparent');
}

/** Renders decoded planes (3 × srcSize² floats in `valueRange`) into `frame`: width × height RGBA bytes. */
export function drawFrame(planes: Float32Array, srcSize: number, valueRange: readonly [number, number], frame: Frame): Uint8Array {
  const { width, height } = frame;
  const side = frame.fit === 'cover' ? Math.max(width, height) : Math.min(width, height);
  const face = planesToRgba(planes, srcSize, { size: side, valueRange });
  // the effects are the face's: a background is the colour the page asked for, and a crop of a blurred face has
  // no edge the blur would have to invent
  if (frame.grayscale) grayscale(face);
  if (frame.blur) blur(face, side, side, frame.blur, frame.grayscale);
  const out = side === width && side === height ? face : frame.fit === 'cover' ? crop(face, side, width, height) : pad(face, side, frame);
  if (frame.shape === 'circle') applyCircle(out, width, frame.background);
  return out;
}

/** The width × height window of a `side` square face: centred across, at the face's centre of features down. */
function crop(face: Uint8Array, side: number, width: number, height: number): Uint8Array {
  const x0 = (side - width) >> 1;
  const y0 = Math.min(side - height, Math.max(0, Math.round(FACE_CENTRE_Y * side - height / 2)));
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) out.set(face.subarray(((y0 + y) * side + x0) * 4, ((y0 + y) * side + x0 + width) * 4), y * width * 4);
  return out;
}

/** The face centred in the frame, the rest filled with the background (alpha 0 for `transparent`). */
function pad(face: Uint8Array, side: number, frame: Frame): Uint8Array {
  const { width, height, background } = frame;
  const [r, g, b] = isColour(background) ? background : borderColour(face, side, width > height);
  const alpha = background === 'transparent' ? 0 : 255;
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < out.length; i += 4) {
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
    out[i + 3] = alpha;
  }
  const x0 = (width - side) >> 1, y0 = (height - side) >> 1;
  for (let y = 0; y < side; y++) out.set(face.subarray(y * side * 4, (y + 1) * side * 4), ((y0 + y) * width + x0) * 4);
  return out;
}

/**
 * The mean colour of the face's edges that meet the padding (left and right columns for a wide frame, top and bottom
 * rows for a tall one), so that the padding continues the face's own background. Transparent padding gets it too,
 * for viewers and blurs that ignore alpha.
 */
function borderColour(face: Uint8Array, side: number, sideways: boolean): [number, number, number] {
  const sums = [0, 0, 0];
  for (let k = 0; k < side; k++) {
    for (const edge of [0, side - 1]) {
      const i = (sideways ? k * side + edge : edge * side + k) * 4;
      for (let c = 0; c < 3; c++) sums[c] += face[i + c];
    }
  }
  return sums.map((s) => Math.round(s / (2 * side))) as [number, number, number];
}

/** Luma (BT.601, in 16-bit fixed point) into all three channels. */
function grayscale(rgba: Uint8Array): void {
  for (let i = 0; i < rgba.length; i += 4) {
    const y = (19595 * rgba[i] + 38470 * rgba[i + 1] + 7471 * rgba[i + 2] + 32768) >>> 16;
    rgba[i] = rgba[i + 1] = rgba[i + 2] = y;
  }
}

/**
 * Widths of three box filters whose succession approximates a Gaussian of deviation `sigma` (W. Jarosz / P. Kovesi,
 * "Fast almost-Gaussian filtering", 2010): odd widths wl and wl + 2, chosen so the variances add up to σ².
 */
export function boxWidths(sigma: number, passes = 3): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / passes + 1);
  let wl = Math.floor(ideal);
  if (wl % 2 === 0) wl--;
  const m = Math.round((12 * sigma * sigma - passes * wl * wl - 4 * passes * wl - 3 * passes) / (-4 * wl - 4));
  return Array.from({ length: passes }, (_, i) => (i < m ? wl : wl + 2));
}

/** Box widths' tables, built once per isolate: `blur` 1–10 uses a dozen odd widths at most. */
const meanTables = new Map<number, Uint8Array>();

/** The rounded mean of every window sum of width `w`, looked up: exact, and no division per sample. */
function windowMeans(w: number): Uint8Array {
  let table = meanTables.get(w);
  if (!table) meanTables.set(w, (table = Uint8Array.from({ length: 255 * w + 1 }, (_, sum) => Math.floor((sum + (w >> 1)) / w))));
  return table;
}

let planeScratch = new Uint8Array(0);
let copyScratch = new Uint8Array(0);
let rowScratch = new Uint8Array(0);
let sumScratch = new Int32Array(0);

/**
 * Blurs the RGB of `rgba` in place by three box passes across and three down (edges extended), each with running
 * sums: a cost per pixel independent of σ, integers throughout. Alpha is left as it is. Each channel is blurred as
 * its own plane (contiguous samples, no alpha to step over); a `gray` frame's three equal channels are blurred once.
 */
function blur(rgba: Uint8Array, width: number, height: number, sigma: number, gray: boolean): void {
  const n = width * height;
  if (planeScratch.length < n) {
    planeScratch = new Uint8Array(n);
    copyScratch = new Uint8Array(n);
  }
  if (sumScratch.length < width) sumScratch = new Int32Array(width);
  const plane = planeScratch.subarray(0, n), widths = boxWidths(sigma);
  for (let c = 0; c < (gray ? 1 : 3); c++) {
    for (let i = 0; i < n; i++) plane[i] = rgba[i * 4 + c];
    for (const w of widths) {
      const mean = windowMeans(w);
      boxRows(plane, width, height, w, mean);
      boxColumns(plane, width, height, w, mean);
    }
    if (gray) for (let i = 0, o = 0; i < n; i++, o += 4) rgba[o] = rgba[o + 1] = rgba[o + 2] = plane[i];
    else for (let i = 0; i < n; i++) rgba[i * 4 + c] = plane[i];
  }
}

/**
 * One box pass of odd width `w` along every row of `plane`. Each row is first copied with its edge samples repeated
 * `r` times on both sides, so the running sum adds and drops without clamping an index.
 */
function boxRows(plane: Uint8Array, width: number, height: number, w: number, mean: Uint8Array): void {
  const r = w >> 1, last = width - 1;
  if (rowScratch.length < width + w) rowScratch = new Uint8Array(width + w);
  const ext = rowScratch; // ext[j] = row[clamp(j - r)]
  for (let y = 0, row = 0; y < height; y++, row += width) {
    ext.fill(plane[row], 0, r);
    ext.set(plane.subarray(row, row + width), r);
    ext.fill(plane[row + last], r + width, width + w);
    let sum = 0;
    for (let j = 0; j < w; j++) sum += ext[j];
    for (let x = 0; x < width; x++) {
      plane[row + x] = mean[sum];
      sum += ext[x + w] - ext[x];
    }
  }
}

/** One box pass of odd width `w` down every column of `plane` (edges extended): a running sum per column, row by row. */
function boxColumns(plane: Uint8Array, width: number, height: number, w: number, mean: Uint8Array): void {
  const r = w >> 1, last = height - 1, copy = copyScratch, sums = sumScratch;
  copy.set(plane);
  sums.fill(0, 0, width);
  for (let k = -r; k <= r; k++) {
    const src = (k < 0 ? 0 : k > last ? last : k) * width;
    for (let x = 0; x < width; x++) sums[x] += copy[src + x];
  }
  for (let y = 0; y < height; y++) {
    const out = y * width, add = Math.min(last, y + r + 1) * width, drop = Math.max(0, y - r) * width;
    for (let x = 0; x < width; x++) {
      plane[out + x] = mean[sums[x]];
      sums[x] += copy[add + x] - copy[drop + x];
    }
  }
}

/** A circle inscribed in the square frame: outside it, transparency, or the background colour blended in. */
function applyCircle(rgba: Uint8Array, size: number, background: Background): void {
  const mask = circleMask(size);
  if (!isColour(background)) {
    for (let i = 0; i < mask.length; i++) rgba[i * 4 + 3] = mask[i];
    return;
  }
  for (let i = 0; i < mask.length; i++) {
    const a = mask[i];
    if (a === 255) continue;
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = Math.floor((rgba[i * 4 + c] * a + background[c] * (255 - a) + 127) / 255);
  }
}
