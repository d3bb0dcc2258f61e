/**
 * A request's frame parameters (`size` or `width`/`height`, `fit`, `shape`, `background`, `dpr`, `grayscale`, `blur`)
 * → the frame to draw (src/runtime/frame.ts), or why they are refused. The frame is canonical: options that change
 * nothing are dropped (`fit` of a square frame, a `background` with nothing to fill, `dpr` folded into the pixel
 * size), so equivalent URLs share one ETag and one cache entry, and a plain square face keeps the tags it always had.
 */
import type { Frame } from '../runtime/frame';
import { isOpaque, pads } from '../runtime/frame';
import { frameSides } from './frame-size';
import type { Transparency } from './params';

/** The frame parameters of a parsed query. */
export interface FrameQuery {
  size?: number;
  width?: number;
  height?: number;
  fit?: Frame['fit'];
  shape: Frame['shape'];
  background?: string;
  dpr: number;
  grayscale?: boolean;
  blur?: number;
}

/** The frame a query asks for, at most `maxSide` pixels a side once `dpr` is applied (src/http/frame-size.ts); or the 400's message. */
export function resolveFrame(query: FrameQuery, maxSide: number): Frame | { error: string } {
  const { size, width, height, dpr } = query;
  if (size !== undefined && (width !== undefined || height !== undefined)) return { error: 'size: give size (a square) or width and height, not both' };
  const [w, h] = frameSides(query).map((side) => side * dpr);
  if (Math.max(w, h) > maxSide) return { error: `dpr: ${w / dpr}×${h / dpr} at dpr ${dpr} is ${w}×${h} px, over ${maxSide} px a side` };
  if (query.shape === 'circle' && w !== h) return { error: 'shape: circle needs a square frame (size, or equal width and height)' };
  const fit = w === h ? 'cover' : (query.fit ?? 'cover');
  const bg = query.background;
  const colour = bg && bg !== 'transparent' ? ([0, 2, 4].map((i) => parseInt(bg.slice(i, i + 2), 16)) as [number, number, number]) : undefined;
  const frame: Frame = { width: w, height: h, fit, shape: query.shape, background: 'auto', grayscale: query.grayscale ?? false, blur: query.blur ?? 0 };
  // a background fills contain's padding and a circle's outside; a circle's outside is transparent by default
  if (query.shape === 'circle') frame.background = colour ?? 'auto';
  else if (pads(frame)) frame.background = colour ?? (bg === 'transparent' ? 'transparent' : 'auto');
  return frame;
}

/** What makes the frame transparent, if anything: the parameter a JPEG request is refused for. */
export function transparencyOf(frame: Frame): Transparency {
  if (isOpaque(frame)) return null;
  return frame.shape === 'circle' ? 'shape' : 'background';
}

function backgroundName({ background }: Frame): string {
  return typeof background === 'string' ? background : background.map((v) => v.toString(16).padStart(2, '0')).join('');
}

/** The ETag part of a frame's background and effects: empty without them, so such ETags are the ones they always were. */
export function effectsTag(frame: Frame): string {
  const bg = frame.background === 'auto' ? '' : `-bg${backgroundName(frame)}`;
  return `${bg}${frame.grayscale ? '-gray' : ''}${frame.blur ? `-blur${frame.blur}` : ''}`;
}

/** The cache-key query part of a frame's background and effects, canonical like {@link effectsTag}. */
export function effectsQuery(frame: Frame): string {
  const bg = frame.background === 'auto' ? '' : `&background=${backgroundName(frame)}`;
  return `${bg}${frame.grayscale ? '&grayscale=1' : ''}${frame.blur ? `&blur=${frame.blur}` : ''}`;
}

/** The ETag part of a whole frame: `<side>-<shape>` for a plain square, as `/face` always wrote it. */
export function frameTag(frame: Frame): string {
  const size = frame.width === frame.height ? `${frame.width}` : `${frame.width}x${frame.height}-${frame.fit}`;
  return `${size}-${frame.shape}${effectsTag(frame)}`;
}

/** The cache-key query of a whole frame, canonical like {@link frameTag}. */
export function frameQuery(frame: Frame): string {
  const size = frame.width === frame.height ? `size=${frame.width}` : `width=${frame.width}&height=${frame.height}&fit=${frame.fit}`;
  return `${size}&shape=${frame.shape}${effectsQuery(frame)}`;
}
