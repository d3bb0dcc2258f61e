/**
 * How large a frame is: the routes' limits, the default side, and the width and height a query's `size`, `width`
 * and `height` give. Apart from src/http/frame-query.ts (which checks and canonicalises whole frames) and free of
 * imports, because the page elements (web/seedface-*.ts) lay faces out by it and must stay small.
 */

/** Largest side of a `/face` image and of one `/interpolate` frame, `dpr` included. */
export const MAX_SIDE = { face: 512, interpolate: 256 } as const;

/** The side a face has when the request names none. */
export const DEFAULT_SIDE = 128;

/** A frame's width and height. */
export type Sides = [width: number, height: number];

/**
 * The frame's width and height in CSS pixels (before `dpr`): `width` and `height`, one of them alone for a square,
 * or `size`, else {@link DEFAULT_SIDE}.
 */
export function frameSides({ size, width, height }: { size?: number; width?: number; height?: number }): Sides {
  return [width ?? height ?? size ?? DEFAULT_SIDE, height ?? width ?? size ?? DEFAULT_SIDE];
}
