/**
 * Zoomed crops of the eyes and the hair of generated and real faces, side by side, for the contact sheet: at the
 * served size, blown up by whole-pixel (nearest-neighbour) zoom, so that what is judged is the pixels a user gets
 * and not an interpolation of them.
 */
import { drawText, CHAR_HEIGHT } from './font';
import { blit, crop, solidImage, type RgbImage } from './image';

/** A rectangle of an aligned face, in fractions of its side. */
export interface FaceRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The two regions shown. The shared face set's template puts the eye centres at (38.5, 36) and (89.5, 36) of 128
 * px, so the eyes band holds both eyes and brows; the hair region is the frame's upper-left corner above the brows,
 * where top hair, side hair and background meet.
 */
export const CROP_REGIONS: Readonly<Record<'eyes' | 'hair', FaceRegion>> = {
  eyes: { x: 1 / 8, y: 1 / 8, width: 3 / 4, height: 1 / 4 },
  hair: { x: 0, y: 0, width: 3 / 8, height: 3 / 16 },
};

/** Whole-pixel zoom factor for faces of `size` px: a face zoomed by it would be about 512 px wide. */
export function zoomFactor(size: number): number {
  return Math.max(1, Math.round(512 / size));
}

/** `image` with every pixel repeated `factor` times in each direction. */
export function zoomNearest(image: RgbImage, factor: number): RgbImage {
  const out = solidImage(image.width * factor, image.height * factor, [0, 0, 0]);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const from = ((Math.floor(y / factor) * image.width) + Math.floor(x / factor)) * 3;
      out.data.set(image.data.subarray(from, from + 3), (y * out.width + x) * 3);
    }
  }
  return out;
}

/** The region of a square face, rounded to whole pixels. */
export function regionCrop(face: RgbImage, region: FaceRegion): RgbImage {
  const side = face.width;
  return crop(face, Math.round(region.x * side), Math.round(region.y * side), Math.round(region.width * side), Math.round(region.height * side));
}

/** Pixels between the eyes and hair crops of one face, between rows, and between the generated and real halves. */
export const CROP_GAP = 4;
export const HALF_GAP = 24;
const HEADER = 2 * CHAR_HEIGHT + 8;

/**
 * One row per pair of faces, generated on the left and real on the right, each as [eyes | hair] zoomed by
 * {@link zoomFactor}; as many rows as the shorter list. All faces must be square and of one size.
 */
export function zoomedCrops(generated: readonly RgbImage[], real: readonly RgbImage[]): RgbImage {
  const rows = Math.min(generated.length, real.length);
  if (rows === 0) throw new Error('zoomedCrops: no faces');
  const size = generated[0].width;
  if ([...generated, ...real].some((face) => face.width !== size || face.height !== size)) throw new Error('zoomedCrops: faces of different sizes');
  const factor = zoomFactor(size);
  const strip = (face: RgbImage) => [regionCrop(face, CROP_REGIONS.eyes), regionCrop(face, CROP_REGIONS.hair)].map((part) => zoomNearest(part, factor));
  const sample = strip(generated[0]);
  const halfWidth = sample[0].width + CROP_GAP + sample[1].width;
  const rowHeight = Math.max(sample[0].height, sample[1].height);
  const panel = solidImage(2 * halfWidth + HALF_GAP, HEADER + rows * rowHeight + (rows - 1) * CROP_GAP, [255, 255, 255]);
  drawText(panel, `generated, served at ${size} px (x${factor})`, 0, 2, [0, 0, 0], 2);
  drawText(panel, 'held-out real, same size', halfWidth + HALF_GAP, 2, [0, 0, 0], 2);
  for (let i = 0; i < rows; i++) {
    const y = HEADER + i * (rowHeight + CROP_GAP);
    [generated[i], real[i]].forEach((face, half) => {
      const [eyes, hair] = strip(face);
      const x = half * (halfWidth + HALF_GAP);
      blit(panel, eyes, x, y);
      blit(panel, hair, x + eyes.width + CROP_GAP, y);
    });
  }
  return panel;
}
