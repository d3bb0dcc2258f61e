/** A grid of faces at native size; faces the detector rejected get a red frame so failures are easy to spot. */
import { blit, solidImage, type RgbImage } from './image';

/** One tile of the sheet. */
export interface SheetTile {
  image: RgbImage;
  detected: boolean;
}

const FRAME = 2;

/** Lays the tiles out `columns` wide, row by row; all tiles must have the size of the first. */
export function contactSheet(tiles: readonly SheetTile[], columns = 8): RgbImage {
  if (tiles.length === 0) throw new Error('contactSheet: no tiles');
  const { width, height } = tiles[0].image;
  const cellW = width + 2 * FRAME, cellH = height + 2 * FRAME;
  const rows = Math.ceil(tiles.length / columns);
  const sheet = solidImage(Math.min(columns, tiles.length) * cellW, rows * cellH, [255, 255, 255]);
  tiles.forEach((tile, i) => {
    const x = (i % columns) * cellW, y = Math.floor(i / columns) * cellH;
    blit(sheet, solidImage(cellW, cellH, tile.detected ? [255, 255, 255] : [220, 30, 30]), x, y);
    blit(sheet, tile.image, x + FRAME, y + FRAME);
  });
  return sheet;
}
